//! Stateful rules on event time: thresholds, distinct values, sequences and first-seen give the same
//! findings whatever the arrival order within the allowed lateness; dedup, suppressions and explanations.

use chrono::{DateTime, Duration, TimeZone, Utc};
use cloudtrail_detect::{
    Correlator, Field, Finding, Match, Rule, RuleKind, RuleSet, Severity, Tuning, field,
};
use cloudtrail_model::Event;
use proptest::prelude::*;

fn time(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap() + Duration::minutes(minute)
}

fn record(name: &str, minute: i64, id: usize, actor: &str, secret: &str) -> String {
    serde_json::json!({
        "eventVersion": "1.11", "eventTime": time(minute).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "eventSource": "secretsmanager.amazonaws.com", "eventName": name, "eventID": format!("e-{id:03}"),
        "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::111122223333:user/{actor}"), "accountId": "111122223333"},
        "requestParameters": {"secretId": secret}
    })
    .to_string()
}

fn rules() -> RuleSet {
    RuleSet::new(vec![
        Rule::new(
            "threshold",
            "3 reads in 10 minutes",
            field("eventName").equals(["GetSecretValue"]),
        )
        .threshold(3, Duration::minutes(10)),
        Rule::new(
            "distinct",
            "3 distinct secrets in 10 minutes",
            field("eventName").equals(["GetSecretValue"]),
        )
        .kind(RuleKind::ValueCount {
            group_by: Vec::new(),
            field: Field::parse("requestParameters.secretId"),
            window: Duration::minutes(10),
            count: 3,
            at_most: None,
        }),
        Rule::new(
            "sequence",
            "list then read then delete",
            field("eventName").equals(["ListSecrets", "GetSecretValue", "DeleteSecret"]),
        )
        .kind(RuleKind::Sequence {
            steps: vec![
                field("eventName").equals(["ListSecrets"]),
                field("eventName").equals(["GetSecretValue"]),
                field("eventName").equals(["DeleteSecret"]),
            ],
            group_by: Vec::new(),
            window: Duration::minutes(30),
            ordered: true,
        }),
        Rule::new(
            "first-seen",
            "a secret this user never read",
            field("eventName").equals(["GetSecretValue"]),
        )
        .kind(RuleKind::FirstSeen {
            group_by: Vec::new(),
            field: Field::parse("requestParameters.secretId"),
            learning: Duration::minutes(5),
        }),
        Rule::new(
            "single",
            "any delete",
            field("eventName").equals(["DeleteSecret"]),
        )
        .dedup(Duration::minutes(20))
        .severity(Severity::High),
    ])
    .unwrap()
}

/// A day of activity by two users: alice reads the same secret often (threshold, not distinct), bob lists,
/// reads three distinct secrets and deletes (distinct, sequence, first-seen after learning).
fn scenario() -> Vec<String> {
    let mut records = Vec::new();
    let mut id = 0;
    let mut add = |name: &str, minute: i64, actor: &str, secret: &str| {
        id += 1;
        records.push(record(name, minute, id, actor, secret));
    };
    add("GetSecretValue", 0, "alice", "app");
    add("GetSecretValue", 2, "alice", "app");
    add("GetSecretValue", 4, "alice", "app");
    add("GetSecretValue", 30, "alice", "app");
    add("ListSecrets", 10, "bob", "");
    add("GetSecretValue", 11, "bob", "db");
    add("GetSecretValue", 12, "bob", "api");
    add("GetSecretValue", 13, "bob", "ssh");
    add("DeleteSecret", 14, "bob", "db");
    add("DeleteSecret", 20, "bob", "api");
    add("DeleteSecret", 40, "bob", "ssh");
    records
}

fn run(records: &[String], lateness: Duration) -> (Vec<Finding>, u64) {
    let rules = rules();
    let mut correlator = Correlator::new(&rules, lateness);
    let mut findings = Vec::new();
    for text in records {
        let event = Event::from_json(text).unwrap();
        let mut matches: Vec<Match> = Vec::new();
        rules.matches(&event, &mut matches);
        for m in matches {
            findings.extend(correlator.push(m).unwrap());
        }
    }
    let late = correlator.late();
    findings.extend(correlator.finish());
    findings.sort_by(|a, b| {
        (&a.rule_id, &a.entity, a.first_seen).cmp(&(&b.rule_id, &b.entity, b.first_seen))
    });
    (findings, late)
}

