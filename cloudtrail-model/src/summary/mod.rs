//! [`Summary`]: per-principal and whole-input summaries of records, folded in bounded memory and merged
//! across threads.
//!
//! A `Summary` is a fold state: [`Summary::add`] takes one record, [`Summary::merge`] combines the
//! states of two workers, so a reader's threads each keep one and merge them at the end. Whatever the
//! input, its size is bounded by [`SummaryOptions`]: at most one and a half times
//! [`SummaryOptions::principals`] principals, each with at most one and a half times
//! [`SummaryOptions::values_per_principal`] values per field, [`SummaryOptions::top`] values for the
//! whole-input tables, and [`SummaryOptions::hours`] hours of activity. Within those bounds every count is
//! exact and a merge equals a single fold; past them the least active principals and the least frequent
//! values are dropped ([`TopCounts`] says how much was dropped and how far a count can be off), the
//! oldest hours are folded into [`Activity::earlier`], and `principals_dropped` counts the records of
//! principals no longer kept.
//!
//! ```
//! use cloudtrail_model::Event;
//! use cloudtrail_model::summary::{Summary, SummaryOptions};
//!
//! let mut summary = Summary::new(SummaryOptions::default());
//! for line in [
//!     r#"{"eventTime":"2024-05-01T10:00:00Z","eventName":"ListBuckets","eventSource":"s3.amazonaws.com","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accessKeyId":"AKIAIOSFODNN7EXAMPLE"},"sourceIPAddress":"203.0.113.7","userAgent":"aws-cli/2.15.0"}"#,
//!     r#"{"eventTime":"2024-05-01T10:05:00Z","eventName":"GetObject","eventSource":"s3.amazonaws.com","errorCode":"AccessDenied","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice"},"sourceIPAddress":"203.0.113.7"}"#,
//! ] {
//!     summary.add(&Event::from_json(line)?);
//! }
//! let alice = summary.principal("arn:aws:iam::111122223333:user/alice").unwrap();
//! assert_eq!((alice.events, alice.denied), (2, 1));
//! assert_eq!(alice.access_keys.top(), [("AKIAIOSFODNN7EXAMPLE", 1)]);
//! assert_eq!(summary.error_codes.top(), [("AccessDenied", 1)]);
//! # Ok::<(), cloudtrail_model::ParseError>(())
//! ```

mod activity;
mod principal;
mod top;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::event::Event;

pub use activity::{Activity, OutcomeCounts};
pub use principal::{PrincipalSummary, user_agent_family};
pub use top::TopCounts;

/// The bounds of a [`Summary`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SummaryOptions {
    /// Principals kept (the most active; default 4,096).
    pub principals: usize,
    /// Values kept per field of each principal (default 8).
    pub values_per_principal: usize,
    /// Values kept in each whole-input table (default 50).
    pub top: usize,
    /// Hours of activity kept, the latest (default 24 x 400: over a year).
    pub hours: usize,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        SummaryOptions {
            principals: 4_096,
            values_per_principal: 8,
            top: 50,
            hours: 24 * 400,
        }
    }
}

impl SummaryOptions {
    /// Sets how many principals are kept.
    pub fn principals(mut self, principals: usize) -> Self {
        self.principals = principals.max(1);
        self
    }

    /// Sets how many values are kept per field of each principal.
    pub fn values_per_principal(mut self, values: usize) -> Self {
        self.values_per_principal = values.max(1);
        self
    }

    /// Sets how many values each whole-input table keeps.
    pub fn top(mut self, top: usize) -> Self {
        self.top = top.max(1);
        self
    }

    /// Sets how many hours of activity are kept.
    pub fn hours(mut self, hours: usize) -> Self {
        self.hours = hours.max(1);
        self
    }
}

/// Summaries of a set of records: per acting principal, and for the whole input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Summary {
    #[serde(skip)]
    options: SummaryOptions,
    /// Records folded in.
    pub records: u64,
    /// Records without a readable event time (counted everywhere but in the activity and time range).
    pub records_without_time: u64,
    /// The earliest event time.
    pub first_seen: Option<DateTime<Utc>>,
    /// The latest event time.
    pub last_seen: Option<DateTime<Utc>>,
    /// Records per hour, by outcome.
    pub activity: Activity,
    /// `eventName` values.
    pub event_names: TopCounts,
    /// `errorCode` values.
    pub error_codes: TopCounts,
    /// `sourceIPAddress` values.
    pub source_addresses: TopCounts,
    /// Accounts (`recipientAccountId`, else `userIdentity.accountId`).
    pub accounts: TopCounts,
    /// `awsRegion` values.
    pub regions: TopCounts,
    /// Records of principals dropped to keep the bound.
    pub principals_dropped: u64,
    #[serde(serialize_with = "serialize_principals")]
    principals: HashMap<String, PrincipalSummary>,
}

