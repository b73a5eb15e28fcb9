//! The 2026 record shapes (aggregated events, the new `onBehalfOf` members) through `stats` and `hunt`:
//! each output equals its golden file. Records and provenance: tests/data/shapes_2026/README.md.
//!
//! `UPDATE_GOLDEN=1 cargo test -p examples --test shapes_2026` rewrites the goldens; review the diff.

use std::path::{Path, PathBuf};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shapes_2026")
}

#[allow(dead_code)]
mod support;

/// Runs an example binary that `cargo test` built beside this test, and returns its stdout.
fn run(name: &str, args: &[&str]) -> String {
    let output = support::example(name).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.code().is_some_and(|code| code <= 1),
        "{name} {args:?} failed: {stderr}"
    );
    // Nothing unreadable: hunt's summary line counts errors, stats prints none.
    assert!(
        stderr.contains("errors=0") || !stderr.contains("error"),
        "{name} {args:?}: {stderr}"
    );
    String::from_utf8(output.stdout).unwrap()
}

fn assert_golden(actual: &str, golden: &str) {
    let path = data().join("golden").join(golden);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(actual, expected, "{golden}: output differs from its golden");
}

#[test]
fn stats_counts_the_new_shapes() {
    let records = data().join("records");
    let out = run("stats", &[records.to_str().unwrap()]);
    // Aggregated events are counted as records, under their own event-name label.
    assert!(out.contains("records: 4  errors: 0"), "{out}");
    assert_golden(&out, "stats.txt");
}

#[test]
fn hunt_reports_the_new_shapes() {
    let records = data().join("records");
    let out = run("hunt", &[records.to_str().unwrap(), "--format", "jsonl"]);
    // The workload identity's S3 write is flagged; the aggregated summaries match no built-in rule.
    let findings: Vec<serde_json::Value> = out
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(findings.len(), 1, "{out}");
    assert_eq!(findings[0]["rule_id"], "aws-workload-identity-write");
    assert_golden(&out, "hunt.jsonl");
}
