//! [`Event`]: one CloudTrail record, every documented member typed.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::aggregated::{AggregatedSummary, TimeWindow};
use crate::details::{Addendum, Resource, TlsDetails};
use crate::error::ParseError;
use crate::flag::Flag;
use crate::identity::UserIdentity;
use crate::insight::InsightDetails;
use crate::json::{JsonKind, RawJson, json_object};
use crate::kinds::{EventCategory, EventType, IdentityType};
use crate::time::Timestamp;

json_object! {
    /// One CloudTrail record: a management, data, network activity, sign-in, service, Insights or
    /// aggregated event.
    ///
    /// Every member documented through `eventVersion` 1.11 is typed, and those of aggregated events
    /// (`eventId`, `accountId`, `timeWindow`, `summary`; see [`Event::aggregation`]); the open-ended payloads
    /// (`requestParameters`, `responseElements`, `additionalEventData`, `serviceEventDetails`,
    /// `edgeDeviceDetails`, `eventContext`) are kept as raw JSON, parsed only when asked. Members the model
    /// does not know, and values that do not fit their type, are kept in [`Event::other`] (at every level),
    /// so serialising the record gives back a JSON value equal to the input.
    ///
    /// The lifetime is that of the input text: strings without escapes and raw payloads borrow from it.
    /// [`Event::into_owned`] makes an `Event<'static>` to keep.
    ///
    /// A record read under a [`crate::Projection`] holds only the members it names and says so
    /// ([`Event::projection`]); it refuses to serialise, since it is not the record.
    pub struct Event<'a> {
        /// `eventVersion`: `"<major>.<minor>"`, e.g. `1.11` (see [`Event::event_version`]).
        "eventVersion" => event_version: Cow<'a, str>,
        /// `userIdentity`: who made the request; absent on Insights events.
        "userIdentity" => user_identity: Box<UserIdentity<'a>>,
        /// `eventTime`: when the request completed, in UTC.
        "eventTime" => event_time: Timestamp<'a>,
        /// `eventSource`: the service, e.g. `iam.amazonaws.com`.
        "eventSource" => event_source: Cow<'a, str>,
        /// `eventName`: the API action, possibly with an API-version suffix (see [`Event::event_name_base`]).
        "eventName" => event_name: Cow<'a, str>,
        /// `awsRegion`: the region the request was made to.
        "awsRegion" => aws_region: Cow<'a, str>,
        /// `sourceIPAddress`: an IP address, a service DNS name or `AWS Internal`.
        "sourceIPAddress" => source_ip_address: Cow<'a, str>,
        /// `userAgent`: the client, truncated by CloudTrail at 1 KB.
        "userAgent" => user_agent: Cow<'a, str>,
        /// `errorCode`: the error, when the request failed.
        "errorCode" => error_code: Cow<'a, str>,
        /// `errorMessage`: the error's description.
        "errorMessage" => error_message: Cow<'a, str>,
        /// `requestParameters`: the request, service-specific; `null` or omitted when too large.
        "requestParameters" => request_parameters: RawJson<'a>,
        /// `responseElements`: the response, service-specific; `null` for read-only calls.
        "responseElements" => response_elements: RawJson<'a>,
        /// `additionalEventData`: free-form extra data (sign-in MFA use, S3 bytes transferred, ...).
        "additionalEventData" => additional_event_data: RawJson<'a>,
        /// `requestID`: the service's request id.
        "requestID" => request_id: Cow<'a, str>,
        /// `eventID`: CloudTrail's id for the record; duplicates occur in delivered files.
        "eventID" => event_id: Cow<'a, str>,
        /// `eventType`: API call, service event, console sign-in, network activity, Insights.
        "eventType" => event_type: EventType<'a>,
        /// `apiVersion`: the API version, for some services.
        "apiVersion" => api_version: Cow<'a, str>,
        /// `managementEvent`: whether this is a management event.
        "managementEvent" => management_event: Flag<'a>,
        /// `readOnly`: whether the request only read.
        "readOnly" => read_only: Flag<'a>,
        /// `resources`: the resources the request touched.
        "resources" => resources: Vec<Resource<'a>>,
        /// `recipientAccountId`: the account that received this copy of the record.
        "recipientAccountId" => recipient_account_id: Cow<'a, str>,
        /// `serviceEventDetails`: what happened, for service events (`{"UserAuthentication":"Success"}`).
        "serviceEventDetails" => service_event_details: RawJson<'a>,
        /// `sharedEventID`: links copies of one action delivered to several accounts, and Insights start
        /// and end.
        "sharedEventID" => shared_event_id: Cow<'a, str>,
        /// `vpcEndpointId`: the VPC endpoint the request came through.
        "vpcEndpointId" => vpc_endpoint_id: Cow<'a, str>,
        /// `vpcEndpointAccountId`: the account that owns that endpoint.
        "vpcEndpointAccountId" => vpc_endpoint_account_id: Cow<'a, str>,
        /// `eventCategory`: `Management`, `Data`, `NetworkActivity`, `Insight`.
        "eventCategory" => event_category: EventCategory<'a>,
        /// `addendum`: why the record was delayed or updated.
        "addendum" => addendum: Box<Addendum<'a>>,
        /// `sessionCredentialFromConsole`: `"true"` when the credentials came from a console session.
        "sessionCredentialFromConsole" => session_credential_from_console: Flag<'a>,
        /// `edgeDeviceDetails`: the edge device (S3 on Outposts).
        "edgeDeviceDetails" => edge_device_details: RawJson<'a>,
        /// `tlsDetails`: the TLS session of the request.
        "tlsDetails" => tls_details: TlsDetails<'a>,
        /// `insightDetails`: the body of an Insights event.
        "insightDetails" => insight_details: Box<InsightDetails<'a>>,
        /// `eventContext`: request and tag context (CloudTrail Lake enrichment only).
        "eventContext" => event_context: RawJson<'a>,
        /// `eventId` (so spelt): the id of an aggregated event, which has no `eventID` (see
        /// [`Event::record_id`]).
        "eventId" => aggregated_event_id: Cow<'a, str>,
        /// `accountId`: the account that received an aggregated event (other records name it in
        /// `recipientAccountId`; see [`Event::account_id`]).
        "accountId" => aggregated_account_id: Cow<'a, str>,
        /// `timeWindow`: the 5-minute window an aggregated event summarises.
        "timeWindow" => time_window: Box<TimeWindow<'a>>,
        /// `summary`: the counts of an aggregated event.
        "summary" => summary: Box<AggregatedSummary<'a>>,
    }
    projected as projection;
}

