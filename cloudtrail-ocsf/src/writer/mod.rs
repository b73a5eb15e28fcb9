//! Parquet files in Hive partitions, for both layouts: [`FlatWriter`] (flat CloudTrail) and
//! [`OcsfWriter`] (OCSF, one class per file).
//!
//! Each writer belongs to one thread and buffers rows per partition
//! `<layout>/region=<r>/accountId=<a>/eventDay=<YYYYMMDD>` (see [`partition_dir`]). A partition is
//! written to its own new file when its delivery day is closed ([`ParquetWriter::close_through`]),
//! when it reaches [`WriterOptions::max_rows_per_file`] or [`WriterOptions::max_file_bytes`], and the
//! largest partitions are written whenever all of them together hold more than
//! [`WriterOptions::max_buffered_bytes`], so memory stays bounded whatever the input's size and its
//! number of partitions. `finish` writes the rest. [`compact`] merges a partition's files later.
//!
//! Every file: rows sorted by time (`eventTime`, or OCSF `time`; records without one first), zstd, data
//! pages under 1 MiB, row groups of at most [`WriterOptions::row_group_rows`] rows and 256 MiB, the
//! sort order declared in the footer, named `<prefix>-w<worker>-<n>.parquet` and placed without ever
//! replacing a file ([`Destination`]), so a crash never leaves a file that looks whole and two workers
//! or two runs never pick the same name.
//!
//! Counts are conserved: [`WriterStats::records_given`] = [`WriterStats::records_written`] +
//! [`WriterStats::records_reported`] once the writer is finished.

mod any;
mod compact;
mod file;
mod ocsf;
mod output;
mod partition;
mod partitioned;
#[cfg(feature = "s3")]
mod store;

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;

use arrow_array::RecordBatch;
use arrow_schema::ArrowError;
use cloudtrail_model::Event;
use parquet::errors::ParquetError;

use crate::flat::{FlatBatchBuilder, FlatError, TIME_COLUMN};
use crate::{MapError, OcsfArrowError};

pub use any::{Layout, ParquetWriter};
pub use compact::{COMPACTED_FROM_KEY, CompactStats, compact};
pub use ocsf::OcsfWriter;
pub use output::Destination;
pub use partition::{DEFAULT_PARTITION, partition_dir};
use partitioned::{Partitioned, RowBuffer, merge_counts};
#[cfg(feature = "s3")]
pub use store::{StoreError, StorePrefix};

/// The layout directory of the flat layout.
pub const FLAT_LAYOUT_DIR: &str = "cloudtrail";

/// Where and how to write. Build with [`WriterOptions::new`] (or `Default`, the current directory) and
/// the `with_*` setters; fields are public to read and to set, and new ones may come.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WriterOptions {
    /// Where the partitions are created: a directory, or an object store prefix.
    pub destination: Destination,
    /// The start of every file name; the default, `part-` and a random per-run token, differs between
    /// runs and processes, so that a second run into the same place adds files (and could never
    /// replace one: see [`Destination`]).
    pub file_prefix: String,
    /// OCSF layout only: write the paths of an Amazon Security Lake custom source,
    /// `ext/<source>/region=<r>/accountId=<a>/eventDay=<YYYYMMDD>/<class>-<name>.parquet`, instead of
    /// `<class>/region=.../...`.
    pub security_lake_source: Option<String>,
    /// Rows of one partition that make a file.
    pub max_rows_per_file: usize,
    /// Bytes (by the builders' estimate of their memory) of one partition that make a file.
    pub max_file_bytes: usize,
    /// Bytes all partitions of one writer may hold before the largest is written.
    pub max_buffered_bytes: usize,
    /// Rows per row group, at most.
    pub row_group_rows: usize,
    /// Bytes per row group, at most (Parquet's estimate, before compression).
    pub row_group_bytes: usize,
    /// Data page size limit.
    pub data_page_bytes: usize,
    /// How far past [`WriterOptions::data_page_bytes`] a page may grow. The Parquet encoder checks the
    /// page size only between the batches of rows it takes at a time, so each file's batch is as many
    /// rows as keep the largest row of any column within this many bytes (at least 32 rows, at most
    /// [`WriterOptions::max_write_batch_rows`]): pages stay under `data_page_bytes + page_slack_bytes`
    /// unless single values pass `page_slack_bytes / 32`.
    pub page_slack_bytes: usize,
    /// Rows the Parquet encoder takes at a time, at most (larger batches encode faster).
    pub max_write_batch_rows: usize,
    /// zstd level (1 to 22).
    pub zstd_level: i32,
    /// Sync each file to disk before renaming it (off only for throw-away output such as benchmarks).
    pub sync: bool,
}

