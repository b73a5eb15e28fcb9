//! Reads CloudTrail logs and prints what they hold: records, errors, time range, and counts by identity
//! type, event source and event name.
//!
//! ```text
//! cargo run --release --example stats -- PATH... [--threads N] [--json] [--top N] [--account A]
//!     [--region R] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
//! ```
//!
//! PATH is a file, a directory tree (such as a copy of a trail's S3 bucket), `-` for stdin, or
//! `s3://bucket/prefix` (built with `--features s3`). Errors are printed to stderr as they are met, with
//! their location, and counted. Exit status: 0 when every input could be read (errors inside them are
//! counted, not failures: use `validate` to check records), 2 on a usage error or an input that could not
//! be read at all.
//!
//! Records are read under a projection of the members counted (`Counts::MEMBERS`): the reader parses
//! those and reads past the rest, with the same counts and errors as a whole read.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use chrono::{DateTime, SecondsFormat, Utc};
use clap::Parser;
use cloudtrail_model::{Event, Projection};
use cloudtrail_reader::{Reader, RecordInfo};
use serde_json::json;

#[path = "common.rs"]
mod common;

use common::Status;

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(
    name = "stats",
    about = "Count CloudTrail records by identity type, event source and event name",
    after_help = common::exit_status_help(
        "when every input could be read (bad records in them are counted)",
        "is not used: stats counts, it does not judge (validate does)"
    )
)]
struct Args {
    #[arg(required = true, help = common::PATHS_HELP)]
    paths: Vec<String>,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
    /// Rows per table in the text output.
    #[arg(long, default_value_t = 15, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    top: usize,
    #[command(flatten)]
    input: common::InputArgs,
}

/// A hasher for the short names counted here, a multiply and a rotate per 8 bytes: SipHash (the
/// standard one, built against hash flooding) took a tenth of the counting time. The seed is drawn per
/// process from the standard hasher's random keys, so the bucket of a name is not known in advance.
#[derive(Clone, Copy)]
struct NameHasher {
    state: u64,
}

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        let (words, rest) = bytes.as_chunks::<8>();
        for word in words {
            self.state = (self.state ^ u64::from_le_bytes(*word))
                .wrapping_mul(K)
                .rotate_left(26);
        }
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        self.state = (self.state ^ u64::from_le_bytes(last) ^ (rest.len() as u64) << 59)
            .wrapping_mul(K)
            .rotate_left(26);
    }

    fn finish(&self) -> u64 {
        self.state
    }
}

/// Builds [`NameHasher`]s from the process's seed.
#[derive(Clone, Copy)]
struct NameHashing {
    seed: u64,
}

impl Default for NameHashing {
    fn default() -> Self {
        NameHashing {
            seed: std::hash::RandomState::new().hash_one(0u64),
        }
    }
}

impl BuildHasher for NameHashing {
    type Hasher = NameHasher;
    fn build_hasher(&self) -> NameHasher {
        NameHasher { state: self.seed }
    }
}

type NameCounts = HashMap<Box<str>, u64, NameHashing>;

/// One worker's counts.
#[derive(Default)]
struct Counts {
    by_identity_type: NameCounts,
    by_event_source: NameCounts,
    by_event_name: NameCounts,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
}

/// Adds one to a key, allocating only the first time a key is seen.
fn bump(map: &mut NameCounts, key: &str) {
    match map.get_mut(key) {
        Some(count) => *count += 1,
        None => {
            map.insert(key.into(), 1);
        }
    }
}

impl Counts {
    /// The members `add` reads: the reader parses these and reads past the rest of each record.
    const MEMBERS: &[&str] = &[
        "userIdentity",
        "eventSource",
        "eventName",
        // `is_aggregated`.
        "eventType",
        "eventCategory",
        // `event_time`: an aggregated event's is its window's start.
        "eventTime",
        "timeWindow",
    ];

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
            event.event_name().unwrap_or(if event.is_aggregated() {
                "(aggregated)"
            } else {
                "(none)"
            }),
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

fn sorted(map: &NameCounts) -> Vec<(&str, u64)> {
    let mut rows: Vec<(&str, u64)> = map.iter().map(|(k, v)| (k.as_ref(), *v)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    rows
}

fn time(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

fn main() -> ExitCode {
    let args = common::parse_checked::<Args>(|args| args.input.check());
    let inputs = match common::Inputs::parse_or_refuse("stats", &args.paths) {
        Ok(inputs) => inputs,
        Err(status) => return status,
    };
    let (options, bar) = args.input.options();
    let options = options.with_projection(Projection::of(Counts::MEMBERS));
    let unreadable = AtomicBool::new(false);
    let result = Reader::new(options).fold(
        &inputs.sources,
        Counts::default,
        |counts, event, info| counts.add(event, info),
        |error| {
            inputs.report(error, &unreadable, bar.as_ref());
        },
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let output = match result {
        Ok(output) => output,
        Err(error) => {
            common::note(format_args!("error: {error}"));
            return Status::Trouble.into();
        }
    };
    let status = if unreadable.into_inner() {
        Status::Trouble
    } else {
        Status::Clean
    };
    let mut counts = Counts::default();
    for state in output.states {
        counts.merge(state);
    }
    let stats = output.stats;
    let mut out = common::Out::lock();
    if args.json {
        let object = |map: &NameCounts| {
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
        out.line(value);
        out.flush();
        return status.into();
    }
    out.line(format_args!(
        "records: {}  errors: {}  inputs: {}  pruned: {}  digests skipped: {}",
        stats.records_delivered,
        stats.errors,
        stats.inputs_read,
        stats.files_pruned,
        stats.digests_skipped
    ));
    out.line(format_args!(
        "bytes: {} read, {} decompressed",
        stats.bytes_read, stats.bytes_decompressed
    ));
    out.line(format_args!(
        "time range: {} .. {}",
        time(counts.first).unwrap_or_else(|| "-".into()),
        time(counts.last).unwrap_or_else(|| "-".into())
    ));
    for (title, map) in [
        ("userIdentity.type", &counts.by_identity_type),
        ("eventSource", &counts.by_event_source),
        ("eventName", &counts.by_event_name),
    ] {
        let rows = sorted(map);
        out.line("");
        out.line(format_args!("{title} ({} distinct)", rows.len()));
        // Names come from the records: `Out` escapes any control character in them.
        for (key, count) in rows.iter().take(args.top) {
            out.line(format_args!("{count:>12}  {key}"));
        }
        if rows.len() > args.top {
            out.line(format_args!(
                "{:>12}  ({} more)",
                "...",
                rows.len() - args.top
            ));
        }
    }
    out.flush();
    status.into()
}