fn summary(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {:?}",
                f.rule_id,
                f.entity.rsplit('/').next().unwrap(),
                f.events,
                f.event_ids
            )
        })
        .collect()
}

#[test]
fn each_kind_of_rule_finds_what_it_should() {
    let (findings, late) = run(&scenario(), Duration::hours(1));
    assert_eq!(late, 0);
    assert_eq!(
        summary(&findings),
        [
            "distinct bob 3 [\"e-006\", \"e-007\", \"e-008\"]",
            "first-seen bob 1 [\"e-006\"]",
            "first-seen bob 1 [\"e-007\"]",
            "first-seen bob 1 [\"e-008\"]",
            "sequence bob 3 [\"e-005\", \"e-006\", \"e-009\"]",
            "single bob 2 [\"e-009\", \"e-010\"]",
            "single bob 1 [\"e-011\"]",
            "threshold alice 3 [\"e-001\", \"e-002\", \"e-003\"]",
            "threshold bob 3 [\"e-006\", \"e-007\", \"e-008\"]",
        ]
    );
    let distinct = findings.iter().find(|f| f.rule_id == "distinct").unwrap();
    assert!(
        distinct
            .explanation
            .iter()
            .any(|e| &*e.test == "3 distinct values within 10 minutes (threshold 3)"),
        "{:?}",
        distinct.explanation
    );
    assert_eq!(distinct.explanation[0].value, "GetSecretValue");
    assert_eq!(distinct.first_seen, Some(time(11)));
    assert_eq!(distinct.last_seen, Some(time(13)));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_arrival_order_within_the_lateness_gives_the_same_findings(order in Just(scenario()).prop_shuffle()) {
        let (expected, _) = run(&scenario(), Duration::hours(1));
        let (shuffled, late) = run(&order, Duration::hours(1));
        prop_assert_eq!(late, 0);
        prop_assert_eq!(summary(&shuffled), summary(&expected));
    }
}

#[test]
fn records_later_than_the_lateness_are_counted_not_processed() {
    let mut records = scenario();
    // The first record arrives last, 40 minutes after later ones, with 5 minutes of lateness allowed.
    let first = records.remove(0);
    records.push(first);
    let (_, late) = run(&records, Duration::minutes(5));
    // One record, matched by four rules (threshold, distinct, sequence, first-seen): four late matches.
    assert_eq!(late, 4);
    let (_, late) = run(&records, Duration::hours(1));
    assert_eq!(late, 0);
}

#[test]
fn suppressions_apply_until_they_expire_and_overrides_change_severity() {
    let (findings, _) = run(&scenario(), Duration::hours(1));
    let tuning = Tuning::from_json(r#"{
        "suppressions": [{"rule": "thresh*", "principal": "*:user/alice", "expires": "2024-06-01T00:00:00Z", "reason": "known job"}],
        "severity": {"distinct": "critical"}
    }"#).unwrap();
    let before = Utc.with_ymd_and_hms(2024, 5, 15, 0, 0, 0).unwrap();
    let after = Utc.with_ymd_and_hms(2024, 6, 2, 0, 0, 0).unwrap();
    let mut tuned = findings.clone();
    assert_eq!(tuning.apply(&mut tuned, before), 1);
    assert!(
        !tuned
            .iter()
            .any(|f| f.rule_id == "threshold" && f.entity.ends_with("alice"))
    );
    assert!(
        tuned
            .iter()
            .any(|f| f.rule_id == "threshold" && f.entity.ends_with("bob"))
    );
    assert_eq!(
        tuned
            .iter()
            .find(|f| f.rule_id == "distinct")
            .unwrap()
            .severity,
        Severity::Critical
    );
    let mut expired = findings.clone();
    assert_eq!(tuning.apply(&mut expired, after), 0);
    assert!(
        Tuning::from_json(r#"{"suppressions": [{"rule": "*"}]}"#).is_err(),
        "a reason is required"
    );
}
