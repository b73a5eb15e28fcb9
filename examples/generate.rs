//! Writes a deterministic, realistic synthetic CloudTrail tree (with planted attacks and their ground
//! truth) in the S3 layout: the input of the benchmarks and of `hunt`'s bundled sample.
//!
//! ```text
//! cargo run --release --example generate -- OUTDIR --records N [--seed S] [--accounts N]
//!     [--regions a,b] [--days D] [--min-per-file N] [--max-per-file N] [--no-attacks] [--threads N]
//! ```
//!
//! Point readers at `OUTDIR/AWSLogs` (or at `OUTDIR`: the other examples then read its `AWSLogs` only);
//! `OUTDIR/ground_truth.jsonl` lists every planted record. Exit status: 0 when the tree was written, 2 on
//! a usage error or when it could not be written.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use clap::builder::RangedU64ValueParser;
use cloudtrail_synthetic::{GeneratorConfig, generate_tree};

#[path = "common.rs"]
mod common;

use common::Status;

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(
    name = "generate",
    about = "Generate a synthetic CloudTrail tree with planted attacks",
    after_help = "Exit status: 0 when the tree was written; 2 on a usage error or when it could not be \
                  written."
)]
struct Args {
    /// Where to write the tree.
    out_dir: PathBuf,
    /// Background records to write.
    #[arg(long, default_value_t = 100_000)]
    records: u64,
    /// Seed: the same seed writes the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of accounts (1 to 1,000).
    #[arg(long, default_value_t = 2, value_parser = RangedU64ValueParser::<u32>::new().range(1..=1000))]
    accounts: u32,
    /// Regions, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "us-east-1,eu-west-1", value_parser = common::region_name)]
    regions: Vec<String>,
    /// Days the deliveries span (1 or more).
    #[arg(long, default_value_t = 7, value_parser = RangedU64ValueParser::<u32>::new().range(1..))]
    days: u32,
    /// Fewest records in a file (1 or more).
    #[arg(long, default_value_t = 50, value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    min_per_file: usize,
    /// Most records in a file (at least --min-per-file).
    #[arg(long, default_value_t = 2000, value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    max_per_file: usize,
    /// Do not plant attacks.
    #[arg(long)]
    no_attacks: bool,
    /// Worker threads [default: one per core].
    #[arg(long, value_parser = RangedU64ValueParser::<usize>::new().range(1..=4096))]
    threads: Option<usize>,
}

impl Args {
    /// Refuses what no single flag can say is wrong.
    fn check(&self) -> Result<(), String> {
        if self.min_per_file > self.max_per_file {
            return Err(format!(
                "--min-per-file {} is above --max-per-file {}",
                self.min_per_file, self.max_per_file
            ));
        }
        Ok(())
    }
}

fn main() -> ExitCode {
    let args = common::parse_checked::<Args>(Args::check);
    let config = GeneratorConfig {
        records: args.records,
        seed: args.seed,
        accounts: (0..args.accounts)
            .map(|i| {
                format!(
                    "{:012}",
                    111_122_223_333u64 + u64::from(i) * 333_333_333_333
                )
            })
            .collect(),
        regions: args.regions,
        days: args.days,
        min_records_per_file: args.min_per_file,
        max_records_per_file: args.max_per_file,
        plant_attacks: !args.no_attacks,
        ..GeneratorConfig::default()
    };
    let started = Instant::now();
    match generate_tree(&config, &args.out_dir, args.threads.unwrap_or(0)) {
        Ok(summary) => {
            common::print(format_args!(
                "generate: files={} records={} planted={} gzip_bytes={} json_bytes={} avg_record_bytes={:.0} elapsed={:.2}s",
                summary.files,
                summary.records,
                summary.planted,
                summary.bytes_compressed,
                summary.bytes_json,
                summary.bytes_json as f64 / summary.records.max(1) as f64,
                started.elapsed().as_secs_f64()
            ));
            Status::Clean.into()
        }
        Err(error) => {
            common::note(format_args!("generate: {error}"));
            Status::Trouble.into()
        }
    }
}
