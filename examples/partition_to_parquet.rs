//! Converts the objects of one CloudTrail delivery partition (one account, region and day) into that
//! partition's Parquet files: the unit of work a Lambda behind an S3 event notification, a Spark or Ray
//! task, or a queue worker runs. Input and output may each be a local directory or S3.
//!
//! ```text
//! cargo run --release --example partition_to_parquet -- \
//!     s3://trail-bucket/AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/ \
//!     s3://lake-bucket/cloudtrail [--layout flat|ocsf] [--security-lake-source NAME] [--s3-endpoint URL]
//! ```
//!
//! Fanning out: list the day prefixes (`AWSLogs/<account>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/`)
//! and give each to one task. A Lambda subscribed to the trail bucket's notifications (through SQS,
//! batching a day's keys) converts a day once it is complete, the day after; a Spark or Ray job maps
//! this over the list of prefixes (`spark.sparkContext.parallelize(prefixes).foreach(...)` calling the
//! binary, or a Ray task per prefix); a queue worker takes prefixes from the queue. Each task writes
//! one file per partition (per class in OCSF) with a name no other task or run uses, so tasks never
//! coordinate; records of the previous day that the objects hold (delivered after midnight) become a
//! second small file in that day's partition, which `to_parquet --compact` merges later.
//!
//! Credentials and endpoints come from the `AWS_*` environment variables (`AWS_ENDPOINT_URL` and
//! `AWS_ALLOW_HTTP=true` for a local S3-compatible server); `--s3-endpoint` sets the output's. Exit
//! status: 0 done, 1 when an object cannot be read or a file cannot be written, 2 for a usage error.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use clap::{Parser, ValueEnum};
use cloudtrail_model::Event;
use cloudtrail_ocsf::writer::{Destination, Layout, ParquetWriter, StorePrefix, WriterOptions};
use cloudtrail_ocsf::{Mapper, MappingOptions};
use cloudtrail_reader::{Reader, ReaderOptions, Source};

/// Output layouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum LayoutArg {
    /// OCSF 1.1.0, one class per file.
    Ocsf,
    /// Flat CloudTrail.
    Flat,
}

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(about = "Convert one CloudTrail delivery partition (account, region, day) to Parquet")]
struct Args {
    /// The partition's objects: a day directory or an `s3://` day prefix.
    input: String,
    /// The output directory or `s3://bucket/prefix`.
    out: String,
    /// The output layout.
    #[arg(long, value_enum, default_value_t = LayoutArg::Ocsf)]
    layout: LayoutArg,
    /// Write the paths of an Amazon Security Lake custom source (OCSF only).
    #[arg(long, value_name = "NAME")]
    security_lake_source: Option<String>,
    /// The S3 endpoint of an s3:// OUT (else `AWS_ENDPOINT_URL`).
    #[arg(long, value_name = "URL")]
    s3_endpoint: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let destination = if args.out.starts_with("s3://") {
        match StorePrefix::s3(&args.out, args.s3_endpoint.as_deref()) {
            Ok(prefix) => Destination::ObjectStore(prefix),
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        }
    } else {
        Destination::Directory(args.out.clone().into())
    };
    let mut options = WriterOptions::to(destination);
    options.security_lake_source = args.security_lake_source.clone();
    let layout = match args.layout {
        LayoutArg::Flat => Layout::Flat,
        LayoutArg::Ocsf => Layout::Ocsf(Arc::new(Mapper::new(MappingOptions::default()))),
    };
    let mut writer = ParquetWriter::new(&layout, options, 0);
    let bad = AtomicU64::new(0);
    // One thread: the partition is the unit, and its objects are read in order into one writer.
    let reader_options = ReaderOptions::default().with_threads(1);
    let slot = Mutex::new(Some(&mut writer));
    let result = Reader::new(reader_options).fold(
        &[Source::from_arg(&args.input)],
        || slot.lock().unwrap().take().unwrap(),
        |writer, event: &Event<'_>, info| {
            if let Err(error) = writer.write(event) {
                bad.fetch_add(1, Ordering::Relaxed);
                eprintln!("error: {} record {}: {error}", info.input, info.index);
            }
        },
        |error| {
            bad.fetch_add(1, Ordering::Relaxed);
            eprintln!("error: {error}");
        },
    );
    let read = match result {
        Ok(output) => output.stats,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(error) = writer.finish() {
        eprintln!("error: {error}");
    }
    let stats = writer.stats();
    println!(
        "read {} records from {} objects; wrote {} in {} files ({} bytes); reported {}",
        read.records_delivered,
        read.inputs_read,
        stats.records_written(),
        stats.files,
        stats.bytes,
        stats.records_reported() + read.errors,
    );
    if stats.write_errors > 0 || read.inputs_failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
