//! [`Mapper`]: one CloudTrail record to one OCSF record, as MAPPING.md's table says.

use std::borrow::Cow;
use std::net::IpAddr;

use chrono::SecondsFormat;
use cloudtrail_model::{Event, RawJson, SourceAddress, parse_time};
use serde_json::Value;

use crate::activity::{self, ActivityInput};
use crate::class::OcsfClass;
use crate::error::MapError;
use crate::options::MappingOptions;
use crate::record::{
    Account, Actor, Api, ApiRequest, ApiResponse, Cloud, Feature, HttpRequest, Idp, JsonData,
    Metadata, NetworkEndpoint, Observable, OcsfEvent, Owner, Policy, Product,
    ProgrammaticCredential, ResourceDetails, Service, Session, Text, User,
};
use crate::unmapped::{Unmapped, flag, take, take_flag, take_str};
use crate::version::OcsfVersion;

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
];

/// `metadata.product.feature.name` when a record has no `eventCategory` (what Security Lake writes).
const NO_CATEGORY: &str = "Management, Data, and Insights";

/// The longest `resources[].uid` OCSF 1.1.0 allows (`resource_uid_t`).
const RESOURCE_UID_MAX_LEN_1_1: usize = 64;

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
}

/// The actor's identity, read from `userIdentity`.
#[derive(Default)]
struct Identity {
    user: Option<User<'static>>,
    session: Option<Session<'static>>,
    invoked_by: Option<String>,
    idp: Option<Idp<'static>>,
}

