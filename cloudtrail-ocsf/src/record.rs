//! [`OcsfEvent`]: one OCSF record as the mapper builds it, and the OCSF objects it is made of.
//!
//! The types mirror the OCSF attribute tree with the attribute names as field names, so deriving
//! `Serialize` gives the OCSF JSON object. Every optional part is skipped when absent: no explicit nulls.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

use crate::class::OcsfClass;
use crate::version::OcsfVersion;

/// Text that is either borrowed from the CloudTrail record or built by the mapper.
pub(crate) type Text<'a> = Cow<'a, str>;

/// One OCSF event: an API Activity, Authentication or Account Change record.
///
/// Built by [`Mapper::map`](crate::Mapper::map); serialises (serde) to the OCSF JSON object, with `api.request.data`
/// and `api.response.data` as JSON values. Strings borrow from the CloudTrail record where they can.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OcsfEvent<'a> {
    #[serde(skip)]
    pub(crate) class: OcsfClass,
    #[serde(skip)]
    pub(crate) version: OcsfVersion,
    pub(crate) activity_id: i32,
    pub(crate) activity_name: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) actor: Option<Actor<'a>>,
    pub(crate) api: Api<'a>,
    pub(crate) category_name: &'static str,
    pub(crate) category_uid: i32,
    pub(crate) class_name: &'static str,
    pub(crate) class_uid: i32,
    pub(crate) cloud: Cloud<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) dst_endpoint: Option<NetworkEndpoint<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) http_request: Option<HttpRequest<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) is_mfa: Option<bool>,
    pub(crate) metadata: Metadata<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) observables: Vec<Observable<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) policies: Vec<Policy<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) policy: Option<Policy<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) resources: Vec<ResourceDetails<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) service: Option<Service<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) session: Option<Session<'a>>,
    pub(crate) severity: &'static str,
    pub(crate) severity_id: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) src_endpoint: Option<NetworkEndpoint<'a>>,
    pub(crate) status: Text<'a>,
    pub(crate) status_id: i32,
    pub(crate) time: i64,
    pub(crate) time_dt: Datetime,
    pub(crate) type_name: String,
    pub(crate) type_uid: i64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) unmapped: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) user: Option<User<'a>>,
}

impl OcsfEvent<'_> {
    /// The event class (`class_uid`).
    pub fn class(&self) -> OcsfClass {
        self.class
    }

    /// The OCSF release the record was mapped for (`metadata.version`).
    pub fn version(&self) -> OcsfVersion {
        self.version
    }

    /// `time`: the CloudTrail `eventTime` in milliseconds since the Unix epoch.
    pub fn time(&self) -> i64 {
        self.time
    }

    /// `activity_id`.
    pub fn activity_id(&self) -> i32 {
        self.activity_id
    }

    /// `type_uid`: `class_uid * 100 + activity_id`.
    pub fn type_uid(&self) -> i64 {
        self.type_uid
    }

    /// `status_id`: 1 Success, 2 Failure.
    pub fn status_id(&self) -> i32 {
        self.status_id
    }

    /// `cloud.region`, the CloudTrail `awsRegion`.
    pub fn region(&self) -> Option<&str> {
        self.cloud.region.as_deref()
    }

    /// The account the record belongs to: `cloud.account.uid` where the version has it, else the
    /// `recipientAccountId` kept in `unmapped`, else the actor's account.
    pub fn account_uid(&self) -> Option<&str> {
        self.cloud
            .account
            .as_ref()
            .map(|account| account.uid.as_ref())
            .or_else(|| self.unmapped.get("recipientAccountId").map(String::as_str))
            .or_else(|| {
                let user = self.actor.as_ref()?.user.as_ref()?;
                Some(user.account.as_ref()?.uid.as_ref())
            })
    }

    /// `unmapped`: every CloudTrail member the mapping did not place, flattened as Security Lake does.
    pub fn unmapped(&self) -> &BTreeMap<String, String> {
        &self.unmapped
    }

    /// The record as an OCSF JSON value (`api.request.data` and `api.response.data` as JSON values).
    pub fn to_json(&self) -> serde_json::Value {
        // Every member is a string, number, boolean, map with string keys, or valid raw JSON, so
        // serialising to a value cannot fail; `Null` is unreachable but keeps this free of panics.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// `actor`: who made the request.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub(crate) struct Actor<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_name: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idp: Option<Idp<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoked_by: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<Session<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User<'a>>,
}

