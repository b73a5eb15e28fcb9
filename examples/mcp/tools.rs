//! What the MCP server's tools do, without the protocol: each takes its typed input, reads the paths
//! through cloudtrail-reader and returns a bounded, typed answer, or an error message for the agent.
//!
//! Everything here is attacker-influenced: the arguments come from a language model that may have read a
//! hostile record, and the values in the answers come from the records themselves. Inputs are checked
//! (paths exist, are under the allowed roots, no stdin: stdin is the protocol), and every answer is
//! bounded: a count limit on lists (with `truncated` and the full count said) and [`MAX_TEXT`] characters
//! per string taken from a record. JSON escaping is serde_json's.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use cloudtrail_detect::sigma::SigmaLoader;
use cloudtrail_detect::{Finding, Mitre, RuleSet, Severity, builtin_rules};
use cloudtrail_model::Event;
use cloudtrail_model::summary::{Summary, SummaryOptions};
use cloudtrail_reader::{LayoutFilter, ReadError, Reader, ReaderOptions};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::Inputs;
use crate::hunt_stream;

/// The most characters of one string from a record (or an error message) in an answer.
pub const MAX_TEXT: usize = 512;
/// The most paths one call may name.
pub const MAX_PATHS: usize = 32;
/// The most error messages an answer quotes (the count is always given).
pub const MAX_ERROR_SAMPLES: usize = 5;
/// Findings `hunt` returns when `max_findings` is not given, and the most it returns.
pub const DEFAULT_FINDINGS: usize = 50;
/// See [`DEFAULT_FINDINGS`].
pub const MAX_FINDINGS: usize = 500;
/// Records `search_records` returns when `limit` is not given, and the most it returns.
pub const DEFAULT_RECORDS: usize = 20;
/// See [`DEFAULT_RECORDS`].
pub const MAX_RECORDS: usize = 200;
/// Principals `summarise_principal` returns at most (those whose id holds the text asked for).
pub const MAX_PRINCIPALS: usize = 10;
/// Rules `list_rules` returns at most.
pub const MAX_RULES: usize = 500;
/// Event ids and explanation lines per finding in an answer.
pub const MAX_PER_FINDING: usize = 10;
/// How late a match may arrive and still be correlated in order (as `hunt`'s default).
const LATENESS_HOURS: i64 = 24;

/// What every tool is configured with at start.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// When not empty, every local path must lie under one of these (canonical) directories.
    pub roots: Vec<PathBuf>,
    /// Reader worker threads (0: one per core).
    pub threads: usize,
}