impl<'o, 'a> Mapping<'o, 'a> {
    fn new(options: &'o MappingOptions, event: &'a Event<'a>) -> Result<Self, MapError> {
        let event_id = || event.event_id().map(str::to_owned);
        let is_insight = event.insight_details.is_some()
            || event
                .event_type()
                .is_some_and(|kind| kind.as_str() == "AwsCloudTrailInsight");
        if is_insight {
            return Err(MapError::Insight {
                event_id: event_id(),
            });
        }
        let event_name = event
            .event_name()
            .filter(|name| !name.is_empty())
            .ok_or_else(|| MapError::MissingEventName {
                event_id: event_id(),
            })?;
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
        })
    }

    fn event_id(&self) -> Option<String> {
        self.event.event_id().map(str::to_owned)
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
            other,
            ..
        } = self.event;

        let time = match event_time {
            None => {
                return Err(MapError::MissingEventTime {
                    event_id: self.event_id(),
                });
            }
            Some(text) => text.utc().ok_or_else(|| MapError::BadEventTime {
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

        // Class-specific targets.
        let response_value =
            non_null(response_elements.as_ref()).and_then(|raw| raw.to_value().ok());
        let request_value =
            non_null(request_parameters.as_ref()).and_then(|raw| raw.to_value().ok());
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
        let type_name = format!("{}: {}", self.class.name(), caption.unwrap_or("Other"));
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
                event_code: event_type.as_ref().map(|kind| Cow::Borrowed(kind.as_str())),
                product: Product {
                    feature: Feature {
                        name: Cow::Borrowed(
                            event_category
                                .as_ref()
                                .map_or(NO_CATEGORY, |category| category.as_str()),
                        ),
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
            time_dt: time.to_rfc3339_opts(SecondsFormat::Millis, true),
            type_name,
            type_uid: i64::from(class_uid) * 100 + i64::from(activity_id),
            unmapped: self.unmapped.finish(),
            user: target.user,
        };
        Ok(record)
    }

    /// A top-level text member: `None` when absent; an empty string is not placed but kept in `unmapped`.
    fn text(&mut self, field: &'a Option<Cow<'a, str>>, key: &str) -> Option<&'a str> {
        match field.as_deref() {
            Some("") => {
                self.unmapped.add_text(key, "");
                None
            }
            other => other,
        }
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

    /// `src_endpoint`: an IP address as `ip`, anything else (`ecs.amazonaws.com`, `AWS Internal`) as
    /// `domain` and `svc_name`, the VPC endpoint as `uid`.
    fn src_endpoint(
        &mut self,
        source: &'a Option<Cow<'a, str>>,
        vpc_endpoint_id: Option<&'a str>,
    ) -> Option<NetworkEndpoint<'a>> {
        let mut endpoint = NetworkEndpoint {
            uid: vpc_endpoint_id.map(Cow::Borrowed),
            ..NetworkEndpoint::default()
        };
        if let Some(text) = self.text(source, "sourceIPAddress") {
            match SourceAddress::parse(text) {
                SourceAddress::Ip(_) => {
                    endpoint.ip = Some(Cow::Borrowed(text));
                    self.observe("src_endpoint.ip", "IP Address", 2, text.to_owned());
                }
                SourceAddress::Chain { client, .. } => {
                    // The first address is the client; the whole chain stays in `unmapped`.
                    endpoint.ip = Some(Cow::Owned(client.to_string()));
                    self.observe("src_endpoint.ip", "IP Address", 2, client.to_string());
                    self.unmapped.add_text("sourceIPAddress", text);
                }
                _ => {
                    endpoint.domain = Some(Cow::Borrowed(text));
                    // `domain` alone does not satisfy the endpoint's `at_least_one`; the calling
                    // service is what `svc_name` names.
                    endpoint.svc_name = Some(Cow::Borrowed(text));
                    if is_host_name(text) {
                        self.observe("src_endpoint.domain", "Hostname", 1, text.to_owned());
                    }
                }
            }
        }
        (endpoint != NetworkEndpoint::default()).then_some(endpoint)
    }

    /// The actor from `userIdentity`; what is not placed goes to `unmapped` under `userIdentity.`.
    fn identity(
        &mut self,
        identity: Option<&cloudtrail_model::UserIdentity<'_>>,
        additional: &mut Option<Value>,
    ) -> Identity {
        let Some(identity) = identity else {
            return Identity::default();
        };
        let mut members = match serde_json::to_value(identity) {
            Ok(Value::Object(members)) => members,
            Ok(value) => {
                self.unmapped.add("userIdentity", &value);
                return Identity::default();
            }
            Err(error) => {
                self.unmapped
                    .add_text("userIdentity", &format!("<not serialisable: {error}>"));
                return Identity::default();
            }
        };
        let m = &mut members;
        let type_name = take_str(m, &["type"]);
        let uid = take_str(m, &["arn"]);
        let account = take_str(m, &["accountId"]);
        let on_behalf_user = take_str(m, &["onBehalfOf", "userId"]);
        let principal = match on_behalf_user {
            Some(_) => None,
            None => take_str(m, &["principalId"]),
        };
        let access_key = take_str(m, &["accessKeyId"]);
        let credential = match access_key {
            Some(key) => Some(key),
            None => take_str(m, &["credentialId"]),
        };
        let mut name = take_str(m, &["userName"]);
        if name.is_none()
            && let Some(Value::Object(extra)) = additional.as_mut()
        {
            name = take_str(extra, &["UserName"]);
        }
        let idp_name = take_str(
            m,
            &["sessionContext", "webIdFederationData", "federatedProvider"],
        )
        .or_else(|| take_str(m, &["identityProvider"]));
        let idp_uid = take_str(m, &["onBehalfOf", "identityStoreArn"]);
        let invoked_by = take_str(m, &["invokedBy"]);
        let issuer = take_str(m, &["sessionContext", "sessionIssuer", "arn"]);
        let created = take(
            m,
            &["sessionContext", "attributes", "creationDate"],
            |value| value.as_str().and_then(parse_time).is_some(),
        )
        .as_ref()
        .and_then(Value::as_str)
        .and_then(parse_time);
        let is_mfa = take_flag(m, &["sessionContext", "attributes", "mfaAuthenticated"]);

        let (credential_uid, programmatic_credentials) = match credential {
            Some(uid) if self.version >= OcsfVersion::V1_8_0 => (
                None,
                vec![ProgrammaticCredential {
                    uid: Cow::Owned(uid),
                }],
            ),
            other => (other.map(Cow::Owned), Vec::new()),
        };
        let user = User {
            account: account.map(|uid| Account {
                uid: Cow::Owned(uid),
            }),
            credential_uid,
            name: name.map(Cow::Owned),
            programmatic_credentials,
            type_name: type_name.map(Cow::Owned),
            uid: uid.map(Cow::Owned),
            uid_alt: on_behalf_user.or(principal).map(Cow::Owned),
        };
        let user = if user.is_identified() {
            Some(user)
        } else {
            // A user needs an account, name or uid; without one its other attributes stay unmapped.
            self.unmapped_user(&user);
            None
        };
        let session = Session {
            created_time: created.map(|time| time.timestamp_millis()),
            created_time_dt: created.map(|time| time.to_rfc3339_opts(SecondsFormat::Millis, true)),
            is_mfa,
            issuer: issuer.map(Cow::Owned),
            ..Session::default()
        };
        self.unmapped.add_members("userIdentity", &members);
        Identity {
            user,
            session: (!session.is_empty()).then_some(session),
            invoked_by,
            idp: (idp_name.is_some() || idp_uid.is_some()).then(|| Idp {
                name: idp_name.map(Cow::Owned),
                uid: idp_uid.map(Cow::Owned),
            }),
        }
    }

    /// Puts the parts of an unidentifiable actor user back under their CloudTrail names.
    fn unmapped_user(&mut self, user: &User<'_>) {
        let parts = [
            ("userIdentity.type", user.type_name.as_deref()),
            ("userIdentity.principalId", user.uid_alt.as_deref()),
            ("userIdentity.accessKeyId", user.credential_uid.as_deref()),
        ];
        for (key, value) in parts {
            if let Some(value) = value {
                self.unmapped.add_text(key, value);
            }
        }
        for credential in &user.programmatic_credentials {
            self.unmapped
                .add_text("userIdentity.accessKeyId", &credential.uid);
        }
    }

    /// `resources[]`: ARN, type and owning account; other members stay unmapped as `resources[].<name>`.
    fn resources(
        &mut self,
        resources: &'a [cloudtrail_model::Resource<'a>],
    ) -> Vec<ResourceDetails<'a>> {
        let mut details = Vec::with_capacity(resources.len());
        for resource in resources {
            let arn = resource.arn.as_deref().filter(|arn| !arn.is_empty());
            let resource_type = resource.resource_type.as_deref().filter(|t| !t.is_empty());
            let account = resource.account_id.as_deref().filter(|a| !a.is_empty());
            for (name, value) in &resource.other {
                self.serialized(&format!("resources[].{name}"), Some(value));
            }
            let mut entry = ResourceDetails {
                owner: account.map(|uid| Owner {
                    account: Account {
                        uid: Cow::Borrowed(uid),
                    },
                }),
                type_name: resource_type.map(Cow::Borrowed),
                ..ResourceDetails::default()
            };
            match arn {
                Some(arn)
                    if self.version == OcsfVersion::V1_1_0
                        && arn.len() > RESOURCE_UID_MAX_LEN_1_1 =>
                {
                    // 1.1.0's resource_uid_t holds 64 characters: the ARN is kept whole in
                    // `unmapped`, and its last segment names the resource.
                    self.unmapped.add_text("resources[].ARN", arn);
                    entry.name = Some(Cow::Borrowed(last_segment(arn)));
                }
                Some(arn) => {
                    entry.uid = Some(Cow::Borrowed(arn));
                    self.observe("resources.uid", "Resource UID", 10, arn.to_owned());
                }
                None => {}
            }
            if entry.uid.is_none() && entry.name.is_none() {
                // A resource needs a name or uid: without an ARN its parts stay unmapped.
                if let Some(resource_type) = resource_type {
                    self.unmapped.add_text("resources[].type", resource_type);
                }
                if let Some(account) = account {
                    self.unmapped.add_text("resources[].accountId", account);
                }
                for (key, field) in [
                    ("resources[].ARN", &resource.arn),
                    ("resources[].type", &resource.resource_type),
                    ("resources[].accountId", &resource.account_id),
                ] {
                    if field.as_deref() == Some("") {
                        self.unmapped.add_text(key, "");
                    }
                }
                continue;
            }
            for (key, field) in [
                ("resources[].ARN", &resource.arn),
                ("resources[].type", &resource.resource_type),
                ("resources[].accountId", &resource.account_id),
            ] {
                if field.as_deref() == Some("") {
                    self.unmapped.add_text(key, "");
                }
            }
            details.push(entry);
        }
        details
    }

    /// A sign-in's own statement of its outcome: `responseElements.<eventName>` or
    /// `serviceEventDetails.<eventName>` (`"Success"` / `"Failure"`).
    fn stated_outcome(
        &self,
        response: Option<&Value>,
        service_event_details: Option<&RawJson<'_>>,
    ) -> Option<String> {
        if self.class != OcsfClass::Authentication {
            return None;
        }
        if let Some(outcome) = response
            .and_then(|value| value.get(self.event_name))
            .and_then(Value::as_str)
        {
            return Some(outcome.to_owned());
        }
        service_event_details?
            .member_str(self.event_name)
            .map(Cow::into_owned)
    }

    /// Authentication: the user authenticated (the role assumed, or the signing-in identity), the
    /// session created, the console destination and MFA use.
    fn authentication_target(
        &mut self,
        identity: &Identity,
        request: Option<&Value>,
        response: Option<&Value>,
        additional: &mut Option<Value>,
        recipient: Option<&str>,
    ) -> Result<Target<'a>, MapError> {
        let actor = identity.user.as_ref();
        let role_arn = string_at(request, &["roleArn"]);
        let session_name = string_at(request, &["roleSessionName"]);
        let mut user = User::default();
        match role_arn {
            Some(arn) => user.uid = Some(Cow::Owned(arn)),
            None => {
                user.uid = actor.and_then(|user| user.uid.clone()).map(into_static);
                user.uid_alt = actor.and_then(|user| user.uid_alt.clone()).map(into_static);
            }
        }
        user.name = session_name.map(Cow::Owned);
        if user.uid.is_none() && user.name.is_none() {
            user.name = actor.and_then(|user| user.name.clone()).map(into_static);
        }
        if !user.is_identified() {
            let account = actor
                .and_then(|user| user.account.as_ref())
                .map(|account| account.uid.to_string())
                .or_else(|| recipient.map(str::to_owned));
            user.account = account.map(|uid| Account {
                uid: Cow::Owned(uid),
            });
        }
        if !user.is_identified() {
            return Err(self.missing_target());
        }
        let session = Session {
            uid: string_at(response, &["assumedRoleUser", "arn"]).map(Cow::Owned),
            uid_alt: string_at(response, &["assumedRoleUser", "assumedRoleId"]).map(Cow::Owned),
            credential_uid: string_at(response, &["credentials", "accessKeyId"]).map(Cow::Owned),
            ..Session::default()
        };
        let (login_to, is_mfa) = match additional.as_mut() {
            Some(Value::Object(extra)) => (
                take_str(extra, &["LoginTo"]),
                take(extra, &["MFAUsed"], |value| yes_no(value).is_some())
                    .as_ref()
                    .and_then(yes_no),
            ),
            _ => (None, None),
        };
        Ok(Target {
            user: Some(user),
            session: (!session.is_empty()).then_some(session),
            dst_endpoint: login_to.map(|url| NetworkEndpoint {
                svc_name: Some(Cow::Owned(url)),
                ..NetworkEndpoint::default()
            }),
            is_mfa,
            ..Target::default()
        })
    }

    /// Account Change: the user or role changed (from the request and the response) and the policy.
    fn account_change_target(
        &mut self,
        identity: &Identity,
        request: Option<&Value>,
        response: Option<&Value>,
        recipient: Option<&str>,
    ) -> Result<Target<'a>, MapError> {
        let mut user = User {
            name: string_at(request, &["userName"])
                .or_else(|| string_at(request, &["roleName"]))
                .or_else(|| string_at(response, &["user", "userName"]))
                .or_else(|| string_at(response, &["role", "roleName"]))
                .map(Cow::Owned),
            uid: string_at(response, &["user", "arn"])
                .or_else(|| string_at(response, &["role", "arn"]))
                .map(Cow::Owned),
            uid_alt: string_at(response, &["user", "userId"])
                .or_else(|| string_at(response, &["role", "roleId"]))
                .map(Cow::Owned),
            ..User::default()
        };
        if !user.is_identified() {
            // No user or role named: the change is to the account (its alias, password policy, a
            // policy or group), which is what `user.account` records.
            let account = recipient.map(str::to_owned).or_else(|| {
                identity
                    .user
                    .as_ref()
                    .and_then(|user| user.account.as_ref())
                    .map(|account| account.uid.to_string())
            });
            user.account = account.map(|uid| Account {
                uid: Cow::Owned(uid),
            });
        }
        if !user.is_identified() {
            return Err(self.missing_target());
        }
        let policy = Policy {
            name: string_at(request, &["policyName"]).map(Cow::Owned),
            uid: string_at(request, &["policyArn"]).map(Cow::Owned),
        };
        Ok(Target {
            user: Some(user),
            policy: (policy != Policy::default()).then_some(policy),
            ..Target::default()
        })
    }

    fn missing_target(&self) -> MapError {
        MapError::MissingTargetUser {
            event_id: self.event_id(),
            event_name: self.event_name.to_owned(),
            class: self.class,
        }
    }
}

