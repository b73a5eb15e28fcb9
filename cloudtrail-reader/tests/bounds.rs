//! The bounds on what a worker holds, measured as this test process's own peak resident memory (Linux's
//! `VmHWM`, reset before each measurement through `/proc/self/clear_refs`; the workspace forbids the
//! unsafe code a counting allocator would need): a stream of values of any size is read in bounded
//! memory, a document over the cap is a located error and the next input is still read, an endless line
//! is lost alone, and a buffer grown for a large input is released before the next.
#![cfg(target_os = "linux")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use cloudtrail_reader::{Reader, ReaderOptions, Source};

mod common;
use common::*;

/// One measurement at a time: the tests of this binary would count each other's memory.
static SERIAL: Mutex<()> = Mutex::new(());

/// A field of `/proc/self/status` in bytes (`VmRSS`, resident now; `VmHWM`, the most resident since
/// the last reset).
fn status(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"));
    let kib: usize = line.trim().trim_end_matches("kB").trim().parse().unwrap();
    kib * 1024
}

/// Runs the test `name` again in a child process of this binary, alone, with glibc's mmap threshold fixed
/// at 128 KiB (`MALLOC_MMAP_THRESHOLD_`), and returns `true` when this is the parent (which then only
/// checks the child passed). Each large buffer is then mapped on its own and unmapped when freed, so the
/// resident set measures what is held now, whichever thread (and malloc arena) the reader runs on and
/// whatever earlier tests left free in the heap.
fn in_child(name: &str) -> bool {
    const CHILD: &str = "CLOUDTRAIL_BOUNDS_CHILD";
    if std::env::var_os(CHILD).is_some() {
        return false;
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--test-threads=1"])
        .env(CHILD, "1")
        .env("MALLOC_MMAP_THRESHOLD_", "131072")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{name} in a child process:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    true
}

/// Held for the whole of each test, its inputs' making included.
fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Starts a measurement: the peak from now on is counted above what is resident now.
fn measure() -> usize {
    // "5" resets the peak resident set size to the present one.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    status("VmRSS")
}

/// The most resident above `base` since [`measure`].
fn peak_above(base: usize) -> usize {
    status("VmHWM").saturating_sub(base)
}

const MIB: usize = 1 << 20;

/// JSON Lines of `n` records.
fn json_lines(n: usize) -> String {
    let mut text = String::with_capacity(n * 260);
    for i in 0..n {
        text.push_str(&record(i));
        text.push('\n');
    }
    text
}

#[test]
fn json_lines_larger_than_the_cap_stream_in_bounded_memory() {
    if in_child("json_lines_larger_than_the_cap_stream_in_bounded_memory") {
        return;
    }
    let _serial = serial();
    // 16 MiB of JSON Lines against a 1 MiB cap for documents read whole.
    let n = 80_000;
    let text = json_lines(n);
    assert!(text.len() > 16 * MIB, "{}", text.len());
    let gzipped = gzip(text.as_bytes());
    let dir = std::env::temp_dir().join(format!("cloudtrail-bounds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plain = dir.join("trail.jsonl");
    std::fs::write(&plain, &text).unwrap();
    drop(text);
    let options = ReaderOptions::default()
        .with_threads(1)
        .with_max_decompressed_bytes(MIB as u64);

    for source in [
        bytes("trail.jsonl.gz", gzipped),
        Source::Path(plain.clone()),
    ] {
        let base = measure();
        let outcome = read_with(options.clone(), std::slice::from_ref(&source));
        let peak = peak_above(base);
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        assert_eq!(outcome.stats.records_delivered, n as u64);
        assert_eq!(ids(&outcome), expected_ids(n));
        // What the read holds besides the outcome's own list of every record (80,000 short ids):
        // a window of content, the carried line, the compressed chunk and the inflater.
        let listed = n * (std::mem::size_of::<(String, u64, String)>() + 32 + 8);
        assert!(
            peak < listed + 6 * MIB,
            "{source:?}: peak {peak} bytes above the start"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_document_over_the_cap_is_a_located_error_and_the_next_input_is_read() {
    if in_child("a_document_over_the_cap_is_a_located_error_and_the_next_input_is_read") {
        return;
    }
    let _serial = serial();
    let cap = MIB;
    let big = container(12_000);
    assert!(big.len() > 2 * cap);
    let sources = [
        bytes("big.json.gz", gzip(big.as_bytes())),
        bytes("next.json", container(3)),
    ];
    drop(big);
    let base = measure();
    let outcome = read_with(
        ReaderOptions::default()
            .with_threads(1)
            .with_max_decompressed_bytes(cap as u64),
        &sources,
    );
    let peak = peak_above(base);
    // What the test itself keeps of the delivered records (their texts, in a vector that doubles).
    let kept: usize = outcome
        .delivered
        .iter()
        .map(|d| 2 * (d.0.len() + d.2.len()) + 64)
        .sum();
    assert_eq!(outcome.kinds, ["too_large"], "{:?}", outcome.errors);
    assert!(
        outcome.errors[0]
            .starts_with("big.json.gz: decompressed size exceeds the limit of 1048576"),
        "{}",
        outcome.errors[0]
    );
    let next: Vec<&(String, u64, String)> = outcome
        .delivered
        .iter()
        .filter(|d| d.0 == "next.json")
        .collect();
    assert_eq!(next.len(), 3, "the next input is read");
    // The records before the cap are delivered, and the cap bounds the content held.
    let before_cap = outcome.delivered.len() - 3;
    assert!(before_cap > 1000 && before_cap < 12_000, "{before_cap}");
    assert_eq!(outcome.stats.records_read(), before_cap as u64 + 3 + 1);
    assert!(
        peak < 4 * cap + kept,
        "peak {peak} bytes above the start, {kept} of them the test's copies"
    );
}

#[test]
fn an_endless_line_is_lost_alone_with_its_file_and_line() {
    if in_child("an_endless_line_is_lost_alone_with_its_file_and_line") {
        return;
    }
    let _serial = serial();
    let max_record = MIB;
    // Two records, then a line of 32 MiB that never ends a value, then two more records.
    let mut text = json_lines(2);
    text.push_str("{\"eventName\":\"");
    text.push_str(&"x".repeat(32 * MIB));
    text.push('\n');
    text.push_str(&record(2));
    text.push('\n');
    text.push_str(&record(3));
    let gzipped = gzip(text.as_bytes());
    drop(text);
    let base = measure();
    let outcome = read_with(
        ReaderOptions::default()
            .with_threads(1)
            .with_max_record_bytes(max_record as u64),
        &[bytes("endless.jsonl.gz", gzipped)],
    );
    let peak = peak_above(base);
    assert_eq!(outcome.kinds, ["value_too_long"], "{:?}", outcome.errors);
    let offset = 2 * record(0).len() + 2;
    assert_eq!(
        outcome.errors[0],
        format!(
            "endless.jsonl.gz: record 2 at byte {offset} (line 3): a value runs on past 1048576 bytes \
             without ending; read on from the next line that starts an object"
        )
    );
    assert_eq!(ids(&outcome), ["id-0000", "id-0001", "id-0002", "id-0003"]);
    let indexes: Vec<u64> = outcome.delivered.iter().map(|d| d.1).collect();
    assert_eq!(indexes, [0, 1, 3, 4], "the lost line keeps its index");
    assert_eq!(outcome.stats.records_read(), 5);
    assert!(
        peak < max_record + 4 * MIB,
        "peak {peak} bytes above the start"
    );
}

#[test]
fn a_buffer_grown_for_a_large_input_is_released_before_the_next() {
    if in_child("a_buffer_grown_for_a_large_input_is_released_before_the_next") {
        return;
    }
    let _serial = serial();
    // A 20 MiB document makes the worker's buffer grow past what it keeps (16 MiB); while the small
    // input after it is read, the worker holds little more than that input.
    let big = container(100_000);
    assert!(big.len() > 20 * MIB, "{}", big.len());
    let sources = [
        bytes("big.json.gz", gzip(big.as_bytes())),
        bytes("small.json", container(2)),
    ];
    drop(big);
    let base = measure();
    let held_during_small = AtomicUsize::new(0);
    let stats = Reader::new(ReaderOptions::default().with_threads(1))
        .for_each(
            &sources,
            |_, info| {
                if info.input == "small.json" {
                    held_during_small
                        .fetch_max(status("VmRSS").saturating_sub(base), Ordering::Relaxed);
                }
            },
            |error| panic!("{error}"),
        )
        .unwrap();
    let peak = peak_above(base);
    assert_eq!(stats.records_delivered, 100_002);
    assert!(peak > 20 * MIB, "the big input was held whole: {peak}");
    let held = held_during_small.load(Ordering::Relaxed);
    assert!(held < 28 * MIB, "held {held} bytes during the small input");
}
