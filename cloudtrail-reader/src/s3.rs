//! Reading `s3://bucket/prefix` through `object_store` (feature `s3`).
//!
//! A small tokio runtime is created for each read and driven from the reader's worker threads with
//! `block_on`, so the reader's API stays synchronous: each worker reads one object at a time, as a stream
//! of parts fetched when the reader asks for more, which bounds both concurrency and memory the same way
//! as for local files.

use std::io;
use std::sync::Arc;

use std::io::Read;

use futures::{Stream, StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};

use crate::options::S3Options;

/// A bucket and the runtime that talks to it.
#[derive(Debug)]
pub(crate) struct Bucket {
    runtime: tokio::runtime::Runtime,
    store: AmazonS3,
    name: String,
    credentials: Credentials,
}

/// Where the credentials come from, for error messages that say what to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Credentials {
    /// An access key (options or `AWS_ACCESS_KEY_ID`).
    Key,
    /// A web identity token or a container's credentials endpoint.
    Role,
    /// Nothing set: object_store asks the instance metadata service.
    InstanceMetadata,
}

impl Credentials {
    fn of(builder: &AmazonS3Builder) -> Credentials {
        let set = |key| {
            builder
                .get_config_value(&key)
                .is_some_and(|v| !v.is_empty())
        };
        if set(AmazonS3ConfigKey::AccessKeyId) {
            Credentials::Key
        } else if set(AmazonS3ConfigKey::WebIdentityTokenFile)
            || set(AmazonS3ConfigKey::ContainerCredentialsRelativeUri)
            || set(AmazonS3ConfigKey::ContainerCredentialsFullUri)
        {
            Credentials::Role
        } else {
            Credentials::InstanceMetadata
        }
    }
}

/// The text of the first `<name>...</name>` element in an S3 error body.
fn xml_element<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let start = text.find(&format!("<{name}>"))? + name.len() + 2;
    let end = start + text[start..].find(&format!("</{name}>"))?;
    Some(text[start..end].trim())
}

/// An error's first line (object_store puts response bodies after it).
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// Splits `s3://bucket/prefix` into its bucket and prefix.
pub(crate) fn parse_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    (!bucket.is_empty()).then_some((bucket, prefix))
}

impl Bucket {
    /// Connects to a bucket. Settings come from `options` first, then from the environment's `AWS_*`
    /// variables (as object_store reads them: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`, `AWS_REGION` / `AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL`, web identity and
    /// container credentials); with no key anywhere, from the instance metadata service. Profiles
    /// (`AWS_PROFILE`, `~/.aws/config`, SSO) are not read.
    pub(crate) fn open(name: &str, options: &S3Options) -> io::Result<Arc<Bucket>> {
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(name);
        if let Some(endpoint) = &options.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        // Plain HTTP for an `http://` endpoint wherever it was set (object_store otherwise refuses it
        // with a bare "builder error" unless AWS_ALLOW_HTTP is also set).
        if builder
            .get_config_value(&AmazonS3ConfigKey::Endpoint)
            .is_some_and(|endpoint| endpoint.starts_with("http://"))
        {
            builder = builder.with_allow_http(true);
        }
        if let Some(region) = &options.region {
            builder = builder.with_region(region);
        }
        if let (Some(key), Some(secret)) = (&options.access_key_id, &options.secret_access_key) {
            builder = builder
                .with_access_key_id(key)
                .with_secret_access_key(secret);
        }
        let credentials = Credentials::of(&builder);
        let store = builder.build().map_err(|error| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("S3 settings refused: {error}"),
            )
        })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        Ok(Arc::new(Bucket {
            runtime,
            store,
            name: name.to_owned(),
            credentials,
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
            .map_err(|error| self.explain(error))?;
        objects.sort();
        Ok(objects)
    }

    /// One object's content, read as it arrives: only what the reader has asked for is fetched, so a
    /// stream of values is read in bounded memory whatever the object's size, and a document over the
    /// cap stops the download at the cap.
    pub(crate) fn reader(&self, key: &str) -> io::Result<impl Read + '_> {
        let path = Path::from(key);
        let stream = self
            .runtime
            .block_on(async { self.store.get(&path).await })
            .map_err(|error| self.explain(error))?
            .into_stream();
        Ok(ObjectReader {
            bucket: self,
            stream,
            current: None,
            at: 0,
        })
    }

    /// An object_store error as a message that says what went wrong and what to change: S3's own code
    /// and message instead of its XML body, and where credentials were looked for when there were none.
    fn explain(&self, error: object_store::Error) -> io::Error {
        let text = error.to_string();
        let kind = match &error {
            object_store::Error::NotFound { .. } => io::ErrorKind::NotFound,
            object_store::Error::PermissionDenied { .. }
            | object_store::Error::Unauthenticated { .. } => io::ErrorKind::PermissionDenied,
            _ => io::ErrorKind::Other,
        };
        if self.credentials == Credentials::InstanceMetadata
            && (text.contains("169.254.169.254") || text.contains("credential"))
        {
            return io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "no S3 credentials: none in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (nor a web \
                     identity or container role), and the instance metadata service gave none; profiles \
                     and SSO (AWS_PROFILE, ~/.aws/config) are not read: export a profile's credentials \
                     with `eval \"$(aws configure export-credentials --format env)\"` ({})",
                    first_line(&text)
                ),
            );
        }
        match (xml_element(&text, "Code"), xml_element(&text, "Message")) {
            (Some(code), message) => {
                let hint = match code {
                    "NoSuchBucket" => {
                        format!(": bucket `{}` does not exist at this endpoint", self.name)
                    }
                    "AccessDenied" | "InvalidAccessKeyId" | "SignatureDoesNotMatch" => {
                        ": check the credentials and the bucket's policy".to_owned()
                    }
                    "PermanentRedirect" | "AuthorizationHeaderMalformed" => {
                        ": the bucket is in another region (set AWS_REGION)".to_owned()
                    }
                    _ => String::new(),
                };
                io::Error::new(
                    kind,
                    format!(
                        "S3 said {code}: {}{hint}",
                        message.unwrap_or("(no message)")
                    ),
                )
            }
            (None, _) => io::Error::new(kind, first_line(&text).to_owned()),
        }
    }

    /// `s3://bucket/key`.
    pub(crate) fn url(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.name)
    }
}

/// An object's body as [`Read`]: each part is awaited on the bucket's runtime when the last is used up.
struct ObjectReader<'b, S, B> {
    bucket: &'b Bucket,
    stream: S,
    current: Option<B>,
    at: usize,
}

impl<S, B> Read for ObjectReader<'_, S, B>
where
    S: Stream<Item = object_store::Result<B>> + Unpin,
    B: AsRef<[u8]>,
{
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let rest = self
                .current
                .as_ref()
                .and_then(|part| part.as_ref().get(self.at..))
                .unwrap_or_default();
            if !rest.is_empty() {
                let n = rest.len().min(buf.len());
                if let (Some(target), Some(source)) = (buf.get_mut(..n), rest.get(..n)) {
                    target.copy_from_slice(source);
                }
                self.at += n;
                return Ok(n);
            }
            match self.bucket.runtime.block_on(self.stream.next()) {
                None => return Ok(0),
                Some(Ok(part)) => {
                    self.current = Some(part);
                    self.at = 0;
                }
                Some(Err(error)) => return Err(self.bucket.explain(error)),
            }
        }
    }
}