/// What an Authentication or Account Change record adds at its top level.
#[derive(Default)]
struct Target<'a> {
    user: Option<User<'a>>,
    session: Option<Session<'a>>,
    dst_endpoint: Option<NetworkEndpoint<'a>>,
    service: Option<Service<'a>>,
    is_mfa: Option<bool>,
    policy: Option<Policy<'a>>,
}

fn into_static(text: Text<'_>) -> Text<'static> {
    Cow::Owned(text.into_owned())
}

/// A payload that is present and not JSON `null` (CloudTrail writes `null` for "nothing").
fn non_null<'r, 'a>(raw: Option<&'r RawJson<'a>>) -> Option<&'r RawJson<'a>> {
    raw.filter(|raw| !raw.is_null())
}

/// A non-empty string at `path` of a JSON object.
fn string_at(value: Option<&Value>, path: &[&str]) -> Option<String> {
    let mut current = value?;
    for key in path {
        current = current.get(key)?;
    }
    current
        .as_str()
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

/// `MFAUsed`: `"Yes"` / `"No"`, or a flag.
fn yes_no(value: &Value) -> Option<bool> {
    match value.as_str() {
        Some(text) if text.eq_ignore_ascii_case("yes") => Some(true),
        Some(text) if text.eq_ignore_ascii_case("no") => Some(false),
        _ => flag(value),
    }
}

/// Whether `text` is a DNS host name (`ecs.amazonaws.com`), as opposed to `AWS Internal` or free text.
fn is_host_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 253
        && text.parse::<IpAddr>().is_err()
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The last `/`- or `:`-separated segment of an ARN: the resource's own name.
fn last_segment(arn: &str) -> &str {
    arn.rsplit(['/', ':'])
        .find(|segment| !segment.is_empty())
        .unwrap_or(arn)
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
    fn host_names_and_arn_segments() {
        assert!(is_host_name("ecs.amazonaws.com"));
        assert!(!is_host_name("AWS Internal"));
        assert!(!is_host_name("192.0.2.1"));
        assert_eq!(
            last_segment("arn:aws:s3:::bucket/key/object.txt"),
            "object.txt"
        );
        assert_eq!(last_segment("arn:aws:sns:us-east-1:1:topic"), "topic");
    }
}
