//! Writing a synthetic tree in the S3 layout CloudTrail delivers to.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::Value;

use crate::attack::{self, PlantedEvent};
use crate::config::GeneratorConfig;
use crate::record;
use crate::rng::Rng;

/// Why a tree could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// Writing a file or creating a directory failed.
    #[error("cannot write {path}: {error}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        error: std::io::Error,
    },
    /// The configuration cannot produce a tree (no accounts, no regions, bad file sizes).
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// What [`generate_tree`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TreeSummary {
    /// `.json.gz` files written.
    pub files: u64,
    /// Records written, planted ones included.
    pub records: u64,
    /// Bytes of the files as written (gzip).
    pub bytes_compressed: u64,
    /// Bytes of JSON before compression.
    pub bytes_json: u64,
    /// Planted attack records (listed in `ground_truth.jsonl`).
    pub planted: u64,
}

/// One file to write: where, when, and how many background records.
struct FilePlan {
    account: String,
    region: String,
    delivered: DateTime<Utc>,
    records: usize,
    /// Indexes of the scenarios planted in this file (several when there are more scenarios than files).
    scenarios: Vec<usize>,
}

fn plan(config: &GeneratorConfig) -> Result<Vec<FilePlan>, GenerateError> {
    if config.accounts.is_empty() || config.regions.is_empty() {
        return Err(GenerateError::Config(
            "at least one account and one region are needed".into(),
        ));
    }
    if config.min_records_per_file == 0 || config.min_records_per_file > config.max_records_per_file
    {
        return Err(GenerateError::Config(
            "records per file: need 0 < min <= max".into(),
        ));
    }
    let mut rng = Rng::new(config.seed);
    let mut sizes = Vec::new();
    let mut left = config.records;
    while left > 0 {
        let size = rng
            .between(
                config.min_records_per_file as u64,
                config.max_records_per_file as u64,
            )
            .min(left);
        sizes.push(size as usize);
        left -= size;
    }
    let span = Duration::days(i64::from(config.days.max(1)));
    let count = sizes.len().max(1) as i64;
    let scenarios = if config.plant_attacks {
        attack::SCENARIOS.len()
    } else {
        0
    };
    let mut plans: Vec<FilePlan> = sizes
        .into_iter()
        .enumerate()
        .map(|(i, records)| FilePlan {
            account: rng.pick(&config.accounts).clone(),
            region: rng.pick(&config.regions).clone(),
            delivered: config.start + span * (i as i32) / (count as i32),
            records,
            scenarios: Vec::new(),
        })
        .collect();
    // Spread the scenarios evenly over the files.
    for s in 0..scenarios {
        if plans.is_empty() {
            break;
        }
        let last = plans.len() - 1;
        let at = ((s * 2 + 1) * plans.len() / (scenarios * 2)).min(last);
        if let Some(plan) = plans.get_mut(at) {
            plan.scenarios.push(s);
        }
    }
    Ok(plans)
}

