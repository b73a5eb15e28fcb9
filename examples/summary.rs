//! Reads CloudTrail logs and prints what each acting principal did: first and last seen, events, denied
//! and failed calls, console sign-ins with and without MFA, and the most frequent event sources and names,
//! regions, source addresses, user-agent families, access keys and accounts.
//!
//! ```text
//! cargo run --release --example summary -- PATH... [--principal ARN_OR_SUBSTRING] [--account ID]
//!     [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format table|jsonl] [--top N] [--threads N]
//! ```
//!
//! Every worker thread folds its records into one [`Summary`]; the workers' summaries are merged at the
//! end. `--account`, `--from` and `--to` both prune the files read (CloudTrail's layout) and filter the
//! records (`recipientAccountId`, event time in those UTC days). `--format jsonl` prints one JSON object
//! per principal (`"kind":"principal"`), then one for the whole input (`"kind":"input"`).

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use clap::{Parser, ValueEnum};
use cloudtrail_model::Event;
use cloudtrail_model::summary::{PrincipalSummary, Summary, SummaryOptions};
use cloudtrail_reader::Reader;
use serde_json::json;

#[path = "common.rs"]
mod common;
#[path = "top_list.rs"]
mod top_list;

use common::Status;
use top_list::listed;

/// How the summary is printed.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    /// A block per principal, for a terminal (values from records escaped).
    Table,
    /// One JSON object per principal, then one for the whole input.
    Jsonl,
}

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(
    name = "summary",
    about = "Summarise what each acting principal did in CloudTrail logs",
    after_help = common::exit_status_help(
        "when every input could be read (bad records in them are counted)",
        "is not used: summary describes, it does not judge (hunt does)"
    )
)]
struct Args {
    #[arg(required = true, help = common::PATHS_HELP)]
    paths: Vec<String>,
    /// Only principals whose entity id (an ARN, `source_ip:ADDRESS`, ...) holds this text.
    #[arg(long)]
    principal: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Values kept and shown per field (and rows of the whole-input tables).
    #[arg(long, default_value_t = 8, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1000))]
    top: usize,
    #[command(flatten)]
    input: common::InputArgs,
}

/// Which records are summarised: the record-level side of `--principal`, `--account`, `--from`, `--to`.
struct RecordFilter {
    principal: Option<String>,
    accounts: Vec<String>,
    from: Option<DateTime<Utc>>,
    /// Exclusive: the start of the day after `--to`.
    until: Option<DateTime<Utc>>,
}

impl RecordFilter {
    fn new(args: &Args) -> RecordFilter {
        let start = |day: NaiveDate| day.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        RecordFilter {
            principal: args.principal.clone(),
            accounts: args.input.accounts.clone(),
            from: args.input.from.and_then(start),
            until: args.input.to.and_then(|d| d.succ_opt()).and_then(start),
        }
    }

    fn keeps(&self, event: &Event<'_>) -> bool {
        if let Some(wanted) = &self.principal
            && !event.entity_id().contains(wanted.as_str())
        {
            return false;
        }
        if !self.accounts.is_empty()
            && !event
                .account_id()
                .is_some_and(|id| self.accounts.iter().any(|a| a == id))
        {
            return false;
        }
        if self.from.is_none() && self.until.is_none() {
            return true;
        }
        // A record without a time cannot be placed in the range asked for.
        event.event_time().is_some_and(|time| {
            self.from.is_none_or(|from| time >= from) && self.until.is_none_or(|until| time < until)
        })
    }
}

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "-".to_owned(),
        |t| t.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

fn print_principal(out: &mut common::Out, entity: &str, p: &PrincipalSummary, top: usize) {
    // `Out` escapes control and bidi characters in every line: entity ids and values come from records.
    out.line(entity);
    out.line(format_args!(
        "  seen {} .. {}  events {}  denied {}  failed {}  console sign-ins: {} with MFA, {} without",
        time(p.first_seen),
        time(p.last_seen),
        p.events,
        p.denied,
        p.failed,
        p.console_logins_with_mfa,
        p.console_logins_without_mfa
    ));
    for (title, values) in [
        ("event sources", &p.event_sources),
        ("event names", &p.event_names),
        ("refused calls", &p.refused_event_names),
        ("regions", &p.regions),
        ("source addresses", &p.source_addresses),
        ("user agents", &p.user_agents),
        ("access keys", &p.access_keys),
        ("accounts", &p.accounts),
    ] {
        out.line(format_args!("  {title:<17} {}", listed(values, top)));
    }
}

fn main() -> ExitCode {
    let args = common::parse_checked::<Args>(|args| args.input.check());
    let inputs = match common::Inputs::parse(&args.paths) {
        Ok(inputs) => inputs,
        Err(message) => {
            common::note(format_args!("summary: {message}"));
            return Status::Trouble.into();
        }
    };
    let filter = RecordFilter::new(&args);
    let summary_options = SummaryOptions::default()
        .top(args.top)
        .values_per_principal(args.top);
    let (options, bar) = args.input.options();
    let unreadable = AtomicBool::new(false);
    let result = Reader::new(options).fold(
        &inputs.sources,
        || Summary::new(summary_options.clone()),
        |summary, event, _info| {
            if filter.keeps(event) {
                summary.add(event);
            }
        },
        |error| {
            inputs.report(error, &unreadable, bar.as_ref());
        },
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let output = match result {
        Ok(output) => output,
        Err(error) => {
            common::note(format_args!("error: {error}"));
            return Status::Trouble.into();
        }
    };
    let status = if unreadable.into_inner() {
        Status::Trouble
    } else {
        Status::Clean
    };
    let mut summary = Summary::new(summary_options);
    for state in &output.states {
        summary.merge(state);
    }
    let mut out = common::Out::lock();
    match args.format {
        Format::Jsonl => {
            // serde_json escapes control characters (and `printable` leaves JSON's escapes alone).
            for (entity, principal) in summary.principals() {
                let mut value = json!({"kind": "principal", "principal": entity});
                if let (Some(object), Ok(serde_json::Value::Object(fields))) =
                    (value.as_object_mut(), serde_json::to_value(principal))
                {
                    object.extend(fields);
                }
                out.line(value);
            }
            let mut whole = serde_json::to_value(&summary).unwrap_or_default();
            if let Some(object) = whole.as_object_mut() {
                object.remove("principals");
                object.insert("kind".into(), json!("input"));
                object.insert("errors".into(), json!(output.stats.errors));
                object.insert("principals_kept".into(), json!(summary.principal_count()));
            }
            out.line(whole);
        }
        Format::Table => {
            out.line(format_args!(
                "records: {}  errors: {}  principals: {}  time range: {} .. {}",
                summary.records,
                output.stats.errors,
                summary.principal_count(),
                time(summary.first_seen),
                time(summary.last_seen)
            ));
            if summary.principals_dropped > 0 {
                out.line(format_args!(
                    "({} records of the least active principals are not shown: more principals than kept)",
                    summary.principals_dropped
                ));
            }
            for (title, values) in [
                ("event names", &summary.event_names),
                ("error codes", &summary.error_codes),
                ("source addresses", &summary.source_addresses),
                ("accounts", &summary.accounts),
                ("regions", &summary.regions),
            ] {
                out.line(format_args!("{title:<17} {}", listed(values, args.top)));
            }
            for (entity, principal) in summary.principals() {
                out.line("");
                print_principal(&mut out, entity, principal, args.top);
            }
        }
    }
    out.flush();
    status.into()
}
