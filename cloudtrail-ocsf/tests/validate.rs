//! The validator catches each kind of violation, naming the attribute path: every check is exercised by
//! breaking one valid golden record in one way.

use std::fs;
use std::path::PathBuf;

use cloudtrail_ocsf::{OcsfVersion, Problem, validate};
use serde_json::{Value, json};

fn golden(name: &str) -> Value {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/golden"))
        .join(format!("{name}.ocsf.json"));
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn api_activity() -> Value {
    golden("md_1.1.0_api_activity")
}

/// The violations of `record` at `version` as (path, problem).
fn violations(record: &Value, version: OcsfVersion) -> Vec<(String, Problem)> {
    match validate(record, version) {
        Ok(()) => Vec::new(),
        Err(error) => {
            assert_eq!(error.version, version);
            assert!(!error.to_string().is_empty());
            error
                .violations
                .into_iter()
                .map(|v| (v.path, v.problem))
                .collect()
        }
    }
}

fn only(record: &Value, version: OcsfVersion) -> (String, Problem) {
    let found = violations(record, version);
    assert_eq!(found.len(), 1, "{found:?}");
    found.into_iter().next().unwrap()
}

fn edit(mut record: Value, pointer: &str, value: Option<Value>) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let object = record.pointer_mut(parent).unwrap().as_object_mut().unwrap();
    match value {
        Some(value) => object.insert(key.to_owned(), value),
        None => object.remove(key),
    };
    record
}

#[test]
fn the_golden_is_valid_to_start_with() {
    assert_eq!(violations(&api_activity(), OcsfVersion::V1_1_0), vec![]);
}

#[test]
fn missing_required_attributes_are_named() {
    let record = edit(api_activity(), "/api", None);
    assert_eq!(
        only(&record, OcsfVersion::V1_1_0),
        ("api".into(), Problem::MissingRequired)
    );
    let record = edit(api_activity(), "/api/request/uid", None);
    assert_eq!(
        only(&record, OcsfVersion::V1_1_0),
        ("api.request.uid".into(), Problem::MissingRequired)
    );
    let record = edit(api_activity(), "/observables/0/type_id", None);
    assert_eq!(
        violations(&record, OcsfVersion::V1_1_0)[0],
        ("observables[0].type_id".into(), Problem::MissingRequired)
    );
}

#[test]
fn explicit_nulls_and_unknown_attributes() {
    let record = edit(api_activity(), "/actor/user/name", Some(Value::Null));
    assert_eq!(
        only(&record, OcsfVersion::V1_1_0),
        ("actor.user.name".into(), Problem::ExplicitNull)
    );
    let record = edit(api_activity(), "/unmapped/readOnly", Some(Value::Null));
    assert_eq!(
        only(&record, OcsfVersion::V1_1_0),
        ("unmapped.readOnly".into(), Problem::ExplicitNull)
    );
    let record = edit(api_activity(), "/actor/user/nickname", Some(json!("x")));
    assert_eq!(
        only(&record, OcsfVersion::V1_1_0),
        ("actor.user.nickname".into(), Problem::UnknownAttribute)
    );
}

#[test]
fn profile_attributes_need_their_profile() {
    let record = edit(api_activity(), "/metadata/profiles", Some(json!(["cloud"])));
    assert_eq!(
        only(&record, OcsfVersion::V1_1_0),
        (
            "time_dt".into(),
            Problem::ProfileNotDeclared {
                profile: "datetime".into()
            }
        )
    );
    // Without the cloud profile, `cloud` is neither required nor allowed.
    let record = edit(
        api_activity(),
        "/metadata/profiles",
        Some(json!(["datetime"])),
    );
    assert_eq!(
        only(&record, OcsfVersion::V1_1_0),
        (
            "cloud".into(),
            Problem::ProfileNotDeclared {
                profile: "cloud".into()
            }
        )
    );
    let record = edit(record, "/cloud", None);
    assert_eq!(violations(&record, OcsfVersion::V1_1_0), vec![]);
}

