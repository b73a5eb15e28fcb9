//! Organisation-scale output: one file per partition directory (per class in OCSF) when the delivery
//! days are given in order, a bounded number of partitions in memory whatever their number, appending
//! without rewriting, compaction that keeps every row once, and no file ever replaced.

#![cfg(feature = "parquet")]

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, TimestampMillisecondType};
use chrono::{Datelike, Duration, NaiveDate};
use cloudtrail_model::Event;
use cloudtrail_ocsf::writer::{
    COMPACTED_FROM_KEY, Layout, ParquetWriter, WriteError, WriterOptions, compact,
};
use cloudtrail_ocsf::{Mapper, MappingOptions};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("partitions-{name}"));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// One delivered record of `account` in `region` at `time`: API Activity unless `sign_in`.
fn record(account: usize, region: &str, time: &str, id: &str, sign_in: bool) -> String {
    let (source, name) = if sign_in {
        ("signin.amazonaws.com", "ConsoleLogin")
    } else {
        ("s3.amazonaws.com", "ListBuckets")
    };
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"{time}","eventSource":"{source}","eventName":"{name}",
        "awsRegion":"{region}","sourceIPAddress":"192.0.2.1","eventID":"{id}","eventType":"AwsApiCall",
        "userIdentity":{{"type":"IAMUser","principalId":"AIDA","accountId":"{account:012}",
        "arn":"arn:aws:iam::{account:012}:user/u","userName":"u"}},"recipientAccountId":"{account:012}"}}"#
    )
}

/// The objects of one delivery day: records of that day, and (on odd days of the month) one of the
/// day before, delivered after midnight.
fn delivery(account: usize, region: &str, day: NaiveDate, per_day: usize) -> Vec<String> {
    let mut records = Vec::new();
    let stamp = |date: NaiveDate, clock: &str| format!("{}T{clock}Z", date.format("%Y-%m-%d"));
    for i in 0..per_day {
        let id = format!("{account}-{region}-{day}-{i}");
        // Out of order within the day, so that the sort has work to do.
        let clock = format!("{:02}:{:02}:00", (7 * i + 3) % 24, (13 * i) % 60);
        records.push(record(
            account,
            region,
            &stamp(day, &clock),
            &id,
            i % 5 == 4,
        ));
    }
    if day.day() % 2 == 1 {
        let before = day - Duration::days(1);
        let id = format!("{account}-{region}-{day}-late");
        records.push(record(
            account,
            region,
            &stamp(before, "23:59:30"),
            &id,
            false,
        ));
    }
    records
}

struct Tree {
    accounts: usize,
    regions: Vec<String>,
    first: NaiveDate,
    days: i64,
    per_day: usize,
}

impl Tree {
    fn chains(&self) -> impl Iterator<Item = (usize, &str)> {
        (0..self.accounts).flat_map(move |a| self.regions.iter().map(move |r| (a, r.as_str())))
    }
}

/// Converts the tree as a worker does (each account and region's days in order, the day before
/// closed after each day's objects), checking at every day that memory holds only a few partitions.
/// Returns the records given.
fn convert(tree: &Tree, writer: &mut ParquetWriter, budget: usize) -> u64 {
    let mut given = 0;
    for (account, region) in tree.chains() {
        for offset in 0..tree.days {
            let day = tree.first + Duration::days(offset);
            for text in delivery(account, region, day, tree.per_day) {
                writer.write(&Event::from_json(&text).unwrap()).unwrap();
                given += 1;
            }
            writer.close_through(day - Duration::days(1)).unwrap();
            // Today's and yesterday's partitions (two classes each) at most.
            assert!(
                writer.buffered_partitions() <= 4,
                "{}",
                writer.buffered_partitions()
            );
            assert!(writer.buffered_bytes() <= budget);
        }
        writer.close_open().unwrap();
        assert_eq!(writer.buffered_partitions(), 0);
    }
    writer.finish().unwrap();
    given
}

/// Parquet files per directory, relative to `root`.
fn files_per_dir(root: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let mut found: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.file_name().unwrap().to_str().unwrap();
                assert!(
                    !name.starts_with('.'),
                    "temporary file left: {}",
                    path.display()
                );
                let relative = dir.strip_prefix(root).unwrap().to_str().unwrap().to_owned();
                found.entry(relative).or_default().push(path);
            }
        }
    }
    found
}

