//! [`Event`]: one CloudTrail record, every documented member typed.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::details::{Addendum, Resource, TlsDetails};
use crate::error::ParseError;
use crate::flag::Flag;
use crate::identity::UserIdentity;
use crate::insight::InsightDetails;
use crate::json::{JsonKind, RawJson, json_object};
use crate::kinds::{EventCategory, EventType, IdentityType};
use crate::time::Timestamp;

json_object! {
    /// One CloudTrail record: a management, data, network activity, sign-in, service or Insights event.
    ///
    /// Every member documented through `eventVersion` 1.11 is typed; the open-ended payloads
    /// (`requestParameters`, `responseElements`, `additionalEventData`, `serviceEventDetails`,
    /// `edgeDeviceDetails`, `eventContext`) are kept as raw JSON, parsed only when asked. Members the model
    /// does not know, and values that do not fit their type, are kept in [`Event::other`] (at every level),
    /// so serialising the record gives back a JSON value equal to the input.
    ///
    /// The lifetime is that of the input text: strings without escapes and raw payloads borrow from it.
    /// [`Event::into_owned`] makes an `Event<'static>` to keep.
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
    }
}

impl<'a> Event<'a> {
    /// Parses one record from JSON text, borrowing from it.
    ///
    /// Fails only when the text is not a JSON object; see [`ParseError`].
    pub fn from_json(text: &'a str) -> Result<Self, ParseError> {
        let bytes = text.as_bytes();
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let event = match Event::deserialize(&mut deserializer) {
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

    /// `eventTime` as a UTC instant; `None` when absent or not a time.
    pub fn event_time(&self) -> Option<DateTime<Utc>> {
        self.event_time.as_ref()?.utc()
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

    /// The account the caller belongs to: `userIdentity.accountId`, else `recipientAccountId`.
    pub fn account_id(&self) -> Option<&str> {
        self.user_identity
            .as_ref()
            .and_then(|identity| identity.account_id.as_deref())
            .or(self.recipient_account_id())
    }
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
