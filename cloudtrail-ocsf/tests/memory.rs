//! The writers' memory budget counts what their builders really hold: with one row in each of
//! thousands of partitions (a record per distinct `recipientAccountId`, which an intruder can
//! choose), the estimate covers the process's real growth, and a budget bounds that growth.
//!
//! Measured as the resident set (`/proc/self/statm`, Linux), one scenario after another in a single
//! test so that no other test's allocations run alongside.

#![cfg(all(feature = "parquet", target_os = "linux"))]

use std::path::Path;
use std::sync::Arc;

use cloudtrail_model::Event;
use cloudtrail_ocsf::writer::{Layout, ParquetWriter, WriterOptions};
use cloudtrail_ocsf::{Mapper, MappingOptions};

fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

fn record(account: usize) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2024-05-01T12:00:00Z","eventSource":"s3.amazonaws.com",
        "eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1",
        "eventID":"id-{account}","userIdentity":{{"type":"Root","accountId":"{account:012}"}},
        "recipientAccountId":"{account:012}"}}"#
    )
}

/// Writes one record for each of `accounts` distinct accounts; returns (resident growth, the
/// writer's own count at its peak).
fn distinct_accounts(
    layout: &Layout,
    accounts: usize,
    budget: usize,
    out: &Path,
) -> (usize, usize) {
    let options = WriterOptions::new(out)
        .with_sync(false)
        .with_max_buffered_bytes(budget);
    let mut writer = ParquetWriter::new(layout, options, 0);
    let texts: Vec<String> = (0..accounts).map(record).collect();
    let before = resident_bytes();
    let mut peak_count = 0;
    let mut peak_resident = 0;
    for text in &texts {
        writer.write(&Event::from_json(text).unwrap()).unwrap();
        peak_count = peak_count.max(writer.buffered_bytes());
        peak_resident = peak_resident.max(resident_bytes().saturating_sub(before));
    }
    writer.finish().unwrap();
    assert_eq!(writer.stats().records_written(), accounts as u64);
    (peak_resident, peak_count)
}

/// One test, so that the two measures never run at once.
#[test]
fn the_budget_counts_and_bounds_what_one_row_partitions_hold() {
    the_count_covers_what_builders_hold();
    many_accounts_stay_within_the_budget();
}

fn the_count_covers_what_builders_hold() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("memory");
    let mapper = Arc::new(Mapper::new(MappingOptions::default()));
    for (name, layout, accounts) in [
        ("flat", Layout::Flat, 1_500),
        ("ocsf", Layout::Ocsf(mapper), 500),
    ] {
        let _ = std::fs::remove_dir_all(&out);
        // No flush: every partition stays in memory, and the count must cover the growth.
        let (grown, counted) = distinct_accounts(&layout, accounts, usize::MAX, &out);
        eprintln!(
            "{name}: {accounts} one-row partitions: resident +{grown} B, counted {counted} B"
        );
        assert!(
            counted >= grown,
            "{name}: counted {counted} bytes for {grown} bytes really held"
        );
        // Not wildly over either: the budget would otherwise flush far too early.
        assert!(
            counted <= 4 * grown.max(1 << 20),
            "{name}: counted {counted} for {grown}"
        );
    }
}

/// 5,000 partitions of one row against a budget that holds about 120 of them.
fn many_accounts_stay_within_the_budget() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("memory-budget");
    let _ = std::fs::remove_dir_all(&out);
    let budget = 4 << 20;
    let (grown, counted) = distinct_accounts(&Layout::Flat, 5_000, budget, &out);
    eprintln!("5,000 accounts, budget {budget}: resident +{grown} B, counted at most {counted} B");
    assert!(counted <= budget);
    // The budget plus what writing one file takes (the encoder's buffers), not 5,000 builders
    // (about 110 MB).
    assert!(grown <= 4 * budget, "resident grew by {grown} bytes");
}
