//! Rules over the 2026 record shapes: aggregated events (AWS CloudTrail User Guide, "Aggregating data
//! events", API_ACTIVITY example) and `onBehalfOf` of trusted identity propagation (Amazon EMR
//! documentation of simplified trusted identity propagation), as the model crate's docs say rules see them.
#![cfg(feature = "sigma")]

use cloudtrail_detect::sigma::SigmaLoader;
use cloudtrail_detect::{RuleSet, builtin_rules};
use cloudtrail_model::Event;

const AGGREGATED: &str = r#"{"eventVersion":"1.0","accountId":"111122223333",
  "eventId":"62759c1a-6248-48e1-a6b3-d5fb7e6c4bc0","eventCategory":"Aggregated",
  "eventType":"AwsAggregatedEvent","awsRegion":"us-west-2","eventSource":"s3.amazonaws.com",
  "timeWindow":{"windowStart":"2025-11-17T19:20:00Z","windowEnd":"2025-11-17T19:25:00Z","windowSize":"PT5M"},
  "summary":{"primaryDimension":{"dimension":"eventName","statistics":[{"name":"PutObject","value":1000}],
    "aggregationType":"Count"},
  "details":[{"dimension":"resourceARN","statistics":[{"name":"arn:aws:s3:::bucket-1","value":800},
    {"name":"arn:aws:s3:::bucket-2","value":150},{"name":"arn:aws:s3:::bucket-3","value":50}],
    "aggregationType":"Count"}]}}"#;

fn workload_record(subject_type: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.11","eventTime":"2026-05-04T02:03:44Z","eventSource":"s3.amazonaws.com",
        "eventName":"PutObject","eventID":"e-1","readOnly":false,"userIdentity":{{"type":"AssumedRole",
        "arn":"arn:aws:sts::111122223333:assumed-role/DataAnalystRole/etl","accountId":"111122223333",
        "onBehalfOf":{{"subject":"etl@example.com","subjectType":"{subject_type}",
        "issuer":"https://idp.example.com",
        "federatedProviderArn":"arn:aws:iam::111122223333:oidc-provider/idp.example.com"}}}}}}"#
    )
}

fn sigma(detection: &str) -> RuleSet {
    let mut loader = SigmaLoader::new();
    loader.add_str(
        "test.yml",
        &format!(
            "title: t\nid: t\nlevel: low\nlogsource: {{product: aws, service: cloudtrail}}\ndetection:\n{detection}"
        ),
    );
    let loaded = loader.compile();
    assert!(loaded.failures.is_empty(), "{:?}", loaded.failures);
    RuleSet::new(loaded.rules).unwrap()
}

fn fired(rules: &RuleSet, text: &str) -> Vec<String> {
    let event = Event::from_json(text).unwrap();
    let mut matches = Vec::new();
    rules.matches(&event, &mut matches);
    matches
        .iter()
        .map(|m| rules.rules()[m.rule].id.clone())
        .collect()
}

#[test]
fn no_built_in_rule_fires_on_an_aggregated_event() {
    let rules = RuleSet::new(builtin_rules()).unwrap();
    assert_eq!(fired(&rules, AGGREGATED), Vec::<String>::new());
}

#[test]
fn a_rule_can_select_aggregated_events_and_test_their_summary() {
    let rules = sigma(
        "    selection:\n        eventType: AwsAggregatedEvent\n        summary.details.statistics.name: 'arn:aws:s3:::bucket-2'\n    condition: selection\n",
    );
    assert_eq!(fired(&rules, AGGREGATED), ["t"]);
    let other = sigma(
        "    selection:\n        eventType: AwsAggregatedEvent\n        summary.details.statistics.name: 'arn:aws:s3:::bucket-9'\n    condition: selection\n",
    );
    assert!(fired(&other, AGGREGATED).is_empty());
}

#[test]
fn a_rule_can_single_out_workloads_acting_through_propagated_identities() {
    let rules = sigma(
        "    selection:\n        userIdentity.onBehalfOf.subjectType: workload\n        userIdentity.onBehalfOf.federatedProviderArn|contains: ':oidc-provider/'\n    condition: selection\n",
    );
    assert_eq!(fired(&rules, &workload_record("workload")), ["t"]);
    assert!(fired(&rules, &workload_record("user")).is_empty());
}

#[test]
fn the_pack_flags_workload_writes_and_raises_those_to_security_posture() {
    let rules = RuleSet::new(builtin_rules()).unwrap();
    let severity_of = |text: &str| {
        let event = Event::from_json(text).unwrap();
        let mut matches = Vec::new();
        rules.matches(&event, &mut matches);
        matches
            .iter()
            .find(|m| rules.rules()[m.rule].id == "aws-workload-identity-write")
            .map(|m| m.severity)
    };
    // An ETL job writing its output: flagged, Low.
    assert_eq!(
        severity_of(&workload_record("workload")),
        Some(cloudtrail_detect::Severity::Low)
    );
    // The same workload identity creating an access key: High.
    let iam = workload_record("workload")
        .replace(
            r#""eventSource":"s3.amazonaws.com""#,
            r#""eventSource":"iam.amazonaws.com""#,
        )
        .replace(
            r#""eventName":"PutObject""#,
            r#""eventName":"CreateAccessKey""#,
        );
    assert!(iam.contains("iam.amazonaws.com") && iam.contains("CreateAccessKey"));
    assert_eq!(severity_of(&iam), Some(cloudtrail_detect::Severity::High));
    // A person's propagated identity is not this rule's business.
    assert_eq!(severity_of(&workload_record("user")), None);
}
