//! Converts CloudTrail logs to Parquet in Hive partitions: OCSF (as Amazon Security Lake writes it, one
//! class per file) or the flat CloudTrail layout (one column per CloudTrail member).
//!
//! ```text
//! cargo run --release --example to_parquet -- INPUT OUT [--layout ocsf|flat] [--ocsf-version 1.1.0]
//!     [--threads N] [--account A] [--region R] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
//!     [--append] [--security-lake-source NAME] [--s3-endpoint URL (for s3:// inputs and OUT)]
//! cargo run --release --example to_parquet -- --compact OUT
//! ```
//!
//! INPUT is a file, a directory tree (such as a copy of a trail's S3 bucket), `-` for stdin or
//! `s3://bucket/prefix`; OUT a directory or `s3://bucket/prefix`. Files land in `OUT/<class or
//! cloudtrail>/region=<r>/accountId=<a>/eventDay=<YYYYMMDD>/` (with `--security-lake-source NAME`,
//! `OUT/ext/NAME/region=.../`). The inputs are grouped by delivery partition (account, region and day,
//! from their paths), each worker takes the days of one account (every region) in order, and each
//! output partition gets one file per run (one per class). An OUT that already holds Parquet files is refused
//! unless `--append` says to add files to it (nothing is ever replaced); `--compact OUT` then merges
//! each partition's files into one.
//!
//! S3 credentials, region and endpoint come from the `AWS_*` environment variables as object_store
//! reads them (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`,
//! `AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP=true` for a plain-http endpoint); `--s3-endpoint` sets the
//! output's endpoint.
//!
//! Bad input and records that cannot be converted are printed to stderr with their location and
//! counted; the last line counts the records written per class, the files, and the records reported.
//! Exit status: 0 done, 1 when the input cannot be read or a file cannot be written, 2 for a usage
//! error (refused flags, an OUT that holds files without `--append`).

use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use clap::{CommandFactory, Parser, ValueEnum};
use cloudtrail_model::Event;
use cloudtrail_ocsf::writer::{
    Destination, Layout, ParquetWriter, StorePrefix, WriteError, WriterOptions, WriterStats,
    compact,
};
use cloudtrail_ocsf::{Mapper, MappingOptions, OcsfVersion};
use cloudtrail_reader::{Reader, ReaderOptions, RecordInfo};
use indicatif::ProgressBar;

// Shared by every example (the partition plan makes the sources here).
#[path = "common.rs"]
mod common;
#[path = "partitions.rs"]
mod partitions;

/// Output layouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum LayoutArg {
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
    #[arg(required_unless_present = "compact")]
    input: Option<String>,
    /// The output directory (created if missing) or `s3://bucket/prefix`.
    #[arg(required_unless_present = "compact")]
    out: Option<String>,
    /// The output layout.
    #[arg(long, value_enum, default_value_t = LayoutArg::Ocsf)]
    layout: LayoutArg,
    /// The OCSF version: 1.1.0 (the default), 1.5.0 or 1.8.0 (OCSF layout only).
    #[arg(long)]
    ocsf_version: Option<OcsfVersion>,
    /// Write the paths of an Amazon Security Lake custom source: OUT/ext/NAME/region=/accountId=/
    /// eventDay=/ (OCSF layout only).
    #[arg(long, value_name = "NAME")]
    security_lake_source: Option<String>,
    /// Memory for buffered rows, in MiB, per worker thread (at least 1).
    #[arg(long, default_value_t = 96, value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
    buffer_mib: u64,
    /// Do not sync each file to disk before linking it into place (faster; after a power loss a
    /// file may then be incomplete, though a crash of this program still leaves none).
    #[arg(long)]
    no_sync: bool,
    /// zstd level of the Parquet pages.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i32).range(1..=22))]
    zstd_level: i32,
    /// Add files to an OUT that already holds Parquet files (without it, such an OUT is refused so
    /// that a second run does not silently double every row).
    #[arg(long)]
    append: bool,
    /// Merge each partition's files under this directory into one, then exit (no input is read).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["input", "out", "append"])]
    compact: Option<String>,
    #[command(flatten)]
    input_args: common::InputArgs,
}