/// `text` cut to [`MAX_TEXT`] characters, `…` marking the cut.
pub fn capped(text: &str) -> String {
    match text.char_indices().nth(MAX_TEXT) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

fn capped_opt(text: Option<&str>) -> Option<String> {
    text.map(capped)
}

fn time(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// An RFC 3339 time argument.
fn parse_time(name: &str, text: Option<&str>) -> Result<Option<DateTime<Utc>>, String> {
    text.map(|text| {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|error| {
                format!(
                    "{name}: {:?} is not an RFC 3339 time such as 2024-05-01T00:00:00Z ({error})",
                    capped(text)
                )
            })
    })
    .transpose()
}

/// An event-time window, both ends inclusive.
#[derive(Clone, Copy, Debug, Default)]
struct Window {
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

impl Window {
    fn parse(from: Option<&str>, to: Option<&str>) -> Result<Window, String> {
        let window = Window {
            from: parse_time("from", from)?,
            to: parse_time("to", to)?,
        };
        if let (Some(from), Some(to)) = (window.from, window.to)
            && from > to
        {
            return Err(format!(
                "from ({}) is after to ({}): no event time is in that window",
                from.to_rfc3339(),
                to.to_rfc3339()
            ));
        }
        Ok(window)
    }

    fn is_open(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// Whether the record's event time is in the window (a record without a time is only in an open one).
    fn holds(&self, event: &Event<'_>) -> bool {
        if self.is_open() {
            return true;
        }
        event.event_time().is_some_and(|t| {
            self.from.is_none_or(|from| t >= from) && self.to.is_none_or(|to| t <= to)
        })
    }

    /// The delivery dates worth listing: CloudTrail delivers a record within minutes of its event time,
    /// so the day after `to` is read too.
    fn layout_filter(&self) -> LayoutFilter {
        LayoutFilter::default()
            .with_from(self.from.map(|t| t.date_naive()))
            .with_to(self.to.map(|t| (t + Duration::days(1)).date_naive()))
    }
}

/// The canonical form of a local path that exists and lies under the allowed roots.
fn allowed(config: &Config, path: &str, missing: &str) -> Result<PathBuf, String> {
    let canonical = Path::new(path)
        .canonicalize()
        .map_err(|error| format!("{}: {missing} ({error})", capped(path)))?;
    if !config.roots.is_empty() && !config.roots.iter().any(|root| canonical.starts_with(root)) {
        return Err(format!(
            "{}: outside the directories this server may read ({})",
            capped(path),
            config
                .roots
                .iter()
                .map(|root| root.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(canonical)
}

/// Checks the paths and turns them into reader sources.
fn sources(config: &Config, paths: &[String]) -> Result<Inputs, String> {
    if paths.is_empty() {
        return Err("paths: name at least one file, directory or s3://bucket/prefix".to_owned());
    }
    if paths.len() > MAX_PATHS {
        return Err(format!(
            "paths: {} given, at most {MAX_PATHS} per call",
            paths.len()
        ));
    }
    for path in paths {
        if path == "-" {
            return Err(
                "paths: `-` (standard input) cannot be read: it carries this protocol".to_owned(),
            );
        }
        if path.starts_with("s3://") {
            continue;
        }
        allowed(config, path, "path not found or not readable")?;
    }
    Inputs::parse(paths)
}

/// Read errors, counted and the first few kept; whether a named input could not be read at all.
#[derive(Default)]
struct Errors {
    count: AtomicU64,
    samples: Mutex<Vec<String>>,
    unreadable: AtomicBool,
}

impl Errors {
    fn record(&self, inputs: &Inputs, error: &ReadError) {
        self.count.fetch_add(1, Ordering::Relaxed);
        if inputs.unreadable(error) {
            self.unreadable.store(true, Ordering::Relaxed);
        }
        let mut samples = self
            .samples
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if samples.len() < MAX_ERROR_SAMPLES {
            samples.push(capped(&error.to_string()));
        }
    }

    /// The counts for an answer, or an error when no input could be read at all.
    fn finish(self) -> Result<ReadErrors, String> {
        let samples = self
            .samples
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.unreadable.into_inner() {
            return Err(format!(
                "an input could not be read: {}",
                samples.first().map_or("", String::as_str)
            ));
        }
        Ok(ReadErrors {
            count: self.count.into_inner(),
            first: samples,
        })
    }
}

fn reader(config: &Config, window: &Window) -> Reader {
    Reader::new(
        ReaderOptions::default()
            .with_threads(config.threads)
            .with_filter(window.layout_filter()),
    )
}

/// Errors met inside the inputs (bad records, unreadable files in a tree): the count and the first few.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReadErrors {
    /// How many.
    pub count: u64,
    /// The first messages (at most 5), each with where (file, record, offset).
    pub first: Vec<String>,
}

/// A minimum severity.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SeverityArg {
    /// Worth knowing.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl From<SeverityArg> for Severity {
    fn from(severity: SeverityArg) -> Severity {
        match severity {
            SeverityArg::Info => Severity::Info,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        }
    }
}

fn severity_name(severity: Severity) -> String {
    serde_json::to_value(severity)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{severity:?}").to_lowercase())
}

/// The built-in pack and the Sigma rules under `paths`; failures to load a rule are an error (the agent
/// asked for those rules).
fn load_rules(config: &Config, paths: &[String]) -> Result<RuleSet, String> {
    let mut rules = builtin_rules();
    if !paths.is_empty() {
        if paths.len() > MAX_PATHS {
            return Err(format!("rules: {} given, at most {MAX_PATHS}", paths.len()));
        }
        let mut loader = SigmaLoader::new();
        for path in paths {
            let canonical = allowed(config, path, "no such rule file or directory")
                .map_err(|message| format!("rules: {message}"))?;
            loader.add_path(&canonical);
        }
        let loaded = loader.compile();
        if let Some(failure) = loaded.failures.first() {
            return Err(format!(
                "rules: {} Sigma rule(s) could not be loaded, the first: {}",
                loaded.failures.len(),
                capped(&failure.to_string())
            ));
        }
        rules.extend(loaded.rules);
    }
    RuleSet::new(rules).map_err(|error| format!("rules: {}", capped(&error.to_string())))
}

/// `hunt`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HuntInput {
    /// Files, directories (a copy of a trail's bucket) or s3://bucket/prefix to read.
    pub paths: Vec<String>,
    /// Only records with an event time at or after this RFC 3339 time (2024-05-01T00:00:00Z).
    pub from: Option<String>,
    /// Only records with an event time at or before this RFC 3339 time.
    pub to: Option<String>,
    /// Sigma rule files or directories to run beside the built-in pack.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Only findings of at least this severity.
    pub min_severity: Option<SeverityArg>,
    /// The most findings returned, most severe first (default 50, at most 500).
    pub max_findings: Option<usize>,
}

/// One rule's ATT&CK reference.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Attack {
    /// Tactic id (TA0005).
    pub tactic: String,
    /// Technique id (T1562.008).
    pub technique: String,
}

fn attack(mitre: &[Mitre]) -> Vec<Attack> {
    mitre
        .iter()
        .map(|m| Attack {
            tactic: capped(&m.tactic),
            technique: capped(&m.technique),
        })
        .collect()
}

/// A finding, bounded.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FindingOut {
    /// The rule's id.
    pub rule_id: String,
    /// The rule's title.
    pub title: String,
    /// info, low, medium, high or critical.
    pub severity: String,
    /// ATT&CK references.
    pub attack: Vec<Attack>,
    /// The acting principal (or the group a correlation rule counted).
    pub entity: String,
    /// The account of the first record.
    pub account: Option<String>,
    /// Event time of the first record.
    pub first_seen: Option<String>,
    /// Event time of the last record.
    pub last_seen: Option<String>,
    /// How many records the finding covers.
    pub events: u64,
    /// The first event ids (at most 10; `events` is the count).
    pub event_ids: Vec<String>,
    /// Why: the conditions that held with the values seen (at most 10 lines).
    pub explanation: Vec<String>,
}

impl FindingOut {
    fn new(finding: &Finding) -> FindingOut {
        FindingOut {
            rule_id: capped(&finding.rule_id),
            title: capped(&finding.title),
            severity: severity_name(finding.severity),
            attack: attack(&finding.mitre),
            entity: capped(&finding.entity),
            account: capped_opt(finding.account.as_deref()),
            first_seen: time(finding.first_seen),
            last_seen: time(finding.last_seen),
            events: finding.events,
            event_ids: finding
                .event_ids
                .iter()
                .take(MAX_PER_FINDING)
                .map(|id| capped(id))
                .collect(),
            explanation: finding
                .explanation
                .iter()
                .take(MAX_PER_FINDING)
                .map(|e| {
                    if e.field.is_empty() {
                        capped(&format!("{} {}", e.test, e.value))
                    } else {
                        capped(&format!("{} {}: {}", e.field, e.test, e.value))
                    }
                })
                .collect(),
        }
    }
}

/// `hunt`'s answer.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HuntOutput {
    /// Records read.
    pub records: u64,
    /// Records in the time window (all of them when no window was given), which the rules saw.
    pub records_hunted: u64,
    /// Rules run.
    pub rules: usize,
    /// Findings at the severity asked for, before the limit.
    pub findings_total: usize,
    /// Whether findings were left out by `max_findings`.
    pub truncated: bool,
    /// The findings, most severe first.
    pub findings: Vec<FindingOut>,
    /// Matches that arrived further out of event-time order than a day and were not correlated in order.
    pub late_matches: u64,
    /// Errors inside the inputs.
    pub errors: ReadErrors,
}

/// Runs the built-in pack (and the Sigma rules asked for) over the paths.
pub fn hunt(config: &Config, input: HuntInput) -> Result<HuntOutput, String> {
    let window = Window::parse(input.from.as_deref(), input.to.as_deref())?;
    let limit = input.max_findings.unwrap_or(DEFAULT_FINDINGS);
    if limit == 0 || limit > MAX_FINDINGS {
        return Err(format!("max_findings: between 1 and {MAX_FINDINGS}"));
    }
    let rules = load_rules(config, &input.rules)?;
    let inputs = sources(config, &input.paths)?;
    let reader = reader(config, &window);
    let ordered = hunt_stream::time_ordered(inputs.sources.clone(), &reader.options().filter);
    let errors = Errors::default();
    let (correlated, stats, hunted) = hunt_stream::hunt_folding(
        &reader,
        &ordered,
        &rules,
        cloudtrail_detect::Correlator::new(&rules, Duration::hours(LATENESS_HOURS)),
        None,
        || 0u64,
        |hunted, event| {
            let keep = window.holds(event);
            *hunted += u64::from(keep);
            keep
        },
        |error| errors.record(&inputs, error),
    )
    .map_err(|error| capped(&error.to_string()))?;
    let errors = errors.finish()?;
    let minimum = input.min_severity.map_or(Severity::Info, Severity::from);
    let mut findings: Vec<Finding> = correlated
        .findings
        .into_iter()
        .filter(|f| f.severity >= minimum)
        .collect();
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then((&a.rule_id, a.first_seen, &a.entity).cmp(&(&b.rule_id, b.first_seen, &b.entity)))
    });
    Ok(HuntOutput {
        records: stats.records_delivered,
        records_hunted: hunted.iter().sum(),
        rules: rules.rules().len(),
        findings_total: findings.len(),
        truncated: findings.len() > limit,
        findings: findings.iter().take(limit).map(FindingOut::new).collect(),
        late_matches: correlated.late,
        errors,
    })
}

