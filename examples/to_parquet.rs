//! Converts CloudTrail logs to Parquet in Hive partitions: OCSF (as Amazon Security Lake writes it, one
//! class per file) or the flat CloudTrail layout (one column per CloudTrail member).
//!
//! ```text
//! cargo run --release --example to_parquet -- INPUT OUTDIR [--layout ocsf|flat] [--ocsf-version 1.1.0]
//!     [--threads N] [--account A] [--region R] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
//! ```
//!
//! INPUT is a file, a directory tree (such as a copy of a trail's S3 bucket), `-` for stdin or
//! `s3://bucket/prefix`. Files land in `OUTDIR/<class or cloudtrail>/region=<r>/accountId=<a>/
//! eventDay=<YYYYMMDD>/`. Bad input and records that cannot be converted are printed to stderr with their
//! location and counted; the last line counts the records written per class and the records reported.
//! The exit status is 1 when the input cannot be read or a file cannot be written, 0 otherwise.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use clap::{Parser, ValueEnum};
use cloudtrail_model::Event;
use cloudtrail_ocsf::writer::{FlatWriter, OcsfWriter, WriteError, WriterOptions, WriterStats};
use cloudtrail_ocsf::{Mapper, MappingOptions};
use cloudtrail_reader::{Reader, RecordInfo};
use indicatif::ProgressBar;

#[path = "common.rs"]
mod common;

/// Output layouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Layout {
    /// OCSF, one class per file.
    Ocsf,
    /// Flat CloudTrail: one column per member, CloudTrail's names.
    Flat,
}

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(
    about = "Convert CloudTrail logs to Parquet (OCSF or flat CloudTrail) in Hive partitions"
)]
struct Args {
    /// A file, a directory, `-` for stdin or `s3://bucket/prefix`.
    input: String,
    /// The output directory (created if missing).
    out_dir: PathBuf,
    /// The output layout.
    #[arg(long, value_enum, default_value_t = Layout::Ocsf)]
    layout: Layout,
    /// The OCSF version (1.1.0, 1.5.0 or 1.8.0; OCSF layout only).
    #[arg(long, default_value = "1.1.0")]
    ocsf_version: cloudtrail_ocsf::OcsfVersion,
    /// Memory for buffered rows, in MiB, per worker thread (so that memory grows with the
    /// parallelism, not with the input).
    #[arg(long, default_value_t = 96)]
    buffer_mib: usize,
    /// Do not sync each file to disk before renaming it into place (faster; after a power loss a
    /// renamed file may then be incomplete, though a crash of this program still leaves none).
    #[arg(long)]
    no_sync: bool,
    /// zstd level of the Parquet pages (1 to 22).
    #[arg(long, default_value_t = WriterOptions::new("").zstd_level)]
    zstd_level: i32,
    #[command(flatten)]
    input_args: common::InputArgs,
}

/// One reader worker's writer, of either layout.
enum Worker {
    Flat(FlatWriter),
    Ocsf(OcsfWriter),
}

impl Worker {
    fn write(&mut self, event: &Event<'_>) -> Result<(), WriteError> {
        match self {
            Worker::Flat(writer) => writer.write(event),
            Worker::Ocsf(writer) => writer.write(event),
        }
    }

    fn finish(&mut self) -> Result<(), WriteError> {
        match self {
            Worker::Flat(writer) => writer.finish(),
            Worker::Ocsf(writer) => writer.finish(),
        }
    }

    fn stats(&self) -> &WriterStats {
        match self {
            Worker::Flat(writer) => writer.stats(),
            Worker::Ocsf(writer) => writer.stats(),
        }
    }
}

/// Says what went wrong with one record, and where, above the progress bar.
fn report(bar: Option<&ProgressBar>, info: RecordInfo<'_>, error: &WriteError) {
    common::above_bar(bar, || {
        eprintln!(
            "error: {} record {} (offset {}): {error}",
            info.input, info.index, info.offset
        );
    });
}

fn main() -> ExitCode {
    let args = Args::parse();
    let (options, bar) = args.input_args.options();
    let mut writer_options = WriterOptions::new(&args.out_dir);
    writer_options.max_buffered_bytes = args.buffer_mib.saturating_mul(1 << 20);
    writer_options.max_file_bytes = writer_options
        .max_file_bytes
        .min(writer_options.max_buffered_bytes / 2);
    writer_options.zstd_level = args.zstd_level;
    writer_options.sync = !args.no_sync;
    let mapper = Arc::new(Mapper::new(MappingOptions::for_version(args.ocsf_version)));
    let next_worker = AtomicUsize::new(0);
    let read_errors = AtomicU64::new(0);
    let file_errors = AtomicU64::new(0);
    let result = Reader::new(options).fold(
        &common::sources(std::slice::from_ref(&args.input)),
        || {
            let worker = next_worker.fetch_add(1, Ordering::Relaxed);
            match args.layout {
                Layout::Flat => Worker::Flat(FlatWriter::new(writer_options.clone(), worker)),
                Layout::Ocsf => Worker::Ocsf(OcsfWriter::new(
                    mapper.clone(),
                    writer_options.clone(),
                    worker,
                )),
            }
        },
        |worker, event: &Event<'_>, info| {
            if let Err(error) = worker.write(event) {
                if !error.is_record_error() {
                    file_errors.fetch_add(1, Ordering::Relaxed);
                }
                report(bar.as_ref(), info, &error);
            }
        },
        |error| {
            read_errors.fetch_add(1, Ordering::Relaxed);
            common::above_bar(bar.as_ref(), || eprintln!("error: {error}"));
        },
    );
    let output = match result {
        Ok(output) => output,
        Err(error) => {
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    // Each worker's last partitions, written in parallel as the reading was.
    let finished: Vec<(WriterStats, Option<WriteError>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = output
            .states
            .into_iter()
            .map(|mut worker| {
                scope.spawn(move || {
                    let error = worker.finish().err();
                    (worker.stats().clone(), error)
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|handle| handle.join().ok())
            .collect()
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let mut stats = WriterStats::default();
    for (worker_stats, error) in &finished {
        stats.merge(worker_stats);
        if let Some(error) = error {
            file_errors.fetch_add(1, Ordering::Relaxed);
            eprintln!("error: {error}");
        }
    }
    let written: Vec<String> = stats
        .written
        .iter()
        .map(|(layout, count)| format!("{layout} {count}"))
        .collect();
    let bad_input = read_errors.load(Ordering::Relaxed);
    println!(
        "written: {} ({} files, {:.1} MiB); reported: {} (bad input {}, mapping {}, append {}, write {})",
        if written.is_empty() {
            "nothing".to_owned()
        } else {
            written.join(", ")
        },
        stats.files,
        stats.bytes as f64 / f64::from(1 << 20),
        stats.records_reported() + bad_input,
        bad_input,
        stats.mapping_errors,
        stats.append_errors,
        stats.write_errors,
    );
    if file_errors.load(Ordering::Relaxed) > 0 || stats.write_errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
