//! Interop: DuckDB (PyPI `duckdb`, run through `python3`) reads every Parquet file the writer produced,
//! with Hive partitioning, and finds the rows, partitions and values that were converted.
//!
//! `./test.sh` (the README's test command, also run by `.ci/run`) installs DuckDB. Without it the test fails, saying so.
#![cfg(feature = "parquet")]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use cloudtrail_model::Event;
use std::sync::Arc;

use cloudtrail_ocsf::writer::{FlatWriter, OcsfWriter, WriteError, WriterOptions, WriterStats};
use cloudtrail_ocsf::{Mapper, MappingOptions, OcsfVersion};
use cloudtrail_reader::{Reader, ReaderOptions, Source};
use cloudtrail_synthetic::{GeneratorConfig, generate_tree};
use serde_json::{Value, json};

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("duckdb-{name}"));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// Runs a Python script with DuckDB imported; returns its standard output parsed as JSON lines.
fn duckdb(script: &str, args: &[&str]) -> Vec<Value> {
    let prelude = "import sys, json\ntry:\n    import duckdb\nexcept ImportError:\n    sys.exit('the duckdb Python package is missing (./test.sh installs it): pip install duckdb')\n";
    let output = Command::new("python3")
        .arg("-c")
        .arg(format!("{prelude}{script}"))
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run python3 ({e}); install Python 3 and run ./test.sh, which installs duckdb")
        });
    assert!(
        output.status.success(),
        "python3 with duckdb failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// One row per record of the flat layout as DuckDB reads it: partition values and a few fields.
const FLAT_ROWS: &str = r#"
con = duckdb.connect()
rows = con.execute(f"""
    SELECT region, accountId, eventDay, eventID, userIdentity.type,
           userIdentity.sessionContext.attributes.mfaAuthenticated, epoch_ms(eventTime), eventName,
           readOnly, len(resources), requestParameters
    FROM read_parquet('{sys.argv[1]}/cloudtrail/**/*.parquet', hive_partitioning = true,
                      hive_types = {{'region': VARCHAR, 'accountId': VARCHAR, 'eventDay': VARCHAR}})
""").fetchall()
for row in rows:
    print(json.dumps(row))
"#;

fn text(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

/// One row per record of the OCSF layout as DuckDB reads it, every class at once.
const OCSF_ROWS: &str = r#"
con = duckdb.connect()
rows = con.execute(f"""
    SELECT regexp_extract(filename, '/([a-z_]+)/region=', 1), class_uid, region, accountId, eventDay,
           metadata.uid, actor.user.uid, api.operation, time, unmapped['readOnly']
    FROM read_parquet('{sys.argv[1]}/*/region=*/*/*/*.parquet', hive_partitioning = true,
                      union_by_name = true, filename = true,
                      hive_types = {{'region': VARCHAR, 'accountId': VARCHAR, 'eventDay': VARCHAR}})
""").fetchall()
for row in rows:
    print(json.dumps(row))
"#;

/// The same OCSF fields, from the mapped record (and the CloudTrail record, for the partition).
fn expected_ocsf_row(mapper: &Mapper, event: &Event<'_>) -> Option<Value> {
    let record = mapper.map(event).ok()?;
    let value = record.to_json();
    let flat = expected_row(event);
    Some(json!([
        record.class().file_stem(),
        record.class().uid(),
        flat[0],
        flat[1],
        flat[2],
        value["metadata"]["uid"],
        value.pointer("/actor/user/uid"),
        value["api"]["operation"],
        record.time(),
        record.unmapped().get("readOnly"),
    ]))
}

/// The same fields, from the records themselves.
fn expected_row(event: &Event<'_>) -> Value {
    let identity = event.user_identity.as_deref();
    let account = text(event.recipient_account_id())
        .or_else(|| text(identity.and_then(|i| i.account_id.as_deref())));
    json!([
        text(event.aws_region()),
        account,
        event.event_time().map(|t| t.format("%Y%m%d").to_string()),
        event.event_id(),
        identity
            .and_then(|i| i.identity_type.as_ref())
            .map(|t| t.as_str()),
        identity
            .and_then(|i| i.session_context.as_ref())
            .and_then(|s| s.attributes.as_ref())
            .and_then(|a| a.mfa_authenticated.as_ref())
            .and_then(|f| f.value()),
        event.event_time().map(|t| t.timestamp_millis()),
        event.event_name(),
        event.read_only(),
        event.resources.as_ref().map(Vec::len),
        event.request_parameters.as_ref().map(|r| r.get()),
    ])
}

fn sorted(mut rows: Vec<Value>) -> Vec<Value> {
    rows.sort_by_key(Value::to_string);
    rows
}

#[test]
fn duckdb_reads_the_flat_layout_of_the_corpus() {
    let records = common::corpus_records();
    let dir = out_dir("flat-corpus");
    let mut writer = FlatWriter::new(WriterOptions::new(&dir).with_sync(false), 0);
    let mut expected = Vec::new();
    for (_, text) in &records {
        let event = Event::from_json(text).unwrap();
        writer.write(&event).unwrap();
        expected.push(expected_row(&event));
    }
    writer.finish().unwrap();
    assert_eq!(writer.stats().records_written(), records.len() as u64);
    let rows = duckdb(FLAT_ROWS, &[dir.to_str().unwrap()]);
    assert_eq!(rows.len(), records.len());
    let (rows, expected) = (sorted(rows), sorted(expected));
    for (got, want) in rows.iter().zip(&expected) {
        assert_eq!(got, want);
    }
}

#[test]
fn duckdb_reads_the_ocsf_layout_of_the_corpus_at_every_release() {
    let records = common::corpus_records();
    for version in OcsfVersion::ALL {
        let dir = out_dir(&format!("ocsf-corpus-{version}"));
        let mapper = Arc::new(Mapper::new(MappingOptions::for_version(version)));
        let options = WriterOptions::new(&dir).with_sync(false);
        let mut writer = OcsfWriter::new(mapper.clone(), options, 0);
        let mut expected = Vec::new();
        for (place, text) in &records {
            let event = Event::from_json(text).unwrap();
            match writer.write(&event) {
                Ok(()) => expected.push(expected_ocsf_row(&mapper, &event).unwrap()),
                Err(WriteError::Map(_)) => assert!(mapper.map(&event).is_err(), "{place}"),
                Err(error) => panic!("{place}: {error}"),
            }
        }
        writer.finish().unwrap();
        let stats = writer.stats();
        assert_eq!(stats.records_given, records.len() as u64);
        assert_eq!(
            stats.records_written() + stats.mapping_errors,
            records.len() as u64
        );
        assert_eq!(stats.records_written(), expected.len() as u64);
        // Most corpus records map; every class is there.
        assert!(
            expected.len() * 10 > records.len() * 8,
            "{version}: {} mapped",
            expected.len()
        );
        assert_eq!(stats.written.len(), 3, "{version}: {:?}", stats.written);
        let rows = duckdb(OCSF_ROWS, &[dir.to_str().unwrap()]);
        assert_eq!(rows.len(), expected.len(), "{version}");
        let (rows, expected) = (sorted(rows), sorted(expected));
        for (got, want) in rows.iter().zip(&expected) {
            assert_eq!(got, want, "{version}");
        }
    }
}

/// The layouts, for the tree test.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Layout {
    Flat,
    Ocsf,
}

/// One worker's writer, of either layout, and the rows it expects DuckDB to find.
enum Writer {
    Flat(FlatWriter),
    Ocsf(OcsfWriter),
}

/// Converts a tree on two reader workers, each with its own writer, as `to_parquet` does.
fn convert_tree(tree: &Path, dir: &Path, layout: Layout) -> (WriterStats, Vec<Value>) {
    let options = WriterOptions::new(dir)
        .with_sync(false)
        // Small enough that partitions are cut into several files and the cap flushes.
        .with_max_rows_per_file(700)
        .with_max_buffered_bytes(1 << 20);
    let mapper = Arc::new(Mapper::new(MappingOptions::default()));
    let next_worker = AtomicUsize::new(0);
    let reader = Reader::new(ReaderOptions::default().with_threads(2));
    let output = reader
        .fold(
            &[Source::Path(tree.join("AWSLogs"))],
            || {
                let worker = next_worker.fetch_add(1, Ordering::Relaxed);
                let writer = match layout {
                    Layout::Flat => Writer::Flat(FlatWriter::new(options.clone(), worker)),
                    Layout::Ocsf => {
                        Writer::Ocsf(OcsfWriter::new(mapper.clone(), options.clone(), worker))
                    }
                };
                (writer, Vec::new())
            },
            |(writer, expected), event, _| match writer {
                Writer::Flat(writer) => {
                    writer.write(event).unwrap();
                    expected.push(expected_row(event));
                }
                Writer::Ocsf(writer) => {
                    writer.write(event).unwrap();
                    expected.push(expected_ocsf_row(&mapper, event).unwrap());
                }
            },
            |error| panic!("{error}"),
        )
        .unwrap();
    let mut stats = WriterStats::default();
    let mut expected = Vec::new();
    for (writer, rows) in output.states {
        match writer {
            Writer::Flat(mut writer) => {
                writer.finish().unwrap();
                stats.merge(writer.stats());
            }
            Writer::Ocsf(mut writer) => {
                writer.finish().unwrap();
                stats.merge(writer.stats());
            }
        }
        expected.extend(rows);
    }
    (stats, expected)
}

#[test]
fn duckdb_reads_both_layouts_of_a_generated_tree_written_by_parallel_workers() {
    let tree = out_dir("tree");
    let config = GeneratorConfig {
        records: 5_000,
        ..GeneratorConfig::default()
    };
    let summary = generate_tree(&config, &tree, 2).unwrap();
    for layout in [Layout::Flat, Layout::Ocsf] {
        let dir = out_dir(&format!("tree-{layout:?}"));
        let (stats, expected) = convert_tree(&tree, &dir, layout);
        assert_eq!(stats.records_given, summary.records);
        assert_eq!(stats.records_written(), summary.records, "{layout:?}");
        assert!(stats.files > 8, "{layout:?}: {} files", stats.files);
        let (query, partition) = match layout {
            Layout::Flat => (FLAT_ROWS, 0),
            Layout::Ocsf => (OCSF_ROWS, 2),
        };
        let rows = duckdb(query, &[dir.to_str().unwrap()]);
        assert_eq!(rows.len() as u64, summary.records, "{layout:?}");
        let (rows, expected) = (sorted(rows), sorted(expected));
        for (got, want) in rows.iter().zip(&expected) {
            assert_eq!(got, want, "{layout:?}");
        }
        // Counts per class and partition, as DuckDB groups them.
        let counts = duckdb(
            r#"
con = duckdb.connect()
for row in con.execute(f"SELECT regexp_extract(filename, '/([a-z_]+)/region=', 1), region, accountId, eventDay, count(*) FROM read_parquet('{sys.argv[1]}/*/region=*/*/*/*.parquet', hive_partitioning = true, union_by_name = true, filename = true, hive_types = {{'region': VARCHAR, 'accountId': VARCHAR, 'eventDay': VARCHAR}}) GROUP BY ALL").fetchall():
    print(json.dumps(row))
"#,
            &[dir.to_str().unwrap()],
        );
        let mut expected_counts = std::collections::BTreeMap::<String, u64>::new();
        for row in &expected {
            let class = if layout == Layout::Flat {
                json!("cloudtrail")
            } else {
                row[0].clone()
            };
            let key = json!([
                class,
                row[partition],
                row[partition + 1],
                row[partition + 2]
            ]);
            *expected_counts.entry(key.to_string()).or_default() += 1;
        }
        assert_eq!(counts.len(), expected_counts.len(), "{layout:?}");
        for count in counts {
            let key = json!([count[0], count[1], count[2], count[3]]).to_string();
            assert_eq!(
                Some(count[4].as_u64().unwrap()),
                expected_counts.get(&key).copied(),
                "{key}"
            );
        }
        if layout == Layout::Ocsf {
            assert!(stats.written.len() >= 2, "{:?}", stats.written);
        }
    }
}
