//! [`Mapper`]: one CloudTrail record to one OCSF record, as the crate's MAPPING.md table says.
//!
//! `Mapping::run` places the top-level members; `identity` reads `userIdentity` into the actor,
//! `endpoint` the source address, `resources` the resources, and `targets` the user, session and policy
//! of Authentication and Account Change records. Whatever is not placed goes to `unmapped`.

mod endpoint;
mod identity;
mod resources;
mod targets;

use std::borrow::Cow;

use cloudtrail_model::{Event, RawJson};
use serde_json::{Map, Value};

use crate::activity::{self, ActivityInput};
use crate::class::OcsfClass;
use crate::error::MapError;
use crate::options::MappingOptions;
use crate::record::{
    Account, Actor, Api, ApiRequest, ApiResponse, Cloud, Datetime, Feature, HttpRequest, JsonData,
    Metadata, Observable, OcsfEvent, Product, Service,
};
use crate::unmapped::{Unmapped, take_str};
use crate::version::OcsfVersion;
use identity::Identity;
use targets::Target;

/// The CloudTrail members `Mapping::run` places or sends to `unmapped` (every member the model types).
#[cfg(test)]
const HANDLED_MEMBERS: &[&str] = &[
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "requestID",
    "eventID",
    "eventType",
    "apiVersion",
    "managementEvent",
    "readOnly",
    "resources",
    "recipientAccountId",
    "serviceEventDetails",
    "sharedEventID",
    "vpcEndpointId",
    "vpcEndpointAccountId",
    "eventCategory",
    "addendum",
    "sessionCredentialFromConsole",
    "edgeDeviceDetails",
    "tlsDetails",
    "insightDetails",
    "eventContext",
    "eventId",
    "accountId",
    "timeWindow",
    "summary",
];

/// `metadata.product.feature.name` when a record has no `eventCategory` (what Security Lake writes).
const NO_CATEGORY: &str = "Management, Data, and Insights";

/// Maps CloudTrail records to OCSF. Built once from [`MappingOptions`]; `Send + Sync`, so worker threads
/// share one.
///
/// ```
/// use cloudtrail_model::Event;
/// use cloudtrail_ocsf::{Mapper, MappingOptions, OcsfClass};
///
/// let event = Event::from_json(r#"{"eventVersion": "1.08", "eventTime": "2024-06-01T12:00:00Z",
///   "eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances", "awsRegion": "eu-west-1",
///   "sourceIPAddress": "192.0.2.7", "requestID": "r-1", "eventID": "e-1",
///   "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice",
///     "accountId": "111122223333", "userName": "alice"}}"#)?;
/// let record = Mapper::new(MappingOptions::default()).map(&event)?;
/// assert_eq!(record.class(), OcsfClass::ApiActivity);
/// assert_eq!(record.type_uid(), 600302); // API Activity: Read
/// assert_eq!(record.time(), 1_717_243_200_000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Mapper {
    options: MappingOptions,
}

impl Mapper {
    /// A mapper with these options.
    pub fn new(options: MappingOptions) -> Mapper {
        Mapper { options }
    }

    /// The OCSF release the mapper produces.
    pub fn version(&self) -> OcsfVersion {
        self.options.version
    }

    /// The options the mapper was built with.
    pub fn options(&self) -> &MappingOptions {
        &self.options
    }

    /// The class a record would be mapped to (from its `eventSource` and `eventName`).
    pub fn class_of(&self, event: &Event<'_>) -> OcsfClass {
        self.options.classes.class_of(
            event.event_source().unwrap_or(""),
            event.event_name().unwrap_or(""),
        )
    }

    /// Maps one record, or says why it has no OCSF form.
    pub fn map<'a>(&self, event: &'a Event<'a>) -> Result<OcsfEvent<'a>, MapError> {
        Mapping::new(&self.options, event)?.run()
    }
}

