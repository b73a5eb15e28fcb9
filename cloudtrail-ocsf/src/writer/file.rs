//! One Parquet file: a batch sorted by time, encoded with the layout's settings, then placed.

use std::io::Write;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, TimestampMillisecondType};
use arrow_array::{Array, ArrowNativeTypeOp, OffsetSizeTrait, RecordBatch};
use arrow_ord::sort::{SortOptions, sort_to_indices};
use arrow_schema::{DataType, Schema, TimeUnit};
use arrow_select::take::take_record_batch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::{KeyValue, SortingColumn};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use super::output::{Destination, place};
use super::{WriteError, WriterOptions};

/// The fewest rows the Parquet encoder takes at a time, however large the values: fewer cost more
/// per row than a page a little over its limit is worth.
const MIN_WRITE_BATCH_ROWS: usize = 32;

/// Column paths without a dictionary, and column paths with statistics (see `RowBuffer`).
pub(crate) type ColumnHints<'a> = (&'a [&'a str], &'a [&'a str]);

/// The Parquet settings every file gets: zstd, bounded pages and row groups, and the sort order declared.
pub(crate) fn properties(
    options: &WriterOptions,
    schema: &Schema,
    time_index: usize,
    columns: ColumnHints<'_>,
    write_batch_rows: usize,
) -> Result<WriterProperties, parquet::errors::ParquetError> {
    // Parquet numbers leaf columns: the time column's leaf is after every leaf of the columns before it.
    let leaf: usize = schema
        .fields()
        .iter()
        .take(time_index)
        .map(|f| leaves(f.data_type()))
        .sum();
    let sorting = i32::try_from(leaf).ok().map(|column| {
        vec![SortingColumn {
            column_idx: column,
            descending: false,
            nulls_first: true,
        }]
    });
    let column_path =
        |dotted: &str| ColumnPath::new(dotted.split('.').map(str::to_owned).collect());
    let (unique, filters) = columns;
    let time_name = schema.fields()[time_index].name();
    let mut builder = WriterProperties::builder()
        .set_statistics_enabled(EnabledStatistics::None)
        .set_column_statistics_enabled(column_path(time_name), EnabledStatistics::Page);
    for column in filters {
        builder =
            builder.set_column_statistics_enabled(column_path(column), EnabledStatistics::Chunk);
    }
    for column in unique {
        builder = builder.set_column_dictionary_enabled(column_path(column), false);
    }
    Ok(builder
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(options.zstd_level)?))
        .set_data_page_size_limit(options.data_page_bytes)
        .set_dictionary_page_size_limit(options.data_page_bytes)
        .set_write_batch_size(write_batch_rows)
        .set_max_row_group_row_count(Some(options.row_group_rows))
        .set_max_row_group_bytes(Some(options.row_group_bytes))
        .set_sorting_columns(sorting)
        .set_created_by(concat!("cloudtrail-ocsf ", env!("CARGO_PKG_VERSION")).to_owned())
        .build())
}

/// The rows the Parquet encoder may take at a time in `batch` for its pages to overshoot their limit by
/// at most `options.page_slack_bytes` (see [`WriterOptions::page_slack_bytes`]).
fn write_batch_rows(batch: &RecordBatch, options: &WriterOptions) -> usize {
    let widest = batch
        .columns()
        .iter()
        .map(|column| widest_row_bytes(column.as_ref()))
        .max()
        .unwrap_or(0);
    let upper = options.max_write_batch_rows.max(1);
    (options.page_slack_bytes / widest.max(1)).clamp(MIN_WRITE_BATCH_ROWS.min(upper), upper)
}

/// An upper bound of the bytes one row puts into any single leaf column of `array`: the longest value of
/// a string column, the longest list times its widest element, a fixed width otherwise.
fn widest_row_bytes(array: &dyn Array) -> usize {
    match array.data_type() {
        DataType::Utf8 => longest(array.as_string::<i32>().offsets()),
        DataType::LargeUtf8 => longest(array.as_string::<i64>().offsets()),
        DataType::Binary => longest(array.as_binary::<i32>().offsets()),
        DataType::LargeBinary => longest(array.as_binary::<i64>().offsets()),
        DataType::Struct(_) => array
            .as_struct()
            .columns()
            .iter()
            .map(|child| widest_row_bytes(child.as_ref()))
            .max()
            .unwrap_or(0),
        DataType::List(_) => {
            let list = array.as_list::<i32>();
            longest(list.offsets()).saturating_mul(widest_row_bytes(list.values().as_ref()))
        }
        DataType::LargeList(_) => {
            let list = array.as_list::<i64>();
            longest(list.offsets()).saturating_mul(widest_row_bytes(list.values().as_ref()))
        }
        DataType::Map(_, _) => {
            let map = array.as_map();
            longest(map.offsets()).saturating_mul(widest_row_bytes(map.entries()))
        }
        other => other.primitive_width().unwrap_or(8),
    }
}

