//! The inputs of a conversion grouped by delivery partition (account, region, day, as CloudTrail's S3
//! layout already groups its objects), in day order per account (every region of a day together), and
//! cut into runs of days that the workers take one at a time.
//!
//! A run holds whole accounts because a record's output partition is its own region and day, not
//! its object's: global-service events sit in one region's objects with `awsRegion` `us-east-1`, and
//! events delivered after midnight sit in the next day's objects. A worker that sees every region of
//! an account's day closes each output partition once, with one file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use cloudtrail_reader::{LayoutFilter, LayoutPath, Source};

/// The objects of one delivery day of one account, every region.
#[derive(Debug)]
pub struct Day {
    /// The delivery date in the path.
    pub date: NaiveDate,
    /// The day's directories or S3 prefixes, one per region (the reader lists them).
    pub sources: Vec<Source>,
    /// Bytes stored, for the progress bar.
    pub bytes: u64,
}

/// Consecutive delivery days of one account, or a set of inputs outside the layout (`days` then
/// holds one entry whose date means nothing).
///
/// Where an account's days are cut into several runs, the day after a cut belongs to two of them:
/// the run before reads it too and keeps only its records of days up to its own last day (events
/// delivered after that midnight), and the run after skips those. So every record is written once,
/// and each partition at the cut gets one file instead of one per run.
#[derive(Debug)]
pub struct Run {
    /// In date order.
    pub days: Vec<Day>,
    /// True for inputs outside the layout: no day is closed while reading them.
    pub loose: bool,
    /// The account of the run's objects; `None` for loose inputs.
    pub home: Option<String>,
    /// The first day of the next run of the same account, when the account was cut: read last,
    /// keeping only the records of days up to this run's last day.
    pub tail: Option<Day>,
    /// For a run after a cut, its first day: records of earlier days in that day's objects belong
    /// to the run before (it reads them as its tail) and are skipped here.
    pub owns_from: Option<NaiveDate>,
}

impl Run {
    /// Bytes of the run's own days (its tail is counted by the run that owns it).
    pub fn bytes(&self) -> u64 {
        self.days.iter().map(|day| day.bytes).sum()
    }

    /// The last delivery day the run owns.
    pub fn last_day(&self) -> Option<NaiveDate> {
        self.days.last().map(|day| day.date)
    }
}

/// (organization, account, stream): a chain of days.
type ChainKey = (Option<String>, String, String);

/// Groups `inputs` (command-line arguments: paths, `s3://` URLs, `-`) into runs for `threads`
/// workers. A run is a whole account, unless there are too few accounts to keep the workers busy:
/// then each is cut into runs of at least 8 days (a cut costs reading the day after it twice).
pub fn plan(
    inputs: &[String],
    filter: &LayoutFilter,
    s3_endpoint: Option<&str>,
    threads: usize,
) -> Result<Vec<Run>, String> {
    let mut chains: BTreeMap<ChainKey, BTreeMap<NaiveDate, Day>> = BTreeMap::new();
    let mut loose: Vec<Source> = Vec::new();
    let mut loose_bytes = 0;
    for input in inputs {
        if input.starts_with("s3://") {
            list_s3(input, filter, s3_endpoint, &mut chains, &mut loose)?;
        } else if input == "-" || !Path::new(input).is_dir() {
            loose.push(Source::from_arg(input));
        } else {
            walk(
                Path::new(input),
                filter,
                &mut chains,
                &mut loose,
                &mut loose_bytes,
            )
            .map_err(|error| format!("{input}: {error}"))?;
        }
    }
    let mut runs: Vec<Run> = Vec::new();
    let chain_count = chains.len();
    for ((_, account, _), days) in chains {
        let days: Vec<Day> = days.into_values().collect();
        let wanted_runs = if chain_count >= 4 * threads {
            1
        } else {
            (4 * threads).div_ceil(chain_count.max(1))
        };
        let run_days = days.len().div_ceil(wanted_runs).max(8);
        let mut chain: Vec<Run> = Vec::new();
        let mut days = days.into_iter().peekable();
        while days.peek().is_some() {
            chain.push(Run {
                days: days.by_ref().take(run_days).collect(),
                loose: false,
                home: Some(account.clone()),
                tail: None,
                owns_from: None,
            });
        }
        for cut in 1..chain.len() {
            let (before, after) = chain.split_at_mut(cut);
            let (Some(before), Some(after)) = (before.last_mut(), after.first_mut()) else {
                continue;
            };
            if let Some(first) = after.days.first() {
                after.owns_from = Some(first.date);
                before.tail = Some(Day {
                    date: first.date,
                    sources: first.sources.clone(),
                    bytes: first.bytes,
                });
            }
        }
        runs.extend(chain);
    }
    // The largest first, so that the last run to finish is a small one.
    runs.sort_by_key(|run| std::cmp::Reverse(run.bytes()));
    if !loose.is_empty() {
        runs.push(Run {
            days: vec![Day {
                date: NaiveDate::MIN,
                sources: loose,
                bytes: loose_bytes,
            }],
            loose: true,
            home: None,
            tail: None,
            owns_from: None,
        });
    }
    Ok(runs)
}