impl Actor<'_> {
    pub fn is_empty(&self) -> bool {
        self.app_name.is_none()
            && self.idp.is_none()
            && self.invoked_by.is_none()
            && self.session.is_none()
            && self.user.is_none()
    }
}

/// `user`: an identity, as the actor or as the target of an Authentication or Account Change.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub(crate) struct User<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<Account<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_uid: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub programmatic_credentials: Vec<ProgrammaticCredential<'a>>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_name: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid_alt: Option<Text<'a>>,
}

impl User<'_> {
    /// Whether the OCSF `user` constraint `at_least_one [account, name, uid]` holds.
    pub fn is_identified(&self) -> bool {
        self.account.is_some() || self.name.is_some() || self.uid.is_some()
    }
}

/// `programmatic_credential` (OCSF 1.6+): an access key id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ProgrammaticCredential<'a> {
    pub uid: Text<'a>,
}

/// `account`: an AWS account id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Account<'a> {
    pub uid: Text<'a>,
}

/// `idp`: the identity provider of a federated or Identity Center user.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub(crate) struct Idp<'a> {
    /// `issuer` (OCSF 1.5.0 and later): who vouched for the identity (`onBehalfOf.issuer`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<Text<'a>>,
}

/// `session`: the actor's session, or the session an Authentication created.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub(crate) struct Session<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_time_dt: Option<Datetime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_uid: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_mfa: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid_alt: Option<Text<'a>>,
}

impl Session<'_> {
    pub fn is_empty(&self) -> bool {
        *self == Session::default()
    }
}

/// `api`: the API call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Api<'a> {
    pub operation: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<ApiRequest<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<ApiResponse<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<Service<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<Text<'a>>,
}

/// `api.request`: `uid` is required by the schema, so a request exists only with a `requestID`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ApiRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<JsonData<'a>>,
    pub uid: Text<'a>,
}

/// `api.response`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub(crate) struct ApiResponse<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<JsonData<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Text<'a>>,
}

impl ApiResponse<'_> {
    pub fn is_empty(&self) -> bool {
        self.data.is_none() && self.error.is_none() && self.message.is_none()
    }
}

/// A `json_t` value: the CloudTrail payload as written; a JSON value in the JSON form, its JSON text in the
/// Arrow form.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JsonData<'a>(pub &'a cloudtrail_model::RawJson<'a>);

impl Serialize for JsonData<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if arrow_form() {
            serializer.serialize_str(self.0.get())
        } else {
            self.0.serialize(serializer)
        }
    }
}

/// A `datetime_t` value (`time_dt`, `created_time_dt`): RFC 3339 text in the JSON form, milliseconds in the
/// Arrow form (the column is a UTC millisecond timestamp). The mapper only builds one for years 0 to 9999.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Datetime(pub DateTime<Utc>);

impl Serialize for Datetime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if arrow_form() {
            serializer.serialize_i64(self.0.timestamp_millis())
        } else {
            serializer.serialize_str(&datetime_text(self.0))
        }
    }
}

thread_local! {
    /// Set while [`ArrowForm`] serialises a record on this thread.
    static ARROW_FORM: Cell<bool> = const { Cell::new(false) };
}

fn arrow_form() -> bool {
    ARROW_FORM.with(Cell::get)
}

/// A record serialised in its Arrow form: `json_t` members as JSON text, `*_dt` as milliseconds. What
/// the direct column builder reads into the [`ocsf_arrow_schema`](crate::ocsf_arrow_schema) columns.
#[cfg(feature = "parquet")]
pub(crate) struct ArrowForm<'r, 'a>(pub &'r OcsfEvent<'a>);

#[cfg(feature = "parquet")]
impl Serialize for ArrowForm<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// Restores the previous form however serialisation ends.
        struct Restore(bool);
        impl Drop for Restore {
            fn drop(&mut self) {
                ARROW_FORM.with(|form| form.set(self.0));
            }
        }
        let _restore = Restore(ARROW_FORM.with(|form| form.replace(true)));
        self.0.serialize(serializer)
    }
}