/// `summarise_principal`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SummariseInput {
    /// Files, directories or s3://bucket/prefix to read.
    pub paths: Vec<String>,
    /// The principal: an ARN or a part of one (a user or role name); every principal whose entity id
    /// holds it is summarised.
    pub principal: String,
    /// Only records with an event time at or after this RFC 3339 time.
    pub from: Option<String>,
    /// Only records with an event time at or before this RFC 3339 time.
    pub to: Option<String>,
    /// Values kept per field (event names, addresses, ...), most frequent first (default 10, at most 50).
    pub top: Option<usize>,
}

/// A value and how many records had it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Counted {
    /// The value (capped).
    pub value: String,
    /// Records.
    pub count: u64,
}

fn counted(top: &cloudtrail_model::summary::TopCounts, limit: usize) -> Vec<Counted> {
    top.top()
        .into_iter()
        .take(limit)
        .map(|(value, count)| Counted {
            value: capped(value),
            count,
        })
        .collect()
}

/// What one principal did.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PrincipalOut {
    /// The entity id (an ARN, `source_ip:ADDRESS`, ...).
    pub principal: String,
    /// Event time of its first record.
    pub first_seen: Option<String>,
    /// Event time of its last record.
    pub last_seen: Option<String>,
    /// Records.
    pub events: u64,
    /// Calls refused for lack of permission.
    pub denied: u64,
    /// Calls that failed otherwise.
    pub failed: u64,
    /// Console sign-ins with MFA.
    pub console_logins_with_mfa: u64,
    /// Console sign-ins without MFA.
    pub console_logins_without_mfa: u64,
    /// Event sources.
    pub event_sources: Vec<Counted>,
    /// Event names.
    pub event_names: Vec<Counted>,
    /// Event names of denied or failed calls.
    pub refused_event_names: Vec<Counted>,
    /// Regions.
    pub regions: Vec<Counted>,
    /// Source addresses.
    pub source_addresses: Vec<Counted>,
    /// User-agent families.
    pub user_agents: Vec<Counted>,
    /// Access key ids.
    pub access_keys: Vec<Counted>,
    /// Accounts.
    pub accounts: Vec<Counted>,
}