#[test]
fn types_patterns_and_ranges() {
    let record = edit(api_activity(), "/time", Some(json!("1695334972000")));
    assert!(matches!(
        only(&record, OcsfVersion::V1_1_0),
        (path, Problem::WrongType { found: "string", .. }) if path == "time"
    ));
    let record = edit(api_activity(), "/src_endpoint/ip", Some(json!("205.8.181")));
    assert!(matches!(
        only(&record, OcsfVersion::V1_1_0),
        (path, Problem::Pattern { type_name, .. }) if path == "src_endpoint.ip" && type_name == "ip_t"
    ));
    let record = edit(
        api_activity(),
        "/time_dt",
        Some(json!("2023-09-21 22:22:52")),
    );
    assert!(matches!(
        only(&record, OcsfVersion::V1_1_0),
        (path, Problem::Pattern { type_name, .. }) if path == "time_dt" && type_name == "datetime_t"
    ));
    let record = edit(api_activity(), "/severity_id", Some(json!(1_i64 << 40)));
    let found = violations(&record, OcsfVersion::V1_1_0);
    assert!(
        found.iter().any(|(path, problem)| path == "severity_id"
            && matches!(problem, Problem::OutOfRange { .. })),
        "{found:?}"
    );
}

#[test]
fn enums_and_their_captions() {
    let record = edit(api_activity(), "/severity_id", Some(json!(7)));
    assert_eq!(
        only(&record, OcsfVersion::V1_1_0),
        (
            "severity_id".into(),
            Problem::NotInEnum { value: "7".into() }
        )
    );
    let record = edit(api_activity(), "/status", Some(json!("Failure")));
    assert_eq!(
        only(&record, OcsfVersion::V1_1_0),
        (
            "status".into(),
            Problem::SiblingMismatch {
                sibling: "status".into(),
                expected: "Success".into(),
                found: "Failure".into()
            }
        )
    );
    let record = edit(api_activity(), "/observables/0/type", Some(json!("User")));
    assert!(matches!(
        only(&record, OcsfVersion::V1_1_0),
        (path, Problem::SiblingMismatch { .. }) if path == "observables[0].type"
    ));
}

#[test]
fn type_uid_class_and_version() {
    let record = edit(api_activity(), "/type_uid", Some(json!(600303)));
    assert_eq!(
        only(&record, OcsfVersion::V1_1_0),
        (
            "type_uid".into(),
            Problem::TypeMismatch {
                expected: "600302".into(),
                found: "600303".into()
            }
        )
    );
    let record = edit(
        api_activity(),
        "/type_name",
        Some(json!("API Activity: Create")),
    );
    assert!(matches!(
        only(&record, OcsfVersion::V1_1_0),
        (path, Problem::TypeMismatch { .. }) if path == "type_name"
    ));
    assert!(matches!(
        only(&api_activity(), OcsfVersion::V1_5_0),
        (path, Problem::VersionMismatch { expected: "1.5.0", .. }) if path == "metadata.version"
    ));
    let record = edit(api_activity(), "/class_uid", Some(json!(3005)));
    assert!(matches!(
        only(&record, OcsfVersion::V1_1_0),
        (path, Problem::UnknownClass { .. }) if path == "class_uid"
    ));
    assert_eq!(
        only(&json!([1]), OcsfVersion::V1_1_0),
        (String::new(), Problem::NotAnObject)
    );
}

