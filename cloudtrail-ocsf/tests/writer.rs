//! The Parquet writer: every record given is in exactly one file of its partition (or reported), rows
//! sorted by time, zstd, bounded pages and row groups, no temporary file left, memory bounded by the cap.

#![cfg(feature = "parquet")]

mod common;

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::TimestampMillisecondType;
use cloudtrail_model::Event;
use cloudtrail_ocsf::flat::flat_schema;
use cloudtrail_ocsf::writer::{FlatWriter, WriteError, WriterOptions, partition_dir};
use cloudtrail_synthetic::{GeneratorConfig, records};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::reader::{FileReader, SerializedFileReader};
use serde_json::Value;

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("writer-{name}"));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// Every file under `dir`, with its path relative to `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(next) = stack.pop() {
        for entry in fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Reads every file back: (partition directory relative to `dir`, record rebuilt from its row).
fn read_back(dir: &Path, options: &WriterOptions) -> Vec<(String, Value)> {
    let mut rows = Vec::new();
    for path in files(dir) {
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(
            name.starts_with(&options.file_prefix) && name.ends_with(".parquet"),
            "unexpected file {}",
            path.display()
        );
        let reader = SerializedFileReader::new(File::open(&path).unwrap()).unwrap();
        let metadata = reader.metadata();
        for group in metadata.row_groups() {
            assert!(group.num_rows() as usize <= options.row_group_rows);
            for column in group.columns() {
                assert!(matches!(column.compression(), Compression::ZSTD(_)));
            }
        }
        let partition = path
            .parent()
            .unwrap()
            .strip_prefix(dir)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let batches = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap())
            .unwrap()
            .build()
            .unwrap();
        let mut last_time = None;
        for batch in batches {
            let batch = batch.unwrap();
            assert_eq!(batch.schema().fields(), flat_schema().fields());
            let times = batch
                .column_by_name("eventTime")
                .unwrap()
                .as_primitive::<TimestampMillisecondType>();
            for row in 0..batch.num_rows() {
                let time = times.is_valid(row).then(|| times.value(row));
                assert!(
                    last_time <= Some(time),
                    "{}: rows not sorted by eventTime",
                    path.display()
                );
                last_time = Some(time);
                rows.push((partition.clone(), common::rebuild(&batch, row)));
            }
        }
    }
    rows
}

/// Uncompressed sizes of every data page of a file.
fn data_page_sizes(path: &Path) -> Vec<usize> {
    let reader = SerializedFileReader::new(File::open(path).unwrap()).unwrap();
    let mut sizes = Vec::new();
    for group in 0..reader.num_row_groups() {
        let group = reader.get_row_group(group).unwrap();
        for column in 0..group.num_columns() {
            for page in group.get_column_page_reader(column).unwrap() {
                let page = page.unwrap();
                if page.page_type() != parquet::basic::PageType::DICTIONARY_PAGE {
                    sizes.push(page.buffer().len());
                }
            }
        }
    }
    sizes
}

/// Writes records through one writer, checking the memory cap after each, and returns the writer.
fn write_all(options: &WriterOptions, texts: &[String]) -> FlatWriter {
    let mut writer = FlatWriter::new(options.clone(), 0);
    for text in texts {
        let event = Event::from_json(text).unwrap();
        writer.write(&event).unwrap();
        assert!(
            writer.buffered_bytes() <= options.max_buffered_bytes,
            "{} bytes buffered, cap {}",
            writer.buffered_bytes(),
            options.max_buffered_bytes
        );
    }
    writer.finish().unwrap();
    assert_eq!(writer.buffered_rows(), 0);
    writer
}

fn expected_rows(texts: &[String]) -> Vec<(String, Value)> {
    let mut rows: Vec<(String, Value)> = texts
        .iter()
        .map(|text| {
            let event = Event::from_json(text).unwrap();
            let mut dir = String::new();
            partition_dir("cloudtrail", &event, &mut dir);
            (dir, serde_json::from_str(text).unwrap())
        })
        .collect();
    rows.sort_by_key(|(dir, value)| (dir.clone(), value.to_string()));
    rows
}

