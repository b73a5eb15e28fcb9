//! Hunts CloudTrail logs with the built-in rule pack and any Sigma rules: reads a folder of logs (or a
//! file, stdin, `s3://bucket/prefix`) on all cores, matches every record against the indexed rules,
//! correlates on event time, applies suppressions, and prints the findings.
//!
//! ```text
//! cargo run --release --example hunt -- [PATH...] [--format table|jsonl] [--rules FILE_OR_DIR]...
//!     [--no-builtin] [--suppressions FILE] [--fail-on none|finding|low|medium|high|critical]
//!     [--threads N] [--account A] [--region R] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--lateness HOURS]
//!     [--state FILE] [--ioc FILE]... [--format ocsf [--ocsf-version 1.1.0|1.5.0|1.8.0]]
//! cargo run --release --features s3 --example hunt -- s3://bucket/prefix ...
//! ```
//!
//! Memory does not grow with the number of matches: workers hand their matches to one correlator as they
//! read, directory trees are read in the time order of their file names, and the correlator keeps only
//! what can still change (the matches of the last `--lateness` hours, 24 by default, at most
//! `cloudtrail_detect::MAX_PENDING` of them holding at most `cloudtrail_detect::MAX_PENDING_BYTES`,
//! 24 MiB: past either the earliest is correlated at once and counted as `overflowed`; open groups
//! within the bounds the crate documents) plus the
//! findings, each with at most `cloudtrail_detect::MAX_EVENT_IDS` event ids. Records further out of order
//! than the lateness are counted as `late` in the summary on stderr. Measured with `/usr/bin/time -v` on
//! generated trees (debug build, 2 threads, load average above 10 on 2 cores): 300,000 records in 304
//! files over 3 accounts x 5 regions x 24 days, built-in pack, 25 MiB peak; 200,000 records in 79 larger
//! files, the 57 SigmaHQ rules, 86 MiB peak; no record late in either.
//!
//! `--rules` loads Sigma rules, filters and correlation rules (a file, or every `.yml`/`.yaml` under a
//! directory) and runs them next to the built-in pack; rules that fail to load are listed on stderr with
//! their file and reason, and the rest run. `--no-builtin` runs only the Sigma rules.
//!
//! With no PATH it hunts the bundled sample tree in `examples/data` (written by the `generate` example,
//! with planted attacks listed in `examples/data/ground_truth.jsonl`). `table` is the default on a
//! terminal, `jsonl` otherwise: one finding per line with the keys `rule_id`, `title`, `severity`, `mitre`,
//! `entity`, `first_seen`, `last_seen`, `event_ids`, `explanation`, and `indicators` for an IOC hit. The
//! table escapes control characters in values from the records (`\u{1b}`), so a user agent cannot drive
//! the terminal. Errors in the input are printed to stderr with their location and counted.
//!
//! `--ioc` loads indicator lists (hunt_ioc.rs): each hit is a finding of an `ioc-*` rule naming the
//! indicator, its kind, list and line. `--format ocsf` writes OCSF Detection Findings (hunt_ocsf.rs).
//!
//! `--state FILE` carries the correlator's state from one run to the next (README, "Daily runs"): loaded
//! from FILE when it exists (a missing file starts afresh, said on stderr; one that is not a valid state
//! is an error naming it), saved back atomically at the end instead of closing what is still open. With
//! `--state` the baseline rules (`cloudtrail_detect::baseline_rules`: silences, new clients, networks and
//! regions per principal) run beside the pack.
//!
//! Exit status: 0 when no finding is at or above `--fail-on` (`none`, the default, makes it 0 whatever
//! was found); 1 when one is; 2 on a usage error, a rule or suppression file that cannot be loaded, no
//! rule to run, or an input that cannot be read at all.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use chrono::{Duration, SecondsFormat, Utc};
use clap::{Parser, ValueEnum};
use cloudtrail_detect::sigma::SigmaLoader;
use cloudtrail_detect::{
    Correlator, Finding, Rule, RuleSet, Severity, Tuning, baseline_rules, builtin_rules,
};
use cloudtrail_reader::Reader;
use serde_json::json;

#[path = "common.rs"]
mod common;
#[path = "hunt_ioc.rs"]
mod hunt_ioc;
#[path = "hunt_ocsf.rs"]
mod hunt_ocsf;
#[path = "hunt_state.rs"]
mod hunt_state;
#[path = "hunt_stream.rs"]
mod hunt_stream;

