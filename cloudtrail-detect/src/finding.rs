//! [`Finding`]: what a rule reports.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::condition::Evidence;
use crate::rule::{Mitre, Severity};

/// The most event ids a finding lists; [`Finding::events`] keeps the full count.
pub const MAX_EVENT_IDS: usize = 100;

/// A rule's report about one entity (or group) over a span of event time.
///
/// Made by the [`Correlator`](crate::Correlator); new fields are not a breaking change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// The rule's id.
    pub rule_id: String,
    /// The rule's title.
    pub title: String,
    /// The highest severity among the records (after escalations and overrides).
    pub severity: Severity,
    /// ATT&CK references.
    pub mitre: Vec<Mitre>,
    /// The acting principal (or the group key of a correlation rule).
    pub entity: String,
    /// The account of the first record.
    pub account: Option<String>,
    /// `awsRegion` of the first record.
    pub region: Option<String>,
    /// `userIdentity.arn` of the first record.
    #[serde(skip)]
    pub arn: Option<String>,
    /// Event time of the first record.
    pub first_seen: Option<DateTime<Utc>>,
    /// Event time of the last record.
    pub last_seen: Option<DateTime<Utc>>,
    /// `eventID`s of the records, at most [`MAX_EVENT_IDS`] (for a sliding threshold, the latest ones).
    pub event_ids: Vec<String>,
    /// How many records the finding covers. A distinct-value count over a sliding window keeps one record
    /// per distinct value (its latest) and counts those.
    pub events: u64,
    /// Why: each condition that held, with the value seen (from the first record), then what the
    /// correlation counted.
    pub explanation: Vec<Evidence>,
}
