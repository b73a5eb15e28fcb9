//! Reads CloudTrail logs and prints what they hold: records, errors, time range, and counts by identity
//! type, event source and event name.
//!
//! ```text
//! cargo run --release --example stats -- PATH... [--threads N] [--json] [--account A] [--region R]
//!     [--from YYYY-MM-DD] [--to YYYY-MM-DD]
//! ```
//!
//! PATH is a file, a directory tree (such as a copy of a trail's S3 bucket) or `-` for stdin. Errors are
//! printed to stderr as they are met, with their location, and counted.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, SecondsFormat, Utc};
use clap::Parser;
use cloudtrail_model::Event;
use cloudtrail_reader::{Reader, RecordInfo};
use serde_json::json;

#[path = "common.rs"]
mod common;

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(about = "Count CloudTrail records by identity type, event source and event name")]
struct Args {
    /// Files, directories or `-` for stdin.
    #[arg(required = true)]
    paths: Vec<String>,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
    /// Rows per table in the text output.
    #[arg(long, default_value_t = 15)]
    top: usize,
    #[command(flatten)]
    input: common::InputArgs,
}

/// One worker's counts.
#[derive(Default)]
struct Counts {
    by_identity_type: HashMap<Box<str>, u64>,
    by_event_source: HashMap<Box<str>, u64>,
    by_event_name: HashMap<Box<str>, u64>,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
}

/// Adds one to a key, allocating only the first time a key is seen.
fn bump(map: &mut HashMap<Box<str>, u64>, key: &str) {
    match map.get_mut(key) {
        Some(count) => *count += 1,
        None => {
            map.insert(key.into(), 1);
        }
    }
}

impl Counts {
    fn add(&mut self, event: &Event<'_>, _info: RecordInfo<'_>) {
        let identity_type = event
            .user_identity
            .as_ref()
            .and_then(|identity| identity.identity_type.as_ref())
            .map_or("(none)", |t| t.as_str());
        bump(&mut self.by_identity_type, identity_type);
        bump(
            &mut self.by_event_source,
            event.event_source().unwrap_or("(none)"),
        );
        bump(
            &mut self.by_event_name,
            event.event_name().unwrap_or("(none)"),
        );
        if let Some(time) = event.event_time() {
            self.first = Some(self.first.map_or(time, |first| first.min(time)));
            self.last = Some(self.last.map_or(time, |last| last.max(time)));
        }
    }

    fn merge(&mut self, other: Counts) {
        for (mine, theirs) in [
            (&mut self.by_identity_type, other.by_identity_type),
            (&mut self.by_event_source, other.by_event_source),
            (&mut self.by_event_name, other.by_event_name),
        ] {
            for (key, count) in theirs {
                *mine.entry(key).or_default() += count;
            }
        }
        self.first = self.first.into_iter().chain(other.first).min();
        self.last = self.last.into_iter().chain(other.last).max();
    }
}

fn sorted(map: &HashMap<Box<str>, u64>) -> Vec<(&str, u64)> {
    let mut rows: Vec<(&str, u64)> = map.iter().map(|(k, v)| (k.as_ref(), *v)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    rows
}

fn time(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let (options, bar) = args.input.options();
    let errors = AtomicU64::new(0);
    let result = Reader::new(options).fold(
        &common::sources(&args.paths),
        Counts::default,
        |counts, event, info| counts.add(event, info),
        |error| {
            errors.fetch_add(1, Ordering::Relaxed);
            common::above_bar(bar.as_ref(), || eprintln!("error: {error}"));
        },
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let output = match result {
        Ok(output) => output,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut counts = Counts::default();
    for state in output.states {
        counts.merge(state);
    }
    let stats = output.stats;
    if args.json {
        let object = |map: &HashMap<Box<str>, u64>| {
            sorted(map)
                .into_iter()
                .map(|(k, v)| (k.to_owned(), json!(v)))
                .collect::<serde_json::Map<_, _>>()
        };
        let value = json!({
            "records": stats.records_delivered,
            "errors": stats.errors,
            "by_identity_type": object(&counts.by_identity_type),
            "by_event_source": object(&counts.by_event_source),
            "by_event_name": object(&counts.by_event_name),
            "first_event_time": time(counts.first),
            "last_event_time": time(counts.last),
        });
        println!("{value}");
        return ExitCode::SUCCESS;
    }
    println!(
        "records: {}  errors: {}  inputs: {}  pruned: {}  digests skipped: {}",
        stats.records_delivered,
        stats.errors,
        stats.inputs_read,
        stats.files_pruned,
        stats.digests_skipped
    );
    println!(
        "bytes: {} read, {} decompressed",
        stats.bytes_read, stats.bytes_decompressed
    );
    println!(
        "time range: {} .. {}",
        time(counts.first).unwrap_or_else(|| "-".into()),
        time(counts.last).unwrap_or_else(|| "-".into())
    );
    for (title, map) in [
        ("userIdentity.type", &counts.by_identity_type),
        ("eventSource", &counts.by_event_source),
        ("eventName", &counts.by_event_name),
    ] {
        let rows = sorted(map);
        println!("\n{title} ({} distinct)", rows.len());
        for (key, count) in rows.iter().take(args.top) {
            println!("{count:>12}  {key}");
        }
        if rows.len() > args.top {
            println!("{:>12}  ({} more)", "...", rows.len() - args.top);
        }
    }
    ExitCode::SUCCESS
}