/// `summarise_principal`'s answer.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SummariseOutput {
    /// Records read.
    pub records: u64,
    /// Principals whose id holds the text asked for.
    pub principals_total: usize,
    /// Whether principals were left out (at most 10 are returned, the most active first).
    pub truncated: bool,
    /// The principals, the most active first.
    pub principals: Vec<PrincipalOut>,
    /// Errors inside the inputs.
    pub errors: ReadErrors,
}

/// The per-identity summary of the principals whose entity id holds `principal`.
pub fn summarise_principal(
    config: &Config,
    input: SummariseInput,
) -> Result<SummariseOutput, String> {
    let window = Window::parse(input.from.as_deref(), input.to.as_deref())?;
    if input.principal.is_empty() || input.principal.len() > MAX_TEXT {
        return Err(format!(
            "principal: between 1 and {MAX_TEXT} bytes, such as arn:aws:iam::111122223333:user/alice"
        ));
    }
    let top = input.top.unwrap_or(10);
    if top == 0 || top > 50 {
        return Err("top: between 1 and 50".to_owned());
    }
    let inputs = sources(config, &input.paths)?;
    let options = SummaryOptions::default().top(top).values_per_principal(top);
    let errors = Errors::default();
    let output = reader(config, &window)
        .fold(
            &inputs.sources,
            || Summary::new(options.clone()),
            |summary, event, _| {
                if window.holds(event) && event.entity_id().contains(input.principal.as_str()) {
                    summary.add(event);
                }
            },
            |error| errors.record(&inputs, error),
        )
        .map_err(|error| capped(&error.to_string()))?;
    let errors = errors.finish()?;
    let mut summary = Summary::new(options);
    for state in &output.states {
        summary.merge(state);
    }
    let mut principals = summary.principals();
    principals.sort_by(|a, b| b.1.events.cmp(&a.1.events).then(a.0.cmp(b.0)));
    let total = principals.len();
    Ok(SummariseOutput {
        records: output.stats.records_delivered,
        principals_total: total,
        truncated: total > MAX_PRINCIPALS,
        principals: principals
            .into_iter()
            .take(MAX_PRINCIPALS)
            .map(|(entity, p)| PrincipalOut {
                principal: capped(entity),
                first_seen: time(p.first_seen),
                last_seen: time(p.last_seen),
                events: p.events,
                denied: p.denied,
                failed: p.failed,
                console_logins_with_mfa: p.console_logins_with_mfa,
                console_logins_without_mfa: p.console_logins_without_mfa,
                event_sources: counted(&p.event_sources, top),
                event_names: counted(&p.event_names, top),
                refused_event_names: counted(&p.refused_event_names, top),
                regions: counted(&p.regions, top),
                source_addresses: counted(&p.source_addresses, top),
                user_agents: counted(&p.user_agents, top),
                access_keys: counted(&p.access_keys, top),
                accounts: counted(&p.accounts, top),
            })
            .collect(),
        errors,
    })
}