/// Refuses combinations clap's attributes cannot express; exits with status 2 like clap does.
fn refuse_nonsense(args: &Args) {
    let fail = |message: &str| -> ! {
        Args::command()
            .error(clap::error::ErrorKind::ArgumentConflict, message)
            .exit()
    };
    if args.layout == LayoutArg::Flat && args.ocsf_version.is_some() {
        fail("--ocsf-version applies to the OCSF layout only; drop it or use --layout ocsf");
    }
    if args.layout == LayoutArg::Flat && args.security_lake_source.is_some() {
        fail("--security-lake-source applies to the OCSF layout only");
    }
    if args
        .compact
        .as_deref()
        .is_some_and(|dir| dir.starts_with("s3://"))
    {
        fail("--compact works on a local directory only");
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

/// Whether the output already holds Parquet files.
fn holds_parquet(destination: &Destination) -> Result<bool, String> {
    match destination {
        Destination::Directory(dir) => {
            let mut stack = vec![dir.clone()];
            while let Some(next) = stack.pop() {
                let Ok(entries) = std::fs::read_dir(&next) else {
                    continue;
                };
                for entry in entries.flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        stack.push(path);
                    } else if path.extension().is_some_and(|e| e == "parquet") {
                        return Ok(true);
                    }
                }
            }
            Ok(false)
        }
        Destination::ObjectStore(prefix) => Ok(prefix
            .list()
            .map_err(|e| e.to_string())?
            .iter()
            .any(|(key, _)| key.ends_with(".parquet"))),
        _ => Ok(false),
    }
}

/// Whether a record's partition has the account of its objects (`home`).
fn is_home(home: Option<&str>, event: &Event<'_>) -> bool {
    let Some(account) = home else {
        return true;
    };
    let record_account = event.recipient_account_id().or_else(|| {
        event
            .user_identity
            .as_ref()
            .and_then(|identity| identity.account_id.as_deref())
    });
    record_account == Some(account)
}

/// Which of a delivery day's records a run writes (see [`partitions::Run`]).
#[derive(Clone, Copy, Debug)]
enum Share {
    /// Every record: a day the run owns.
    All,
    /// The first day after a cut: records of earlier days went to the run before.
    From(chrono::NaiveDate),
    /// The next run's first day: only records of days up to the run's last day.
    Tail(Option<chrono::NaiveDate>),
}

