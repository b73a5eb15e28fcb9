//! Findings of `cloudtrail-detect` as OCSF Detection Finding (feature `detect`): a correlation finding over
//! several records and an indicator-list finding validate at every supported release, carry the event
//! time of their evidence and the evidence records' `eventID`s, and the correlation finding equals its
//! golden at each release (tests/data/golden/detection_finding_<version>.ocsf.json;
//! `UPDATE_GOLDEN=1 cargo test -p cloudtrail-ocsf --features detect --test findings` rewrites them).
#![cfg(feature = "detect")]

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use cloudtrail_detect::ioc::{IocSet, rules as ioc_rules};
use cloudtrail_detect::{Correlator, Finding, Rule, RuleSet, Severity, field};
use cloudtrail_model::Event;
use cloudtrail_ocsf::{FindingMapError, FindingMapper, OcsfVersion, Problem, validate};
use serde_json::Value;

fn record(minute: u32, id: &str, secret: &str, address: &str) -> String {
    serde_json::json!({
        "eventVersion": "1.08", "eventTime": format!("2024-05-01T10:{minute:02}:30Z"),
        "eventSource": "secretsmanager.amazonaws.com", "eventName": "GetSecretValue", "eventID": id,
        "awsRegion": "eu-west-1", "sourceIPAddress": address,
        "userAgent": "aws-cli/2.15.30 md/distrib#kali.2024",
        "userIdentity": {"type": "IAMUser", "accountId": "111122223333",
            "arn": "arn:aws:iam::111122223333:user/mallory", "userName": "mallory",
            "accessKeyId": "AKIAIOSFODNN7EXAMPLE"},
        "requestParameters": {"secretId": secret},
    })
    .to_string()
}

fn records() -> Vec<String> {
    vec![
        record(0, "e-1", "db-password", "203.0.113.200"),
        record(1, "e-2", "api-token", "203.0.113.200"),
        record(3, "e-3", "signing-key", "198.51.100.4"),
    ]
}

fn findings(rules: &RuleSet, records: &[String]) -> Vec<Finding> {
    let mut correlator = Correlator::new(rules, Duration::hours(1));
    for text in records {
        let event = Event::from_json(text).unwrap();
        let mut matches = Vec::new();
        rules.matches(&event, &mut matches);
        for m in matches {
            correlator.push(m).unwrap();
        }
    }
    correlator.finish()
}

/// Three secrets read by one principal within ten minutes: a threshold finding over three records.
fn correlation() -> (Rule, Finding) {
    let rule = Rule::new(
        "secret-read-burst",
        "Several secrets read by one principal",
        field("eventName").equals(["GetSecretValue"]),
    )
    .severity(Severity::High)
    .description("Three or more GetSecretValue calls by one principal within ten minutes.")
    .mitre("TA0006", "T1555.006")
    .mitre("TA0005", "T1562.008")
    .threshold(3, Duration::minutes(10));
    let rules = RuleSet::new(vec![rule.clone()]).unwrap();
    let found = findings(&rules, &records());
    assert_eq!(found.len(), 1, "{found:?}");
    (rule, found.into_iter().next().unwrap())
}

fn ioc_finding() -> (Rule, Finding) {
    let mut iocs = IocSet::new();
    let errors = iocs.add_text(
        "intel.csv",
        "type,value,note\nip,203.0.113.200,VPS of the intrusion\n",
    );
    assert!(errors.is_empty(), "{errors:?}");
    let rules = ioc_rules(&Arc::new(iocs));
    let set = RuleSet::new(rules.clone()).unwrap();
    let found = findings(&set, &records());
    assert_eq!(found.len(), 1, "{found:?}");
    (rules[0].clone(), found.into_iter().next().unwrap())
}

fn millis(text: &str) -> i64 {
    text.parse::<DateTime<Utc>>().unwrap().timestamp_millis()
}

fn map(version: OcsfVersion, rule: &Rule, finding: &Finding) -> Value {
    FindingMapper::new(version)
        .with_product_version("0.0.0-test")
        .map(finding, Some(rule))
        .unwrap()
}

