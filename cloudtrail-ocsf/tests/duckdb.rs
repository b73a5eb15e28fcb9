//! Interop: DuckDB (PyPI `duckdb`, run through `python3`) reads every Parquet file the writer produced,
//! with Hive partitioning, and finds the rows, partitions and values that were converted.
//!
//! `.ci/run` installs DuckDB; locally: `pip install duckdb`. Without it the test fails, saying so.
#![cfg(feature = "parquet")]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use cloudtrail_model::Event;
use cloudtrail_ocsf::writer::{FlatWriter, WriterOptions, WriterStats};
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
    let prelude = "import sys, json\ntry:\n    import duckdb\nexcept ImportError:\n    sys.exit('the duckdb Python package is missing: pip install duckdb')\n";
    let output = Command::new("python3")
        .arg("-c")
        .arg(format!("{prelude}{script}"))
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run python3 ({e}); install Python 3 and `pip install duckdb`")
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
    let mut writer = FlatWriter::new(
        WriterOptions {
            sync: false,
            ..WriterOptions::new(&dir)
        },
        0,
    );
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
fn duckdb_reads_the_flat_layout_of_a_generated_tree_written_by_parallel_workers() {
    let tree = out_dir("tree");
    let config = GeneratorConfig {
        records: 5_000,
        ..GeneratorConfig::default()
    };
    let summary = generate_tree(&config, &tree, 2).unwrap();
    let dir = out_dir("flat-tree");
    let options = WriterOptions {
        sync: false,
        // Small enough that partitions are cut into several files and the cap flushes.
        max_rows_per_file: 700,
        max_buffered_bytes: 1 << 20,
        ..WriterOptions::new(&dir)
    };
    let next_worker = AtomicUsize::new(0);
    let reader = Reader::new(ReaderOptions {
        threads: 2,
        ..ReaderOptions::default()
    });
    let output = reader
        .fold(
            &[Source::Path(tree.join("AWSLogs"))],
            || {
                let worker = next_worker.fetch_add(1, Ordering::Relaxed);
                (FlatWriter::new(options.clone(), worker), Vec::new())
            },
            |(writer, expected), event, _| {
                writer.write(event).unwrap();
                expected.push(expected_row(event));
            },
            |error| panic!("{error}"),
        )
        .unwrap();
    let mut stats = WriterStats::default();
    let mut expected = Vec::new();
    for (mut writer, rows) in output.states {
        writer.finish().unwrap();
        stats.merge(writer.stats());
        expected.extend(rows);
    }
    assert_eq!(stats.records_given, summary.records);
    assert_eq!(stats.records_written(), summary.records);
    assert!(stats.files > 8, "{} files", stats.files);
    let rows = duckdb(FLAT_ROWS, &[dir.to_str().unwrap()]);
    assert_eq!(rows.len() as u64, summary.records);
    let (rows, expected) = (sorted(rows), sorted(expected));
    for (got, want) in rows.iter().zip(&expected) {
        assert_eq!(got, want);
    }
    // Counts per partition, as DuckDB groups them.
    let counts = duckdb(
        r#"
con = duckdb.connect()
for row in con.execute(f"SELECT region, accountId, eventDay, count(*) FROM read_parquet('{sys.argv[1]}/**/*.parquet', hive_partitioning = true, hive_types = {{'region': VARCHAR, 'accountId': VARCHAR, 'eventDay': VARCHAR}}) GROUP BY ALL").fetchall():
    print(json.dumps(row))
"#,
        &[dir.to_str().unwrap()],
    );
    let mut expected_counts = std::collections::BTreeMap::<String, u64>::new();
    for row in &expected {
        *expected_counts
            .entry(json!([row[0], row[1], row[2]]).to_string())
            .or_default() += 1;
    }
    assert_eq!(counts.len(), expected_counts.len());
    for count in counts {
        let key = json!([count[0], count[1], count[2]]).to_string();
        assert_eq!(
            Some(count[3].as_u64().unwrap()),
            expected_counts.get(&key).copied(),
            "{key}"
        );
    }
}
