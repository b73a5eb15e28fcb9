//! [`compact`]: a partition's small files merged into one, sorted by time, without losing or doubling a
//! row even if the process dies half way.
//!
//! In each directory under the root, the `.parquet` files of one schema (one layout, or one OCSF class)
//! are read, merged and sorted by time into one new file (several when they pass
//! [`WriterOptions::max_file_bytes`] decoded), written as every file is (temporary name, `create_new`,
//! linked without replacing), whose footer lists the files it replaces under the key
//! [`COMPACTED_FROM_KEY`]. Only then are those files removed. A reader listing the directory in between
//! sees both, and a crash there leaves both: the next `compact` over the directory first removes every
//! file that a whole file lists as merged, so that each row is in exactly one file again.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use arrow_select::concat::concat_batches;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::metadata::KeyValue;

use super::file::write_sorted;
use super::output::Destination;
use super::partitioned::RowBuffer;
use super::{WriteError, WriterOptions};
use crate::OcsfBatchBuilder;
use crate::flat::{FlatBatchBuilder, TIME_COLUMN};

/// The footer key that lists (comma-separated) the file names a compacted file replaces.
pub const COMPACTED_FROM_KEY: &str = "cloudtrail.compacted_from";

/// What [`compact`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompactStats {
    /// Directories that held more than one file of a schema.
    pub partitions: u64,
    /// Files merged (and removed).
    pub files_merged: u64,
    /// Files written.
    pub files_written: u64,
    /// Rows in the files written: the rows of the files merged, every one.
    pub rows: u64,
    /// Files removed because a complete compacted file already held their rows (left by a compaction
    /// that stopped between writing and removing).
    pub leftovers_removed: u64,
}

/// Merges the small files of every partition directory under `root` (see the module docs). Files are
/// written with `options` (its destination is ignored: files go next to the ones they replace).
pub fn compact(root: &Path, options: &WriterOptions) -> Result<CompactStats, WriteError> {
    let mut stats = CompactStats::default();
    let mut stack = vec![root.to_owned()];
    let mut written = 0u64;
    while let Some(dir) = stack.pop() {
        let mut files = Vec::new();
        for entry in fs::read_dir(&dir).map_err(io(&dir))? {
            let entry = entry.map_err(io(&dir))?;
            let kind = entry.file_type().map_err(io(&entry.path()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() && name.ends_with(".parquet") && !name.starts_with('.') {
                files.push(name);
            }
        }
        files.sort();
        compact_dir(&dir, files, options, &mut written, &mut stats)?;
    }
    Ok(stats)
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_owned(),
        source,
    }
}

fn parquet_error(path: &Path) -> impl Fn(parquet::errors::ParquetError) -> WriteError + '_ {
    move |source| WriteError::Parquet {
        path: path.to_owned(),
        source,
    }
}

/// The file names a compacted file's footer lists.
fn merged_from(path: &Path) -> Result<Vec<String>, WriteError> {
    let file = File::open(path).map_err(io(path))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_error(path))?;
    let listed = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|entries| entries.iter().find(|e| e.key == COMPACTED_FROM_KEY))
        .and_then(|entry| entry.value.clone());
    Ok(listed
        .map(|names| names.split(',').map(str::to_owned).collect())
        .unwrap_or_default())
}

fn compact_dir(
    dir: &Path,
    mut files: Vec<String>,
    options: &WriterOptions,
    written: &mut u64,
    stats: &mut CompactStats,
) -> Result<(), WriteError> {
    // First mend what an interrupted compaction left: rows present twice.
    let mut leftovers = Vec::new();
    for name in &files {
        for merged in merged_from(&dir.join(name))? {
            if merged != *name && files.contains(&merged) && !leftovers.contains(&merged) {
                leftovers.push(merged);
            }
        }
    }
    for name in &leftovers {
        let path = dir.join(name);
        fs::remove_file(&path).map_err(io(&path))?;
        stats.leftovers_removed += 1;
    }
    files.retain(|name| !leftovers.contains(name));

    // Files of one schema merge together (a Security Lake source keeps its classes in one directory).
    let mut by_schema: BTreeMap<String, (SchemaRef, Vec<String>)> = BTreeMap::new();
    for name in files {
        let path = dir.join(&name);
        let file = File::open(&path).map_err(io(&path))?;
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_error(&path))?;
        let schema = builder.schema().clone();
        by_schema
            .entry(format!("{:?}", schema.fields()))
            .or_insert_with(|| (schema, Vec::new()))
            .1
            .push(name);
    }
    for (schema, names) in by_schema.into_values() {
        if names.len() < 2 {
            continue;
        }
        stats.partitions += 1;
        let mut group: Vec<String> = Vec::new();
        let mut batches: Vec<RecordBatch> = Vec::new();
        let mut bytes = 0usize;
        for name in names {
            let path = dir.join(&name);
            let file = File::open(&path).map_err(io(&path))?;
            let reader = ParquetRecordBatchReaderBuilder::try_new(file)
                .and_then(|builder| builder.build())
                .map_err(parquet_error(&path))?;
            for batch in reader {
                let batch = batch.map_err(|source| WriteError::Arrow {
                    path: path.clone(),
                    source,
                })?;
                bytes += batch.get_array_memory_size();
                batches.push(batch);
            }
            group.push(name);
            if bytes >= options.max_file_bytes && group.len() >= 2 {
                merge(
                    dir,
                    &schema,
                    &mut group,
                    &mut batches,
                    options,
                    written,
                    stats,
                )?;
                bytes = 0;
            }
        }
        if group.len() >= 2 {
            merge(
                dir,
                &schema,
                &mut group,
                &mut batches,
                options,
                written,
                stats,
            )?;
        }
    }
    Ok(())
}

fn merge(
    dir: &Path,
    schema: &SchemaRef,
    group: &mut Vec<String>,
    batches: &mut Vec<RecordBatch>,
    options: &WriterOptions,
    written: &mut u64,
    stats: &mut CompactStats,
) -> Result<(), WriteError> {
    let name = format!("{}-compacted-{:05}.parquet", options.file_prefix, *written);
    *written += 1;
    let path: PathBuf = dir.join(&name);
    let batch = concat_batches(schema, batches.iter()).map_err(|source| WriteError::Arrow {
        path: path.clone(),
        source,
    })?;
    let (time_column, hints) = if schema.index_of(TIME_COLUMN).is_ok() {
        (
            TIME_COLUMN,
            (
                FlatBatchBuilder::unique_columns(),
                FlatBatchBuilder::filter_columns(),
            ),
        )
    } else {
        (
            "time",
            (
                OcsfBatchBuilder::unique_columns(),
                OcsfBatchBuilder::filter_columns(),
            ),
        )
    };
    let metadata = [KeyValue::new(
        COMPACTED_FROM_KEY.to_owned(),
        group.join(","),
    )];
    let destination = Destination::Directory(dir.to_owned());
    write_sorted(
        (&destination, "", &name),
        &batch,
        time_column,
        hints,
        options,
        &metadata,
    )?;
    for merged in group.iter() {
        let path = dir.join(merged);
        fs::remove_file(&path).map_err(io(&path))?;
    }
    stats.files_merged += group.len() as u64;
    stats.files_written += 1;
    stats.rows += batch.num_rows() as u64;
    group.clear();
    batches.clear();
    Ok(())
}