impl<'a> Event<'a> {
    /// Parses one record from JSON text, borrowing from it.
    ///
    /// Fails only when the text is not a JSON object; see [`ParseError`].
    pub fn from_json(text: &'a str) -> Result<Self, ParseError> {
        parse_with(text, |deserializer| Event::deserialize(deserializer))
    }

    /// Parses one record from JSON bytes, borrowing from them. Invalid UTF-8 is an error.
    ///
    /// The bytes are checked as UTF-8 once, up front, which is faster than checking each string as the
    /// parser meets it.
    pub fn from_slice(bytes: &'a [u8]) -> Result<Self, ParseError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Self::from_json(text),
            Err(error) => Err(ParseError::Utf8 {
                offset: error.valid_up_to(),
            }),
        }
    }

    /// When the record happened, as a UTC instant: `eventTime`, or for an aggregated event (which has none)
    /// the start of its window, `timeWindow.windowStart`. `None` when absent or not a time.
    pub fn event_time(&self) -> Option<DateTime<Utc>> {
        match &self.event_time {
            Some(time) => time.utc(),
            None => self.time_window.as_ref()?.start(),
        }
    }

    /// `eventVersion` as (major, minor), read numerically: `"1.10"` is (1, 10), `"1.09"` is (1, 9).
    pub fn event_version(&self) -> Option<(u32, u32)> {
        let (major, minor) = self.event_version.as_deref()?.split_once('.')?;
        Some((major.parse().ok()?, minor.parse().ok()?))
    }

    /// `eventSource`, e.g. `iam.amazonaws.com`. Insights events carry it in `insightDetails` instead.
    pub fn event_source(&self) -> Option<&str> {
        self.event_source.as_deref()
    }

    /// `eventName` as written.
    pub fn event_name(&self) -> Option<&str> {
        self.event_name.as_deref()
    }

    /// `eventName` without an API-version suffix (see [`strip_api_version`]): `AddPermission20150331v2`
    /// reads as `AddPermission`.
    pub fn event_name_base(&self) -> Option<&str> {
        self.event_name().map(strip_api_version)
    }

    /// `awsRegion`.
    pub fn aws_region(&self) -> Option<&str> {
        self.aws_region.as_deref()
    }

    /// `sourceIPAddress` as written (not always an IP; see [`crate::SourceAddress`]).
    pub fn source_ip_address(&self) -> Option<&str> {
        self.source_ip_address.as_deref()
    }

    /// `userAgent` as written (see [`crate::UserAgent`] for its classification).
    pub fn user_agent(&self) -> Option<&str> {
        self.user_agent.as_deref()
    }

    /// `errorCode`, when present and not empty.
    pub fn error_code(&self) -> Option<&str> {
        self.error_code.as_deref().filter(|code| !code.is_empty())
    }

    /// `errorMessage`, when present and not empty.
    pub fn error_message(&self) -> Option<&str> {
        self.error_message
            .as_deref()
            .filter(|message| !message.is_empty())
    }

    /// `eventID`.
    pub fn event_id(&self) -> Option<&str> {
        self.event_id.as_deref()
    }

    /// The record's id: `eventID`, or for an aggregated event `eventId`. Empty ids count as absent.
    pub fn record_id(&self) -> Option<&str> {
        self.event_id
            .as_deref()
            .or(self.aggregated_event_id.as_deref())
            .filter(|id| !id.is_empty())
    }

    /// A short name for the record in messages: its kind and id, e.g. `AwsAggregatedEvent
    /// 62759c1a-6248-48e1-a6b3-d5fb7e6c4bc0` (see [`RecordLabel`]).
    pub fn label(&self) -> RecordLabel<'_> {
        RecordLabel {
            kind: self.event_type.as_ref().map(EventType::as_str),
            name: self.event_name(),
            id: self.record_id(),
        }
    }

    /// `eventType`, with unusual spellings read as the known type.
    pub fn event_type(&self) -> Option<EventType<'_>> {
        self.event_type.as_ref().map(EventType::canonical)
    }

    /// `eventCategory`, with unusual spellings read as the known category.
    pub fn event_category(&self) -> Option<EventCategory<'_>> {
        self.event_category.as_ref().map(EventCategory::canonical)
    }

    /// `userIdentity.type`, with unusual spellings read as the known type; `None` when there is no
    /// identity or it has no type.
    pub fn identity_type(&self) -> Option<IdentityType<'_>> {
        self.user_identity.as_ref()?.identity_type()
    }

    /// `readOnly`, from a boolean or its string spelling.
    pub fn read_only(&self) -> Option<bool> {
        self.read_only.as_ref()?.value()
    }

    /// `managementEvent`, from a boolean or its string spelling.
    pub fn management_event(&self) -> Option<bool> {
        self.management_event.as_ref()?.value()
    }

    /// `recipientAccountId`.
    pub fn recipient_account_id(&self) -> Option<&str> {
        self.recipient_account_id.as_deref()
    }

    /// The account the caller belongs to: `userIdentity.accountId`, else `recipientAccountId`, else (for
    /// aggregated events, which name no caller) the receiving `accountId`.
    pub fn account_id(&self) -> Option<&str> {
        self.user_identity
            .as_ref()
            .and_then(|identity| identity.account_id.as_deref())
            .or(self.recipient_account_id())
            .or(self.aggregated_account_id.as_deref())
    }
}