/// Every row's id (flat `eventID` or OCSF `metadata.uid`) in the files under `root`, checking that
/// each file is sorted by time.
fn ids(root: &Path) -> Vec<String> {
    let mut ids = Vec::new();
    for files in files_per_dir(root).values() {
        for path in files {
            let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap())
                .unwrap()
                .build()
                .unwrap();
            let mut last = i64::MIN;
            for batch in reader {
                let batch = batch.unwrap();
                let (times, id_column): (Vec<i64>, _) = match batch.column_by_name("eventTime") {
                    Some(times) => (
                        times
                            .as_primitive::<TimestampMillisecondType>()
                            .values()
                            .to_vec(),
                        batch.column_by_name("eventID").unwrap().clone(),
                    ),
                    None => (
                        batch
                            .column_by_name("time")
                            .unwrap()
                            .as_primitive::<Int64Type>()
                            .values()
                            .to_vec(),
                        batch
                            .column_by_name("metadata")
                            .unwrap()
                            .as_struct()
                            .column_by_name("uid")
                            .unwrap()
                            .clone(),
                    ),
                };
                for time in times {
                    assert!(time >= last, "{} is not sorted by time", path.display());
                    last = time;
                }
                let strings = id_column.as_string::<i32>();
                ids.extend((0..strings.len()).map(|i| strings.value(i).to_owned()));
            }
        }
    }
    ids.sort();
    ids
}

fn all_ids(tree: &Tree) -> Vec<String> {
    let mut ids = Vec::new();
    for (account, region) in tree.chains() {
        for offset in 0..tree.days {
            for text in delivery(
                account,
                region,
                tree.first + Duration::days(offset),
                tree.per_day,
            ) {
                let event = Event::from_json(&text).unwrap();
                ids.push(event.event_id().unwrap().to_owned());
            }
        }
    }
    ids.sort();
    ids
}

fn layouts() -> [(Layout, usize); 2] {
    let mapper = Arc::new(Mapper::new(MappingOptions::default()));
    // Files per partition directory: flat one; OCSF one per class (API Activity, Authentication).
    [(Layout::Flat, 1), (Layout::Ocsf(mapper), 2)]
}

#[test]
/// 20 accounts x 17 regions x 10 days: 3,400 partitions (the same with 30 days, 10,200 of them, takes
/// minutes in a debug build; the bound checked at every day does not depend on the number).
fn thousands_of_partitions_one_file_each_in_bounded_memory() {
    let tree = Tree {
        accounts: 20,
        regions: (0..17).map(|i| format!("region-{i}")).collect(),
        first: NaiveDate::from_ymd_opt(2024, 5, 2).unwrap(),
        days: 10,
        per_day: 1,
    };
    let out = out_dir("thousands");
    let budget = 4 << 20;
    let options = WriterOptions::new(&out)
        .with_sync(false)
        .with_max_buffered_bytes(budget);
    let mut writer = ParquetWriter::new(&Layout::Flat, options, 0);
    let given = convert(&tree, &mut writer, budget);
    let stats = writer.stats();
    assert_eq!(stats.records_written(), given);
    let dirs = files_per_dir(&out);
    assert_eq!(dirs.len(), 20 * 17 * 10);
    for (dir, files) in &dirs {
        assert_eq!(files.len(), 1, "{dir}: {files:?}");
    }
    assert_eq!(stats.files, dirs.len() as u64);
    assert_eq!(ids(&out), all_ids(&tree));
}

#[test]
fn both_layouts_write_one_file_per_partition_and_class() {
    let tree = Tree {
        accounts: 3,
        regions: vec!["us-east-1".into(), "eu-west-1".into(), "ap-south-1".into()],
        first: NaiveDate::from_ymd_opt(2024, 12, 28).unwrap(),
        days: 9,
        per_day: 20,
    };
    for (layout, per_dir) in layouts() {
        let out = out_dir(&format!("both-{per_dir}"));
        let budget = 16 << 20;
        let options = WriterOptions::new(&out)
            .with_sync(false)
            .with_max_buffered_bytes(budget);
        let mut writer = ParquetWriter::new(&layout, options, 0);
        let given = convert(&tree, &mut writer, budget);
        assert_eq!(writer.stats().records_written(), given);
        assert_eq!(writer.stats().records_reported(), 0);
        let dirs = files_per_dir(&out);
        // Every partition directory of the tree; OCSF has one per class.
        assert_eq!(dirs.len(), 3 * 3 * 9 * per_dir);
        for (dir, files) in &dirs {
            assert_eq!(files.len(), 1, "{dir}: {files:?}");
        }
        assert_eq!(ids(&out), all_ids(&tree));
    }
}