/// The state of one mapping: what is consumed so far and what will be `unmapped`.
struct Mapping<'o, 'a> {
    options: &'o MappingOptions,
    version: OcsfVersion,
    event: &'a Event<'a>,
    event_name: &'a str,
    class: OcsfClass,
    unmapped: Unmapped,
    observables: Vec<Observable<'a>>,
    /// The longest string the release allows (`string_t`'s `max_len`: 65,535 characters in 1.1.0,
    /// none later); a longer CloudTrail value stays in `unmapped` instead of making the record invalid.
    max_text_len: Option<usize>,
}

impl<'o, 'a> Mapping<'o, 'a> {
    fn new(options: &'o MappingOptions, event: &'a Event<'a>) -> Result<Self, MapError> {
        let event_id = || event.record_id().map(str::to_owned);
        let is_insight = event.insight_details.is_some()
            || event
                .event_type()
                .is_some_and(|kind| kind.as_str() == "AwsCloudTrailInsight");
        if is_insight {
            return Err(MapError::Insight {
                event_id: event_id(),
            });
        }
        if event.aggregation().is_some() {
            return Err(MapError::Aggregated {
                event_id: event_id(),
            });
        }
        let event_name = event
            .event_name()
            .filter(|name| !name.is_empty())
            .ok_or_else(|| MapError::MissingEventName {
                event_id: event_id(),
            })?;
        let max_text_len = crate::validation::string_max_len(options.version);
        if max_text_len.is_some_and(|max| too_long(event_name, max)) {
            return Err(MapError::Oversized {
                event_id: event_id(),
                member: "eventName",
                length: event_name.chars().count(),
            });
        }
        let class = options
            .classes
            .class_of(event.event_source().unwrap_or(""), event_name);
        Ok(Mapping {
            options,
            version: options.version,
            event,
            event_name,
            class,
            unmapped: Unmapped::default(),
            observables: Vec::new(),
            max_text_len,
        })
    }

    fn event_id(&self) -> Option<String> {
        self.event.record_id().map(str::to_owned)
    }

    fn run(mut self) -> Result<OcsfEvent<'a>, MapError> {
        // Every member of the model is named here; `HANDLED_MEMBERS` lists them and a test checks it
        // against `Event::FIELDS`, so a member added to the model cannot slip past the mapping.
        let Event {
            event_version,
            user_identity,
            event_time,
            event_source,
            event_name: _,
            aws_region,
            source_ip_address,
            user_agent,
            error_code,
            error_message,
            request_parameters,
            response_elements,
            additional_event_data,
            request_id,
            event_id,
            event_type,
            api_version,
            management_event,
            read_only,
            resources,
            recipient_account_id,
            service_event_details,
            shared_event_id,
            vpc_endpoint_id,
            vpc_endpoint_account_id,
            event_category,
            addendum,
            session_credential_from_console,
            edge_device_details,
            tls_details,
            insight_details: _,
            event_context,
            // Aggregated events are refused in `new`.
            aggregated_event_id: _,
            aggregated_account_id: _,
            time_window: _,
            summary: _,
            other,
            ..
        } = self.event;

        let time = match event_time {
            None => {
                return Err(MapError::MissingEventTime {
                    event_id: self.event_id(),
                });
            }
            // A year OCSF's `datetime_t` (four digits) cannot write is as unreadable as none.
            Some(text) => text
                .utc()
                .filter(|time| crate::record::expressible(*time))
                .ok_or_else(|| MapError::BadEventTime {
                    event_id: self.event_id(),
                    text: text.as_str().to_owned(),
                })?,
        };

        let mut additional =
            self.object_member("additionalEventData", additional_event_data.as_ref());
        let identity = self.identity(user_identity.as_deref(), &mut additional);

        // Top-level scalars.
        let event_source = self.text(event_source, "eventSource");
        let region = self.text(aws_region, "awsRegion");
        let user_agent = self.text(user_agent, "userAgent");
        let error_code = self.text(error_code, "errorCode");
        let error_message = self.text(error_message, "errorMessage");
        let request_id = self.text(request_id, "requestID");
        let event_id = self.text(event_id, "eventID");
        let api_version = self.text(api_version, "apiVersion");
        let vpc_endpoint_id = self.text(vpc_endpoint_id, "vpcEndpointId");
        let product_version = self.text(event_version, "eventVersion");
        let recipient = self.text(recipient_account_id, "recipientAccountId");
        let event_code = self.kind(event_type.as_ref().map(|kind| kind.as_str()), "eventType");
        let feature = self.kind(
            event_category.as_ref().map(|category| category.as_str()),
            "eventCategory",
        );

