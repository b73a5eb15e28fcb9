//! `to_parquet` on a tree of many delivery partitions, run as a user runs it: one file per output
//! partition directory (per class in the OCSF layout) whatever the number of worker threads, and
//! every record written once.
//!
//! The tree comes from the generator with few accounts and many days, so that the planner cuts each
//! account's days into several runs (the case where a day's objects feed two workers), and its
//! global-service events (`awsRegion` `us-east-1`) sit in every region's objects, as a multi-region
//! trail delivers them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::{TimeZone, Utc};
use cloudtrail_synthetic::{GeneratorConfig, generate_tree};

mod support;
use support::{binary, parquet_files};

/// 3 accounts x 5 regions x 30 days, a few dozen records a file: about 280 output partitions (flat).
fn tree() -> &'static (PathBuf, u64) {
    static TREE: OnceLock<(PathBuf, u64)> = OnceLock::new();
    TREE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("partition-files-tree");
        let _ = std::fs::remove_dir_all(&dir);
        let config = GeneratorConfig {
            records: 12_000,
            seed: 18,
            accounts: ["210987654321", "123456789012", "999988887777"]
                .map(String::from)
                .to_vec(),
            regions: [
                "us-east-1",
                "eu-west-1",
                "ap-southeast-2",
                "sa-east-1",
                "us-west-2",
            ]
            .map(String::from)
            .to_vec(),
            start: Utc.with_ymd_and_hms(2025, 3, 20, 0, 0, 0).unwrap(),
            days: 30,
            min_records_per_file: 10,
            max_records_per_file: 60,
            plant_attacks: true,
        };
        let summary = generate_tree(&config, &dir, 2).unwrap();
        (dir.join("AWSLogs"), summary.records)
    })
}

/// Parquet files under `root`, by directory.
fn files_per_dir(root: &Path) -> BTreeMap<PathBuf, usize> {
    let mut dirs = BTreeMap::new();
    for file in parquet_files(root) {
        *dirs.entry(file.parent().unwrap().to_owned()).or_default() += 1;
    }
    dirs
}

/// Runs `to_parquet` and returns the records it says it wrote and reported.
fn convert(layout: &str, threads: &str, out: &Path) -> (u64, u64) {
    let _ = std::fs::remove_dir_all(out);
    let (input, _) = tree();
    let output = Command::new(binary())
        .args([input.to_str().unwrap(), out.to_str().unwrap()])
        .args(["--layout", layout, "--threads", threads, "--no-sync"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // `written: api_activity 10, authentication 2 (3 files, 0.1 MiB); reported: 0 (...)`
    let line = stdout
        .lines()
        .find(|line| line.starts_with("written: "))
        .unwrap_or_else(|| panic!("no summary line in {stdout}"));
    let (written, rest) = line["written: ".len()..].split_once(" (").unwrap();
    let written: u64 = written
        .split(", ")
        .map(|part| part.rsplit_once(' ').unwrap().1.parse::<u64>().unwrap())
        .sum();
    let reported: u64 = rest
        .split_once("reported: ")
        .and_then(|(_, r)| r.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    (written, reported)
}

fn one_file_per_partition(layout: &str) {
    let (_, records) = *tree();
    let mut layouts_dirs = Vec::new();
    for threads in ["1", "2", "3"] {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("partition-files-{layout}-{threads}"));
        let (written, reported) = convert(layout, threads, &out);
        assert_eq!(written + reported, records, "{layout}, {threads} threads");
        assert_eq!(reported, 0, "{layout}, {threads} threads");
        let dirs = files_per_dir(&out);
        let crowded: Vec<_> = dirs.iter().filter(|(_, files)| **files > 1).collect();
        assert!(
            crowded.is_empty(),
            "{layout}, {threads} threads: {} of {} directories hold more than one file: {crowded:?}",
            crowded.len(),
            dirs.len()
        );
        let relative: Vec<PathBuf> = dirs
            .keys()
            .map(|dir| dir.strip_prefix(&out).unwrap().to_owned())
            .collect();
        layouts_dirs.push(relative);
    }
    // Many partitions, and the same ones whatever the threads.
    assert!(layouts_dirs[0].len() >= 250, "{}", layouts_dirs[0].len());
    assert_eq!(layouts_dirs[0], layouts_dirs[1]);
    assert_eq!(layouts_dirs[0], layouts_dirs[2]);
}

#[test]
fn flat_layout_writes_one_file_per_partition_on_any_thread_count() {
    one_file_per_partition("flat");
}

#[test]
fn ocsf_layout_writes_one_file_per_partition_and_class_on_any_thread_count() {
    one_file_per_partition("ocsf");
}
