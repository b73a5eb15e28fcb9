//! Writes a deterministic, realistic synthetic CloudTrail tree (with planted attacks and their ground
//! truth) in the S3 layout: the input of the benchmarks and of `hunt`'s bundled sample.
//!
//! ```text
//! cargo run --release --example generate -- OUTDIR --records N [--seed S] [--accounts N]
//!     [--regions a,b] [--days D] [--min-per-file N] [--max-per-file N] [--no-attacks] [--threads N]
//! ```
//!
//! Point readers at `OUTDIR/AWSLogs`; `OUTDIR/ground_truth.jsonl` lists every planted record.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use cloudtrail_synthetic::{GeneratorConfig, generate_tree};

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(about = "Generate a synthetic CloudTrail tree with planted attacks")]
struct Args {
    /// Where to write the tree.
    out_dir: PathBuf,
    /// Background records to write.
    #[arg(long, default_value_t = 100_000)]
    records: u64,
    /// Seed: the same seed writes the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of accounts.
    #[arg(long, default_value_t = 2)]
    accounts: u32,
    /// Regions, comma separated.
    #[arg(long, value_delimiter = ',', default_values_t = ["us-east-1".to_string(), "eu-west-1".to_string()])]
    regions: Vec<String>,
    /// Days the deliveries span.
    #[arg(long, default_value_t = 7)]
    days: u32,
    /// Fewest records in a file.
    #[arg(long, default_value_t = 50)]
    min_per_file: usize,
    /// Most records in a file.
    #[arg(long, default_value_t = 2000)]
    max_per_file: usize,
    /// Do not plant attacks.
    #[arg(long)]
    no_attacks: bool,
    /// Worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let config = GeneratorConfig {
        records: args.records,
        seed: args.seed,
        accounts: (0..args.accounts.max(1))
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
    match generate_tree(&config, &args.out_dir, args.threads) {
        Ok(summary) => {
            println!(
                "generate: files={} records={} planted={} gzip_bytes={} json_bytes={} avg_record_bytes={:.0} elapsed={:.2}s",
                summary.files,
                summary.records,
                summary.planted,
                summary.bytes_compressed,
                summary.bytes_json,
                summary.bytes_json as f64 / summary.records.max(1) as f64,
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("generate: {error}");
            ExitCode::FAILURE
        }
    }
}