/// The layout key of a delivery-day directory (`.../AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD`).
fn day_of(dir: &str) -> Option<(ChainKey, NaiveDate)> {
    let layout = LayoutPath::parse(&format!("{}/file", dir.trim_end_matches('/')))?;
    // Only the day level itself: `parse` also accepts deeper paths, whose last parts are not the date.
    let parts: Vec<&str> = dir.trim_end_matches('/').rsplit('/').take(3).collect();
    let date = format!("{}/{}/{}", parts.get(2)?, parts.get(1)?, parts.first()?);
    (layout.date.format("%Y/%m/%d").to_string() == date).then_some({
        (
            (layout.organization, layout.account, layout.stream),
            layout.date,
        )
    })
}

fn walk(
    dir: &Path,
    filter: &LayoutFilter,
    chains: &mut BTreeMap<ChainKey, BTreeMap<NaiveDate, Day>>,
    loose: &mut Vec<Source>,
    loose_bytes: &mut u64,
) -> std::io::Result<()> {
    let text = dir.to_string_lossy();
    if !filter.admits_dir(&text) {
        return Ok(());
    }
    if let Some((key, date)) = day_of(&text) {
        let bytes: u64 = std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .filter_map(|entry| entry.metadata().ok())
            .map(|meta| meta.len())
            .sum();
        let day = chains.entry(key).or_default().entry(date).or_insert(Day {
            date,
            sources: Vec::new(),
            bytes: 0,
        });
        day.sources.push(Source::Path(dir.to_owned()));
        day.bytes += bytes;
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, filter, chains, loose, loose_bytes)?;
        } else if filter.admits_file(&path.to_string_lossy()) {
            *loose_bytes += path.metadata().map_or(0, |meta| meta.len());
            loose.push(Source::Path(path));
        }
    }
    Ok(())
}

fn list_s3(
    url: &str,
    filter: &LayoutFilter,
    endpoint: Option<&str>,
    chains: &mut BTreeMap<ChainKey, BTreeMap<NaiveDate, Day>>,
    loose: &mut Vec<Source>,
) -> Result<(), String> {
    let prefix =
        cloudtrail_ocsf::writer::StorePrefix::s3(url, endpoint).map_err(|e| e.to_string())?;
    let bucket_url = url
        .strip_prefix("s3://")
        .and_then(|rest| rest.split('/').next())
        .map(|bucket| format!("s3://{bucket}"))
        .ok_or_else(|| format!("{url}: not an s3:// URL"))?;
    for (key, size) in prefix.list().map_err(|e| e.to_string())? {
        if !filter.admits_file(&key) {
            continue;
        }
        let dir = key.rsplit_once('/').map_or("", |(dir, _)| dir);
        match day_of(dir) {
            Some((chain, date)) => {
                let day = chains.entry(chain).or_default().entry(date).or_insert(Day {
                    date,
                    sources: vec![Source::S3(format!("{bucket_url}/{dir}/"))],
                    bytes: 0,
                });
                day.bytes += size;
            }
            None => loose.push(Source::S3(format!("{bucket_url}/{key}"))),
        }
    }
    Ok(())
}
