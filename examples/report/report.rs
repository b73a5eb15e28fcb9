//! Writes one self-contained HTML report of CloudTrail logs: an overview (records, accounts, regions,
//! time range, errors in the input), an activity timeline (SVG) with the findings placed on it by
//! severity, top-N tables (event names, error codes, source addresses), the findings with their ATT&CK
//! ids and explanations, and a summary of every principal that appears in a finding, linked both ways.
//!
//! ```text
//! cargo run --release -p report-example --example report -- PATH... [-o report.html]
//!     [--rules FILE_OR_DIR]... [--markdown FILE] [--top N] [--threads N] [--account A] [--region R]
//!     [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--png FILE [--png-size WxH] [--chromium PATH]]
//! ```
//!
//! `--png` also writes a screenshot of the page, drawn by a headless Chromium (`chromium`,
//! `chromium-browser` or `google-chrome` on PATH, or `--chromium`; see `png.rs`).
//!
//! Records are read as `hunt` reads them (`hunt_stream.rs`): directory trees in the time order of their
//! file names, matches streamed through a bounded channel to one correlator, so memory follows the
//! findings and the bounded summaries, not the number of matches; each worker folds its records into a
//! `cloudtrail_model::summary::Summary`, merged at the end.
//! Over a million generated records (2 threads, release, machine loaded), the report took 1.25x the time
//! of `hunt` over the same tree, its peak memory close to hunt's (78 MiB against 74); the README's performance
//! section has the figures and `bench/report_vs_hunt.sh` measures them.
//!
//! The page needs no network: no script, no external style sheet, font or image; the chart is inline
//! SVG written here (see `render.rs`). Every value from a record is escaped for the format it lands in.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use chrono::Duration;
use clap::Parser;
use cloudtrail_detect::sigma::SigmaLoader;
use cloudtrail_detect::{Finding, RuleSet, builtin_rules};
use cloudtrail_model::summary::{Summary, SummaryOptions};
use cloudtrail_reader::Reader;

#[path = "../common.rs"]
mod common;
// hunt_stream saves a state through it; these programs pass none.
#[path = "../hunt_state.rs"]
#[allow(dead_code)]
mod hunt_state;
#[path = "../hunt_stream.rs"]
mod hunt_stream;
mod png;
mod render;
#[path = "../top_list.rs"]
mod top_list;

use common::Status;

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(
    name = "report",
    about = "Write a self-contained HTML report (and a markdown summary) of CloudTrail logs",
    after_help = common::exit_status_help(
        "when every input could be read and the report was written",
        "is not used: the report shows findings, it does not judge (hunt --fail-on does)"
    ) + " Status 2 also when a rule file cannot be loaded or the report cannot be written."
)]
struct Args {
    #[arg(required = true, help = common::PATHS_HELP)]
    paths: Vec<String>,
    /// Where the HTML report goes.
    #[arg(short = 'o', long, default_value = "report.html")]
    output: PathBuf,
    /// Sigma rules (a file, or every .yml/.yaml under a directory) to run beside the built-in pack
    /// (repeatable).
    #[arg(long)]
    rules: Vec<PathBuf>,
    /// Also write a markdown summary here.
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// Also write a screenshot of the report here (PNG), drawn by a headless Chromium.
    #[arg(long, value_name = "FILE")]
    png: Option<PathBuf>,
    /// The screenshot's size in pixels, WIDTHxHEIGHT.
    #[arg(long, value_name = "WxH", default_value = "1280x1800", value_parser = png::size)]
    png_size: (u32, u32),
    /// The Chromium to draw the screenshot with [default: chromium, chromium-browser or google-chrome on
    /// PATH].
    #[arg(long, value_name = "PATH")]
    chromium: Option<PathBuf>,
    /// Rows per top-N table and values per principal field.
    #[arg(long, default_value_t = 10, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1000))]
    top: usize,
    #[command(flatten)]
    input: common::InputArgs,
}

/// How far out of event-time order a match may arrive and still be correlated in order (hunt's
/// default).
const LATENESS_HOURS: i64 = 24;