#[test]
fn a_correlation_finding_validates_at_every_release_with_its_records_and_event_times() {
    let (rule, finding) = correlation();
    for version in OcsfVersion::ALL {
        let json = map(version, &rule, &finding);
        if let Err(error) = validate(&json, version) {
            panic!("{version}: {error}\n{json:#}");
        }
        assert_eq!(json["class_uid"], 2004);
        assert_eq!(json["metadata"]["version"], version.as_str());
        // Event time of the evidence: the last record's for `time`, the first's for the start.
        assert_eq!(json["time"], millis("2024-05-01T10:03:30Z"), "{version}");
        assert_eq!(json["start_time"], millis("2024-05-01T10:00:30Z"));
        assert_eq!(
            json["finding_info"]["first_seen_time_dt"],
            "2024-05-01T10:00:30.000Z"
        );
        let related: Vec<&str> = json["finding_info"]["related_events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["uid"].as_str().unwrap())
            .collect();
        assert_eq!(related, ["e-1", "e-2", "e-3"]);
        assert_eq!(json["severity_id"], 4);
        assert_eq!(json["count"], 3);
        assert_eq!(json["finding_info"]["analytic"]["uid"], "secret-read-burst");
        assert_eq!(json["finding_info"]["analytic"]["type"], "Statistical");
        assert_eq!(json["finding_info"]["types"][0], "Threshold");
        let attacks = json["finding_info"]["attacks"].as_array().unwrap();
        assert_eq!(attacks[0]["tactic"]["uid"], "TA0006");
        assert_eq!(attacks[0]["technique"]["uid"], "T1555");
        assert_eq!(attacks[0]["sub_technique"]["uid"], "T1555.006");
        // T1562.008 carries its ATT&CK v19 number too, each with its version.
        let versions: Vec<(&str, &str)> = attacks
            .iter()
            .map(|a| {
                (
                    a["sub_technique"]["uid"]
                        .as_str()
                        .unwrap_or(a["technique"]["uid"].as_str().unwrap()),
                    a["version"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            versions,
            [
                ("T1555.006", "18"),
                ("T1562.008", "18"),
                ("T1685.002", "19")
            ]
        );
        assert_eq!(json["cloud"]["region"], "eu-west-1");
        assert_eq!(json["cloud"]["account"]["uid"], "111122223333");
        assert_eq!(
            json["unmapped"]["entity"],
            "arn:aws:iam::111122223333:user/mallory"
        );
        assert!(json.get("osint").is_none());
    }
}

#[test]
fn an_indicator_finding_names_the_indicator_and_its_list_and_validates_at_every_release() {
    let (rule, finding) = ioc_finding();
    assert_eq!(finding.event_ids, ["e-1", "e-2"]);
    for version in OcsfVersion::ALL {
        let json = map(version, &rule, &finding);
        if let Err(error) = validate(&json, version) {
            panic!("{version}: {error}\n{json:#}");
        }
        assert_eq!(json["finding_info"]["analytic"]["uid"], "ioc-address");
        assert_eq!(json["finding_info"]["types"][0], "Indicator match");
        assert_eq!(json["time"], millis("2024-05-01T10:01:30Z"));
        let indicator = &json["evidences"][0]["data"]["explanation"][0]["indicator"];
        assert_eq!(indicator["value"], "203.0.113.200");
        assert_eq!(indicator["list"], "intel.csv");
        assert_eq!(indicator["line"], 2);
        assert_eq!(json["observables"][0]["type_id"], 2);
        assert_eq!(json["observables"][0]["value"], "203.0.113.200");
        if version >= OcsfVersion::V1_5_0 {
            assert_eq!(json["osint"][0]["uid"], "intel.csv:2");
            assert_eq!(json["osint"][0]["comment"], "VPS of the intrusion");
            assert!(
                json["metadata"]["profiles"]
                    .as_array()
                    .unwrap()
                    .contains(&Value::from("osint"))
            );
        } else {
            assert!(json.get("osint").is_none(), "1.1.0 has no osint profile");
        }
    }
}

#[test]
fn the_validator_sees_a_broken_finding() {
    let (rule, finding) = correlation();
    for version in OcsfVersion::ALL {
        let mut json = map(version, &rule, &finding);
        json.as_object_mut().unwrap().remove("finding_info");
        json["severity_id"] = Value::from(7);
        let error = validate(&json, version).unwrap_err();
        let problems: Vec<(&str, &Problem)> = error
            .violations
            .iter()
            .map(|v| (v.path.as_str(), &v.problem))
            .collect();
        assert!(
            problems.contains(&("finding_info", &Problem::MissingRequired)),
            "{error}"
        );
        assert!(
            problems
                .iter()
                .any(|(path, p)| *path == "severity_id" && matches!(p, Problem::NotInEnum { .. })),
            "{error}"
        );
    }
}

#[test]
fn the_uid_is_the_same_in_every_run_and_differs_between_findings() {
    let (rule, a) = correlation();
    let (_, again) = correlation();
    let (ioc_rule, b) = ioc_finding();
    let uid =
        |rule: &Rule, f: &Finding| map(OcsfVersion::V1_1_0, rule, f)["finding_info"]["uid"].clone();
    assert_eq!(uid(&rule, &a), uid(&rule, &again));
    assert_ne!(uid(&rule, &a), uid(&ioc_rule, &b));
}

#[test]
fn a_finding_without_event_time_is_refused() {
    let rules = RuleSet::new(vec![Rule::new(
        "any-list",
        "x",
        field("eventName").equals(["ListBuckets"]),
    )])
    .unwrap();
    let timeless =
        r#"{"eventVersion":"1.08","eventName":"ListBuckets","eventID":"e-9"}"#.to_owned();
    let found = findings(&rules, &[timeless]);
    assert_eq!(found.len(), 1);
    let error = FindingMapper::new(OcsfVersion::V1_1_0)
        .map(&found[0], None)
        .unwrap_err();
    assert!(
        matches!(error, FindingMapError::NoEventTime { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("any-list"), "{error}");
}

#[test]
fn the_correlation_finding_equals_its_golden_at_each_release() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let (rule, finding) = correlation();
    for version in OcsfVersion::ALL {
        let actual = map(version, &rule, &finding);
        let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/golden"))
            .join(format!("detection_finding_{version}.ocsf.json"));
        if update {
            fs::write(&path, serde_json::to_string_pretty(&actual).unwrap() + "\n").unwrap();
        }
        let expected: Value = serde_json::from_str(
            &fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        )
        .unwrap();
        assert_eq!(
            actual,
            expected,
            "{version}: differs from {}",
            path.display()
        );
    }
}