/// How messages name a record (see [`Event::label`]): the `eventType` and the id, e.g.
/// `AwsApiCall 3b5d2a9c-...`; without an id, the `eventName` stands in
/// (`AwsApiCall CreateUser without an event id`); with neither type nor id, `record without an event id`.
///
/// Values come from the record: one holding anything but letters, digits and `-_.:/@+` is written
/// quoted and escaped, so a crafted id can neither forge the rest of a message nor reach a terminal raw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordLabel<'r> {
    /// `eventType` as written.
    pub kind: Option<&'r str>,
    /// `eventName`.
    pub name: Option<&'r str>,
    /// [`Event::record_id`].
    pub id: Option<&'r str>,
}

impl fmt::Display for RecordLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plain = |text: &str| {
            !text.is_empty()
                && text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.:/@+".contains(c))
        };
        let write = |f: &mut fmt::Formatter<'_>, text: &str| {
            if plain(text) {
                f.write_str(text)
            } else {
                write!(f, "{text:?}")
            }
        };
        match self.kind.filter(|kind| !kind.is_empty()) {
            Some(kind) => write(f, kind)?,
            None => f.write_str("record")?,
        }
        if let Some(id) = self.id {
            f.write_str(" ")?;
            return write(f, id);
        }
        if let Some(name) = self.name {
            f.write_str(" ")?;
            write(f, name)?;
        }
        f.write_str(" without an event id")
    }
}

