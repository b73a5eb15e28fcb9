//! [`ReaderOptions`], [`ErrorPolicy`] and [`Progress`].

use std::fmt;
use std::sync::Arc;

use cloudtrail_model::Projection;

use crate::layout::LayoutFilter;

/// What to do when an input or a record is bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorPolicy {
    /// Report the error (to the error callback and the statistics) and go on with the rest.
    #[default]
    SkipAndReport,
    /// Stop at the first error and return it.
    FailFast,
}

/// How far reading has got, as reported to [`ReaderOptions::progress`] after each input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Progress {
    /// Inputs finished.
    pub inputs_done: u64,
    /// Inputs to read in all.
    pub inputs_total: u64,
    /// Bytes of input (as stored, compressed or not) finished.
    pub bytes_done: u64,
    /// Bytes of input in all, when known (not for stdin).
    pub bytes_total: Option<u64>,
    /// Records delivered so far.
    pub records_done: u64,
}

/// A progress callback: called from the worker threads after each input.
pub type ProgressHook = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Where and as whom to reach S3 for `s3://` sources (feature `s3`). Set fields win; unset ones come from
/// the environment's `AWS_*` variables as object_store reads them (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION` or `AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL`,
/// `AWS_WEB_IDENTITY_TOKEN_FILE` with `AWS_ROLE_ARN`, `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`), and with no
/// key at all from the instance metadata service. Profiles and SSO (`AWS_PROFILE`, `~/.aws/config`) are not
/// read: export a profile's credentials first (`aws configure export-credentials --format env`).
///
/// Built from [`S3Options::default`] (or [`S3Options::with_endpoint`]) with the `with_*` methods, so that
/// new settings are not breaking changes:
///
/// ```
/// use cloudtrail_reader::S3Options;
///
/// let s3 = S3Options::default()
///     .with_endpoint("http://127.0.0.1:9000")
///     .with_region("us-east-1")
///     .with_credentials("AKIAEXAMPLE", "secret");
/// assert_eq!(s3.region.as_deref(), Some("us-east-1"));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct S3Options {
    /// The endpoint, for S3-compatible servers (`http://127.0.0.1:9000`); plain HTTP is allowed for
    /// `http://` endpoints.
    pub endpoint: Option<String>,
    /// The region.
    pub region: Option<String>,
    /// The access key id (with `secret_access_key`).
    pub access_key_id: Option<String>,
    /// The secret access key.
    pub secret_access_key: Option<String>,
}

impl S3Options {
    /// Sets [`S3Options::endpoint`].
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Sets [`S3Options::endpoint`], or clears it with `None`.
    pub fn with_endpoint_opt(mut self, endpoint: Option<String>) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Sets [`S3Options::region`].
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sets [`S3Options::access_key_id`] and [`S3Options::secret_access_key`].
    pub fn with_credentials(
        mut self,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        self.access_key_id = Some(access_key_id.into());
        self.secret_access_key = Some(secret_access_key.into());
        self
    }
}

impl fmt::Debug for S3Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Options")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "(set)"),
            )
            .finish()
    }
}

/// What a damaged gzip member delivers: one that is cut short, whose deflate data is invalid, or whose
/// CRC-32 or length does not match what it inflated to.
///
/// Gzip can only tell that a member is sound at its end, where its CRC-32 and length are. Damage anywhere
/// in the deflate data may inflate to plausible text, even to copies of earlier records, before the
/// check fails; a file that was merely cut short is indistinguishable from one whose data went bad. So
/// the choice is between keeping what can be kept and keeping only what was checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum DamagedGzip {
    /// Deliver every complete record the member inflated to before the damage, then report the damage
    /// once (the default). Nothing that can be read is lost; the error says the member failed its check,
    /// so records read from it may need a second look.
    #[default]
    DeliverBeforeDamage,
    /// Deliver nothing of the member and report it once: only records whose member passed its CRC-32
    /// check are delivered. Earlier members of a multi-member input are still delivered.
    DropMember,
}