impl WriterOptions {
    /// Defaults writing under `out_dir`: files of up to 1 Mi rows or 64 MiB, 128 MiB buffered per
    /// writer, row groups of up to 128 Ki rows, pages cut at 768 KiB with 256 KiB of slack (so that
    /// they stay under 1 MiB unless single values pass 8 KiB), zstd level 1 (as fast as level 3 is
    /// small on CloudTrail: the files came out the same size), synced.
    pub fn new(out_dir: impl Into<PathBuf>) -> Self {
        Self::to(Destination::Directory(out_dir.into()))
    }

    /// The same defaults, writing to `destination`.
    pub fn to(destination: Destination) -> Self {
        WriterOptions {
            destination,
            file_prefix: format!("part-{}", output::run_token()),
            security_lake_source: None,
            max_rows_per_file: 1 << 20,
            max_file_bytes: 64 << 20,
            max_buffered_bytes: 128 << 20,
            row_group_rows: 128 << 10,
            row_group_bytes: 256 << 20,
            data_page_bytes: 768 << 10,
            page_slack_bytes: 256 << 10,
            max_write_batch_rows: 8192,
            zstd_level: 1,
            sync: true,
        }
    }

    /// Sets [`WriterOptions::file_prefix`].
    pub fn with_file_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.file_prefix = prefix.into();
        self
    }

    /// Sets [`WriterOptions::security_lake_source`].
    pub fn with_security_lake_source(mut self, source: impl Into<String>) -> Self {
        self.security_lake_source = Some(source.into());
        self
    }

    /// Sets [`WriterOptions::max_rows_per_file`].
    pub fn with_max_rows_per_file(mut self, rows: usize) -> Self {
        self.max_rows_per_file = rows;
        self
    }

    /// Sets [`WriterOptions::max_file_bytes`].
    pub fn with_max_file_bytes(mut self, bytes: usize) -> Self {
        self.max_file_bytes = bytes;
        self
    }

    /// Sets [`WriterOptions::max_buffered_bytes`].
    pub fn with_max_buffered_bytes(mut self, bytes: usize) -> Self {
        self.max_buffered_bytes = bytes;
        self
    }

    /// Sets [`WriterOptions::row_group_rows`].
    pub fn with_row_group_rows(mut self, rows: usize) -> Self {
        self.row_group_rows = rows;
        self
    }

    /// Sets [`WriterOptions::zstd_level`].
    pub fn with_zstd_level(mut self, level: i32) -> Self {
        self.zstd_level = level;
        self
    }

    /// Sets [`WriterOptions::sync`].
    pub fn with_sync(mut self, sync: bool) -> Self {
        self.sync = sync;
        self
    }
}

impl Default for WriterOptions {
    /// The defaults of [`WriterOptions::new`], writing under the current directory.
    fn default() -> Self {
        WriterOptions::new(".")
    }
}

/// Why a record or a file could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// A file or directory operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The Parquet encoder failed.
    #[error("{}: {source}", path.display())]
    Parquet {
        /// The file being written.
        path: PathBuf,
        /// What the encoder said.
        #[source]
        source: ParquetError,
    },
    /// Sorting or assembling a batch failed.
    #[error("{}: {source}", path.display())]
    Arrow {
        /// The file the batch was for.
        path: PathBuf,
        /// What Arrow said.
        #[source]
        source: ArrowError,
    },
    /// The object store refused an upload (an existing key included: nothing is replaced).
    #[cfg(feature = "s3")]
    #[error("{}: {source}", path.display())]
    Store {
        /// The object's URL.
        path: PathBuf,
        /// What object_store said.
        #[source]
        source: object_store::Error,
    },
    /// A record could not be added to a flat batch.
    #[error(transparent)]
    Flat(#[from] FlatError),
    /// The mapper rejected a record (OCSF layout).
    #[error(transparent)]
    Map(#[from] MapError),
    /// A mapped record did not fit its class's Arrow schema (OCSF layout).
    #[error(transparent)]
    OcsfArrow(#[from] OcsfArrowError),
}

impl WriteError {
    /// True for an error about one record (it is counted and skipped), false for one about a file.
    pub fn is_record_error(&self) -> bool {
        matches!(
            self,
            WriteError::Flat(_) | WriteError::Map(_) | WriteError::OcsfArrow(_)
        )
    }
}

/// What one writer (or, merged, all of them) did with the records it was given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriterStats {
    /// Records given to `write`.
    pub records_given: u64,
    /// Records written to finished files, per layout directory (`cloudtrail`, or the OCSF class's
    /// `file_stem`).
    pub written: BTreeMap<String, u64>,
    /// Records the mapper rejected (OCSF layout).
    pub mapping_errors: u64,
    /// Records that could not be added to a batch.
    pub append_errors: u64,
    /// Records lost with a file that could not be written.
    pub write_errors: u64,
    /// Files written.
    pub files: u64,
    /// Bytes of the files written.
    pub bytes: u64,
}

impl WriterStats {
    /// Records in finished files.
    pub fn records_written(&self) -> u64 {
        self.written.values().sum()
    }

    /// Records reported instead of written: mapping, append and write errors.
    pub fn records_reported(&self) -> u64 {
        self.mapping_errors + self.append_errors + self.write_errors
    }

    /// Adds another writer's counts.
    pub fn merge(&mut self, other: &WriterStats) {
        self.records_given += other.records_given;
        merge_counts(&mut self.written, &other.written);
        self.mapping_errors += other.mapping_errors;
        self.append_errors += other.append_errors;
        self.write_errors += other.write_errors;
        self.files += other.files;
        self.bytes += other.bytes;
    }
}

impl RowBuffer for FlatBatchBuilder {
    fn rows(&self) -> usize {
        self.len()
    }

    fn take_batch(&mut self) -> Result<RecordBatch, WriteError> {
        Ok(self.finish()?)
    }

    fn empty_bytes() -> usize {
        FlatBatchBuilder::EMPTY_BYTES
    }

    fn unique_columns() -> &'static [&'static str] {
        &[
            "eventTime",
            "requestParameters",
            "responseElements",
            "additionalEventData",
            "requestID",
            "eventID",
            "serviceEventDetails",
            "sharedEventID",
            "edgeDeviceDetails",
            "insightDetails",
            "eventContext",
            crate::flat::OTHER_COLUMN,
            "userIdentity.accessKeyId",
        ]
    }

    fn filter_columns() -> &'static [&'static str] {
        &[
            "eventSource",
            "eventName",
            "awsRegion",
            "errorCode",
            "recipientAccountId",
            "eventType",
            "eventCategory",
            "readOnly",
            "managementEvent",
            "sourceIPAddress",
            "userIdentity.type",
            "userIdentity.accountId",
        ]
    }
}