use common::{Out, Status};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A readable summary per rule and entity.
    Table,
    /// One JSON finding per line.
    Jsonl,
    /// One OCSF Detection Finding (class 2004) per line, at --ocsf-version.
    Ocsf,
}

/// From which findings on the exit status is 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum FailOn {
    /// Never: 0 whatever was found.
    None,
    /// Any finding.
    Finding,
    /// A finding of severity low or above.
    Low,
    /// Medium or above.
    Medium,
    /// High or above.
    High,
    /// Critical only.
    Critical,
}

impl FailOn {
    /// Whether a finding of this severity makes the exit status 1.
    fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::None => false,
            FailOn::Finding => true,
            FailOn::Low => severity >= Severity::Low,
            FailOn::Medium => severity >= Severity::Medium,
            FailOn::High => severity >= Severity::High,
            FailOn::Critical => severity >= Severity::Critical,
        }
    }
}

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(
    name = "hunt",
    about = "Hunt CloudTrail logs with the built-in detection rules and Sigma rules",
    after_help = common::exit_status_help(
        "when no finding is at or above --fail-on (with the default `none`, whatever was found)",
        "when a finding is at or above --fail-on"
    ) + " Status 2 also when a rule, IOC or suppression file cannot be loaded, or there is no rule to run."
)]
struct Args {
    #[arg(help = format!("{} [default: the bundled sample tree]", common::PATHS_HELP))]
    paths: Vec<String>,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Suppressions and severity overrides (JSON; see `cloudtrail_detect::Tuning`).
    #[arg(long)]
    suppressions: Option<PathBuf>,
    /// Sigma rules to run next to the built-in pack (a file or a directory; repeatable).
    #[arg(long, value_parser = existing_path)]
    rules: Vec<PathBuf>,
    /// Run only the rules given with --rules and the lists given with --ioc, not the built-in pack.
    #[arg(long)]
    no_builtin: bool,
    /// An indicator list (repeatable): addresses and CIDR blocks, access key ids, ARNs, account ids,
    /// `user-agent: SUBSTRING` lines, one per line with # comments, or CSV with `type` and `value`
    /// columns. Each hit is a finding naming the indicator, its list and line; lines that are not
    /// indicators are reported as FILE:LINE and skipped (a list with none usable is status 2).
    #[arg(long, value_name = "FILE", value_parser = existing_path)]
    ioc: Vec<PathBuf>,
    /// The OCSF release of --format ocsf: 1.1.0, 1.5.0 or 1.8.0 (Detection Finding, class 2004, with the
    /// event times of the evidence).
    #[arg(long, value_name = "VERSION", default_value = "1.1.0", value_parser = ocsf_version)]
    ocsf_version: cloudtrail_ocsf::OcsfVersion,
    /// Exit with status 1 when a finding is at or above this (for scripts and CI).
    #[arg(long, value_enum, default_value_t = FailOn::None)]
    fail_on: FailOn,
    /// How far out of event-time order, in hours, a record may arrive and still be correlated; later
    /// ones are counted as late (directory trees are read in the time order of their file names).
    #[arg(long, default_value_t = 24.0)]
    lateness: f64,
    /// Continue from the correlator state in FILE and save it back there at the end (atomically), for
    /// daily runs: first-seen values, open windows and sequences, findings within their dedup period and
    /// records within the lateness carry over to the next run, which reports them when they close (this
    /// run prints them marked open). A missing FILE starts afresh; one that is not a valid state is an
    /// error (status 2). See "Daily runs" in the README.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    #[command(flatten)]
    input: common::InputArgs,
}

/// A release `cloudtrail_ocsf` writes.
fn ocsf_version(text: &str) -> Result<cloudtrail_ocsf::OcsfVersion, String> {
    text.parse()
        .map_err(|error: cloudtrail_ocsf::UnknownVersion| error.to_string())
}

/// A path that exists (checked when the command line is parsed, before anything is read).
fn existing_path(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    match std::fs::metadata(&path) {
        Ok(_) => Ok(path),
        Err(error) => Err(format!("cannot read {text}: {error}")),
    }
}

