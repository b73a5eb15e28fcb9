//! Properties over generated records: realistic synthetic records (cloudtrail-synthetic) always map and
//! validate; records with members removed or replaced by values of any JSON type map to a valid record or
//! a MapError, at every release, and never panic.

use cloudtrail_model::Event;
use cloudtrail_ocsf::{Mapper, MappingOptions, OcsfVersion, validate};
use cloudtrail_synthetic::{GeneratorConfig, records};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Maps at every release; a mapped record must validate. Returns how many releases mapped it.
fn mapped_releases(text: &str) -> usize {
    let event = Event::from_json(text).unwrap();
    let mut mapped = 0;
    for version in OcsfVersion::ALL {
        match Mapper::new(MappingOptions::for_version(version)).map(&event) {
            Ok(record) => {
                if let Err(error) = validate(&record.to_json(), version) {
                    panic!("invalid at {version}: {error}\n{text}");
                }
                mapped += 1;
            }
            Err(error) => assert!(error.to_string().contains("record"), "{error}"),
        }
    }
    mapped
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn synthetic_records_always_map_and_validate(seed in any::<u64>()) {
        let config = GeneratorConfig { records: 60, seed, ..GeneratorConfig::default() };
        let mut count = 0;
        for text in records(&config) {
            prop_assert_eq!(mapped_releases(&text), OcsfVersion::ALL.len(), "{}", text);
            count += 1;
        }
        prop_assert!(count >= 60);
    }
}

/// A base record touching every mapped path: identity with session, Identity Center, resources,
/// additional data, payloads.
fn base() -> Value {
    json!({
        "eventVersion": "1.10", "eventTime": "2025-03-01T10:00:00Z",
        "eventSource": "iam.amazonaws.com", "eventName": "CreateUser", "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.9", "userAgent": "aws-cli/2.15",
        "userIdentity": {"type": "AssumedRole", "principalId": "AROA:me", "arn": "arn:aws:sts::1:assumed-role/R/me",
            "accountId": "111122223333", "accessKeyId": "ASIA1", "invokedBy": "cloudformation.amazonaws.com",
            "onBehalfOf": {"userId": "u-1", "identityStoreArn": "arn:aws:identitystore::1:identitystore/d-1"},
            "sessionContext": {"attributes": {"creationDate": "2025-03-01T09:00:00Z", "mfaAuthenticated": "true"},
                "sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::1:role/R", "principalId": "AROA"},
                "webIdFederationData": {"federatedProvider": "accounts.google.com"}}},
        "requestParameters": {"userName": "bob", "roleArn": "arn:aws:iam::1:role/T", "policyArn": "arn:aws:iam::aws:policy/P"},
        "responseElements": {"user": {"userName": "bob", "arn": "arn:aws:iam::1:user/bob", "userId": "AIDA"},
            "ConsoleLogin": "Failure", "assumedRoleUser": {"arn": "a", "assumedRoleId": "b"}},
        "additionalEventData": {"LoginTo": "https://console", "MFAUsed": "Yes", "UserName": "bob", "x": [1, {"y": null}]},
        "requestID": "r-1", "eventID": "e-1", "eventType": "AwsApiCall", "readOnly": false,
        "resources": [{"ARN": "arn:aws:iam::111122223333:user/a-very-long-path/that/goes/on/and/on/for/more/than/sixty-four", "accountId": "1", "type": "AWS::IAM::User"}, {"type": "AWS::S3::Object"}],
        "recipientAccountId": "111122223333", "serviceEventDetails": {"CreateUser": "Success"},
        "vpcEndpointId": "vpce-1", "eventCategory": "Management", "tlsDetails": {"tlsVersion": "TLSv1.3"},
        "errorCode": "AccessDenied", "errorMessage": "no"
    })
}

