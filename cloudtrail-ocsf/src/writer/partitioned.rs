//! Rows buffered per partition, flushed to files when their delivery day is done or by size, with a cap
//! on what all partitions hold.
//!
//! A partition is open until [`Partitioned::close_through`] passes its day: the caller says when the
//! objects of a delivery day are all read (CloudTrail's S3 layout groups objects by account, region and
//! day), and every partition of that day or before is written, one file each. A record for a day
//! already closed (an event delivered late, after the next midnight) goes to a *late* partition, kept
//! until [`Partitioned::finish`] or until memory runs short, so that it adds one file to its partition
//! at the end of the run, not one at every day boundary.

use std::collections::{BTreeMap, HashMap};

use arrow_array::RecordBatch;
use chrono::NaiveDate;
use cloudtrail_model::Event;

use super::file::write_sorted;
use super::partition::DirCache;
use super::{WriteError, WriterOptions, WriterStats};

/// A buffer of rows for one partition: the flat or the OCSF batch builder.
pub(crate) trait RowBuffer {
    /// Rows buffered.
    fn rows(&self) -> usize;
    /// The buffered rows as a batch; the buffer is left empty.
    fn take_batch(&mut self) -> Result<RecordBatch, WriteError>;
    /// Columns (dotted paths) of nearly unique values (ids, JSON text), written without a dictionary:
    /// building one only to throw it away when it outgrows its page costs more than the rest of the
    /// column's encoding.
    fn unique_columns() -> &'static [&'static str];
    /// Bytes an empty buffer holds (its builders' initial allocations), counted for each partition.
    fn empty_bytes() -> usize;
    /// Columns (dotted paths) readers filter by, which get min/max statistics per row group (the time
    /// column gets them per page); the others get none, since comparing every long string is costly
    /// and the min and max of an ARN or a user agent prune nothing.
    fn filter_columns() -> &'static [&'static str];
}

struct Slot<B> {
    buffer: B,
    /// The layout directory (`cloudtrail` or the OCSF class), for the written counts.
    layout: &'static str,
    /// The start of the file names (the OCSF class in a Security Lake source, where the classes share a
    /// directory), empty otherwise.
    name_tag: &'static str,
    /// The length of the directory at the start of the slot's key (the rest is the name tag).
    dir_len: usize,
    bytes: usize,
    day: Option<NaiveDate>,
    /// Created for a day already closed, or without a day: written at the end of the run.
    late: bool,
}

/// One worker's partitions.
pub(crate) struct Partitioned<B> {
    options: WriterOptions,
    worker: usize,
    time_column: &'static str,
    /// Keyed by the partition directory followed by the name tag.
    slots: HashMap<String, Slot<B>>,
    dirs: DirCache,
    key: String,
    buffered_bytes: usize,
    buffered_rows: u64,
    files: u64,
    closed_through: Option<NaiveDate>,
    pub(crate) stats: WriterStats,
}

impl<B: RowBuffer> Partitioned<B> {
    pub(crate) fn new(options: WriterOptions, worker: usize, time_column: &'static str) -> Self {
        Partitioned {
            options,
            worker,
            time_column,
            slots: HashMap::new(),
            dirs: DirCache::default(),
            key: String::new(),
            buffered_bytes: 0,
            buffered_rows: 0,
            files: 0,
            closed_through: None,
            stats: WriterStats::default(),
        }
    }

    /// Appends one row for `event` to its partition under `layout` (see `partition_dir`; the buffer is
    /// created with `create`) through `push`, then flushes what the limits say to flush. `push` returns
    /// the bytes the row added. `root` is the directory the partitions sit in (`layout`, or a Security
    /// Lake source's `ext/<source>`), `name_tag` the start of the file names.
    pub(crate) fn push<E>(
        &mut self,
        event: &Event<'_>,
        (layout, root, name_tag): (&'static str, &str, &'static str),
        create: impl FnOnce() -> B,
        push: impl FnOnce(&mut B) -> Result<usize, E>,
    ) -> Result<(), E>
    where
        E: From<WriteError>,
    {
        let (dir, day) = self.dirs.dir(root, event);
        self.key.clear();
        self.key.push_str(dir);
        let dir_len = self.key.len();
        self.key.push_str(name_tag);
        let slot = match self.slots.get_mut(&self.key) {
            Some(slot) => slot,
            None => {
                let late = match (day, self.closed_through) {
                    (None, _) => true,
                    (Some(day), Some(closed)) => day <= closed,
                    (Some(_), None) => false,
                };
                let bytes = B::empty_bytes();
                self.buffered_bytes += bytes;
                self.slots.entry(self.key.clone()).or_insert(Slot {
                    buffer: create(),
                    layout,
                    name_tag,
                    dir_len,
                    bytes,
                    day,
                    late,
                })
            }
        };
        let added = match push(&mut slot.buffer) {
            Ok(added) => added,
            Err(error) => {
                if slot.buffer.rows() == 0 {
                    let key = self.key.clone();
                    self.drop_empty(&key);
                }
                return Err(error);
            }
        };
        slot.bytes += added;
        self.buffered_bytes += added;
        self.buffered_rows += 1;
        if slot.buffer.rows() >= self.options.max_rows_per_file
            || slot.bytes >= self.options.max_file_bytes
        {
            let key = self.key.clone();
            self.flush(&key)?;
        }
        while self.buffered_bytes > self.options.max_buffered_bytes && !self.slots.is_empty() {
            self.flush_largest()?;
        }
        Ok(())
    }