#[test]
fn late_records_of_a_closed_day_add_one_file_at_the_end_not_one_per_day() {
    let out = out_dir("late");
    let options = WriterOptions::new(&out).with_sync(false);
    let mut writer = ParquetWriter::new(&Layout::Flat, options, 0);
    let first = NaiveDate::from_ymd_opt(2024, 5, 2).unwrap();
    let mut given = 0;
    for offset in 0..6 {
        let day = first + Duration::days(offset);
        for text in delivery(1, "us-east-1", day, 3) {
            writer.write(&Event::from_json(&text).unwrap()).unwrap();
            given += 1;
        }
        // Two days late, into 2024-05-01 (closed after the objects of 2024-05-02) each day.
        let late = record(
            1,
            "us-east-1",
            "2024-05-01T12:00:00Z",
            &format!("x{offset}"),
            false,
        );
        writer.write(&Event::from_json(&late).unwrap()).unwrap();
        given += 1;
        writer.close_through(day - Duration::days(1)).unwrap();
    }
    writer.finish().unwrap();
    assert_eq!(writer.stats().records_written(), given);
    let dirs = files_per_dir(&out);
    let first_dir = "cloudtrail/region=us-east-1/accountId=000000000001/eventDay=20240501";
    assert_eq!(dirs[first_dir].len(), 2, "{dirs:?}");
    assert!(
        dirs.iter()
            .all(|(dir, files)| dir == first_dir || files.len() == 1)
    );
}

#[test]
fn appending_adds_files_and_compaction_merges_them_keeping_every_row_once() {
    let out = out_dir("append");
    let day_one = Tree {
        accounts: 2,
        regions: vec!["us-east-1".into()],
        first: NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
        days: 2,
        per_day: 30,
    };
    // The next run: the next days, whose objects hold records of the last day of the first run.
    let day_two = Tree {
        accounts: 2,
        regions: vec!["us-east-1".into()],
        first: NaiveDate::from_ymd_opt(2024, 5, 3).unwrap(),
        days: 2,
        per_day: 30,
    };
    let mut expected = all_ids(&day_one);
    expected.extend(all_ids(&day_two));
    expected.sort();
    for (layout, _) in layouts() {
        let _ = fs::remove_dir_all(&out);
        let mut before: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        for (run, tree) in [&day_one, &day_two].into_iter().enumerate() {
            let options = WriterOptions::new(&out).with_sync(false);
            let mut writer = ParquetWriter::new(&layout, options, 0);
            convert(tree, &mut writer, usize::MAX);
            if run == 0 {
                for files in files_per_dir(&out).values() {
                    before.extend(files.iter().map(|p| (p.clone(), fs::read(p).unwrap())));
                }
            }
        }
        // The second run added files and rewrote none.
        for (path, bytes) in &before {
            assert_eq!(
                &fs::read(path).unwrap(),
                bytes,
                "{} changed",
                path.display()
            );
        }
        assert_eq!(ids(&out), expected);
        let doubled = files_per_dir(&out)
            .values()
            .filter(|files| files.len() > 1)
            .count();
        assert!(doubled > 0, "the late records made a second file somewhere");

        let stats = compact(&out, &WriterOptions::new(&out).with_sync(false)).unwrap();
        assert_eq!(stats.partitions, doubled as u64);
        assert!(stats.files_merged >= 2 * stats.files_written);
        let dirs = files_per_dir(&out);
        assert!(dirs.values().all(|files| files.len() == 1), "{dirs:?}");
        assert_eq!(ids(&out), expected);
        // Compacting again changes nothing.
        let again = compact(&out, &WriterOptions::new(&out).with_sync(false)).unwrap();
        assert_eq!(again.files_written, 0);
        assert_eq!(ids(&out), expected);
    }
}

