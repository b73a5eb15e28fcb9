//! [`Field`]: what a condition looks at in a record, typed members and JSON paths alike, and the lazy
//! per-event view ([`EventView`]) that reads them.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use cloudtrail_model::{
    Event, EventCategory, EventType, IdentityType, RawJson, SubjectType, UserAgent,
};
mod tree;

use tree::Node;

/// A JSON payload of a record that paths can reach into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Payload {
    /// `requestParameters`.
    RequestParameters,
    /// `responseElements`.
    ResponseElements,
    /// `additionalEventData`.
    AdditionalEventData,
    /// `serviceEventDetails`.
    ServiceEventDetails,
    /// `userIdentity`, for paths into members with no typed field (`userIdentity.sessionContext...`).
    UserIdentity,
    /// The whole record, for paths into other members.
    Record,
}

impl Payload {
    /// The member's JSON name (`""` for the whole record).
    pub fn name(&self) -> &'static str {
        match self {
            Payload::RequestParameters => "requestParameters",
            Payload::ResponseElements => "responseElements",
            Payload::AdditionalEventData => "additionalEventData",
            Payload::ServiceEventDetails => "serviceEventDetails",
            Payload::UserIdentity => "userIdentity",
            Payload::Record => "",
        }
    }
}

/// Something a condition reads from a record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// `eventName` as written.
    EventName,
    /// `eventName` without an API-version suffix.
    EventNameBase,
    /// `eventSource`.
    EventSource,
    /// `eventType`, canonical spelling.
    EventType,
    /// `eventCategory`, canonical spelling.
    EventCategory,
    /// `awsRegion`.
    AwsRegion,
    /// `sourceIPAddress`.
    SourceIpAddress,
    /// `userAgent`.
    UserAgent,
    /// `errorCode`.
    ErrorCode,
    /// `errorMessage`.
    ErrorMessage,
    /// `readOnly`, as `true`/`false`.
    ReadOnly,
    /// `recipientAccountId`.
    RecipientAccountId,
    /// `userIdentity.type`, canonical spelling.
    IdentityType,
    /// `userIdentity.arn`.
    IdentityArn,
    /// `userIdentity.accountId`, else `recipientAccountId`.
    AccountId,
    /// `userIdentity.principalId`.
    PrincipalId,
    /// `userIdentity.accessKeyId`.
    AccessKeyId,
    /// `userIdentity.userName`.
    UserName,
    /// `userIdentity.invokedBy`.
    InvokedBy,
    /// `userIdentity.sessionContext.sessionIssuer.arn`.
    SessionIssuerArn,
    /// `userIdentity.sessionContext.sessionIssuer.type`, canonical spelling.
    SessionIssuerType,
    /// `userIdentity.onBehalfOf.subjectType`, canonical spelling: `user`, or `workload` for a non-human
    /// caller acting through trusted identity propagation. The other `onBehalfOf` members (`subject`,
    /// `issuer`, `identityCenterInstanceArn`, `federatedProviderArn`, ...) are reached as paths.
    OnBehalfOfSubjectType,
    /// `userIdentity.sessionContext.ec2RoleDelivery`: present on the credentials of an EC2 instance
    /// profile (`1.0` or `2.0`, the instance metadata service version).
    Ec2RoleDelivery,
    /// The outcome: `success`, `failure` or `denied` (see `cloudtrail_model::Event::outcome`).
    Outcome,
    /// The acting principal's entity id (see `cloudtrail_model::Event::entity_id`).
    Entity,
    /// The AI assistant named by the user agent: `amazon_q_cli`, `amazon_q_ide`, `kiro`; absent otherwise.
    AiAssistant,
    /// The user agent's client and operating system without versions (`aws-cli/macos`, `boto3/linux`,
    /// `console`: see `cloudtrail_model::UserAgent::family`); absent without a user agent.
    UserAgentFamily,
    /// The network `sourceIPAddress` belongs to: an IPv4 address's /24 (`203.0.113.0/24`), an IPv6
    /// address's /48 (`2001:db8:1::/48`); absent when the source is not an address (an AWS service's host
    /// name, `AWS Internal`).
    SourceNetwork,
    /// A path into a payload: member names, through arrays (any element matches).
    Path(Payload, Vec<String>),
    /// The same empty value for every record: grouping by it puts all records in one group (Sigma
    /// correlations without `group-by`).
    Global,
}