#[test]
fn constraints() {
    let record = edit(
        api_activity(),
        "/actor/user",
        Some(json!({"type": "IAMUser"})),
    );
    assert_eq!(
        only(&record, OcsfVersion::V1_1_0),
        (
            "actor.user".into(),
            Problem::AtLeastOne {
                attributes: vec!["account".into(), "name".into(), "uid".into()]
            }
        )
    );
    let mut authentication = golden("md_1.1.0_authentication");
    assert_eq!(violations(&authentication, OcsfVersion::V1_1_0), vec![]);
    authentication = edit(authentication, "/service", None);
    authentication = edit(authentication, "/dst_endpoint", None);
    assert_eq!(
        only(&authentication, OcsfVersion::V1_1_0),
        (
            String::new(),
            Problem::AtLeastOne {
                attributes: vec!["service".into(), "dst_endpoint".into()]
            }
        )
    );
}

#[test]
fn string_lengths_follow_each_release() {
    // 1.1.0 limits every string_t to 65,535 characters; later releases do not.
    let long = "a".repeat(65_536);
    let record = edit(
        api_activity(),
        "/http_request/user_agent",
        Some(json!(long)),
    );
    assert!(matches!(
        only(&record, OcsfVersion::V1_1_0),
        (path, Problem::TooLong { max_len: 65_535, length: 65_536, .. }) if path == "http_request.user_agent"
    ));
    let newer = edit(
        golden("md_1.5.0_api_activity"),
        "/http_request/user_agent",
        Some(json!(long)),
    );
    assert_eq!(violations(&newer, OcsfVersion::V1_5_0), vec![]);
    // 1.1.0 defines resource_uid_t (64 characters) but gives it to no attribute: resources[].uid is a
    // string_t there, so a long ARN is valid.
    let arn = format!("arn:aws:s3:::{}", "b".repeat(60));
    let record = edit(api_activity(), "/resources", Some(json!([{"uid": arn}])));
    assert_eq!(violations(&record, OcsfVersion::V1_1_0), vec![]);
    // ip_t's own max_len (40) applies in every release.
    let record = edit(
        api_activity(),
        "/src_endpoint/ip",
        Some(json!(format!("{}1.2.3.4", " ".repeat(40)))),
    );
    assert!(
        violations(&record, OcsfVersion::V1_1_0)
            .iter()
            .any(|(path, problem)| path == "src_endpoint.ip"
                && matches!(problem, Problem::TooLong { max_len: 40, .. }))
    );
}

#[test]
fn over_long_values_stay_unmapped_and_the_record_stays_valid() {
    use cloudtrail_model::Event;
    use cloudtrail_ocsf::{MapError, Mapper, MappingOptions};
    let agent = "x".repeat(70_000);
    let arn = format!("arn:aws:s3:::{}", "b".repeat(60));
    let text = json!({"eventTime": "2024-01-01T00:00:00Z", "eventName": "GetObject",
        "eventSource": "s3.amazonaws.com", "sourceIPAddress": "192.0.2.1", "userAgent": agent,
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/a", "accountId": "1"},
        "resources": [{"ARN": arn, "type": "AWS::S3::Object"}]})
    .to_string();
    let event = Event::from_json(&text).unwrap();
    for version in OcsfVersion::ALL {
        let record = Mapper::new(MappingOptions::for_version(version))
            .map(&event)
            .unwrap();
        let json = record.to_json();
        assert_eq!(validate(&json, version), Ok(()));
        assert_eq!(json.pointer("/resources/0/uid"), Some(&json!(arn)));
        let placed = json.pointer("/http_request/user_agent").is_some();
        let kept = record.unmapped().get("userAgent") == Some(&agent);
        assert_eq!(
            (placed, kept),
            (
                version != OcsfVersion::V1_1_0,
                version == OcsfVersion::V1_1_0
            )
        );
    }
    let name = "Get".repeat(30_000);
    let text = json!({"eventTime": "2024-01-01T00:00:00Z", "eventName": name}).to_string();
    let event = Event::from_json(&text).unwrap();
    let error = Mapper::new(MappingOptions::default())
        .map(&event)
        .unwrap_err();
    assert!(
        matches!(
            error,
            MapError::Oversized {
                member: "eventName",
                length: 90_000,
                ..
            }
        ),
        "{error}"
    );
}