/// `search_records`' arguments: every filter given must hold (exact, case-sensitive values, except
/// `principal`, a part of the entity id).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchInput {
    /// Files, directories or s3://bucket/prefix to read.
    pub paths: Vec<String>,
    /// eventName, such as StopLogging.
    pub event_name: Option<String>,
    /// eventSource, such as cloudtrail.amazonaws.com.
    pub event_source: Option<String>,
    /// A part of the acting principal's entity id (an ARN, a user or role name).
    pub principal: Option<String>,
    /// sourceIPAddress.
    pub source_ip: Option<String>,
    /// errorCode, such as AccessDenied.
    pub error_code: Option<String>,
    /// Only records with an event time at or after this RFC 3339 time.
    pub from: Option<String>,
    /// Only records with an event time at or before this RFC 3339 time.
    pub to: Option<String>,
    /// The most records returned, the earliest first (default 20, at most 200).
    pub limit: Option<usize>,
}

/// One record, compact.
#[derive(Debug, Serialize, JsonSchema, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RecordOut {
    /// eventTime.
    pub event_time: Option<String>,
    /// eventID.
    pub event_id: Option<String>,
    /// eventSource.
    pub event_source: Option<String>,
    /// eventName.
    pub event_name: Option<String>,
    /// The acting principal's entity id.
    pub principal: String,
    /// The account.
    pub account: Option<String>,
    /// awsRegion.
    pub region: Option<String>,
    /// sourceIPAddress.
    pub source_ip: Option<String>,
    /// userAgent.
    pub user_agent: Option<String>,
    /// errorCode.
    pub error_code: Option<String>,
    /// errorMessage.
    pub error_message: Option<String>,
}