impl Field {
    /// A field from a dotted CloudTrail name: typed members by their JSON names (`eventName`,
    /// `userIdentity.type`, ...), payload paths (`requestParameters.ipPermissions.items.ipRanges`), and any
    /// other dotted path into the record.
    pub fn parse(name: &str) -> Field {
        match name {
            "eventName" => Field::EventName,
            "eventSource" => Field::EventSource,
            "eventType" => Field::EventType,
            "eventCategory" => Field::EventCategory,
            "awsRegion" => Field::AwsRegion,
            "sourceIPAddress" => Field::SourceIpAddress,
            "userAgent" => Field::UserAgent,
            "errorCode" => Field::ErrorCode,
            "errorMessage" => Field::ErrorMessage,
            "readOnly" => Field::ReadOnly,
            "recipientAccountId" => Field::RecipientAccountId,
            "userIdentity.type" => Field::IdentityType,
            "userIdentity.arn" => Field::IdentityArn,
            "userIdentity.accountId" => Field::AccountId,
            "userIdentity.principalId" => Field::PrincipalId,
            "userIdentity.accessKeyId" => Field::AccessKeyId,
            "userIdentity.userName" => Field::UserName,
            "userIdentity.invokedBy" => Field::InvokedBy,
            "userIdentity.sessionContext.sessionIssuer.arn" => Field::SessionIssuerArn,
            "userIdentity.sessionContext.sessionIssuer.type" => Field::SessionIssuerType,
            "userIdentity.onBehalfOf.subjectType" => Field::OnBehalfOfSubjectType,
            "userIdentity.sessionContext.ec2RoleDelivery" => Field::Ec2RoleDelivery,
            _ => {
                let mut parts = name.split('.');
                let first = parts.next().unwrap_or_default();
                let payload = match first {
                    "requestParameters" => Some(Payload::RequestParameters),
                    "responseElements" => Some(Payload::ResponseElements),
                    "additionalEventData" => Some(Payload::AdditionalEventData),
                    "serviceEventDetails" => Some(Payload::ServiceEventDetails),
                    "userIdentity" => Some(Payload::UserIdentity),
                    _ => None,
                };
                match payload {
                    Some(payload) => Field::Path(payload, parts.map(str::to_owned).collect()),
                    None => Field::Path(
                        Payload::Record,
                        name.split('.').map(str::to_owned).collect(),
                    ),
                }
            }
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Field::EventName => "eventName",
            Field::EventNameBase => "eventName (base)",
            Field::EventSource => "eventSource",
            Field::EventType => "eventType",
            Field::EventCategory => "eventCategory",
            Field::AwsRegion => "awsRegion",
            Field::SourceIpAddress => "sourceIPAddress",
            Field::UserAgent => "userAgent",
            Field::ErrorCode => "errorCode",
            Field::ErrorMessage => "errorMessage",
            Field::ReadOnly => "readOnly",
            Field::RecipientAccountId => "recipientAccountId",
            Field::IdentityType => "userIdentity.type",
            Field::IdentityArn => "userIdentity.arn",
            Field::AccountId => "userIdentity.accountId",
            Field::PrincipalId => "userIdentity.principalId",
            Field::AccessKeyId => "userIdentity.accessKeyId",
            Field::UserName => "userIdentity.userName",
            Field::InvokedBy => "userIdentity.invokedBy",
            Field::SessionIssuerArn => "userIdentity.sessionContext.sessionIssuer.arn",
            Field::SessionIssuerType => "userIdentity.sessionContext.sessionIssuer.type",
            Field::OnBehalfOfSubjectType => "userIdentity.onBehalfOf.subjectType",
            Field::Ec2RoleDelivery => "userIdentity.sessionContext.ec2RoleDelivery",
            Field::Outcome => "outcome",
            Field::Entity => "entity",
            Field::AiAssistant => "userAgent (AI assistant)",
            Field::UserAgentFamily => "userAgent (family)",
            Field::SourceNetwork => "sourceIPAddress (network)",
            Field::Global => "(all records)",
            Field::Path(payload, path) => {
                let joined = path.join(".");
                return match payload {
                    Payload::Record => f.write_str(&joined),
                    _ if joined.is_empty() => f.write_str(payload.name()),
                    _ => write!(f, "{}.{joined}", payload.name()),
                };
            }
        };
        f.write_str(name)
    }
}

