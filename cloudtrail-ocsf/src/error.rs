//! [`MapError`]: why a CloudTrail record has no OCSF form.

use crate::class::OcsfClass;

/// A CloudTrail record that cannot become a valid OCSF record, and why.
///
/// Every variant carries the record's id (`eventID`, or an aggregated event's `eventId`; see
/// `cloudtrail_model::Event::record_id`) when it has one, so a report can name the record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MapError {
    /// No `eventTime`: OCSF requires `time`.
    #[error("{} has no eventTime (OCSF requires time)", record_name(.event_id))]
    MissingEventTime {
        /// The record's `eventID`.
        event_id: Option<String>,
    },
    /// An `eventTime` no known CloudTrail time format reads.
    #[error("{} has an unreadable eventTime {text:?}", record_name(.event_id))]
    BadEventTime {
        /// The record's `eventID`.
        event_id: Option<String>,
        /// The `eventTime` as written.
        text: String,
    },
    /// No `eventName`: OCSF requires `api.operation` and an activity.
    #[error("{} has no eventName (OCSF requires api.operation)", record_name(.event_id))]
    MissingEventName {
        /// The record's `eventID`.
        event_id: Option<String>,
    },
    /// A member the OCSF record cannot do without is longer than the release's strings allow (OCSF
    /// 1.1.0 `string_t`: 65,535 characters). Optional members that long stay in `unmapped` instead.
    #[error("{}: {member} has {length} characters, more than OCSF strings allow", record_name(.event_id))]
    Oversized {
        /// The record's `eventID`.
        event_id: Option<String>,
        /// The CloudTrail member.
        member: &'static str,
        /// Its length in characters.
        length: usize,
    },
    /// A CloudTrail Insights record (`insightDetails`): Security Lake maps no Insights source to OCSF.
    #[error("{} is a CloudTrail Insights event, which has no OCSF class here", record_name(.event_id))]
    Insight {
        /// The record's `eventID`.
        event_id: Option<String>,
    },
    /// A CloudTrail aggregated event (`eventType: AwsAggregatedEvent`): a five-minute summary of many
    /// data events, not one request, so no OCSF activity class holds it; its members are kept whole in
    /// the flat layout.
    #[error("{} is a CloudTrail aggregated event (a summary of data events over a time window, not one request), which has no OCSF class here", record_name(.event_id))]
    Aggregated {
        /// The record's `eventId`.
        event_id: Option<String>,
    },
    /// An API Activity record without `sourceIPAddress` or `vpcEndpointId`: its class requires
    /// `src_endpoint`, and there is nothing to put in it.
    #[error("{} has no sourceIPAddress or vpcEndpointId ({class} requires src_endpoint)", record_name(.event_id))]
    MissingSource {
        /// The record's `eventID`.
        event_id: Option<String>,
        /// The class the record was selected for.
        class: OcsfClass,
    },
    /// An API Activity record whose `userIdentity` identifies no one (absent, or `{"type": "Unknown"}`
    /// with no account, name or ARN) and names no invoking service: its class requires `actor`.
    #[error("{} identifies no actor ({class} requires actor)", record_name(.event_id))]
    MissingActor {
        /// The record's `eventID`.
        event_id: Option<String>,
        /// The class the record was selected for.
        class: OcsfClass,
    },
    /// An Authentication or Account Change record naming no target user, user account or recipient
    /// account: the class requires `user`.
    #[error("{} ({event_name}) names no target user or account ({class} requires user)", record_name(.event_id))]
    MissingTargetUser {
        /// The record's `eventID`.
        event_id: Option<String>,
        /// The record's `eventName`.
        event_name: String,
        /// The class the record was selected for.
        class: OcsfClass,
    },
}

/// How a message names a record: by its id, written escaped, or as having none (an `eventID`-less record
/// printed `record None` before).
pub(crate) fn record_name(id: &Option<String>) -> String {
    match id {
        Some(id) => format!("record {id:?}"),
        None => "a record without an event id".to_owned(),
    }
}

impl MapError {
    /// A short, stable name for the reason, for counting reports: `missing_event_time`, ...
    pub fn reason(&self) -> &'static str {
        match self {
            MapError::MissingEventTime { .. } => "missing_event_time",
            MapError::BadEventTime { .. } => "bad_event_time",
            MapError::MissingEventName { .. } => "missing_event_name",
            MapError::Insight { .. } => "insight",
            MapError::Aggregated { .. } => "aggregated",
            MapError::Oversized { .. } => "oversized",
            MapError::MissingSource { .. } => "missing_source",
            MapError::MissingActor { .. } => "missing_actor",
            MapError::MissingTargetUser { .. } => "missing_target_user",
        }
    }
}

#[cfg(test)]
mod tests {
    use cloudtrail_model::Event;

    use crate::{MapError, Mapper, MappingOptions};

    #[test]
    fn errors_name_the_record_by_its_id_whichever_spelling_it_has() {
        let none = MapError::MissingEventTime { event_id: None };
        assert_eq!(
            none.to_string(),
            "a record without an event id has no eventTime (OCSF requires time)"
        );
        // An aggregated event spells its id `eventId`.
        let event = Event::from_json(
            r#"{"eventType":"AwsAggregatedEvent","eventId":"62759c1a-6248-48e1-a6b3-d5fb7e6c4bc0"}"#,
        )
        .unwrap();
        let error = Mapper::new(MappingOptions::default())
            .map(&event)
            .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("record \"62759c1a-6248-48e1-a6b3-d5fb7e6c4bc0\" "),
            "{error}"
        );
    }
}