impl RecordOut {
    fn new(event: &Event<'_>) -> RecordOut {
        RecordOut {
            event_time: time(event.event_time()),
            event_id: capped_opt(event.event_id()),
            event_source: capped_opt(event.event_source()),
            event_name: capped_opt(event.event_name()),
            principal: capped(&event.entity_id()),
            account: capped_opt(event.account_id()),
            region: capped_opt(event.aws_region()),
            source_ip: capped_opt(event.source_ip_address()),
            user_agent: capped_opt(event.user_agent()),
            error_code: capped_opt(event.error_code()),
            error_message: capped_opt(event.error_message()),
        }
    }
}

/// `search_records`' answer.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SearchOutput {
    /// Records read.
    pub records: u64,
    /// Records that met every filter.
    pub matched: u64,
    /// Whether matching records were left out by `limit`.
    pub truncated: bool,
    /// The earliest matching records (by event time, then event id).
    pub records_found: Vec<RecordOut>,
    /// Errors inside the inputs.
    pub errors: ReadErrors,
}

/// One worker's matching records: the earliest `limit` of them, and how many matched.
struct Found {
    earliest: BinaryHeap<RecordOut>,
    matched: u64,
}

/// The records that meet every filter given.
pub fn search_records(config: &Config, input: SearchInput) -> Result<SearchOutput, String> {
    let window = Window::parse(input.from.as_deref(), input.to.as_deref())?;
    let limit = input.limit.unwrap_or(DEFAULT_RECORDS);
    if limit == 0 || limit > MAX_RECORDS {
        return Err(format!("limit: between 1 and {MAX_RECORDS}"));
    }
    for (name, value) in [
        ("event_name", &input.event_name),
        ("event_source", &input.event_source),
        ("principal", &input.principal),
        ("source_ip", &input.source_ip),
        ("error_code", &input.error_code),
    ] {
        if value
            .as_ref()
            .is_some_and(|v| v.is_empty() || v.len() > MAX_TEXT)
        {
            return Err(format!("{name}: between 1 and {MAX_TEXT} bytes"));
        }
    }
    let inputs = sources(config, &input.paths)?;
    let equal = |wanted: &Option<String>, seen: Option<&str>| {
        wanted.as_deref().is_none_or(|wanted| seen == Some(wanted))
    };
    let keeps = |event: &Event<'_>| {
        equal(&input.event_name, event.event_name())
            && equal(&input.event_source, event.event_source())
            && equal(&input.source_ip, event.source_ip_address())
            && equal(&input.error_code, event.error_code())
            && input
                .principal
                .as_deref()
                .is_none_or(|wanted| event.entity_id().contains(wanted))
            && window.holds(event)
    };
    let errors = Errors::default();
    let output = reader(config, &window)
        .fold(
            &inputs.sources,
            || Found {
                earliest: BinaryHeap::new(),
                matched: 0,
            },
            |found, event, _| {
                if keeps(event) {
                    found.matched += 1;
                    found.earliest.push(RecordOut::new(event));
                    if found.earliest.len() > limit {
                        found.earliest.pop();
                    }
                }
            },
            |error| errors.record(&inputs, error),
        )
        .map_err(|error| capped(&error.to_string()))?;
    let errors = errors.finish()?;
    let matched = output.states.iter().map(|found| found.matched).sum::<u64>();
    // Records without a time sort first (None < Some): they cannot be placed later.
    let mut all: BinaryHeap<Reverse<RecordOut>> = output
        .states
        .into_iter()
        .flat_map(|found| found.earliest.into_vec())
        .map(Reverse)
        .collect();
    let mut records = Vec::with_capacity(limit);
    while records.len() < limit
        && let Some(Reverse(record)) = all.pop()
    {
        records.push(record);
    }
    Ok(SearchOutput {
        records: output.stats.records_delivered,
        matched,
        truncated: matched > records.len() as u64,
        records_found: records,
        errors,
    })
}