/// Paths of the base record a mutation may hit.
const PATHS: &[&[&str]] = &[
    &["eventTime"],
    &["eventSource"],
    &["eventName"],
    &["awsRegion"],
    &["sourceIPAddress"],
    &["userAgent"],
    &["userIdentity"],
    &["userIdentity", "type"],
    &["userIdentity", "arn"],
    &["userIdentity", "accountId"],
    &["userIdentity", "principalId"],
    &["userIdentity", "accessKeyId"],
    &["userIdentity", "onBehalfOf"],
    &["userIdentity", "onBehalfOf", "userId"],
    &["userIdentity", "sessionContext"],
    &[
        "userIdentity",
        "sessionContext",
        "attributes",
        "creationDate",
    ],
    &[
        "userIdentity",
        "sessionContext",
        "attributes",
        "mfaAuthenticated",
    ],
    &["userIdentity", "sessionContext", "sessionIssuer", "arn"],
    &["requestParameters"],
    &["requestParameters", "userName"],
    &["requestParameters", "roleArn"],
    &["responseElements"],
    &["responseElements", "user"],
    &["responseElements", "ConsoleLogin"],
    &["additionalEventData"],
    &["additionalEventData", "MFAUsed"],
    &["additionalEventData", "LoginTo"],
    &["requestID"],
    &["eventID"],
    &["eventType"],
    &["readOnly"],
    &["resources"],
    &["recipientAccountId"],
    &["serviceEventDetails"],
    &["vpcEndpointId"],
    &["eventCategory"],
    &["errorCode"],
    &["tlsDetails"],
];

const SOURCES_AND_NAMES: &[(&str, &str)] = &[
    ("iam.amazonaws.com", "CreateUser"),
    ("iam.amazonaws.com", "DeletePolicy"),
    ("iam.amazonaws.com", "UpdateAccessKey"),
    ("signin.amazonaws.com", "ConsoleLogin"),
    ("signin.amazonaws.com", "CredentialChallenge"),
    ("sts.amazonaws.com", "AssumeRoleWithSAML"),
    ("s3.amazonaws.com", "GetObject"),
    ("ec2.amazonaws.com", "RunInstances"),
];

fn any_json() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        ".{0,80}".prop_map(Value::String),
        Just(json!("")),
        Just(json!("AWS Internal")),
        Just(json!("2001:db8::1")),
        Just(json!("12000-01-01T00:00:00Z")),
        Just(json!("2024-02-30T25:00:00Z")),
        Just(json!({})),
        Just(json!([])),
        Just(json!([null, "a", {"b": 1}])),
        Just(json!({"k": null})),
    ]
}

fn set(record: &mut Value, path: &[&str], value: Option<Value>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut current = record;
    for key in parents {
        match current.get_mut(*key) {
            Some(next) if next.is_object() => current = next,
            _ => return,
        }
    }
    if let Some(object) = current.as_object_mut() {
        match value {
            Some(value) => {
                object.insert((*last).to_owned(), value);
            }
            None => {
                object.remove(*last);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn mutated_records_map_validly_or_are_reported(
        pair in 0..SOURCES_AND_NAMES.len(),
        mutations in prop::collection::vec((0..PATHS.len(), prop::option::of(any_json())), 0..12),
    ) {
        let mut record = base();
        let (source, name) = SOURCES_AND_NAMES[pair];
        set(&mut record, &["eventSource"], Some(json!(source)));
        set(&mut record, &["eventName"], Some(json!(name)));
        for (path, value) in mutations {
            set(&mut record, PATHS[path], value);
        }
        let text = record.to_string();
        mapped_releases(&text);
    }
}

#[test]
fn the_unmutated_base_maps_in_every_class() {
    for (source, name) in SOURCES_AND_NAMES {
        let mut record = base();
        set(&mut record, &["eventSource"], Some(json!(source)));
        set(&mut record, &["eventName"], Some(json!(name)));
        assert_eq!(mapped_releases(&record.to_string()), 3, "{source} {name}");
    }
}

#[test]
fn an_identity_provider_alone_identifies_no_actor_and_is_kept() {
    let text = json!({"eventTime": "2025-01-01T00:00:00Z", "eventSource": "signin.amazonaws.com",
        "eventName": "CredentialChallenge", "recipientAccountId": "1",
        "userIdentity": {"type": "IdentityCenterUser",
            "onBehalfOf": {"identityStoreArn": "arn:aws:identitystore::1:identitystore/d-1"}}})
    .to_string();
    let event = Event::from_json(&text).unwrap();
    let record = Mapper::new(MappingOptions::default()).map(&event).unwrap();
    let json = record.to_json();
    assert_eq!(validate(&json, OcsfVersion::V1_1_0), Ok(()));
    assert!(json.get("actor").is_none(), "{json}");
    assert_eq!(
        record
            .unmapped()
            .get("userIdentity.onBehalfOf.identityStoreArn")
            .map(String::as_str),
        Some("arn:aws:identitystore::1:identitystore/d-1")
    );
    assert_eq!(
        record
            .unmapped()
            .get("userIdentity.type")
            .map(String::as_str),
        Some("IdentityCenterUser")
    );
}