/// Writes records in the flat layout ([`crate::flat`]) under `<out>/cloudtrail/...`.
///
/// ```
/// use cloudtrail_model::Event;
/// use cloudtrail_ocsf::writer::{FlatWriter, WriterOptions};
///
/// let out = std::env::temp_dir().join(format!("flat-doc-{}", std::process::id()));
/// let mut writer = FlatWriter::new(WriterOptions::new(&out), 0);
/// let event = Event::from_json(
///     r#"{"eventTime":"2024-05-01T12:00:00Z","awsRegion":"us-east-1","recipientAccountId":"111122223333"}"#,
/// )?;
/// writer.write(&event)?;
/// writer.finish()?;
/// assert_eq!(writer.stats().records_written(), 1);
/// assert!(out.join("cloudtrail/region=us-east-1/accountId=111122223333/eventDay=20240501").is_dir());
/// # std::fs::remove_dir_all(&out)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct FlatWriter {
    partitions: Partitioned<FlatBatchBuilder>,
}

impl std::fmt::Debug for FlatWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlatWriter")
            .field("stats", &self.partitions.stats)
            .field("buffered_rows", &self.partitions.buffered_rows())
            .finish_non_exhaustive()
    }
}

impl FlatWriter {
    /// A writer for worker `worker` (which makes its file names unique among the workers).
    pub fn new(options: WriterOptions, worker: usize) -> Self {
        FlatWriter {
            partitions: Partitioned::new(options, worker, TIME_COLUMN),
        }
    }

    /// Buffers one record, writing files as the limits say.
    ///
    /// An error about the record itself ([`WriteError::Flat`]) leaves everything else as it was; an
    /// error about a file means that file's rows are lost and counted in
    /// [`WriterStats::write_errors`]. Either way the writer can go on.
    pub fn write(&mut self, event: &Event<'_>) -> Result<(), WriteError> {
        self.partitions.stats.records_given += 1;
        let result = self.partitions.push(
            event,
            (FLAT_LAYOUT_DIR, FLAT_LAYOUT_DIR, ""),
            FlatBatchBuilder::new,
            |builder| {
                let before = builder.approx_bytes();
                builder.push(event)?;
                Ok::<_, WriteError>(builder.approx_bytes() - before)
            },
        );
        if let Err(WriteError::Flat(_)) = &result {
            self.partitions.report_rejected(false);
        }
        result
    }

    /// Says that the objects of every delivery day up to `day` have been given: writes each partition of
    /// those days to one file (see [`ParquetWriter::close_through`]).
    pub fn close_through(&mut self, day: NaiveDate) -> Result<(), WriteError> {
        self.partitions.close_through(day)
    }

    /// Writes every partition still buffered.
    pub fn finish(&mut self) -> Result<(), WriteError> {
        self.partitions.finish()
    }

    /// The counts so far.
    pub fn stats(&self) -> &WriterStats {
        &self.partitions.stats
    }

    /// Rows buffered and not yet in a file.
    pub fn buffered_rows(&self) -> u64 {
        self.partitions.buffered_rows()
    }

    /// Bytes buffered, by the builders' estimate.
    pub fn buffered_bytes(&self) -> usize {
        self.partitions.buffered_bytes()
    }
}