/// How to read: [`ReaderOptions::default`], changed with the `with_*` methods (new options may come
/// without breaking callers).
///
/// ```
/// use cloudtrail_reader::{ErrorPolicy, ReaderOptions};
///
/// let options = ReaderOptions::default().with_threads(2).with_policy(ErrorPolicy::FailFast);
/// assert_eq!(options.threads, 2);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct ReaderOptions {
    /// Worker threads; 0 (the default) means one per core.
    pub threads: usize,
    /// What to do with errors.
    pub policy: ErrorPolicy,
    /// The most content a document read whole (a `{"Records":[...]}` file, a plain JSON array) may
    /// inflate to; default [`ReaderOptions::DEFAULT_MAX_DECOMPRESSED_BYTES`], 256 MiB. Past it the
    /// input ends with [`crate::ReadError::TooLarge`] (the records before the cap delivered) and the
    /// next input is read. It is the bound on what a worker holds for such a document (CloudTrail
    /// delivers files of a few MB, rarely near 100 MB decompressed) and a defence against gzip bombs.
    /// JSON Lines and other streams of values are not held whole and have no total cap: they are
    /// read a window at a time, each value under [`ReaderOptions::max_record_bytes`] (see the crate
    /// docs, Bounds).
    pub max_decompressed_bytes: u64,
    /// What a damaged gzip member delivers (default: every complete record before the damage).
    pub damaged_gzip: DamagedGzip,
    /// The largest record accepted; default 8 MiB (CloudTrail's own limit is 256 KB, 1 MB in Lake). In
    /// JSON Lines and other streams of values it is also the longest a top-level value may run on
    /// without ending (an endless line is [`crate::ReadError::ValueTooLong`]), so it bounds what a
    /// worker holds for a stream.
    pub max_record_bytes: u64,
    /// Which files of a directory tree to read.
    pub filter: LayoutFilter,
    /// Called after each input with the progress so far.
    pub progress: Option<ProgressHook>,
    /// How to reach S3 for `s3://` sources.
    pub s3: S3Options,
    /// The members to read from each record, the rest read past (see the crate docs, Projection);
    /// `None` (the default) reads records whole.
    pub projection: Option<Projection>,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            threads: 0,
            policy: ErrorPolicy::default(),
            max_decompressed_bytes: ReaderOptions::DEFAULT_MAX_DECOMPRESSED_BYTES,
            damaged_gzip: DamagedGzip::default(),
            max_record_bytes: 8 << 20,
            filter: LayoutFilter::default(),
            progress: None,
            s3: S3Options::default(),
            projection: None,
        }
    }
}

impl fmt::Debug for ReaderOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReaderOptions")
            .field("threads", &self.threads)
            .field("policy", &self.policy)
            .field("max_decompressed_bytes", &self.max_decompressed_bytes)
            .field("damaged_gzip", &self.damaged_gzip)
            .field("max_record_bytes", &self.max_record_bytes)
            .field("filter", &self.filter)
            .field("progress", &self.progress.as_ref().map(|_| "callback"))
            .field("s3", &self.s3)
            .field("projection", &self.projection)
            .finish()
    }
}

impl ReaderOptions {
    /// The default of [`ReaderOptions::max_decompressed_bytes`]: 256 MiB.
    pub const DEFAULT_MAX_DECOMPRESSED_BYTES: u64 = 256 << 20;

    /// Sets [`ReaderOptions::threads`].
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// Sets [`ReaderOptions::policy`].
    pub fn with_policy(mut self, policy: ErrorPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets [`ReaderOptions::max_decompressed_bytes`].
    pub fn with_max_decompressed_bytes(mut self, bytes: u64) -> Self {
        self.max_decompressed_bytes = bytes;
        self
    }

    /// Sets [`ReaderOptions::damaged_gzip`].
    pub fn with_damaged_gzip(mut self, damaged_gzip: DamagedGzip) -> Self {
        self.damaged_gzip = damaged_gzip;
        self
    }

    /// Sets [`ReaderOptions::max_record_bytes`].
    pub fn with_max_record_bytes(mut self, bytes: u64) -> Self {
        self.max_record_bytes = bytes;
        self
    }

    /// Sets [`ReaderOptions::filter`].
    pub fn with_filter(mut self, filter: LayoutFilter) -> Self {
        self.filter = filter;
        self
    }

    /// Sets [`ReaderOptions::progress`].
    pub fn with_progress(mut self, progress: ProgressHook) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Sets [`ReaderOptions::s3`].
    pub fn with_s3(mut self, s3: S3Options) -> Self {
        self.s3 = s3;
        self
    }

    /// Sets [`ReaderOptions::projection`]: records are delivered holding the members `projection` keeps
    /// (and those the reader reads to tell a record from other JSON, [`Lookalike::MEMBERS`]), each
    /// record's other members read past with the checks a whole read makes, so that every count and
    /// error is what a whole read gives.
    ///
    /// [`Lookalike::MEMBERS`]: cloudtrail_model::Lookalike::MEMBERS
    pub fn with_projection(mut self, projection: Projection) -> Self {
        self.projection = Some(projection);
        self
    }

    /// The number of worker threads these options mean on this machine.
    pub fn worker_threads(&self) -> usize {
        if self.threads > 0 {
            self.threads
        } else {
            std::thread::available_parallelism().map_or(1, usize::from)
        }
    }
}