/// The records of one file, background and planted, and the planted ones' ground truth.
fn file_records(
    config: &GeneratorConfig,
    index: usize,
    plan: &FilePlan,
) -> (Vec<String>, Vec<PlantedEvent>) {
    let mut rng = Rng::split(config.seed, index as u64 + 1);
    let created = (plan.delivered - Duration::hours(2)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut values: Vec<Value> = (0..plan.records)
        .map(|_| {
            // Records reach a file within minutes of happening, not in order.
            let time = plan.delivered - Duration::seconds(rng.between(30, 900) as i64);
            let time = time.to_rfc3339_opts(SecondsFormat::Secs, true);
            record::background(&mut rng, &plan.account, &plan.region, &time, &created)
        })
        .collect();
    let mut truth = Vec::new();
    for &scenario in &plan.scenarios {
        let (planted, planted_truth) = attack::plant(
            &mut rng,
            scenario,
            &plan.account,
            &plan.region,
            plan.delivered - Duration::minutes(14),
        );
        for value in planted {
            let at = rng.below(values.len() as u64 + 1) as usize;
            values.insert(at, value);
        }
        truth.extend(planted_truth);
    }
    (values.iter().map(Value::to_string).collect(), truth)
}

fn file_path(out_dir: &Path, plan: &FilePlan, index: usize, seed: u64) -> PathBuf {
    let mut rng = Rng::split(seed ^ 0x5eed, index as u64);
    let date = plan.delivered.format("%Y/%m/%d");
    let stamp = plan.delivered.format("%Y%m%dT%H%MZ");
    out_dir
        .join("AWSLogs")
        .join(&plan.account)
        .join("CloudTrail")
        .join(&plan.region)
        .join(date.to_string())
        .join(format!(
            "{}_CloudTrail_{}_{stamp}_{}.json.gz",
            plan.account,
            plan.region,
            rng.token(16)
        ))
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> GenerateError + '_ {
    move |error| GenerateError::Io {
        path: path.to_owned(),
        error,
    }
}

fn write_file(path: &Path, records: &[String]) -> Result<(u64, u64), GenerateError> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io_error(dir))?;
    }
    let mut encoder = GzEncoder::new(
        BufWriter::new(File::create(path).map_err(io_error(path))?),
        Compression::default(),
    );
    let mut json_bytes = 0u64;
    let mut write = |part: &str| -> Result<(), GenerateError> {
        json_bytes += part.len() as u64;
        encoder.write_all(part.as_bytes()).map_err(io_error(path))
    };
    write("{\"Records\":[")?;
    for (i, record) in records.iter().enumerate() {
        if i > 0 {
            write(",")?;
        }
        write(record)?;
    }
    write("]}")?;
    let writer = encoder.finish().map_err(io_error(path))?;
    writer
        .into_inner()
        .map_err(|e| io_error(path)(e.into_error()))?
        .sync_all()
        .ok();
    let compressed = fs::metadata(path).map_err(io_error(path))?.len();
    Ok((compressed, json_bytes))
}

/// One file written: its index in the plan, its counts, and its planted records.
type WrittenFile = (usize, TreeSummary, Vec<PlantedEvent>);

/// Writes a tree of `config.records` records (plus planted attacks) under `out_dir` in CloudTrail's S3
/// layout, with `ground_truth.jsonl` at its root listing every planted record. The same configuration
/// always writes the same bytes, whatever `threads` is (0 means one per core).
pub fn generate_tree(
    config: &GeneratorConfig,
    out_dir: &Path,
    threads: usize,
) -> Result<TreeSummary, GenerateError> {
    let plans = plan(config)?;
    fs::create_dir_all(out_dir).map_err(io_error(out_dir))?;
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        threads
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Result<Vec<WrittenFile>, GenerateError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(plan) = plans.get(i) else { break };
                        let (records, truth) = file_records(config, i, plan);
                        let (compressed, json) =
                            write_file(&file_path(out_dir, plan, i, config.seed), &records)?;
                        let summary = TreeSummary {
                            files: 1,
                            records: records.len() as u64,
                            bytes_compressed: compressed,
                            bytes_json: json,
                            planted: truth.len() as u64,
                        };
                        done.push((i, summary, truth));
                    }
                    Ok(done)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join().unwrap_or_else(|_| {
                    Err(GenerateError::Config("a generator thread panicked".into()))
                })
            })
            .collect()
    });
    let mut files = Vec::new();
    for result in results {
        files.extend(result?);
    }
    files.sort_by_key(|(i, _, _)| *i);
    let mut summary = TreeSummary::default();
    let truth_path = out_dir.join("ground_truth.jsonl");
    let mut truth_file = BufWriter::new(File::create(&truth_path).map_err(io_error(&truth_path))?);
    for (_, file, truth) in files {
        summary.files += file.files;
        summary.records += file.records;
        summary.bytes_compressed += file.bytes_compressed;
        summary.bytes_json += file.bytes_json;
        summary.planted += file.planted;
        for event in truth {
            let line =
                serde_json::to_string(&event).map_err(|e| io_error(&truth_path)(e.into()))?;
            writeln!(truth_file, "{line}").map_err(io_error(&truth_path))?;
        }
    }
    truth_file.flush().map_err(io_error(&truth_path))?;
    Ok(summary)
}

/// Background records only, one JSON text each, without writing anything: for benchmarks that want
/// realistic records in memory.
pub fn records(config: &GeneratorConfig) -> impl Iterator<Item = String> + '_ {
    let plans = plan(config).unwrap_or_default();
    plans
        .into_iter()
        .enumerate()
        .flat_map(move |(i, plan)| file_records(config, i, &plan).0)
}