/// The largest gap between consecutive offsets: the longest value (or list) of the array.
fn longest<O: OffsetSizeTrait + ArrowNativeTypeOp>(offsets: &[O]) -> usize {
    // Offsets never decrease, so each difference is a length; taken in the offsets' own type, in a
    // plain zip, so that it vectorises (this runs over every offset of every column of every file).
    let ends = offsets.get(1..).unwrap_or(&[]);
    ends.iter()
        .zip(offsets)
        .map(|(end, start)| end.sub_wrapping(*start))
        .max()
        .map_or(0, |longest| longest.as_usize())
}

/// The number of Parquet leaf columns an Arrow type becomes.
fn leaves(data_type: &DataType) -> usize {
    match data_type {
        DataType::Struct(fields) => fields.iter().map(|f| leaves(f.data_type())).sum(),
        DataType::List(item) | DataType::LargeList(item) => leaves(item.data_type()),
        DataType::Map(entry, _) => leaves(entry.data_type()),
        _ => 1,
    }
}

/// Sorts `batch` by `time_column` (nulls first) and writes it to `dir/name` under the destination,
/// never in place: see [`super::output::place`]. Returns the file's location and size.
pub(crate) fn write_sorted(
    (destination, dir, name): (&Destination, &str, &str),
    batch: &RecordBatch,
    time_column: &str,
    columns: ColumnHints<'_>,
    options: &WriterOptions,
    metadata: &[KeyValue],
) -> Result<(PathBuf, u64), WriteError> {
    let location = destination.location(dir, name);
    let arrow = |source| WriteError::Arrow {
        path: location.clone(),
        source,
    };
    let time_index = batch.schema().index_of(time_column).map_err(arrow)?;
    let times = batch.column(time_index);
    // Records of one delivered file are mostly in time order already: copy the batch only when needed.
    let sorted = if is_sorted(times.as_ref()) {
        batch.clone()
    } else {
        let options = SortOptions {
            descending: false,
            nulls_first: true,
        };
        let indices = sort_to_indices(times, Some(options), None).map_err(arrow)?;
        take_record_batch(batch, &indices).map_err(arrow)?
    };
    let size = place(destination, dir, name, options.sync, &mut |sink, path| {
        encode(sink, path, &sorted, time_index, columns, options, metadata)
    })?;
    Ok((location, size))
}

/// Whether a time column (milliseconds, as a timestamp or a plain `Int64`) is in ascending order with
/// nulls first.
fn is_sorted(times: &dyn Array) -> bool {
    let values: &[i64] = match times.data_type() {
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            times.as_primitive::<TimestampMillisecondType>().values()
        }
        DataType::Int64 => times.as_primitive::<Int64Type>().values(),
        _ => return false,
    };
    let mut previous: Option<i64> = None;
    for (i, value) in values.iter().enumerate() {
        let current = times.is_valid(i).then_some(*value);
        if current < previous {
            return false;
        }
        previous = current;
    }
    true
}

/// Encodes `batch` as one Parquet file into `sink` (`path` names it in errors).
fn encode(
    sink: &mut (dyn Write + Send),
    path: &Path,
    batch: &RecordBatch,
    time_index: usize,
    columns: ColumnHints<'_>,
    options: &WriterOptions,
    metadata: &[KeyValue],
) -> Result<(), WriteError> {
    let parquet = |source| WriteError::Parquet {
        path: path.to_owned(),
        source,
    };
    let rows = write_batch_rows(batch, options);
    let properties =
        properties(options, &batch.schema(), time_index, columns, rows).map_err(parquet)?;
    let mut writer =
        ArrowWriter::try_new(sink, batch.schema(), Some(properties)).map_err(parquet)?;
    writer.write(batch).map_err(parquet)?;
    for entry in metadata {
        writer.append_key_value_metadata(entry.clone());
    }
    writer.close().map_err(parquet)?;
    Ok(())
}
