//! [`MapError`]: why a CloudTrail record has no OCSF form.

use crate::class::OcsfClass;

/// A CloudTrail record that cannot become a valid OCSF record, and why.
///
/// Every variant carries the record's `eventID` (when it has one) so a report can name the record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MapError {
    /// No `eventTime`: OCSF requires `time`.
    #[error("record {event_id:?} has no eventTime (OCSF requires time)")]
    MissingEventTime {
        /// The record's `eventID`.
        event_id: Option<String>,
    },
    /// An `eventTime` no known CloudTrail time format reads.
    #[error("record {event_id:?} has an unreadable eventTime {text:?}")]
    BadEventTime {
        /// The record's `eventID`.
        event_id: Option<String>,
        /// The `eventTime` as written.
        text: String,
    },
    /// No `eventName`: OCSF requires `api.operation` and an activity.
    #[error("record {event_id:?} has no eventName (OCSF requires api.operation)")]
    MissingEventName {
        /// The record's `eventID`.
        event_id: Option<String>,
    },
    /// A member the OCSF record cannot do without is longer than the release's strings allow (OCSF
    /// 1.1.0 `string_t`: 65,535 characters). Optional members that long stay in `unmapped` instead.
    #[error("record {event_id:?}: {member} has {length} characters, more than OCSF strings allow")]
    Oversized {
        /// The record's `eventID`.
        event_id: Option<String>,
        /// The CloudTrail member.
        member: &'static str,
        /// Its length in characters.
        length: usize,
    },
    /// A CloudTrail Insights record (`insightDetails`): Security Lake maps no Insights source to OCSF.
    #[error("record {event_id:?} is a CloudTrail Insights event, which has no OCSF class here")]
    Insight {
        /// The record's `eventID`.
        event_id: Option<String>,
    },
    /// An API Activity record without `sourceIPAddress` or `vpcEndpointId`: its class requires
    /// `src_endpoint`, and there is nothing to put in it.
    #[error(
        "record {event_id:?} has no sourceIPAddress or vpcEndpointId ({class} requires src_endpoint)"
    )]
    MissingSource {
        /// The record's `eventID`.
        event_id: Option<String>,
        /// The class the record was selected for.
        class: OcsfClass,
    },
    /// An API Activity record whose `userIdentity` identifies no one (absent, or `{"type": "Unknown"}`
    /// with no account, name or ARN) and names no invoking service: its class requires `actor`.
    #[error("record {event_id:?} identifies no actor ({class} requires actor)")]
    MissingActor {
        /// The record's `eventID`.
        event_id: Option<String>,
        /// The class the record was selected for.
        class: OcsfClass,
    },
    /// An Authentication or Account Change record naming no target user, user account or recipient
    /// account: the class requires `user`.
    #[error(
        "record {event_id:?} ({event_name}) names no target user or account ({class} requires user)"
    )]
    MissingTargetUser {
        /// The record's `eventID`.
        event_id: Option<String>,
        /// The record's `eventName`.
        event_name: String,
        /// The class the record was selected for.
        class: OcsfClass,
    },
}

impl MapError {
    /// A short, stable name for the reason, for counting reports: `missing_event_time`, ...
    pub fn reason(&self) -> &'static str {
        match self {
            MapError::MissingEventTime { .. } => "missing_event_time",
            MapError::BadEventTime { .. } => "bad_event_time",
            MapError::MissingEventName { .. } => "missing_event_name",
            MapError::Insight { .. } => "insight",
            MapError::Oversized { .. } => "oversized",
            MapError::MissingSource { .. } => "missing_source",
            MapError::MissingActor { .. } => "missing_actor",
            MapError::MissingTargetUser { .. } => "missing_target_user",
        }
    }
}
