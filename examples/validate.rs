//! Checks that every record in CloudTrail logs parses and serialises back to the same JSON.
//!
//! ```text
//! cargo run --release --example validate -- PATH... [--anomalies] [--threads N]
//! ```
//!
//! Each PATH is a file in any format the reader knows (`{"Records":[...]}` JSON and its `.gz`, JSON Lines,
//! EventBridge envelopes), a directory tree, or `-` for stdin. Prints one line per failure (input, record
//! index, reason) and ends with exactly one line `validate: records=N ok=N failed=N mismatched=N`; exits
//! 1 when anything failed or mismatched.

use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use clap::Parser;
use cloudtrail_reader::Reader;
use serde_json::Value;

#[path = "common.rs"]
mod common;

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(about = "Parse every CloudTrail record and check that it round-trips losslessly")]
struct Args {
    /// Files, directories or `-` for stdin.
    #[arg(required = true)]
    paths: Vec<String>,
    /// Also print each record's anomalies (values kept but not fitting the model).
    #[arg(long)]
    anomalies: bool,
    #[command(flatten)]
    input: common::InputArgs,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let (options, bar) = args.input.options();
    let ok = AtomicU64::new(0);
    let failed = AtomicU64::new(0);
    let mismatched = AtomicU64::new(0);
    // Lines are printed under one lock so that workers' lines never interleave.
    let out = Mutex::new(());
    let say = |line: String| {
        let _guard = out.lock();
        common::above_bar(bar.as_ref(), || println!("{line}"));
    };
    let result = Reader::new(options).for_each(
        &common::sources(&args.paths),
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
            say(error.to_string());
            failed.fetch_add(1, Ordering::Relaxed);
        },
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let records = match result {
        Ok(stats) => stats.records_read(),
        Err(error) => {
            println!("{error}");
            failed.fetch_add(1, Ordering::Relaxed);
            0
        }
    };
    let (ok, failed, mismatched) = (
        ok.into_inner(),
        failed.into_inner(),
        mismatched.into_inner(),
    );
    println!("validate: records={records} ok={ok} failed={failed} mismatched={mismatched}");
    if failed > 0 || mismatched > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