/// The built-in pack (unless `--no-builtin`), with `--state` the baseline rules too (they learn across
/// runs), and the Sigma rules given with `--rules`; Sigma documents that fail to load are reported and
/// skipped.
fn load_rules(args: &Args) -> Vec<Rule> {
    let mut rules = if args.no_builtin {
        Vec::new()
    } else {
        builtin_rules()
    };
    if !args.no_builtin && args.state.is_some() {
        rules.extend(baseline_rules());
    }
    if args.rules.is_empty() {
        return rules;
    }
    let mut loader = SigmaLoader::new();
    for path in &args.rules {
        loader.add_path(path);
    }
    let loaded = loader.compile();
    for failure in &loaded.failures {
        common::note(format_args!("hunt: sigma: {failure}"));
    }
    common::note(format_args!(
        "hunt: sigma: {} rules loaded, {} failed",
        loaded.rules.len(),
        loaded.failures.len()
    ));
    rules.extend(loaded.rules);
    rules
}

fn sample() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/data/AWSLogs").to_owned()
}

fn main() -> ExitCode {
    let args = common::parse_checked::<Args>(|args| {
        if args.no_builtin && args.rules.is_empty() && args.ioc.is_empty() {
            return Err(
                "--no-builtin needs --rules or --ioc: there would be no rule to run".into(),
            );
        }
        args.input.check()
    });
    let tuning = match &args.suppressions {
        None => Tuning::default(),
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| Tuning::from_json(&text).map_err(|e| e.to_string()))
        {
            Ok(tuning) => tuning,
            Err(error) => {
                common::note(format_args!("hunt: {}: {error}", path.display()));
                return Status::Trouble.into();
            }
        },
    };
    let mut rules = load_rules(&args);
    match hunt_ioc::load(&args.ioc) {
        Ok(ioc_rules) => rules.extend(ioc_rules),
        Err(status) => return status.into(),
    }
    if rules.is_empty() {
        common::note("hunt: no rule to run: every rule given with --rules failed to load");
        return Status::Trouble.into();
    }
    let rules = match RuleSet::new(rules) {
        Ok(rules) => rules,
        Err(error) => {
            common::note(format_args!("hunt: {error}"));
            return Status::Trouble.into();
        }
    };
    let paths = if args.paths.is_empty() {
        vec![sample()]
    } else {
        args.paths.clone()
    };
    let inputs = match common::Inputs::parse_or_refuse("hunt", &paths) {
        Ok(inputs) => inputs,
        Err(status) => return status,
    };
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Jsonl
    });
    let (options, bar) = args.input.options();
    let started = Instant::now();
    let errors = AtomicU64::new(0);
    let unreadable = AtomicBool::new(false);

    // Matching runs on every worker; correlation on one thread, fed as the workers go (hunt_stream.rs).
    let reader = Reader::new(options);
    let sources = hunt_stream::time_ordered(inputs.sources.clone(), &reader.options().filter);
    let lateness = Duration::try_minutes((args.lateness * 60.0) as i64).unwrap_or(Duration::MAX);
    let correlator = match &args.state {
        None => Correlator::new(&rules, lateness),
        Some(path) => match hunt_state::open(&rules, lateness, path) {
            Ok(correlator) => correlator,
            Err(error) => {
                common::note(format_args!("hunt: {error}"));
                return Status::Trouble.into();
            }
        },
    };
    let state = args.state.as_deref();
    let output = hunt_stream::hunt(&reader, &sources, &rules, correlator, state, |error| {
        errors.fetch_add(1, Ordering::Relaxed);
        inputs.report(error, &unreadable, bar.as_ref());
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let (correlated, stats) = match output {
        Ok(output) => output,
        Err(error) => {
            common::note(format_args!("hunt: {error}"));
            return Status::Trouble.into();
        }
    };
    let mut findings = correlated.findings;
    // With --state, what is still open at the end (reported again, final, by the run that closes it).
    let mut open = correlated.open;
    let now = Utc::now();
    let suppressed = tuning.apply(&mut findings, now) + tuning.apply(&mut open, now);
    for list in [&mut findings, &mut open] {
        list.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then((&a.rule_id, a.first_seen, &a.entity).cmp(&(
                    &b.rule_id,
                    b.first_seen,
                    &b.entity,
                )))
        });
    }

    let mut out = Out::lock();
    match format {
        Format::Jsonl => {
            write_jsonl(&mut out, &findings, false);
            write_jsonl(&mut out, &open, true);
        }
        Format::Table => {
            write_table(&mut out, &findings);
            if !open.is_empty() {
                out.line(hunt_state::OPEN_HEADING);
                write_table(&mut out, &open);
            }
        }
        // Closed findings only: with --state, the run that closes an open finding writes it, so that
        // an OCSF consumer never receives one finding twice.
        Format::Ocsf => hunt_ocsf::write(&mut out, &findings, &rules, args.ocsf_version),
    }
    out.flush();
    common::note(format_args!(
        "hunt: records={} findings={} open={} suppressed={} errors={} late={} evicted={} overflowed={} rules={} elapsed={:.2}s",
        stats.records_delivered,
        findings.len(),
        open.len(),
        suppressed,
        errors.load(Ordering::Relaxed),
        correlated.late,
        correlated.evicted,
        correlated.overflowed,
        rules.rules().len(),
        started.elapsed().as_secs_f64()
    ));
    if let (Some(saved), Some(path)) = (correlated.saved, state) {
        hunt_state::report(path, &saved);
    }
    if unreadable.into_inner() {
        Status::Trouble.into()
    } else if findings
        .iter()
        .chain(&open)
        .any(|f| args.fail_on.fails(f.severity))
    {
        Status::Found.into()
    } else {
        Status::Clean.into()
    }
}

