//! Hunting the bundled sample tree (examples/data, linked as tests/data/sample; written by the `generate`
//! example) finds every planted scenario with the rule meant for it, and nothing above Low in the background
//! traffic (Info and Low findings are context, as they are on real benign history: an instance role listing
//! buckets).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use chrono::Duration;
use cloudtrail_detect::{Correlator, Finding, Match, RuleSet, Severity, builtin_rules};
use cloudtrail_reader::{Reader, Source};

/// The rule each planted scenario must trigger.
const EXPECTED: &[(&str, &str)] = &[
    ("suspicious_user_agent", "aws-suspicious-user-agent"),
    ("root_console_login", "aws-console-root-login"),
    ("console_signin_failures", "aws-console-signin-failure"),
    ("console_signin_failures", "aws-console-signin-brute-force"),
    (
        "secrets_manager_reads",
        "aws-secretsmanager-get-secret-value",
    ),
    ("secrets_manager_reads", "aws-secretsmanager-many-secrets"),
    ("assume_role_brute_force", "aws-sts-assume-role-denied"),
    ("assume_role_brute_force", "aws-sts-assume-role-brute-force"),
    ("cloudtrail_tampering", "aws-cloudtrail-tampering"),
    ("guardduty_tampering", "aws-guardduty-tampering"),
    ("iam_persistence", "aws-iam-user-created"),
    ("iam_persistence", "aws-iam-access-key-created"),
    ("iam_persistence", "aws-iam-login-profile-changed"),
    ("iam_persistence", "aws-iam-policy-changed"),
    ("iam_persistence", "aws-iam-role-trust-changed"),
    ("iam_persistence", "aws-iam-backdoor-user-sequence"),
    ("ai_assistant_writes", "aws-ai-assistant-activity"),
    (
        "identity_center_signin_failures",
        "aws-identity-center-signin-failure",
    ),
    ("vpc_endpoint_denials", "aws-vpc-endpoint-access-denied"),
    ("ebs_snapshot_shared", "aws-ebs-snapshot-shared"),
    (
        "security_group_opened",
        "aws-ec2-security-group-open-to-world",
    ),
    ("lambda_backdoor", "aws-lambda-public-permission"),
    ("leave_organization", "aws-organizations-leave"),
    ("flow_logs_deleted", "aws-vpc-flow-logs-deleted"),
    ("dns_query_logs_deleted", "aws-dns-query-logs-deleted"),
    ("ec2_password_data", "aws-ec2-password-data"),
    ("ssm_parameters_decrypted", "aws-ssm-parameters-decrypted"),
    (
        "secrets_batch_retrieval",
        "aws-secretsmanager-batch-retrieval",
    ),
];

/// Reads the sample tree under `data` on all cores, matches every record, and correlates the matches in
/// event-time order.
fn hunt(rules: &RuleSet, data: &str) -> Vec<Finding> {
    let matches = Mutex::new(Vec::<Match>::new());
    let stats = Reader::default()
        .for_each(
            &[Source::Path(format!("{data}/AWSLogs").into())],
            |event, _| {
                let mut found = Vec::new();
                rules.matches(event, &mut found);
                matches.lock().unwrap().extend(found);
            },
            |error| panic!("{error}"),
        )
        .unwrap();
    assert!(stats.records_delivered > 5000);
    let mut matches = matches.into_inner().unwrap();
    matches.sort_by(|a, b| (a.time, &a.event_id, a.rule).cmp(&(b.time, &b.event_id, b.rule)));
    let mut correlator = Correlator::new(rules, Duration::hours(1));
    let mut findings = Vec::new();
    for m in matches {
        findings.extend(correlator.push(m).unwrap());
    }
    findings.extend(correlator.finish());
    findings
}

#[test]
fn the_sample_yields_every_planted_scenario_and_no_false_positive() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sample");
    let truth: Vec<serde_json::Value> =
        std::fs::read_to_string(format!("{data}/ground_truth.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    let planted: BTreeMap<&str, &str> = truth
        .iter()
        .map(|t| {
            (
                t["event_id"].as_str().unwrap(),
                t["scenario"].as_str().unwrap(),
            )
        })
        .collect();

    let rules = RuleSet::new(builtin_rules()).unwrap();
    let findings = hunt(&rules, data);

    let mut covered: BTreeSet<(&str, &str)> = BTreeSet::new();
    for finding in &findings {
        for id in &finding.event_ids {
            match planted.get(id.as_str()) {
                Some(scenario) => {
                    covered.insert((scenario, finding.rule_id.as_str()));
                }
                None => assert!(
                    finding.severity <= Severity::Low,
                    "{} ({}) fired on background record {id}",
                    finding.rule_id,
                    finding.severity
                ),
            }
        }
    }
    for expected in EXPECTED {
        assert!(
            covered.contains(expected),
            "scenario {} not found by {}",
            expected.0,
            expected.1
        );
    }
    let scenarios: BTreeSet<&str> = planted.values().copied().collect();
    let expected_scenarios: BTreeSet<&str> = EXPECTED.iter().map(|e| e.0).collect();
    assert_eq!(
        scenarios, expected_scenarios,
        "every planted scenario has an expected rule"
    );
}

/// SigmaHQ rules run next to the built-in pack over the sample: the ones written for the planted
/// techniques find them (the noisy ones, such as AssumeRole misuse, also fire on background traffic, as
/// they do in real accounts).
#[cfg(feature = "sigma")]
#[test]
fn sigmahq_rules_find_the_planted_techniques_they_cover() {
    use cloudtrail_detect::sigma::SigmaLoader;

    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sample");
    let truth = std::fs::read_to_string(format!("{data}/ground_truth.jsonl")).unwrap();
    let planted: BTreeMap<String, String> = truth
        .lines()
        .map(|l| {
            let t: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                t["event_id"].as_str().unwrap().to_owned(),
                t["scenario"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut loader = SigmaLoader::new();
    loader.add_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sigma/rules"
    ));
    let sigma = loader.compile();
    assert!(sigma.failures.is_empty());
    let mut rules = builtin_rules();
    let builtin = rules.len();
    rules.extend(sigma.rules);
    let rules = RuleSet::new(rules).unwrap();
    let findings = hunt(&rules, data);
    let covered: BTreeSet<(&str, &str)> = findings
        .iter()
        .flat_map(|f| {
            f.event_ids
                .iter()
                .filter_map(|id| planted.get(id))
                .map(|scenario| (scenario.as_str(), f.rule_id.as_str()))
        })
        .collect();
    let expected = [
        (
            "cloudtrail_tampering",
            "4db60cc0-36fb-42b7-9b58-a5b53019fb74",
        ),
        (
            "guardduty_tampering",
            "d2656e78-c069-4571-8220-9e0ab5913f19",
        ),
        ("flow_logs_deleted", "e386b9b5-af12-450e-afff-761730fb8a98"),
        ("iam_persistence", "0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2"),
        (
            "console_signin_failures",
            "6393e346-1977-46ef-8987-ad414a145fad",
        ),
        (
            "ebs_snapshot_shared",
            "abae8fec-57bd-4f87-aff6-6e3db989843d",
        ),
        (
            "security_group_opened",
            "6fb77778-040f-4015-9440-572aa9b6b580",
        ),
    ];
    for pair in expected {
        assert!(covered.contains(&pair), "{pair:?} not found in {covered:?}");
    }
    // The built-in rules still find what they found alone.
    assert!(rules.rules()[..builtin].iter().all(
        |r| findings.iter().any(|f| f.rule_id == r.id) || !EXPECTED.iter().any(|e| e.1 == r.id)
    ));
}