fn load_rules(args: &Args) -> Result<RuleSet, String> {
    let mut rules = builtin_rules();
    if !args.rules.is_empty() {
        let mut loader = SigmaLoader::new();
        for path in &args.rules {
            if !path.exists() {
                return Err(format!(
                    "{}: no such rule file or directory",
                    path.display()
                ));
            }
            loader.add_path(path);
        }
        let loaded = loader.compile();
        for failure in &loaded.failures {
            common::note(format_args!("report: sigma: {failure}"));
        }
        rules.extend(loaded.rules);
    }
    RuleSet::new(rules).map_err(|error| error.to_string())
}

fn main() -> ExitCode {
    let args = common::parse_checked::<Args>(|args| args.input.check());
    let rules = match load_rules(&args) {
        Ok(rules) => rules,
        Err(message) => {
            common::note(format_args!("report: {message}"));
            return Status::Trouble.into();
        }
    };
    // No browser, no reading: say so before the work, not after it.
    let chromium = match args
        .png
        .as_ref()
        .map(|_| png::find_chromium(args.chromium.as_deref()))
    {
        Some(Err(message)) => {
            common::note(format_args!("report: {message}"));
            return Status::Trouble.into();
        }
        found => found.and_then(Result::ok),
    };
    let inputs = match common::Inputs::parse(&args.paths) {
        Ok(inputs) => inputs,
        Err(message) => {
            common::note(format_args!("report: {message}"));
            return Status::Trouble.into();
        }
    };
    let summary_options = SummaryOptions::default()
        .top(args.top)
        .values_per_principal(args.top);
    let (options, bar) = args.input.options();
    let errors = AtomicU64::new(0);
    let unreadable = AtomicBool::new(false);
    // As hunt does (hunt_stream.rs): trees read in time order, matches streamed through a bounded
    // channel to one correlator, so memory follows the findings, not the matches; each worker folds
    // its records into a summary of its own beside.
    let reader = Reader::new(options);
    let sources = hunt_stream::time_ordered(inputs.sources.clone(), &reader.options().filter);
    let output = hunt_stream::hunt_folding(
        &reader,
        &sources,
        &rules,
        cloudtrail_detect::Correlator::new(&rules, Duration::hours(LATENESS_HOURS)),
        None,
        || Summary::new(summary_options.clone()),
        |summary, event| {
            summary.add(event);
            true
        },
        |error| {
            errors.fetch_add(1, Ordering::Relaxed);
            inputs.report(error, &unreadable, bar.as_ref());
        },
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let (correlated, stats, summaries) = match output {
        Ok(output) => output,
        Err(error) => {
            common::note(format_args!("report: {error}"));
            return Status::Trouble.into();
        }
    };
    let mut summary = Summary::new(summary_options);
    for state in &summaries {
        summary.merge(state);
    }
    if correlated.late > 0 {
        common::note(format_args!(
            "report: {} matches arrived more than {LATENESS_HOURS} h out of event-time order (late, \
             as hunt counts them)",
            correlated.late
        ));
    }
    let mut findings: Vec<Finding> = correlated.findings;
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then((&a.rule_id, a.first_seen, &a.entity).cmp(&(&b.rule_id, b.first_seen, &b.entity)))
    });
    let report = render::Report {
        summary: &summary,
        findings: &findings,
        errors: stats.errors,
        top: args.top,
    };
    if let Err(error) = std::fs::write(&args.output, report.html()) {
        common::note(format_args!(
            "report: cannot write {}: {error}",
            args.output.display()
        ));
        return Status::Trouble.into();
    }
    if let Some(path) = &args.markdown
        && let Err(error) = std::fs::write(path, report.markdown())
    {
        common::note(format_args!(
            "report: cannot write {}: {error}",
            path.display()
        ));
        return Status::Trouble.into();
    }
    if let (Some(path), Some(chromium)) = (&args.png, &chromium) {
        match png::screenshot(chromium, &args.output, path, args.png_size) {
            Ok(console) => {
                for message in console {
                    common::note(format_args!("report: --png: the page logged: {message}"));
                }
            }
            Err(message) => {
                common::note(format_args!("report: --png: {message}"));
                return Status::Trouble.into();
            }
        }
    }
    common::note(format_args!(
        "report: records={} findings={} errors={} written to {}",
        summary.records,
        findings.len(),
        stats.errors,
        args.output.display()
    ));
    if unreadable.into_inner() {
        Status::Trouble.into()
    } else {
        Status::Clean.into()
    }
}