/// Long values (user agents, policies) cut to fit a line; the JSON output keeps them whole.
fn shorten(value: &str) -> String {
    const MAX: usize = 90;
    match value.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &value[..cut]),
        None => value.to_owned(),
    }
}

fn time(t: Option<chrono::DateTime<Utc>>) -> Option<String> {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// One JSON finding per line (JSON escapes control characters itself); `open` ones (with `--state`,
/// still open at the end of the run) carry `"open": true`.
fn write_jsonl(out: &mut Out, findings: &[Finding], open: bool) {
    for f in findings {
        let mut line = json!({
            "rule_id": f.rule_id,
            "title": f.title,
            "severity": f.severity,
            "mitre": f.mitre.iter().map(|m| json!({"tactic": m.tactic, "technique": m.technique, "attack_version": m.attack_version})).collect::<Vec<_>>(),
            "entity": f.entity,
            "first_seen": time(f.first_seen),
            "last_seen": time(f.last_seen),
            "event_ids": f.event_ids,
            "explanation": f.explanation,
        });
        if open {
            line["open"] = json!(true);
        }
        if let Some(indicators) = hunt_ioc::json(f) {
            line["indicators"] = indicators;
        }
        out.line(line);
    }
}

/// The findings per rule and entity, for reading. Titles, entities and values come from rules and
/// records: `Out` writes them with control characters escaped.
fn write_table(out: &mut Out, findings: &[Finding]) {
    if findings.is_empty() {
        return out.line("No findings.");
    }
    let mut by_rule: BTreeMap<
        (std::cmp::Reverse<cloudtrail_detect::Severity>, &str),
        Vec<&Finding>,
    > = BTreeMap::new();
    for f in findings {
        by_rule
            .entry((std::cmp::Reverse(f.severity), f.rule_id.as_str()))
            .or_default()
            .push(f);
    }
    for ((severity, rule_id), group) in by_rule {
        let first = group[0];
        let mitre: Vec<String> = first
            .mitre
            .iter()
            .map(|m| {
                let ids = [m.tactic.as_str(), m.technique.as_str()]
                    .into_iter()
                    .filter(|id| !id.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                format!("{ids} (v{})", m.attack_version)
            })
            .collect();
        out.line("");
        out.line(format_args!(
            "[{}] {rule_id}: {}",
            severity.0.to_string().to_uppercase(),
            first.title
        ));
        if !mitre.is_empty() {
            out.line(format_args!("    ATT&CK: {}", mitre.join(", ")));
        }
        for f in group {
            let span = match (time(f.first_seen), time(f.last_seen)) {
                (Some(a), Some(b)) if a == b => a,
                (Some(a), Some(b)) => format!("{a} .. {b}"),
                _ => "-".into(),
            };
            out.line(format_args!(
                "    {}  {} event{}  {span}",
                f.entity,
                f.events,
                if f.events == 1 { "" } else { "s" }
            ));
            let why: Vec<String> = f
                .explanation
                .iter()
                .map(|e| {
                    if e.field.is_empty() {
                        e.test.to_string()
                    } else {
                        format!("{} = {:?}", e.field, shorten(&e.value))
                    }
                })
                .collect();
            out.line(format_args!("        why: {}", why.join("; ")));
            if let Some(indicators) = hunt_ioc::line(f) {
                out.line(format_args!("        indicator: {indicators}"));
            }
        }
    }
    out.line("");
}