/// `list_rules`' arguments.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRulesInput {
    /// Only rules whose id, title, tactic or technique holds this text (case-insensitive).
    pub filter: Option<String>,
    /// Only rules of at least this base severity.
    pub min_severity: Option<SeverityArg>,
    /// Sigma rule files or directories to list beside the built-in pack.
    #[serde(default)]
    pub rules: Vec<String>,
}

/// One rule.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RuleOut {
    /// Stable id.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Base severity.
    pub severity: String,
    /// ATT&CK references.
    pub attack: Vec<Attack>,
    /// What it detects and why it matters (capped).
    pub description: String,
}

/// `list_rules`' answer.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ListRulesOutput {
    /// Rules loaded.
    pub total: usize,
    /// Rules that pass the filter.
    pub matched: usize,
    /// Whether rules were left out (at most 500 are returned).
    pub truncated: bool,
    /// The rules that pass the filter, in the pack's order.
    pub rules: Vec<RuleOut>,
}

/// The rules, filtered.
pub fn list_rules(config: &Config, input: ListRulesInput) -> Result<ListRulesOutput, String> {
    let filter = input.filter.as_deref().map(str::to_lowercase);
    if filter.as_ref().is_some_and(|f| f.len() > MAX_TEXT) {
        return Err(format!("filter: at most {MAX_TEXT} bytes"));
    }
    let rules = load_rules(config, &input.rules)?;
    let minimum = input.min_severity.map_or(Severity::Info, Severity::from);
    let holds = |text: &str| {
        filter
            .as_deref()
            .is_none_or(|filter| text.to_lowercase().contains(filter))
    };
    let listed: Vec<RuleOut> = rules
        .rules()
        .iter()
        .filter(|rule| rule.report && rule.severity >= minimum)
        .filter(|rule| {
            holds(&rule.id)
                || holds(&rule.title)
                || rule
                    .mitre
                    .iter()
                    .any(|m| holds(&m.technique) || holds(&m.tactic))
        })
        .map(|rule| RuleOut {
            id: capped(&rule.id),
            title: capped(&rule.title),
            severity: severity_name(rule.severity),
            attack: attack(&rule.mitre),
            description: capped(&rule.description),
        })
        .collect();
    Ok(ListRulesOutput {
        total: rules.rules().len(),
        matched: listed.len(),
        truncated: listed.len() > MAX_RULES,
        rules: listed.into_iter().take(MAX_RULES).collect(),
    })
}