/// `datetime_t` text: RFC 3339 in UTC with milliseconds (`2024-06-01T12:00:00.000Z`), written without the
/// formatting machinery since every record needs one.
pub(crate) fn datetime_text(time: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    if !expressible(time) {
        return time.to_rfc3339_opts(SecondsFormat::Millis, true);
    }
    let mut text = String::with_capacity(24);
    push_digits(&mut text, time.year().unsigned_abs(), 4);
    text.push('-');
    push_digits(&mut text, time.month(), 2);
    text.push('-');
    push_digits(&mut text, time.day(), 2);
    text.push('T');
    push_digits(&mut text, time.hour(), 2);
    text.push(':');
    push_digits(&mut text, time.minute(), 2);
    text.push(':');
    push_digits(&mut text, time.second(), 2);
    text.push('.');
    // A leap second reads as 1000+ milliseconds; clamp to the last millisecond of the second.
    push_digits(&mut text, time.timestamp_subsec_millis().min(999), 3);
    text.push('Z');
    text
}

/// Whether the time's year has the four digits `datetime_t` writes (0000 to 9999).
pub(crate) fn expressible(time: DateTime<Utc>) -> bool {
    use chrono::Datelike;
    (0..=9999).contains(&time.year())
}

/// Appends `value` as exactly `digits` decimal digits (zero-padded; higher digits dropped).
fn push_digits(text: &mut String, value: u32, digits: u32) {
    for place in (0..digits).rev() {
        let digit = (value / 10_u32.pow(place)) % 10;
        text.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

/// `service`: a named service (`api.service`, and the Authentication `service`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Service<'a> {
    pub name: Text<'a>,
}

/// `cloud`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Cloud<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<Account<'a>>,
    pub provider: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Text<'a>>,
}

/// `src_endpoint` / `dst_endpoint` (`network_endpoint`).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub(crate) struct NetworkEndpoint<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub svc_name: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<Text<'a>>,
}

/// `http_request`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct HttpRequest<'a> {
    pub user_agent: Text<'a>,
}

/// `metadata`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Metadata<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_code: Option<Text<'a>>,
    pub product: Product<'a>,
    pub profiles: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<Text<'a>>,
    pub version: &'static str,
}

/// `metadata.product`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Product<'a> {
    pub feature: Feature<'a>,
    pub name: &'static str,
    pub vendor_name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<Text<'a>>,
}

/// `metadata.product.feature`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Feature<'a> {
    pub name: Text<'a>,
}

/// `observables[]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Observable<'a> {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub type_name: &'static str,
    pub type_id: i32,
    pub value: Text<'a>,
}

/// `policy` (Account Change, OCSF < 1.4) or an item of `policies` (1.4+).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub(crate) struct Policy<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<Text<'a>>,
}

/// `resources[]` (`resource_details`).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub(crate) struct ResourceDetails<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner<'a>>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_name: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<Text<'a>>,
}

/// `resources[].owner`: a `user` holding only the owning account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Owner<'a> {
    pub account: Account<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn datetimes_are_rfc3339_utc_with_milliseconds() {
        let cases = [
            Utc.with_ymd_and_hms(2024, 6, 1, 12, 0, 0).single(),
            Utc.timestamp_millis_opt(1_699_633_474_123).single(),
            Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).single(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).single(),
        ];
        for time in cases.into_iter().flatten() {
            assert_eq!(
                datetime_text(time),
                time.to_rfc3339_opts(SecondsFormat::Millis, true)
            );
        }
        let far = Utc.with_ymd_and_hms(12_000, 1, 1, 0, 0, 0).single();
        assert!(far.is_some_and(|time| !expressible(time)));
    }

    #[test]
    fn the_arrow_form_is_scoped_to_its_serialisation() {
        let time = Datetime(Utc.timestamp_millis_opt(1_000).single().unwrap_or_default());
        assert_eq!(
            serde_json::to_value(time).ok(),
            Some(serde_json::json!("1970-01-01T00:00:01.000Z"))
        );
        assert!(!arrow_form());
    }
}
