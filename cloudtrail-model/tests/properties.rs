//! Property tests: any JSON object, with CloudTrail's member names at every level and values of any type,
//! parses and serialises back to an equal value; arbitrary text never panics the parser.

use cloudtrail_model::Event;
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Member names the model types, at the levels where it types them, plus names it does not know.
const NAMES: &[&str] = &[
    "eventVersion",
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
    "userIdentity",
    "type",
    "principalId",
    "arn",
    "accountId",
    "accessKeyId",
    "userName",
    "sessionContext",
    "attributes",
    "creationDate",
    "mfaAuthenticated",
    "sessionIssuer",
    "webIdFederationData",
    "sourceIdentity",
    "ec2RoleDelivery",
    "assumedRoot",
    "invokedBy",
    "identityProvider",
    "onBehalfOf",
    "userId",
    "identityStoreArn",
    "credentialId",
    "inScopeOf",
    "ARN",
    "insightContext",
    "statistics",
    "baseline",
    "insight",
    "average",
    "attributions",
    "value",
    "state",
    "p_log_type",
    "unknownMember",
    "x",
    "",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        prop_oneof![
            Just("2023-07-19T21:11:57Z".to_owned()),
            Just("20131102T010628Z".to_owned()),
            Just("True".to_owned()),
            Just("AWSServiceEvent".to_owned()),
            Just("IAMUser".to_owned()),
            Just("arn:aws:sts::1:assumed-role/R/s".to_owned()),
            "\\PC{0,12}",
            "[\"\\\\\u{0}-\u{1f}é😀]{0,6}",
        ]
        .prop_map(Value::String),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(NAMES), inner), 0..6).prop_map(|members| {
                Value::Object(
                    members
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

fn record() -> impl Strategy<Value = Value> {
    prop::collection::vec((prop::sample::select(NAMES), json()), 0..12).prop_map(|members| {
        Value::Object(
            members
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn any_object_round_trips(input in record()) {
        let text = serde_json::to_string(&input).unwrap();
        let event = Event::from_json(&text).unwrap();
        prop_assert_eq!(serde_json::to_value(&event).unwrap(), input.clone());
        // The anomaly walk and the derived views never panic either.
        let _ = (event.anomalies(), event.outcome(), event.entity_id(), event.lookalike());
        prop_assert_eq!(serde_json::to_value(event.into_owned()).unwrap(), input);
    }

    #[test]
    fn pretty_printed_input_round_trips(input in record()) {
        let text = serde_json::to_string_pretty(&input).unwrap();
        let event = Event::from_json(&text).unwrap();
        prop_assert_eq!(serde_json::to_value(&event).unwrap(), input);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(event) = Event::from_slice(&bytes) {
            let again = serde_json::to_value(&event).unwrap();
            prop_assert_eq!(again, serde_json::from_slice::<Value>(&bytes).unwrap());
        }
    }

    #[test]
    fn mangled_real_records_never_panic(cut in 0usize..2000, byte in any::<u8>()) {
        let text = include_str!("fixtures/identity-assumedrole.json").trim_end();
        let mut bytes = text.as_bytes().to_vec();
        let at = cut % bytes.len();
        bytes[at] = byte;
        if let Ok(event) = Event::from_slice(&bytes) {
            prop_assert_eq!(serde_json::to_value(&event).unwrap(), serde_json::from_slice::<Value>(&bytes).unwrap());
        }
        // Any proper prefix of a record is incomplete JSON: an error, never a panic or a partial record.
        prop_assert!(Event::from_slice(&text.as_bytes()[..at]).is_err());
    }
}

#[test]
fn duplicate_members_keep_the_last_as_serde_json_does() {
    for text in [
        r#"{"eventName":"A","eventName":"B"}"#,
        r#"{"eventName":1,"eventName":"B"}"#,
        r#"{"eventName":"A","eventName":2}"#,
        r#"{"x":1,"x":{"y":2}}"#,
    ] {
        let event = Event::from_json(text).unwrap();
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            serde_json::from_str::<Value>(text).unwrap(),
            "{text}"
        );
    }
}
