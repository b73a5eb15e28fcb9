//! [`OcsfWriter`]: records mapped to OCSF and written one class per file.

use std::sync::Arc;

use arrow_array::RecordBatch;
use chrono::NaiveDate;
use cloudtrail_model::Event;

use super::partition;
use super::partitioned::{Partitioned, RowBuffer};
use super::{WriteError, WriterOptions, WriterStats};
use crate::{Mapper, OcsfBatchBuilder};

/// The column OCSF files are sorted by.
const OCSF_TIME_COLUMN: &str = "time";

/// What a buffered OCSF row holds, from what its values took in the columns: twice that, since each
/// column's storage grows by doubling and may be up to half empty.
fn held_bytes(appended: usize) -> usize {
    2 * appended
}

impl RowBuffer for OcsfBatchBuilder {
    fn rows(&self) -> usize {
        self.len()
    }

    fn take_batch(&mut self) -> Result<RecordBatch, WriteError> {
        Ok(self.finish()?)
    }

    fn empty_bytes() -> usize {
        OcsfBatchBuilder::EMPTY_BYTES
    }

    fn unique_columns() -> &'static [&'static str] {
        &[
            "time",
            "time_dt",
            "metadata.uid",
            "api.request.uid",
            "api.request.data",
            "api.response.data",
        ]
    }

    fn filter_columns() -> &'static [&'static str] {
        &[
            "class_uid",
            "activity_id",
            "type_uid",
            "status_id",
            "severity_id",
            "api.operation",
            "api.service.name",
            "cloud.region",
            "actor.user.type",
            "actor.user.account.uid",
            "src_endpoint.ip",
        ]
    }
}

/// Maps records to OCSF and writes them under `<out>/<class>/region=.../accountId=.../eventDay=...`
/// (`api_activity`, `authentication`, `account_change`), one class per file, sorted by `time`.
///
/// ```
/// use std::sync::Arc;
/// use cloudtrail_model::Event;
/// use cloudtrail_ocsf::writer::{OcsfWriter, WriterOptions};
/// use cloudtrail_ocsf::{Mapper, MappingOptions};
///
/// let out = std::env::temp_dir().join(format!("ocsf-doc-{}", std::process::id()));
/// let mapper = Arc::new(Mapper::new(MappingOptions::default()));
/// let mut writer = OcsfWriter::new(mapper, WriterOptions::new(&out), 0);
/// let event = Event::from_json(r#"{"eventTime": "2024-06-01T12:00:00Z", "eventName": "ListBuckets",
///   "eventSource": "s3.amazonaws.com", "sourceIPAddress": "192.0.2.1", "awsRegion": "us-east-1",
///   "userIdentity": {"type": "Root", "accountId": "111122223333"}}"#)?;
/// writer.write(&event)?;
/// writer.finish()?;
/// assert_eq!(writer.stats().written["api_activity"], 1);
/// assert!(out.join("api_activity/region=us-east-1/accountId=111122223333/eventDay=20240601").is_dir());
/// # std::fs::remove_dir_all(&out)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct OcsfWriter {
    mapper: Arc<Mapper>,
    /// `ext/<source>` when writing a Security Lake custom source.
    lake_root: Option<String>,
    pub(super) partitions: Partitioned<OcsfBatchBuilder>,
}

impl std::fmt::Debug for OcsfWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcsfWriter")
            .field("version", &self.mapper.version())
            .field("stats", &self.partitions.stats)
            .field("buffered_rows", &self.partitions.buffered_rows())
            .finish_non_exhaustive()
    }
}

impl OcsfWriter {
    /// A writer for worker `worker` (which makes its file names unique among the workers), mapping with
    /// `mapper` (shared between the workers).
    pub fn new(mapper: Arc<Mapper>, options: WriterOptions, worker: usize) -> Self {
        let lake_root = options
            .security_lake_source
            .as_ref()
            .map(|source| format!("ext/{}", partition::escape_value(source)));
        OcsfWriter {
            mapper,
            lake_root,
            partitions: Partitioned::new(options, worker, OCSF_TIME_COLUMN),
        }
    }

    /// Maps and buffers one record, writing files as the limits say.
    ///
    /// A record the mapper rejects ([`WriteError::Map`], counted in [`WriterStats::mapping_errors`]) or
    /// that does not fit its class's Arrow schema ([`WriteError::OcsfArrow`], counted in
    /// [`WriterStats::append_errors`]) leaves everything else as it was; an error about a file means
    /// that file's rows are lost and counted in [`WriterStats::write_errors`]. Either way the writer can
    /// go on.
    pub fn write(&mut self, event: &Event<'_>) -> Result<(), WriteError> {
        self.partitions.stats.records_given += 1;
        let record = match self.mapper.map(event) {
            Ok(record) => record,
            Err(error) => {
                self.partitions.report_rejected(true);
                return Err(error.into());
            }
        };
        let class = record.class();
        let version = self.mapper.version();
        let stem = class.file_stem();
        let place = match &self.lake_root {
            Some(root) => (stem, root.as_str(), lake_name_tag(class)),
            None => (stem, stem, ""),
        };
        let result = self.partitions.push(
            event,
            place,
            || OcsfBatchBuilder::new(class, version),
            |builder| {
                let appended = builder.push_counted(&record)?;
                Ok::<_, WriteError>(held_bytes(appended))
            },
        );
        if let Err(WriteError::OcsfArrow(_)) = &result {
            self.partitions.report_rejected(false);
        }
        result
    }

    /// Says that the objects of every delivery day up to `day` have been given: writes each partition of
    /// those days to one file per class (see [`super::ParquetWriter::close_through`]).
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

    /// Bytes buffered, by the estimate.
    pub fn buffered_bytes(&self) -> usize {
        self.partitions.buffered_bytes()
    }
}

/// The start of a file's name in a Security Lake source, where the classes share the directories.
fn lake_name_tag(class: crate::OcsfClass) -> &'static str {
    match class {
        crate::OcsfClass::AccountChange => "account_change-",
        crate::OcsfClass::Authentication => "authentication-",
        crate::OcsfClass::ApiActivity => "api_activity-",
    }
}