/// A record as rules see it: typed members read directly, payloads parsed at most once, on first use.
pub struct EventView<'e, 'a> {
    event: &'e Event<'a>,
    payloads: [OnceCell<Option<Node<'e>>>; 6],
    /// The acting principal's entity id, worked out once per record (matches and rules share it).
    entity: OnceCell<Cow<'e, str>>,
    /// Lower-cased values of the typed fields that case-insensitive substring and glob tests read, made
    /// once per record and shared by every rule (see [`lowered_slot`]).
    lowered: [OnceCell<Option<Cow<'e, str>>>; LOWERED_SLOTS],
}

/// How many typed fields keep a lower-cased copy per record.
const LOWERED_SLOTS: usize = 8;

/// The slot of a typed field whose lower-cased value a view keeps; `None` for the others, which are
/// lower-cased per test as before.
fn lowered_slot(field: &Field) -> Option<usize> {
    Some(match field {
        Field::UserAgent => 0,
        Field::EventSource => 1,
        Field::ErrorCode => 2,
        Field::ErrorMessage => 3,
        Field::IdentityArn => 4,
        Field::SessionIssuerArn => 5,
        Field::UserName => 6,
        Field::EventName => 7,
        _ => return None,
    })
}

impl<'e, 'a> EventView<'e, 'a> {
    /// A view of a record.
    pub fn new(event: &'e Event<'a>) -> Self {
        EventView {
            event,
            payloads: Default::default(),
            entity: OnceCell::new(),
            lowered: Default::default(),
        }
    }

    /// The acting principal's entity id (see `cloudtrail_model::Event::entity_id`), worked out once.
    pub(crate) fn entity(&self) -> &Cow<'e, str> {
        self.entity.get_or_init(|| self.event.entity_id())
    }

    /// For a typed field the view keeps lower-cased (see [`lowered_slot`]), its value lower-cased
    /// (ASCII), made on first use; `None` for other fields.
    pub(crate) fn lowered(&self, field: &Field) -> Option<Option<&str>> {
        let slot = lowered_slot(field)?;
        let value = self.lowered[slot].get_or_init(|| {
            let value = self.single(field).flatten()?;
            Some(if value.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(value.to_ascii_lowercase())
            } else {
                value
            })
        });
        Some(value.as_deref())
    }

    /// The record.
    pub fn event(&self) -> &'e Event<'a> {
        self.event
    }

