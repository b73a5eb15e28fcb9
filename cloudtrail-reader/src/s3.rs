//! Reading `s3://bucket/prefix` through `object_store` (feature `s3`).
//!
//! A small tokio runtime is created for each read and driven from the reader's worker threads with
//! `block_on`, so the reader's API stays synchronous: each worker fetches one object at a time, which
//! bounds both concurrency and memory the same way as for local files.

use std::io;
use std::sync::Arc;

use futures::TryStreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};

use crate::options::S3Options;

/// A bucket and the runtime that talks to it.
#[derive(Debug)]
pub(crate) struct Bucket {
    runtime: tokio::runtime::Runtime,
    store: AmazonS3,
    name: String,
}

/// Splits `s3://bucket/prefix` into its bucket and prefix.
pub(crate) fn parse_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    (!bucket.is_empty()).then_some((bucket, prefix))
}

impl Bucket {
    /// Connects to a bucket with the credentials and endpoint of the environment (`AWS_*` variables, as
    /// object_store reads them), overridden by `options`.
    pub(crate) fn open(name: &str, options: &S3Options) -> io::Result<Arc<Bucket>> {
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(name);
        if let Some(endpoint) = &options.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some(region) = &options.region {
            builder = builder.with_region(region);
        }
        if let (Some(key), Some(secret)) = (&options.access_key_id, &options.secret_access_key) {
            builder = builder
                .with_access_key_id(key)
                .with_secret_access_key(secret);
        }
        let store = builder.build().map_err(io::Error::other)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        Ok(Arc::new(Bucket {
            runtime,
            store,
            name: name.to_owned(),
        }))
    }

    /// Every object under the prefix, as (key, size), in key order.
    pub(crate) fn list(&self, prefix: &str) -> io::Result<Vec<(String, u64)>> {
        let prefix = (!prefix.is_empty()).then(|| Path::from(prefix));
        let mut objects: Vec<(String, u64)> = self
            .runtime
            .block_on(async {
                self.store
                    .list(prefix.as_ref())
                    .map_ok(|meta| (meta.location.to_string(), meta.size))
                    .try_collect()
                    .await
            })
            .map_err(io::Error::other)?;
        objects.sort();
        Ok(objects)
    }

    /// One object's bytes.
    pub(crate) fn get(&self, key: &str) -> io::Result<impl AsRef<[u8]> + use<>> {
        let path = Path::from(key);
        self.runtime
            .block_on(async { self.store.get(&path).await?.bytes().await })
            .map_err(io::Error::other)
    }

    /// `s3://bucket/key`.
    pub(crate) fn url(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.name)
    }
}
