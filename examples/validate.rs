//! Checks that every record in CloudTrail logs parses and serialises back to the same JSON.
//!
//! ```text
//! cargo run --release --example validate -- PATH... [--anomalies] [--threads N] [--account A]
//!     [--region R] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
//! ```
//!
//! Each PATH is a file in any format the reader knows (`{"Records":[...]}` JSON and its `.gz`, JSON Lines,
//! EventBridge envelopes), a directory tree, `-` for stdin, or `s3://bucket/prefix` (built with
//! `--features s3`). Prints one line per failure (input, record index, reason) and ends with exactly one
//! line `validate: records=N ok=N failed=N mismatched=N`. Exit status: 0 when every record parsed and
//! round-tripped, 1 when one failed or mismatched (or an input was damaged), 2 on a usage error or an
//! input that could not be read at all.

use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use clap::Parser;
use cloudtrail_reader::Reader;
use serde_json::Value;

#[path = "common.rs"]
mod common;

use common::Status;

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(
    name = "validate",
    about = "Parse every CloudTrail record and check that it round-trips losslessly",
    after_help = common::exit_status_help(
        "when every record parsed and round-tripped",
        "when a record failed to parse or did not round-trip, or an input was damaged"
    )
)]
struct Args {
    #[arg(required = true, help = common::PATHS_HELP)]
    paths: Vec<String>,
    /// Also print each record's anomalies (values kept but not fitting the model).
    #[arg(long)]
    anomalies: bool,
    #[command(flatten)]
    input: common::InputArgs,
}

fn main() -> ExitCode {
    let args = common::parse_checked::<Args>(|args| args.input.check());
    let inputs = match common::Inputs::parse(&args.paths) {
        Ok(inputs) => inputs,
        Err(message) => {
            common::note(format_args!("validate: {message}"));
            return Status::Trouble.into();
        }
    };
    let (options, bar) = args.input.options();
    let ok = AtomicU64::new(0);
    let failed = AtomicU64::new(0);
    let mismatched = AtomicU64::new(0);
    let unreadable = AtomicBool::new(false);
    // Lines are printed under one lock so that workers' lines never interleave.
    let out = Mutex::new(());
    let say = |line: String| {
        let _guard = out.lock();
        common::above_bar(bar.as_ref(), || common::print(&line));
    };
    let result = Reader::new(options).for_each(
        &inputs.sources,
        |event, info| {
            let location = format!("{}: record {}", info.input, info.index);
            if args.anomalies {
                for anomaly in event.anomalies() {
                    say(format!("{location}: anomaly: {anomaly}"));
                }
            }
            let expected: Result<Value, _> = serde_json::from_str(info.text);
            match (expected, serde_json::to_value(event)) {
                (Ok(expected), Ok(actual)) if expected == actual => {
                    ok.fetch_add(1, Ordering::Relaxed);
                }
                (Ok(_), Ok(_)) => {
                    say(format!("{location}: round trip differs from the input"));
                    mismatched.fetch_add(1, Ordering::Relaxed);
                }
                (Err(error), _) | (_, Err(error)) => {
                    say(format!("{location}: {error}"));
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        },
        |error| {
            if inputs.unreadable(error) {
                unreadable.store(true, Ordering::Relaxed);
            } else {
                failed.fetch_add(1, Ordering::Relaxed);
            }
            say(error.to_string());
        },
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let records = match result {
        Ok(stats) => stats.records_read(),
        Err(error) => {
            say(error.to_string());
            unreadable.store(true, Ordering::Relaxed);
            0
        }
    };
    let (ok, failed, mismatched) = (
        ok.into_inner(),
        failed.into_inner(),
        mismatched.into_inner(),
    );
    common::print(format_args!(
        "validate: records={records} ok={ok} failed={failed} mismatched={mismatched}"
    ));
    if unreadable.into_inner() {
        Status::Trouble.into()
    } else if failed > 0 || mismatched > 0 {
        Status::Found.into()
    } else {
        Status::Clean.into()
    }
}