    fn payload(&self, payload: Payload) -> Option<&Node<'e>> {
        let event: &'e Event<'a> = self.event;
        let (index, raw): (usize, Option<&'e RawJson<'a>>) = match payload {
            Payload::RequestParameters => (0, event.request_parameters.as_ref()),
            Payload::ResponseElements => (1, event.response_elements.as_ref()),
            Payload::AdditionalEventData => (2, event.additional_event_data.as_ref()),
            Payload::ServiceEventDetails => (3, event.service_event_details.as_ref()),
            Payload::Record => {
                return self.payloads[4]
                    .get_or_init(|| serde_json::to_value(event).ok().map(Node::from_value))
                    .as_ref();
            }
            Payload::UserIdentity => {
                return self.payloads[5]
                    .get_or_init(|| {
                        let identity = event.user_identity.as_deref()?;
                        serde_json::to_value(identity).ok().map(Node::from_value)
                    })
                    .as_ref();
            }
        };
        self.payloads[index]
            .get_or_init(|| {
                let node = Node::parse(raw?.get()).ok()?;
                // Exports write payloads as JSON strings; read through them.
                match node {
                    Node::String(text) if text.trim_start().starts_with('{') => match text {
                        Cow::Borrowed(text) => Node::parse(text).ok(),
                        Cow::Owned(text) => Node::parse_owned(&text).ok(),
                    },
                    other => Some(other),
                }
            })
            .as_ref()
    }

    /// Every value the field has in this record (several for paths through arrays); empty when absent or
    /// `null`. An object is its JSON text: that serves as a grouping key and for `exists`; string tests
    /// see only [`EventView::scalar_values`].
    pub fn values(&self, field: &Field) -> Vec<Cow<'_, str>> {
        self.values_of(field, Leaves::All)
    }

    /// The values string tests see: strings as they are, numbers and booleans as JSON text, through
    /// arrays. An object that a path *into* a payload ends on is not a string and is left out, so that
    /// `requestParameters.bucketPolicy.Statement.Principal: '*'` cannot match `{"AWS": "arn:..."}` by its
    /// text; a path into the object (`...Principal.AWS`) reaches its members.
    ///
    /// A whole payload (`requestParameters`, `responseElements`, `additionalEventData`,
    /// `serviceEventDetails`, `userIdentity`, the whole record) is the exception, read as its JSON text:
    /// that is how SIEMs store these members (one text column per payload) and what public Sigma rules
    /// for CloudTrail rely on (`requestParameters|contains: 'Suspended'`,
    /// `responseElements|contains: 'Failure'` in SigmaHQ's rules).
    pub fn scalar_values(&self, field: &Field) -> Vec<Cow<'_, str>> {
        self.values_of(field, Leaves::Scalars)
    }

    fn values_of(&self, field: &Field, leaves: Leaves) -> Vec<Cow<'_, str>> {
        match self.single(field) {
            Some(value) => value.into_iter().collect(),
            None => self.path_values(field, leaves),
        }
    }

    /// Whether `test` holds for any value string tests see ([`EventView::scalar_values`]), or with
    /// `all_leaves` any value [`EventView::values`] gives: the same answer as testing each of those, without
    /// collecting the values of the single-valued fields (every typed member) into a vector.
    pub(crate) fn any_value(
        &self,
        field: &Field,
        all_leaves: bool,
        mut test: impl FnMut(&str) -> bool,
    ) -> bool {
        match self.single(field) {
            Some(value) => value.is_some_and(|value| test(&value)),
            None => {
                let leaves = if all_leaves {
                    Leaves::All
                } else {
                    Leaves::Scalars
                };
                self.path_values(field, leaves)
                    .iter()
                    .any(|value| test(value))
            }
        }
    }

    /// The value of a field that has at most one (every field but a payload path), borrowed from the
    /// record where it can be; `None` for a payload path, which may have several.
    fn single(&self, field: &Field) -> Option<Option<Cow<'e, str>>> {
        let event = self.event;
        let borrowed = |value: Option<&'e str>| Some(value.map(Cow::Borrowed));
        let identity = event.user_identity.as_deref();
        match field {
            Field::EventName => borrowed(event.event_name()),
            Field::EventNameBase => borrowed(event.event_name_base()),
            Field::EventSource => borrowed(event.event_source()),
            Field::EventType => Some(event.event_type().map(EventType::into_str)),
            Field::EventCategory => Some(event.event_category().map(EventCategory::into_str)),
            Field::AwsRegion => borrowed(event.aws_region()),
            Field::SourceIpAddress => borrowed(event.source_ip_address()),
            Field::UserAgent => borrowed(event.user_agent()),
            Field::ErrorCode => borrowed(event.error_code()),
            Field::ErrorMessage => borrowed(event.error_message()),
            Field::ReadOnly => Some(
                event
                    .read_only()
                    .map(|b| Cow::Borrowed(if b { "true" } else { "false" })),
            ),
            Field::RecipientAccountId => borrowed(event.recipient_account_id()),
            Field::IdentityType => Some(event.identity_type().map(IdentityType::into_str)),
            Field::IdentityArn => borrowed(identity.and_then(|i| i.arn.as_deref())),
            Field::AccountId => borrowed(event.account_id()),
            Field::PrincipalId => borrowed(identity.and_then(|i| i.principal_id.as_deref())),
            Field::AccessKeyId => borrowed(identity.and_then(|i| i.access_key_id.as_deref())),
            Field::UserName => borrowed(identity.and_then(|i| i.user_name.as_deref())),
            Field::InvokedBy => borrowed(identity.and_then(|i| i.invoked_by.as_deref())),
            Field::SessionIssuerArn => borrowed(identity.and_then(|i| i.session_issuer_arn())),
            Field::SessionIssuerType => Some(
                identity
                    .and_then(|i| {
                        i.session_context
                            .as_ref()?
                            .session_issuer
                            .as_ref()?
                            .issuer_type
                            .as_ref()
                    })
                    .map(|t| Cow::Borrowed(t.as_str())),
            ),
            Field::OnBehalfOfSubjectType => Some(
                identity
                    .and_then(|i| i.on_behalf_of.as_ref()?.subject_type())
                    .map(SubjectType::into_str),
            ),
            Field::Ec2RoleDelivery => borrowed(
                identity.and_then(|i| i.session_context.as_ref()?.ec2_role_delivery.as_deref()),
            ),
            Field::Outcome => Some(Some(Cow::Borrowed(event.outcome().as_str()))),
            Field::Entity => Some(Some(self.entity().clone())),
            Field::AiAssistant => Some(
                event
                    .user_agent()
                    .and_then(|ua| UserAgent::parse(ua).ai_assistant)
                    .map(|assistant| {
                        Cow::Borrowed(match assistant {
                            cloudtrail_model::AiAssistant::AmazonQCli { .. } => "amazon_q_cli",
                            cloudtrail_model::AiAssistant::AmazonQIde { .. } => "amazon_q_ide",
                            _ => "kiro",
                        })
                    }),
            ),
            Field::UserAgentFamily => Some(
                event
                    .user_agent()
                    .map(|ua| Cow::Owned(UserAgent::parse(ua).family())),
            ),
            Field::SourceNetwork => Some(
                event
                    .source_ip_address()
                    .and_then(source_network)
                    .map(Cow::Owned),
            ),
            Field::Global => Some(Some(Cow::Borrowed(""))),
            Field::Path(..) => None,
        }
    }

    /// The values a payload path reaches (see [`EventView::values`] and [`EventView::scalar_values`]).
    fn path_values(&self, field: &Field, leaves: Leaves) -> Vec<Cow<'_, str>> {
        let mut out = Vec::new();
        if let Field::Path(payload, path) = field
            && let Some(root) = self.payload(*payload)
        {
            // A whole payload is a text (see `scalar_values`); objects inside it are not.
            let leaves = if path.is_empty() { Leaves::All } else { leaves };
            collect(root, path, leaves, &mut out);
        }
        out
    }
}