        let src_endpoint = self.src_endpoint(source_ip_address, vpc_endpoint_id);
        if src_endpoint.is_none() && self.class == OcsfClass::ApiActivity {
            return Err(MapError::MissingSource {
                event_id: self.event_id(),
                class: self.class,
            });
        }

        // Members Security Lake leaves in `unmapped`.
        self.serialized("managementEvent", management_event.as_ref());
        self.serialized("readOnly", read_only.as_ref());
        self.serialized("sharedEventID", shared_event_id.as_ref());
        self.serialized("vpcEndpointAccountId", vpc_endpoint_account_id.as_ref());
        self.serialized(
            "sessionCredentialFromConsole",
            session_credential_from_console.as_ref(),
        );
        self.serialized("serviceEventDetails", service_event_details.as_ref());
        self.serialized("addendum", addendum.as_deref());
        self.serialized("edgeDeviceDetails", edge_device_details.as_ref());
        self.serialized("tlsDetails", tls_details.as_ref());
        self.serialized("eventContext", event_context.as_ref());
        for (name, value) in other {
            self.serialized(name, Some(value));
        }

        let cloud_account = match recipient {
            Some(account)
                if self.version >= OcsfVersion::V1_5_0 || !self.options.security_lake_exact =>
            {
                Some(Account {
                    uid: Cow::Borrowed(account),
                })
            }
            Some(account) => {
                self.unmapped.add_text("recipientAccountId", account);
                None
            }
            None => None,
        };

        // `api`: the request exists only with its required uid; without one its data stays unmapped.
        let request_data = non_null(request_parameters.as_ref());
        let request = match request_id {
            Some(uid) => Some(ApiRequest {
                data: request_data.map(JsonData),
                uid: Cow::Borrowed(uid),
            }),
            None => {
                if let Some(data) = request_data {
                    self.serialized("requestParameters", Some(data));
                }
                None
            }
        };
        let response = ApiResponse {
            data: non_null(response_elements.as_ref()).map(JsonData),
            error: error_code.map(Cow::Borrowed),
            message: error_message.map(Cow::Borrowed),
        };
        let api = Api {
            operation: Cow::Borrowed(self.event_name),
            request,
            response: (!response.is_empty()).then_some(response),
            service: event_source.map(|name| Service {
                name: Cow::Borrowed(name),
            }),
            version: api_version.map(Cow::Borrowed),
        };

        // Only API Activity has `resources` (in every supported release); the other classes keep them
        // in `unmapped`, as Security Lake did for Authentication.
        let resources = match self.class {
            OcsfClass::ApiActivity => self.resources(resources.as_deref().unwrap_or_default()),
            OcsfClass::Authentication | OcsfClass::AccountChange => {
                self.serialized("resources", resources.as_ref());
                Vec::new()
            }
        };