#[test]
fn every_corpus_record_is_in_one_file_of_its_partition() {
    let texts = common::corpus_texts();
    let dir = out_dir("corpus");
    let mut options = WriterOptions::new(&dir);
    // Small limits, so that files are cut by rows, by bytes and by the total cap.
    options.max_rows_per_file = 100;
    options.max_file_bytes = 256 << 10;
    options.max_buffered_bytes = 512 << 10;
    options.row_group_rows = 40;
    options.sync = false;
    let writer = write_all(&options, &texts);
    let stats = writer.stats();
    assert_eq!(stats.records_given, texts.len() as u64);
    assert_eq!(stats.records_written(), texts.len() as u64);
    assert_eq!(stats.records_reported(), 0);
    assert_eq!(stats.written.keys().collect::<Vec<_>>(), ["cloudtrail"]);
    let files = files(&dir);
    assert_eq!(stats.files, files.len() as u64);
    assert_eq!(
        stats.bytes,
        files
            .iter()
            .map(|f| f.metadata().unwrap().len())
            .sum::<u64>()
    );
    let mut rows = read_back(&dir, &options);
    rows.sort_by_key(|(dir, value)| (dir.clone(), value.to_string()));
    let expected = expected_rows(&texts);
    assert_eq!(rows.len(), expected.len());
    for (got, want) in rows.iter().zip(&expected) {
        assert_eq!(got, want);
    }
    // The corpus spans many accounts, regions and days, and records without some of them.
    let partitions: std::collections::BTreeSet<&str> =
        rows.iter().map(|(d, _)| d.as_str()).collect();
    assert!(partitions.len() > 20, "{} partitions", partitions.len());
    assert!(
        partitions
            .iter()
            .any(|p| p.contains("__HIVE_DEFAULT_PARTITION__"))
    );
}

#[test]
fn large_partitions_are_cut_into_bounded_files_pages_and_row_groups() {
    let config = GeneratorConfig {
        records: 15_000,
        accounts: vec!["111122223333".into()],
        regions: vec!["us-east-1".into()],
        days: 1,
        ..GeneratorConfig::default()
    };
    let texts: Vec<String> = records(&config).collect();
    let dir = out_dir("large");
    let mut options = WriterOptions::new(&dir);
    options.max_rows_per_file = 6_000;
    options.row_group_rows = 2_500;
    options.data_page_bytes = 64 << 10;
    options.page_slack_bytes = 32 << 10;
    options.sync = false;
    let writer = write_all(&options, &texts);
    assert_eq!(writer.stats().records_written(), texts.len() as u64);
    let files = files(&dir);
    assert!(files.len() >= 3, "{} files", files.len());
    let mut most_groups = 0;
    for file in &files {
        let reader = SerializedFileReader::new(File::open(file).unwrap()).unwrap();
        let rows: i64 = reader.metadata().file_metadata().num_rows();
        assert!(rows <= 6_000, "{}: {rows} rows", file.display());
        most_groups = most_groups.max(reader.num_row_groups());
        let sizes = data_page_sizes(file);
        assert!(sizes.len() >= reader.num_row_groups() * 33, "too few pages");
        // The limit is checked between the encoder's batches of rows, each sized to put at most
        // `page_slack_bytes` into any column (no generated value is over a thousandth of a page).
        let max = sizes.iter().max().unwrap();
        assert!(
            *max <= options.data_page_bytes + options.page_slack_bytes,
            "a {max}-byte page"
        );
    }
    assert!(most_groups >= 2, "no file was cut into row groups");
    let rows = read_back(&dir, &options);
    assert_eq!(rows.len(), texts.len());
}

#[test]
fn a_file_that_cannot_be_written_is_reported_with_its_path_and_counted() {
    let dir = out_dir("unwritable");
    fs::create_dir_all(dir.parent().unwrap()).unwrap();
    // The output "directory" is a file: creating the partition directory fails.
    fs::write(&dir, b"not a directory").unwrap();
    let mut options = WriterOptions::new(&dir);
    options.sync = false;
    let mut writer = FlatWriter::new(options, 3);
    let texts: Vec<String> = records(&GeneratorConfig {
        records: 200,
        ..GeneratorConfig::default()
    })
    .collect();
    for text in &texts {
        writer.write(&Event::from_json(text).unwrap()).unwrap();
    }
    let error = writer.finish().unwrap_err();
    match &error {
        WriteError::Io { path, .. } => assert!(path.starts_with(&dir), "{}", path.display()),
        other => panic!("unexpected error {other:?}"),
    }
    assert!(error.to_string().contains("cloudtrail/region="), "{error}");
    let stats = writer.stats();
    assert_eq!(stats.records_given, texts.len() as u64);
    assert_eq!(stats.records_written(), 0);
    assert_eq!(stats.write_errors, texts.len() as u64);
    assert_eq!(writer.buffered_rows(), 0);
    fs::remove_file(&dir).unwrap();
}