/// The network of a source address (see [`Field::SourceNetwork`]); `None` for text that is not an IP
/// address. An IPv4 address written as IPv6 (`::ffff:192.0.2.1`) counts as IPv4.
fn source_network(source: &str) -> Option<String> {
    let address: IpAddr = source.trim().parse().ok()?;
    let address = match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    };
    Some(match address {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 80) - 1);
            format!("{}/48", Ipv6Addr::from(bits))
        }
    })
}

/// Which leaves of a path [`collect`] keeps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Leaves {
    /// Scalars and objects (as JSON text).
    All,
    /// Scalars only.
    Scalars,
}

/// Walks `path` from `value`, through arrays (every element), collecting the leaves as text: strings as
/// they are, numbers and booleans as JSON, objects as their JSON text unless only scalars are wanted.
fn collect<'v>(value: &'v Node<'_>, path: &[String], leaves: Leaves, out: &mut Vec<Cow<'v, str>>) {
    match (value, path.split_first()) {
        (Node::Array(items), _) => {
            for item in items {
                collect(item, path, leaves, out);
            }
        }
        (Node::Object(_), Some((first, rest))) => {
            if let Some(member) = value.member(first) {
                collect(member, rest, leaves, out);
            }
        }
        (_, Some(_)) => {}
        (Node::Null, None) => {}
        (Node::Object(_), None) if leaves == Leaves::Scalars => {}
        (Node::String(text), None) => out.push(Cow::Borrowed(text)),
        (Node::Bool(b), None) => out.push(Cow::Borrowed(if *b { "true" } else { "false" })),
        (other, None) => out.push(Cow::Owned(other.to_value().to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An `AssumedRole` session acting for a workload through trusted identity propagation (IAM federation
    /// path), as the Amazon EMR audit documentation lists its `onBehalfOf` members.
    const PROPAGATED: &str = r#"{"eventName":"PutObject","userIdentity":{"type":"AssumedRole",
        "arn":"arn:aws:sts::111122223333:assumed-role/DataAnalystRole/etl",
        "onBehalfOf":{"subject":"etl@example.com","subjectType":"Workload","issuer":"https://idp.example.com",
        "federatedProviderArn":"arn:aws:iam::111122223333:oidc-provider/idp.example.com"}}}"#;

    #[test]
    fn derived_network_and_user_agent_family() {
        let record = |ip: &str, ua: &str| {
            format!(r#"{{"eventName":"ListBuckets","sourceIPAddress":"{ip}","userAgent":"{ua}"}}"#)
        };
        let cases = [
            ("203.0.113.77", Some("203.0.113.0/24")),
            ("2001:db8:1234:5678::1", Some("2001:db8:1234::/48")),
            ("::ffff:198.51.100.9", Some("198.51.100.0/24")),
            ("s3.amazonaws.com", None),
            ("AWS Internal", None),
            ("", None),
        ];
        for (ip, network) in cases {
            let text = record(ip, "aws-cli/2.13.5 Python/3.11.4 Darwin/22.5.0 exe/x86_64");
            let event = Event::from_json(&text).unwrap();
            let view = EventView::new(&event);
            let got = view.values(&Field::SourceNetwork);
            assert_eq!(got.first().map(|v| v.as_ref()), network, "{ip}");
            assert_eq!(view.values(&Field::UserAgentFamily), ["aws-cli/macos"]);
        }
        let none = Event::from_json(r#"{"eventName":"ListBuckets"}"#).unwrap();
        let view = EventView::new(&none);
        assert!(view.values(&Field::UserAgentFamily).is_empty());
        assert!(view.values(&Field::SourceNetwork).is_empty());
        assert_eq!(
            Field::SourceNetwork.to_string(),
            "sourceIPAddress (network)"
        );
    }

    #[test]
    fn on_behalf_of_members_are_fields() {
        let event = Event::from_json(PROPAGATED).unwrap();
        let view = EventView::new(&event);
        let values = |name: &str| {
            let field = Field::parse(name);
            assert_eq!(field.to_string(), name);
            view.values(&field)
                .into_iter()
                .map(Cow::into_owned)
                .collect::<Vec<_>>()
        };
        // Typed, and read canonically: `Workload` as written is the known value `workload`.
        assert_eq!(
            Field::parse("userIdentity.onBehalfOf.subjectType"),
            Field::OnBehalfOfSubjectType
        );
        assert_eq!(values("userIdentity.onBehalfOf.subjectType"), ["workload"]);
        assert_eq!(
            values("userIdentity.onBehalfOf.issuer"),
            ["https://idp.example.com"]
        );
        assert_eq!(
            values("userIdentity.onBehalfOf.federatedProviderArn"),
            ["arn:aws:iam::111122223333:oidc-provider/idp.example.com"]
        );
        assert_eq!(
            values("userIdentity.onBehalfOf.subject"),
            ["etl@example.com"]
        );
        assert!(values("userIdentity.onBehalfOf.identityCenterInstanceArn").is_empty());
        let plain = Event::from_json(r#"{"userIdentity":{"type":"IAMUser"}}"#).unwrap();
        assert!(
            EventView::new(&plain)
                .values(&Field::OnBehalfOfSubjectType)
                .is_empty()
        );
    }
}
