//! [`StorePrefix`]: Parquet output to S3 or any `object_store` store (feature `s3`).
//!
//! The writers are synchronous (one per reader thread); each upload is driven to its end with
//! `block_on` on a small runtime the prefix owns, so a writer uploads one file at a time and memory
//! stays at one encoded file per writer.

use std::path::PathBuf;
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, WriteMultipart};

use super::WriteError;

/// Files under this size go up in one conditional PUT; larger ones as a multipart upload.
const MULTIPART_FROM_BYTES: usize = 8 << 20;

/// Parts of a multipart upload (S3 takes 5 MiB at least, except the last).
const PART_BYTES: usize = 8 << 20;

/// A prefix in an object store, where a writer puts its partitions.
#[derive(Clone)]
pub struct StorePrefix {
    store: Arc<dyn ObjectStore>,
    runtime: Arc<tokio::runtime::Runtime>,
    /// `s3://bucket`, for messages.
    base_url: String,
    /// The key prefix, without a trailing `/` (empty for the bucket's root).
    prefix: String,
}

impl std::fmt::Debug for StorePrefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StorePrefix")
            .field("url", &self.url(""))
            .finish_non_exhaustive()
    }
}

/// Why an object store output could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The URL is not `s3://bucket[/prefix]`.
    #[error("{url:?} is not an s3://bucket[/prefix] URL")]
    NotS3 {
        /// The URL given.
        url: String,
    },
    /// object_store refused the configuration (endpoint, region, credentials) or a listing.
    #[error("{url}: {source}")]
    Config {
        /// The URL given.
        url: String,
        /// What object_store said.
        #[source]
        source: object_store::Error,
    },
    /// The runtime that drives the uploads could not start.
    #[error("cannot start the upload runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

impl StorePrefix {
    /// `s3://bucket/prefix` with the credentials, region and endpoint of the environment (the
    /// `AWS_*` variables object_store reads: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`, `AWS_REGION`, `AWS_ENDPOINT_URL`, ...), `endpoint` overriding the last
    /// (plain `http://` allowed for it, as local S3-compatible servers use).
    pub fn s3(url: &str, endpoint: Option<&str>) -> Result<StorePrefix, StoreError> {
        let not_s3 = || StoreError::NotS3 {
            url: url.to_owned(),
        };
        let rest = url.strip_prefix("s3://").ok_or_else(not_s3)?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(not_s3());
        }
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        if let Some(endpoint) = endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        let store = builder.build().map_err(|source| StoreError::Config {
            url: url.to_owned(),
            source,
        })?;
        StorePrefix::new(Arc::new(store), format!("s3://{bucket}"), prefix)
    }

    /// Any object store; `base_url` (such as `s3://bucket`) names it in messages.
    pub fn new(
        store: Arc<dyn ObjectStore>,
        base_url: impl Into<String>,
        prefix: &str,
    ) -> Result<StorePrefix, StoreError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(StoreError::Runtime)?;
        Ok(StorePrefix {
            store,
            runtime: Arc::new(runtime),
            base_url: base_url.into(),
            prefix: prefix.trim_matches('/').to_owned(),
        })
    }

    /// The key of `relative` under the prefix.
    pub fn key(&self, relative: &str) -> String {
        if self.prefix.is_empty() {
            relative.to_owned()
        } else {
            format!("{}/{relative}", self.prefix)
        }
    }

    /// `s3://bucket/prefix/relative`.
    pub fn url(&self, relative: &str) -> String {
        format!("{}/{}", self.base_url, self.key(relative))
    }

    /// Uploads `data` as `relative`, failing if an object of that key exists.
    pub(crate) fn put_new(
        &self,
        relative: &str,
        data: Vec<u8>,
        location: &std::path::Path,
    ) -> Result<(), WriteError> {
        let path = Path::from(self.key(relative));
        let error = |source| WriteError::Store {
            path: PathBuf::from(location),
            source,
        };
        self.runtime
            .block_on(async {
                if data.len() < MULTIPART_FROM_BYTES {
                    let options = PutOptions::from(PutMode::Create);
                    self.store
                        .put_opts(&path, data.into(), options)
                        .await
                        .map(|_| ())
                } else {
                    match self.store.head(&path).await {
                        Ok(_) => {
                            return Err(object_store::Error::AlreadyExists {
                                path: path.to_string(),
                                source: "a file with this name exists and is never replaced".into(),
                            });
                        }
                        Err(object_store::Error::NotFound { .. }) => {}
                        Err(other) => return Err(other),
                    }
                    let upload = self.store.put_multipart(&path).await?;
                    let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
                    for chunk in data.chunks(PART_BYTES) {
                        writer.wait_for_capacity(2).await?;
                        writer.write(chunk);
                    }
                    writer.finish().await.map(|_| ())
                }
            })
            .map_err(error)
    }
}

impl StorePrefix {
    /// Every object under the prefix, as (key, size), in key order.
    pub fn list(&self) -> Result<Vec<(String, u64)>, StoreError> {
        use futures::TryStreamExt;
        let prefix = (!self.prefix.is_empty()).then(|| Path::from(self.prefix.as_str()));
        let mut objects: Vec<(String, u64)> = self
            .runtime
            .block_on(async {
                self.store
                    .list(prefix.as_ref())
                    .map_ok(|meta| (meta.location.to_string(), meta.size))
                    .try_collect()
                    .await
            })
            .map_err(|source| StoreError::Config {
                url: self.url(""),
                source,
            })?;
        objects.sort();
        Ok(objects)
    }
}