    /// Says that every record of delivery days up to `day` has been pushed: every partition of those
    /// days is written (one file each), and records for them that come later are kept apart until the
    /// end of the run. Every partition is tried; the first error is returned.
    pub(crate) fn close_through(&mut self, day: NaiveDate) -> Result<(), WriteError> {
        self.closed_through = self.closed_through.max(Some(day));
        let done: Vec<String> = self
            .slots
            .iter()
            .filter(|(_, slot)| !slot.late && slot.day.is_some_and(|d| d <= day))
            .map(|(key, _)| key.clone())
            .collect();
        self.flush_all(done)
    }

    /// Writes every open partition (not the late ones) and forgets the days closed, for a caller that
    /// goes on with another account and region, whose days start over.
    pub(crate) fn close_open(&mut self) -> Result<(), WriteError> {
        self.closed_through = None;
        let open: Vec<String> = self
            .slots
            .iter()
            .filter(|(_, slot)| !slot.late)
            .map(|(key, _)| key.clone())
            .collect();
        self.flush_all(open)
    }

    /// Partitions buffered (open and late).
    pub(crate) fn partitions(&self) -> usize {
        self.slots.len()
    }

    fn drop_empty(&mut self, key: &str) {
        if let Some(slot) = self.slots.remove(key) {
            self.buffered_bytes -= slot.bytes;
        }
    }

    /// Records one record that was given but could not be buffered (a mapping or append error).
    pub(crate) fn report_rejected(&mut self, mapping: bool) {
        if mapping {
            self.stats.mapping_errors += 1;
        } else {
            self.stats.append_errors += 1;
        }
    }

    fn flush_largest(&mut self) -> Result<(), WriteError> {
        let largest = self
            .slots
            .iter()
            .max_by_key(|(_, slot)| slot.bytes)
            .map(|(key, _)| key.clone());
        match largest {
            Some(key) => self.flush(&key),
            None => Ok(()),
        }
    }

    /// Writes one partition's rows to a new file and drops its buffer. On failure its rows are counted
    /// as write errors, so the counts still add up.
    fn flush(&mut self, key: &str) -> Result<(), WriteError> {
        let Some(mut slot) = self.slots.remove(key) else {
            return Ok(());
        };
        let rows = slot.buffer.rows() as u64;
        self.buffered_bytes -= slot.bytes;
        self.buffered_rows -= rows;
        if rows == 0 {
            return Ok(());
        }
        let name = format!(
            "{}{}-w{}-{:05}.parquet",
            slot.name_tag, self.options.file_prefix, self.worker, self.files
        );
        self.files += 1;
        let dir = key.get(..slot.dir_len).unwrap_or(key);
        let result = slot.buffer.take_batch().and_then(|batch| {
            write_sorted(
                (&self.options.destination, dir, &name),
                &batch,
                self.time_column,
                (B::unique_columns(), B::filter_columns()),
                &self.options,
                &[],
            )
        });
        match result {
            Ok((_, size)) => {
                *self
                    .stats
                    .written
                    .entry(slot.layout.to_owned())
                    .or_default() += rows;
                self.stats.files += 1;
                self.stats.bytes += size;
                Ok(())
            }
            Err(error) => {
                self.stats.write_errors += rows;
                Err(error)
            }
        }
    }

    /// Writes every partition still buffered. Every partition is tried; the first error is returned.
    pub(crate) fn finish(&mut self) -> Result<(), WriteError> {
        let keys: Vec<String> = self.slots.keys().cloned().collect();
        self.flush_all(keys)
    }

    fn flush_all(&mut self, mut keys: Vec<String>) -> Result<(), WriteError> {
        // In name order, so that a run's files are numbered the same way each time.
        keys.sort_unstable();
        let mut first = Ok(());
        for key in keys {
            if let Err(error) = self.flush(&key)
                && first.is_ok()
            {
                first = Err(error);
            }
        }
        first
    }

    /// Rows buffered and not yet written.
    pub(crate) fn buffered_rows(&self) -> u64 {
        self.buffered_rows
    }

    /// Bytes buffered, by the builders' estimate.
    pub(crate) fn buffered_bytes(&self) -> usize {
        self.buffered_bytes
    }
}

/// Adds counts per layout.
pub(crate) fn merge_counts(into: &mut BTreeMap<String, u64>, from: &BTreeMap<String, u64>) {
    for (layout, count) in from {
        *into.entry(layout.clone()).or_default() += count;
    }
}