impl Summary {
    /// An empty summary with these bounds.
    pub fn new(options: SummaryOptions) -> Summary {
        Summary {
            records: 0,
            records_without_time: 0,
            first_seen: None,
            last_seen: None,
            activity: Activity::new(options.hours),
            event_names: TopCounts::new(options.top),
            error_codes: TopCounts::new(options.top),
            source_addresses: TopCounts::new(options.top),
            accounts: TopCounts::new(options.top),
            regions: TopCounts::new(options.top),
            principals_dropped: 0,
            principals: HashMap::new(),
            options,
        }
    }

    /// The bounds this summary keeps.
    pub fn options(&self) -> &SummaryOptions {
        &self.options
    }

    /// Folds one record in.
    pub fn add(&mut self, event: &Event<'_>) {
        let time = event.event_time();
        let outcome = event.outcome();
        self.records += 1;
        match time {
            Some(time) => {
                self.first_seen = principal::earliest(self.first_seen, Some(time));
                self.last_seen = principal::latest(self.last_seen, Some(time));
                self.activity.add(time, outcome);
            }
            None => self.records_without_time += 1,
        }
        principal::add_some(&mut self.event_names, event.event_name());
        principal::add_some(&mut self.error_codes, event.error_code());
        principal::add_some(&mut self.source_addresses, event.source_ip_address());
        principal::add_some(&mut self.accounts, event.account_id());
        principal::add_some(&mut self.regions, event.aws_region());

        let entity = event.entity_id();
        match self.principals.get_mut(entity.as_ref()) {
            Some(summary) => summary.add(event, time, outcome),
            None => {
                let mut summary = PrincipalSummary::new(&self.options);
                summary.add(event, time, outcome);
                self.principals.insert(entity.into_owned(), summary);
                self.prune_principals();
            }
        }
    }

    /// Adds everything `other` counted (another worker's summary of other records).
    pub fn merge(&mut self, other: &Summary) {
        self.records += other.records;
        self.records_without_time += other.records_without_time;
        self.first_seen = principal::earliest(self.first_seen, other.first_seen);
        self.last_seen = principal::latest(self.last_seen, other.last_seen);
        self.activity.merge(&other.activity);
        self.event_names.merge(&other.event_names);
        self.error_codes.merge(&other.error_codes);
        self.source_addresses.merge(&other.source_addresses);
        self.accounts.merge(&other.accounts);
        self.regions.merge(&other.regions);
        self.principals_dropped += other.principals_dropped;
        for (entity, theirs) in &other.principals {
            match self.principals.get_mut(entity) {
                Some(mine) => mine.merge(theirs),
                None => {
                    self.principals.insert(entity.clone(), theirs.clone());
                }
            }
        }
        self.prune_principals();
    }

    fn prune_principals(&mut self) {
        let keep = self.options.principals;
        if self.principals.len() <= keep + keep.div_ceil(2) {
            return;
        }
        let mut entries: Vec<(String, PrincipalSummary)> = self.principals.drain().collect();
        entries.sort_unstable_by(|a, b| b.1.events.cmp(&a.1.events).then_with(|| a.0.cmp(&b.0)));
        for (_, dropped) in entries.drain(keep..) {
            self.principals_dropped += dropped.events;
        }
        self.principals.extend(entries);
    }

    /// The summary of one principal, by its entity id ([`Event::entity_id`]).
    pub fn principal(&self, entity: &str) -> Option<&PrincipalSummary> {
        self.principals.get(entity)
    }

    /// How many principals are kept now.
    pub fn principal_count(&self) -> usize {
        self.principals.len()
    }

    /// The principals kept, most active first (ties by entity id).
    pub fn principals(&self) -> Vec<(&str, &PrincipalSummary)> {
        let mut entries: Vec<(&str, &PrincipalSummary)> = self
            .principals
            .iter()
            .map(|(entity, summary)| (entity.as_str(), summary))
            .collect();
        entries.sort_unstable_by(|a, b| b.1.events.cmp(&a.1.events).then_with(|| a.0.cmp(b.0)));
        entries
    }
}

fn serialize_principals<S: serde::Serializer>(
    principals: &HashMap<String, PrincipalSummary>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    #[derive(Serialize)]
    struct Entry<'a> {
        principal: &'a str,
        #[serde(flatten)]
        summary: &'a PrincipalSummary,
    }
    let mut entries: Vec<(&String, &PrincipalSummary)> = principals.iter().collect();
    entries.sort_unstable_by(|a, b| b.1.events.cmp(&a.1.events).then_with(|| a.0.cmp(b.0)));
    let mut seq = serializer.serialize_seq(Some(entries.len()))?;
    for (principal, summary) in entries {
        seq.serialize_element(&Entry { principal, summary })?;
    }
    seq.end()
}
