//! [`ParquetWriter`]: either layout behind one type, and the unit of work of a conversion: the objects
//! of one delivery partition.

use std::sync::Arc;

use chrono::NaiveDate;
use cloudtrail_model::Event;

use super::{FlatWriter, OcsfWriter, WriteError, WriterOptions, WriterStats};
use crate::Mapper;

/// Which layout to write.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Layout {
    /// The flat CloudTrail layout ([`crate::flat`]), under `cloudtrail/`.
    Flat,
    /// OCSF, mapped by this mapper, one class per file.
    Ocsf(Arc<Mapper>),
}

/// A writer of either layout.
///
/// The unit of work is one **delivery partition**: the objects CloudTrail delivered for one account,
/// region and day (`AWSLogs/<account>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/`). Give a writer every
/// record of the partition's objects, then call [`finish`](Self::finish): each output partition gets
/// one file (one per class in the OCSF layout), unless it passes [`WriterOptions::max_file_bytes`] or
/// [`WriterOptions::max_rows_per_file`]. Records of another day in those objects (events delivered
/// after midnight, usually a few minutes' worth) land in their own day's partition as a second, small
/// file; [`super::compact`] merges them later.
///
/// A worker that converts many partitions in a row keeps one writer: for each account and region,
/// give the days in order and call [`close_through`](Self::close_through) with the day before the one
/// just read (a day's partition then also takes the late records of the next day's objects), then
/// [`close_open`](Self::close_open) before the next account or region. Memory is bounded by
/// [`WriterOptions::max_buffered_bytes`] whatever the number of partitions.
///
/// ```
/// use cloudtrail_model::Event;
/// use cloudtrail_ocsf::writer::{Layout, ParquetWriter, WriterOptions};
///
/// let out = std::env::temp_dir().join(format!("any-doc-{}", std::process::id()));
/// let mut writer = ParquetWriter::new(&Layout::Flat, WriterOptions::new(&out), 0);
/// for json in [
///     r#"{"eventTime":"2024-05-01T23:58:00Z","awsRegion":"us-east-1","recipientAccountId":"111122223333"}"#,
///     r#"{"eventTime":"2024-05-02T00:01:00Z","awsRegion":"us-east-1","recipientAccountId":"111122223333"}"#,
/// ] {
///     writer.write(&Event::from_json(json)?)?;
/// }
/// writer.finish()?;
/// assert_eq!(writer.stats().files, 2); // one per day
/// # std::fs::remove_dir_all(&out)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub enum ParquetWriter {
    /// The flat layout.
    Flat(FlatWriter),
    /// The OCSF layout.
    Ocsf(OcsfWriter),
}

impl ParquetWriter {
    /// A writer of `layout` for worker `worker` (which keeps file names unique among the workers of
    /// one run; the run's token in [`WriterOptions::file_prefix`] keeps them unique between runs).
    pub fn new(layout: &Layout, options: WriterOptions, worker: usize) -> Self {
        match layout {
            Layout::Flat => ParquetWriter::Flat(FlatWriter::new(options, worker)),
            Layout::Ocsf(mapper) => {
                ParquetWriter::Ocsf(OcsfWriter::new(mapper.clone(), options, worker))
            }
        }
    }

    /// Buffers one record (see [`FlatWriter::write`], [`OcsfWriter::write`]).
    pub fn write(&mut self, event: &Event<'_>) -> Result<(), WriteError> {
        match self {
            ParquetWriter::Flat(writer) => writer.write(event),
            ParquetWriter::Ocsf(writer) => writer.write(event),
        }
    }

    /// Says that every record of the partitions of days up to `day` has been given: writes them, one
    /// file each. A record for such a day that comes later is kept apart and written at
    /// [`finish`](Self::finish). Every partition is tried; the first error is returned.
    pub fn close_through(&mut self, day: NaiveDate) -> Result<(), WriteError> {
        match self {
            ParquetWriter::Flat(writer) => writer.partitions.close_through(day),
            ParquetWriter::Ocsf(writer) => writer.partitions.close_through(day),
        }
    }

    /// Writes every open partition (the late records stay until [`finish`](Self::finish)) and forgets
    /// the days closed: call it before the days of another account or region.
    pub fn close_open(&mut self) -> Result<(), WriteError> {
        match self {
            ParquetWriter::Flat(writer) => writer.partitions.close_open(),
            ParquetWriter::Ocsf(writer) => writer.partitions.close_open(),
        }
    }

    /// Writes every partition still buffered.
    pub fn finish(&mut self) -> Result<(), WriteError> {
        match self {
            ParquetWriter::Flat(writer) => writer.finish(),
            ParquetWriter::Ocsf(writer) => writer.finish(),
        }
    }

    /// The counts so far.
    pub fn stats(&self) -> &WriterStats {
        match self {
            ParquetWriter::Flat(writer) => writer.stats(),
            ParquetWriter::Ocsf(writer) => writer.stats(),
        }
    }

    /// Partitions buffered now (open ones and those holding late records).
    pub fn buffered_partitions(&self) -> usize {
        match self {
            ParquetWriter::Flat(writer) => writer.partitions.partitions(),
            ParquetWriter::Ocsf(writer) => writer.partitions.partitions(),
        }
    }

    /// Bytes buffered, by the builders' estimate.
    pub fn buffered_bytes(&self) -> usize {
        match self {
            ParquetWriter::Flat(writer) => writer.buffered_bytes(),
            ParquetWriter::Ocsf(writer) => writer.buffered_bytes(),
        }
    }
}