#[test]
fn workers_and_runs_never_share_a_file_name() {
    let dir = out_dir("names");
    let config = GeneratorConfig {
        records: 300,
        ..GeneratorConfig::default()
    };
    let texts: Vec<String> = records(&config).collect();
    let mut given = 0;
    // Two runs (default prefixes, from the clock and the process) of two workers each, into one directory.
    for _run in 0..2 {
        let options = WriterOptions::new(&dir).with_sync(false);
        for worker in 0..2 {
            let mut writer = FlatWriter::new(options.clone(), worker);
            for text in &texts {
                writer.write(&Event::from_json(text).unwrap()).unwrap();
            }
            writer.finish().unwrap();
            given += texts.len();
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let files = files(&dir);
    for file in &files {
        let name = file.file_name().unwrap().to_str().unwrap();
        assert!(
            !name.starts_with('.') && !name.ends_with(".tmp"),
            "temporary file left: {name}"
        );
    }
    let rows: i64 = files
        .iter()
        .map(|f| {
            SerializedFileReader::new(File::open(f).unwrap())
                .unwrap()
                .metadata()
                .file_metadata()
                .num_rows()
        })
        .sum();
    assert_eq!(rows as usize, given, "a file was overwritten");
}

#[test]
fn the_ocsf_writer_keeps_one_class_per_file_and_conserves_counts() {
    use cloudtrail_ocsf::writer::OcsfWriter;
    use cloudtrail_ocsf::{Mapper, MappingOptions};

    let texts = common::corpus_texts();
    let dir = out_dir("ocsf");
    let mut options = WriterOptions::new(&dir);
    options.max_buffered_bytes = 1 << 20;
    options.sync = false;
    let mapper = std::sync::Arc::new(Mapper::new(MappingOptions::default()));
    let mut writer = OcsfWriter::new(mapper.clone(), options.clone(), 0);
    let (mut mapped, mut rejected) = (0u64, 0u64);
    for text in &texts {
        let event = Event::from_json(text).unwrap();
        match writer.write(&event) {
            Ok(()) => mapped += 1,
            Err(WriteError::Map(_)) => rejected += 1,
            Err(error) => panic!("{error}"),
        }
        assert!(writer.buffered_bytes() <= options.max_buffered_bytes);
    }
    writer.finish().unwrap();
    let stats = writer.stats();
    assert_eq!(stats.records_given, texts.len() as u64);
    assert_eq!(stats.records_written(), mapped);
    assert_eq!(stats.mapping_errors, rejected);
    assert_eq!(
        stats.records_written() + stats.records_reported(),
        stats.records_given
    );
    // Every file holds one class, the one its directory names, sorted by time.
    let mut rows_per_class = std::collections::BTreeMap::<String, u64>::new();
    for path in files(&dir) {
        let class = path
            .strip_prefix(&dir)
            .unwrap()
            .iter()
            .next()
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let batches = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap())
            .unwrap()
            .build()
            .unwrap();
        let mut last = None;
        for batch in batches {
            let batch = batch.unwrap();
            let uids = batch.column_by_name("class_uid").unwrap();
            let uids = uids.as_primitive::<arrow_array::types::Int32Type>();
            let times = batch.column_by_name("time").unwrap();
            let times = times.as_primitive::<arrow_array::types::Int64Type>();
            for row in 0..batch.num_rows() {
                let expected =
                    cloudtrail_ocsf::OcsfClass::from_uid(uids.value(row) as u32).unwrap();
                assert_eq!(expected.file_stem(), class, "{}", path.display());
                assert!(
                    last <= Some(times.value(row)),
                    "{}: not sorted by time",
                    path.display()
                );
                last = Some(times.value(row));
            }
            *rows_per_class.entry(class.clone()).or_default() += batch.num_rows() as u64;
        }
    }
    assert_eq!(rows_per_class, stats.written);
}
