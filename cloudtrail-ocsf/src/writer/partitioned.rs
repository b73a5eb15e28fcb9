//! Rows buffered per partition, flushed to files by size, with a cap on what all partitions hold.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use arrow_array::RecordBatch;
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
    /// Columns (dotted paths) readers filter by, which get min/max statistics per row group (the time
    /// column gets them per page); the others get none, since comparing every long string is costly
    /// and the min and max of an ARN or a user agent prune nothing.
    fn filter_columns() -> &'static [&'static str];
}

struct Slot<B> {
    buffer: B,
    /// The layout directory (`cloudtrail` or the OCSF class), for the written counts.
    layout: &'static str,
    bytes: usize,
}

/// One worker's partitions.
pub(crate) struct Partitioned<B> {
    options: WriterOptions,
    worker: usize,
    time_column: &'static str,
    slots: HashMap<String, Slot<B>>,
    dirs: DirCache,
    buffered_bytes: usize,
    buffered_rows: u64,
    files: u64,
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
            buffered_bytes: 0,
            buffered_rows: 0,
            files: 0,
            stats: WriterStats::default(),
        }
    }

    /// Appends one row for `event` to its partition under `layout` (see `partition_dir`; the buffer is
    /// created with `create`) through `push`, then flushes what the limits say to flush. `push` returns
    /// the bytes the row added.
    pub(crate) fn push<E>(
        &mut self,
        event: &Event<'_>,
        layout: &'static str,
        create: impl FnOnce() -> B,
        push: impl FnOnce(&mut B) -> Result<usize, E>,
    ) -> Result<(), E>
    where
        E: From<WriteError>,
    {
        let dir = self.dirs.dir(layout, event);
        let slot = match self.slots.get_mut(dir) {
            Some(slot) => slot,
            None => self.slots.entry(dir.to_owned()).or_insert(Slot {
                buffer: create(),
                layout,
                bytes: 0,
            }),
        };
        let added = push(&mut slot.buffer)?;
        slot.bytes += added;
        self.buffered_bytes += added;
        self.buffered_rows += 1;
        if slot.buffer.rows() >= self.options.max_rows_per_file
            || slot.bytes >= self.options.max_file_bytes
        {
            let dir = dir.to_owned();
            self.flush(&dir)?;
        }
        while self.buffered_bytes > self.options.max_buffered_bytes && !self.slots.is_empty() {
            self.flush_largest()?;
        }
        Ok(())
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
            .map(|(dir, _)| dir.clone());
        match largest {
            Some(dir) => self.flush(&dir),
            None => Ok(()),
        }
    }

    /// Writes one partition's rows to a new file and drops its buffer. On failure its rows are counted
    /// as write errors, so the counts still add up.
    fn flush(&mut self, dir: &str) -> Result<(), WriteError> {
        let Some(mut slot) = self.slots.remove(dir) else {
            return Ok(());
        };
        let rows = slot.buffer.rows() as u64;
        self.buffered_bytes -= slot.bytes;
        self.buffered_rows -= rows;
        if rows == 0 {
            return Ok(());
        }
        let name = format!(
            "{}-w{}-{:05}.parquet",
            self.options.file_prefix, self.worker, self.files
        );
        self.files += 1;
        let directory: PathBuf = self.options.out_dir.join(dir);
        let result = slot.buffer.take_batch().and_then(|batch| {
            write_sorted(
                &directory,
                &name,
                &batch,
                self.time_column,
                (B::unique_columns(), B::filter_columns()),
                &self.options,
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
        let dirs: Vec<String> = self.slots.keys().cloned().collect();
        let mut first = Ok(());
        for dir in dirs {
            if let Err(error) = self.flush(&dir)
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