impl Share {
    fn keeps(self, event: &Event<'_>) -> bool {
        let day = event.event_time().map(|time| time.date_naive());
        match self {
            Share::All => true,
            Share::From(first) => day.is_none_or(|day| day >= first),
            Share::Tail(last) => day.zip(last).is_some_and(|(day, last)| day <= last),
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    refuse_nonsense(&args);
    if let Some(dir) = &args.compact {
        return run_compact(Path::new(dir), &args);
    }
    // clap requires both unless --compact is given.
    let (Some(input), Some(out)) = (&args.input, &args.out) else {
        return ExitCode::from(2);
    };
    let destination = if out.starts_with("s3://") {
        match StorePrefix::s3(out, args.input_args.s3_endpoint.as_deref()) {
            Ok(prefix) => Destination::ObjectStore(prefix),
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        }
    } else {
        Destination::Directory(out.into())
    };
    match holds_parquet(&destination) {
        Ok(true) if !args.append => {
            eprintln!(
                "error: {out} already holds Parquet files: a second run would add every row again; \
                 pass --append to add files anyway (nothing is replaced), or choose another OUT"
            );
            return ExitCode::from(2);
        }
        Ok(true) => eprintln!("appending to {out}: new files are added, none is replaced"),
        Ok(false) => {}
        Err(error) => {
            eprintln!("error: {out}: {error}");
            return ExitCode::FAILURE;
        }
    }
    let mut writer_options = WriterOptions::to(destination)
        .with_max_buffered_bytes(usize::try_from(args.buffer_mib << 20).unwrap_or(usize::MAX))
        .with_zstd_level(args.zstd_level)
        .with_sync(!args.no_sync);
    writer_options.max_file_bytes = writer_options
        .max_file_bytes
        .min(writer_options.max_buffered_bytes / 3);
    writer_options.security_lake_source = args.security_lake_source.clone();
    let layout = match args.layout {
        LayoutArg::Flat => Layout::Flat,
        LayoutArg::Ocsf => Layout::Ocsf(Arc::new(Mapper::new(MappingOptions::for_version(
            args.ocsf_version.unwrap_or(OcsfVersion::V1_1_0),
        )))),
    };
    convert(input, &args, &layout, &writer_options)
}

fn run_compact(dir: &Path, args: &Args) -> ExitCode {
    let options = WriterOptions::new(dir)
        .with_zstd_level(args.zstd_level)
        .with_sync(!args.no_sync);
    match compact(dir, &options) {
        Ok(stats) => {
            println!(
                "compacted: {} partitions, {} files into {}, {} rows; {} leftover files removed",
                stats.partitions,
                stats.files_merged,
                stats.files_written,
                stats.rows,
                stats.leftovers_removed
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn convert(input: &str, args: &Args, layout: &Layout, writer_options: &WriterOptions) -> ExitCode {
    let (reader_options, bar) = args.input_args.options();
    let threads = reader_options.worker_threads();
    let runs = match partitions::plan(
        std::slice::from_ref(&input.to_owned()),
        &reader_options.filter,
        None,
        threads,
    ) {
        Ok(runs) => runs,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(bar) = &bar {
        bar.set_length(runs.iter().map(partitions::Run::bytes).sum());
    }
    // Each day is read by the worker that owns it, on its own thread: one reader thread per read.
    let mut day_options: ReaderOptions = reader_options;
    day_options.threads = 1;
    day_options.progress = None;
    let day_reader = Reader::new(day_options);
    let next_run = AtomicUsize::new(0);
    let read_errors = AtomicU64::new(0);
    let unreadable = AtomicU64::new(0);
    let file_errors = AtomicU64::new(0);
    let records_done = AtomicU64::new(0);
    let file_error = |error: &WriteError| {
        file_errors.fetch_add(1, Ordering::Relaxed);
        common::above_bar(bar.as_ref(), || eprintln!("error: {error}"));
    };
    // Records of another account than their objects' (rare: a run holds every region of its
    // account) all go to one shared writer, written at the end: one more file in each such
    // partition, instead of one per worker and day.
    let foreign = Mutex::new(ParquetWriter::new(layout, writer_options.clone(), threads));
    let mut finished: Vec<WriterStats> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.min(runs.len()).max(1))
            .map(|worker| {
                let (runs, day_reader, bar) = (&runs, &day_reader, bar.as_ref());
                let (next_run, read_errors, records_done) =
                    (&next_run, &read_errors, &records_done);
                let unreadable = &unreadable;
                let file_error = &file_error;
                let foreign = &foreign;
                scope.spawn(move || {
                    let mut writer = ParquetWriter::new(layout, writer_options.clone(), worker);
                    while let Some(run) = runs.get(next_run.fetch_add(1, Ordering::Relaxed)) {
                        let tail = run
                            .tail
                            .iter()
                            .map(|day| (day, Share::Tail(run.last_day())));
                        let own = run.days.iter().enumerate().map(|(i, day)| {
                            (
                                day,
                                match run.owns_from {
                                    Some(from) if i == 0 => Share::From(from),
                                    _ => Share::All,
                                },
                            )
                        });
                        for (day, share) in own.chain(tail) {
                            let slot = Mutex::new(Some(&mut writer));
                            let result = day_reader.fold(
                                &day.sources,
                                || slot.lock().unwrap().take().unwrap(),
                                |writer, event: &Event<'_>, info| {
                                    if !share.keeps(event) {
                                        return;
                                    }
                                    records_done.fetch_add(1, Ordering::Relaxed);
                                    let result = if is_home(run.home.as_deref(), event) {
                                        writer.write(event)
                                    } else {
                                        foreign.lock().unwrap().write(event)
                                    };
                                    if let Err(error) = result {
                                        if error.is_record_error() {
                                            report(bar, info, &error);
                                        } else {
                                            file_error(&error);
                                        }
                                    }
                                },
                                |error| {
                                    // A tail's damage is reported by the run that owns the day.
                                    if matches!(share, Share::Tail(_)) {
                                        return;
                                    }
                                    read_errors.fetch_add(1, Ordering::Relaxed);
                                    common::above_bar(bar, || eprintln!("error: {error}"));
                                },
                            );
                            if let Err(error) = result
                                && !matches!(share, Share::Tail(_))
                            {
                                unreadable.fetch_add(1, Ordering::Relaxed);
                                common::above_bar(bar, || eprintln!("error: {error}"));
                            }
                            if let Some(bar) = bar
                                && !matches!(share, Share::Tail(_))
                            {
                                bar.inc(day.bytes);
                                bar.set_message(format!(
                                    "{} records",
                                    records_done.load(Ordering::Relaxed)
                                ));
                            }
                            // The day before is complete: its partitions take no more records.
                            if let (false, Some(before)) = (run.loose, day.date.pred_opt())
                                && let Err(error) = writer.close_through(before)
                            {
                                file_error(&error);
                            }
                        }
                        if let Err(error) = writer.close_open() {
                            file_error(&error);
                        }
                    }
                    if let Err(error) = writer.finish() {
                        file_error(&error);
                    }
                    writer.stats().clone()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut foreign = foreign.into_inner().unwrap();
    if let Err(error) = foreign.finish() {
        file_error(&error);
    }
    finished.push(foreign.stats().clone());
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let mut stats = WriterStats::default();
    for worker_stats in &finished {
        stats.merge(worker_stats);
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
    if file_errors.load(Ordering::Relaxed) > 0
        || stats.write_errors > 0
        || unreadable.load(Ordering::Relaxed) > 0
    {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