#[test]
fn an_interrupted_compaction_is_mended_by_the_next() {
    let out = out_dir("interrupted");
    let options = WriterOptions::new(&out).with_sync(false);
    for run in 0..3 {
        let mut writer = ParquetWriter::new(
            &Layout::Flat,
            options.clone().with_file_prefix(format!("run{run}")),
            0,
        );
        for i in 0..4 {
            let text = record(
                7,
                "us-east-1",
                &format!("2024-05-01T0{i}:00:0{run}Z"),
                &format!("{run}-{i}"),
                false,
            );
            writer.write(&Event::from_json(&text).unwrap()).unwrap();
        }
        writer.finish().unwrap();
    }
    let dir = out.join("cloudtrail/region=us-east-1/accountId=000000000007/eventDay=20240501");
    let originals: Vec<(PathBuf, Vec<u8>)> = files_per_dir(&out)
        .into_values()
        .flatten()
        .map(|p| (p.clone(), fs::read(&p).unwrap()))
        .collect();
    assert_eq!(originals.len(), 3);
    compact(&out, &options).unwrap();
    let merged = files_per_dir(&out).into_values().flatten().next().unwrap();
    // As if the process had died after linking the merged file, before removing the others.
    for (path, bytes) in &originals {
        fs::write(path, bytes).unwrap();
    }
    assert_eq!(ids(&out).len(), 24, "rows are doubled before mending");
    let stats = compact(&out, &options).unwrap();
    assert_eq!(stats.leftovers_removed, 3);
    assert_eq!(stats.files_written, 0);
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
    assert!(merged.exists());
    assert_eq!(ids(&out).len(), 12);
    let file = File::open(&merged).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let listed = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .unwrap();
    assert!(listed.iter().any(|kv| kv.key == COMPACTED_FROM_KEY));
}

#[test]
fn a_planted_symlink_or_file_is_never_followed_nor_replaced() {
    let out = out_dir("planted");
    let dir = out.join("cloudtrail/region=us-east-1/accountId=000000000001/eventDay=20240501");
    fs::create_dir_all(&dir).unwrap();
    let victim = out.join("victim");
    fs::write(&victim, b"keep me").unwrap();
    let text = record(1, "us-east-1", "2024-05-01T00:00:00Z", "a", false);
    let event = Event::from_json(&text).unwrap();

    // A symlink where the temporary file goes.
    std::os::unix::fs::symlink(&victim, dir.join(".planted-w0-00000.parquet.tmp")).unwrap();
    let mut writer = ParquetWriter::new(
        &Layout::Flat,
        WriterOptions::new(&out).with_file_prefix("planted"),
        0,
    );
    writer.write(&event).unwrap();
    let error = writer.finish().unwrap_err();
    assert!(
        matches!(&error, WriteError::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists),
        "{error}"
    );
    assert_eq!(fs::read(&victim).unwrap(), b"keep me");
    assert_eq!(writer.stats().write_errors, 1);
    assert_eq!(writer.stats().records_written(), 0);

    // A file under the final name.
    fs::write(dir.join("taken-w0-00000.parquet"), b"someone else's").unwrap();
    let mut writer = ParquetWriter::new(
        &Layout::Flat,
        WriterOptions::new(&out).with_file_prefix("taken"),
        0,
    );
    writer.write(&event).unwrap();
    let error = writer.finish().unwrap_err();
    assert!(
        matches!(&error, WriteError::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists),
        "{error}"
    );
    assert_eq!(
        fs::read(dir.join("taken-w0-00000.parquet")).unwrap(),
        b"someone else's"
    );
    assert!(!dir.join(".taken-w0-00000.parquet.tmp").exists());
    assert_eq!(writer.stats().write_errors, 1);
}

#[test]
fn default_names_differ_between_runs() {
    let a = WriterOptions::new("x").file_prefix;
    let b = WriterOptions::new("x").file_prefix;
    assert_ne!(a, b);
    assert!(
        a.starts_with("part-") && a.len() == "part-".len() + 16,
        "{a}"
    );
}

#[test]
fn a_security_lake_source_puts_every_class_under_ext() {
    let out = out_dir("lake");
    let mapper = Arc::new(Mapper::new(MappingOptions::default()));
    let options = WriterOptions::new(&out)
        .with_sync(false)
        .with_security_lake_source("cloudtrail_ocsf");
    let mut writer = ParquetWriter::new(&Layout::Ocsf(mapper), options, 0);
    for text in delivery(
        5,
        "eu-west-1",
        NaiveDate::from_ymd_opt(2024, 5, 2).unwrap(),
        10,
    ) {
        writer.write(&Event::from_json(&text).unwrap()).unwrap();
    }
    writer.finish().unwrap();
    let dirs = files_per_dir(&out);
    let dir = "ext/cloudtrail_ocsf/region=eu-west-1/accountId=000000000005/eventDay=20240502";
    assert_eq!(dirs.keys().collect::<Vec<_>>(), [dir]);
    let mut names: Vec<String> = dirs[dir]
        .iter()
        .map(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .split('-')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    names.sort();
    assert_eq!(names, ["api_activity", "authentication"]);
    assert_eq!(ids(&out).len(), 10);
}