        // Class-specific targets, read from the payloads (parsed only for the classes that read them).
        let targeted = self.class != OcsfClass::ApiActivity;
        let parse = |raw: Option<&RawJson<'_>>| {
            non_null(raw)
                .filter(|_| targeted)
                .and_then(|raw| raw.to_value().ok())
        };
        let response_value = parse(response_elements.as_ref());
        let request_value = parse(request_parameters.as_ref());
        let mut target = Target::default();
        match self.class {
            OcsfClass::Authentication => {
                target = self.authentication_target(
                    &identity,
                    request_value.as_ref(),
                    response_value.as_ref(),
                    &mut additional,
                    recipient,
                )?;
                target.service = event_source.map(|name| Service {
                    name: Cow::Borrowed(name),
                });
            }
            OcsfClass::AccountChange => {
                target = self.account_change_target(
                    &identity,
                    request_value.as_ref(),
                    response_value.as_ref(),
                    recipient,
                )?;
            }
            OcsfClass::ApiActivity => {}
        }

        // Status: a sign-in's own outcome when it states one, else the presence of an error code.
        let stated_outcome =
            self.stated_outcome(response_value.as_ref(), service_event_details.as_ref());
        let failed = match stated_outcome.as_deref() {
            Some(outcome) if outcome.eq_ignore_ascii_case("Success") => error_code.is_some(),
            Some(outcome) if outcome.eq_ignore_ascii_case("Failure") => true,
            _ => error_code.is_some(),
        };
        let (status, status_id) = if failed {
            ("Failure", 2)
        } else {
            ("Success", 1)
        };

        let read_only_flag = read_only.as_ref().and_then(|flag| flag.value());
        let request_status = request_value
            .as_ref()
            .and_then(|value| value.get("status"))
            .and_then(Value::as_str);
        let base_name = cloudtrail_model::strip_api_version(self.event_name);
        let activity_id = self
            .options
            .activity_overrides
            .get(self.event_name)
            .copied()
            .unwrap_or_else(|| {
                activity::activity_id(
                    self.class,
                    &ActivityInput {
                        event_name: base_name,
                        read_only: read_only_flag,
                        request_status,
                    },
                )
            });
        let caption = activity::caption(self.class, activity_id);
        let activity_name = match caption {
            Some(caption) if activity_id != activity::OTHER => Cow::Borrowed(caption),
            _ => Cow::Borrowed(self.event_name),
        };
        let type_name = [self.class.name(), ": ", caption.unwrap_or("Other")].concat();
        let class_uid = self.class.uid() as i32;

        // `additionalEventData` members no one consumed.
        match additional {
            Some(Value::Object(members)) => {
                self.unmapped.add_members("additionalEventData", &members)
            }
            Some(value) => self.unmapped.add("additionalEventData", &value),
            None => {}
        }

        let Identity {
            user,
            session,
            invoked_by,
            idp,
        } = identity;
        if let Some(name) = user.as_ref().and_then(|user| user.name.clone()) {
            self.observe("actor.user.name", "User Name", 4, name.into_owned());
        }
        if let Some(name) = target.user.as_ref().and_then(|user| user.name.clone()) {
            self.observe("user.name", "User Name", 4, name.into_owned());
        }
        let (invoked_by, app_name) = match invoked_by {
            Some(service) if self.version >= OcsfVersion::V1_5_0 => (None, Some(service)),
            other => (other, None),
        };
        let actor = Actor {
            app_name: app_name.map(Cow::Owned),
            idp,
            invoked_by: invoked_by.map(Cow::Owned),
            session,
            user,
        };
        if actor.is_empty() && self.class == OcsfClass::ApiActivity {
            return Err(MapError::MissingActor {
                event_id: self.event_id(),
                class: self.class,
            });
        }
        let (policy, policies) = match target.policy {
            Some(policy) if self.version >= OcsfVersion::V1_5_0 => (None, vec![policy]),
            other => (other, Vec::new()),
        };

        let record = OcsfEvent {
            class: self.class,
            version: self.version,
            activity_id,
            activity_name,
            actor: (!actor.is_empty()).then_some(actor),
            api,
            category_name: self.class.category_name(),
            category_uid: self.class.category_uid() as i32,
            class_name: self.class.name(),
            class_uid,
            cloud: Cloud {
                account: cloud_account,
                provider: "AWS",
                region: region.map(Cow::Borrowed),
            },
            dst_endpoint: target.dst_endpoint,
            http_request: user_agent.map(|agent| HttpRequest {
                user_agent: Cow::Borrowed(agent),
            }),
            is_mfa: target.is_mfa,
            metadata: Metadata {
                event_code: event_code.map(Cow::Borrowed),
                product: Product {
                    feature: Feature {
                        name: Cow::Borrowed(feature.unwrap_or(NO_CATEGORY)),
                    },
                    name: "CloudTrail",
                    vendor_name: "AWS",
                    version: product_version.map(Cow::Borrowed),
                },
                profiles: vec!["cloud", "datetime"],
                uid: event_id.map(Cow::Borrowed),
                version: self.version.as_str(),
            },
            observables: self.observables,
            policies,
            policy,
            resources,
            service: target.service,
            session: target.session,
            severity: "Informational",
            severity_id: 1,
            src_endpoint,
            status: Cow::Borrowed(status),
            status_id,
            time: time.timestamp_millis(),
            time_dt: Datetime(time),
            type_name,
            type_uid: i64::from(class_uid) * 100 + i64::from(activity_id),
            unmapped: self.unmapped.finish(),
            user: target.user,
        };
        Ok(record)
    }

    /// A top-level text member: `None` when absent; an empty string is not placed but kept in `unmapped`.
    fn text(&mut self, field: &'a Option<Cow<'a, str>>, key: &str) -> Option<&'a str> {
        self.kind(field.as_deref(), key)
    }

    /// A top-level text value (`eventType`, ...): placed unless empty or longer than the release allows,
    /// in which case it is kept in `unmapped` under `key`.
    fn kind(&mut self, text: Option<&'a str>, key: &str) -> Option<&'a str> {
        let text = text?;
        if text.is_empty() || !self.fits(text) {
            self.unmapped.add_text(key, text);
            return None;
        }
        Some(text)
    }

    /// Whether a string is within the release's `string_t` limit.
    fn fits(&self, text: &str) -> bool {
        self.max_text_len.is_none_or(|max| !too_long(text, max))
    }

    /// Takes a non-empty string member at `path` of `members` for placing; one longer than the release
    /// allows is kept in `unmapped` as `<prefix>.<path>` instead.
    fn take_text(
        &mut self,
        members: &mut Map<String, Value>,
        prefix: &str,
        path: &[&str],
    ) -> Option<String> {
        let text = take_str(members, path)?;
        if self.fits(&text) {
            return Some(text);
        }
        self.unmapped
            .add_text(&format!("{prefix}.{}", path.join(".")), &text);
        None
    }

    /// A member that goes to `unmapped` as its JSON form.
    fn serialized<T: serde::Serialize + ?Sized>(&mut self, key: &str, value: Option<&T>) {
        let Some(value) = value else { return };
        match serde_json::to_value(value) {
            Ok(value) => self.unmapped.add(key, &value),
            // Not reachable for the model's types (they serialise to JSON by construction); kept
            // visible rather than dropped should that ever change.
            Err(error) => self
                .unmapped
                .add_text(key, &format!("<not serialisable: {error}>")),
        }
    }

    /// An open-ended member (`additionalEventData`) as a value whose members can be consumed.
    fn object_member(&mut self, key: &str, raw: Option<&RawJson<'_>>) -> Option<Value> {
        let raw = raw?;
        match raw.to_value() {
            Ok(value) => Some(value),
            Err(error) => {
                self.unmapped.add_text(key, &format!("<not JSON: {error}>"));
                None
            }
        }
    }

    fn observe(
        &mut self,
        name: &'static str,
        type_name: &'static str,
        type_id: i32,
        value: String,
    ) {
        self.observables.push(Observable {
            name,
            type_name,
            type_id,
            value: Cow::Owned(value),
        });
    }
}

/// A payload that is present and not JSON `null` (CloudTrail writes `null` for "nothing").
fn non_null<'r, 'a>(raw: Option<&'r RawJson<'a>>) -> Option<&'r RawJson<'a>> {
    raw.filter(|raw| !raw.is_null())
}

/// Whether `text` has more than `max` characters (bytes first: most strings are far shorter).
fn too_long(text: &str, max: usize) -> bool {
    text.len() > max && text.chars().count() > max
}

/// A copy of borrowed text that outlives the record.
fn into_static(text: crate::record::Text<'_>) -> crate::record::Text<'static> {
    Cow::Owned(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_member_is_handled() {
        let mut model: Vec<&str> = Event::FIELDS.to_vec();
        let mut handled = HANDLED_MEMBERS.to_vec();
        model.sort_unstable();
        handled.sort_unstable();
        assert_eq!(model, handled);
    }

    #[test]
    fn a_mapper_is_shared_by_worker_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Mapper>();
        shareable::<OcsfEvent<'static>>();
    }

    #[test]
    fn lengths_count_characters() {
        assert!(!too_long("ééé", 3));
        assert!(too_long("abcd", 3));
    }
}