/// Parses one record from `text` with `read` (a whole or a projected read), then checks that nothing but
/// white space follows it.
pub(crate) fn parse_with<'a>(
    text: &'a str,
    read: impl FnOnce(
        &mut serde_json::Deserializer<serde_json::de::StrRead<'a>>,
    ) -> Result<Event<'a>, serde_json::Error>,
) -> Result<Event<'a>, ParseError> {
    let bytes = text.as_bytes();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let event = match read(&mut deserializer) {
        Ok(event) => event,
        Err(error) => {
            return Err(not_an_object(bytes).unwrap_or_else(|| ParseError::json(error, bytes)));
        }
    };
    deserializer
        .end()
        .map_err(|error| ParseError::json(error, bytes))?;
    Ok(event)
}

/// Says what a failed parse found when the text is valid JSON but not an object.
fn not_an_object(bytes: &[u8]) -> Option<ParseError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first == b'{' {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let found = match value {
        serde_json::Value::Null => JsonKind::Null,
        serde_json::Value::Bool(_) => JsonKind::Bool,
        serde_json::Value::Number(_) => JsonKind::Number,
        serde_json::Value::String(_) => JsonKind::String,
        serde_json::Value::Array(_) => JsonKind::Array,
        serde_json::Value::Object(_) => return None,
    };
    Some(ParseError::NotAnObject { found })
}

/// Removes an API-version suffix from an event name: a date `YYYYMMDD` or `YYYY_MM_DD`, optionally followed
/// by `v<digits>` (`AddPermission20150331v2`, `UpdateDistribution2017_03_25`). Names without one are
/// returned unchanged, as are names that would be left empty.
pub fn strip_api_version(name: &str) -> &str {
    let bytes = name.as_bytes();
    let mut end = bytes.len();
    // An optional `v<digits>`.
    let digits = bytes
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits > 0 && end > digits && bytes[end - digits - 1] == b'v' {
        end -= digits + 1;
    }
    let body = &bytes[..end];
    let stem = if body.len() >= 8 && body[body.len() - 8..].iter().all(u8::is_ascii_digit) {
        body.len() - 8
    } else if body.len() >= 10 && is_underscored_date(&body[body.len() - 10..]) {
        body.len() - 10
    } else {
        return name;
    };
    if stem == 0 || body[stem - 1].is_ascii_digit() {
        return name;
    }
    &name[..stem]
}

fn is_underscored_date(b: &[u8]) -> bool {
    b.iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'_',
        _ => c.is_ascii_digit(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_api_version_suffixes() {
        assert_eq!(
            strip_api_version("AddPermission20150331v2"),
            "AddPermission"
        );
        assert_eq!(
            strip_api_version("UpdateFunctionCode20150331"),
            "UpdateFunctionCode"
        );
        assert_eq!(
            strip_api_version("UpdateDistribution2017_03_25"),
            "UpdateDistribution"
        );
        assert_eq!(strip_api_version("GetObject"), "GetObject");
        assert_eq!(strip_api_version("CreateBucketV2"), "CreateBucketV2");
        assert_eq!(strip_api_version("20150331"), "20150331");
        assert_eq!(strip_api_version("Ec2v2"), "Ec2v2");
        assert_eq!(strip_api_version("Put123456789"), "Put123456789");
    }

    #[test]
    fn labels_name_kind_and_id_and_escape_what_the_record_wrote() {
        let label = |json: &str| Event::from_json(json).unwrap().label().to_string();
        assert_eq!(
            label(r#"{"eventType":"AwsAggregatedEvent","eventId":"62759c1a-6248"}"#),
            "AwsAggregatedEvent 62759c1a-6248"
        );
        assert_eq!(
            label(r#"{"eventType":"AwsApiCall","eventID":"a1","eventId":"b2"}"#),
            "AwsApiCall a1"
        );
        assert_eq!(label(r#"{"eventID":"a1"}"#), "record a1");
        assert_eq!(
            label(r#"{"eventType":"AwsApiCall","eventName":"CreateUser","eventID":""}"#),
            "AwsApiCall CreateUser without an event id"
        );
        assert_eq!(label("{}"), "record without an event id");
        assert_eq!(
            label(r#"{"eventID":"x has no eventTime\u001b[2J"}"#),
            r#"record "x has no eventTime\u{1b}[2J""#
        );
    }

    #[test]
    fn aggregated_events_take_their_time_from_the_window_start() {
        let event = Event::from_json(
            r#"{"eventType":"AwsAggregatedEvent","timeWindow":{"windowStart":"2025-11-17T19:20:00Z"}}"#,
        )
        .unwrap();
        assert_eq!(
            event.event_time().map(|t| t.to_rfc3339()).as_deref(),
            Some("2025-11-17T19:20:00+00:00")
        );
        // A record's own eventTime wins, even when unreadable: no silent substitution.
        let event = Event::from_json(
            r#"{"eventTime":"redacted","timeWindow":{"windowStart":"2025-11-17T19:20:00Z"}}"#,
        )
        .unwrap();
        assert_eq!(event.event_time(), None);
    }

    #[test]
    fn version_reads_minor_numerically() {
        let event = Event::from_json(r#"{"eventVersion":"1.10"}"#).unwrap();
        assert_eq!(event.event_version(), Some((1, 10)));
        let event = Event::from_json(r#"{"eventVersion":"1.09"}"#).unwrap();
        assert_eq!(event.event_version(), Some((1, 9)));
    }

    #[test]
    fn non_objects_are_errors_naming_what_was_found() {
        let error = Event::from_json("[1,2]").unwrap_err();
        assert!(
            matches!(
                error,
                ParseError::NotAnObject {
                    found: JsonKind::Array
                }
            ),
            "{error}"
        );
        let error = Event::from_json("{\"eventName\": }").unwrap_err();
        assert!(
            matches!(
                error,
                ParseError::Json {
                    line: 1,
                    offset: 14,
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(Event::from_json("").is_err());
        let error = Event::from_slice(b"{\"eventName\":\"\xff\"}").unwrap_err();
        assert!(
            matches!(error, ParseError::Utf8 { offset: 14 }),
            "{error:?}"
        );
        assert!(Event::from_json("{} {}").is_err());
    }
}
