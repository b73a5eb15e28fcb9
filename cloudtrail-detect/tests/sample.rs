//! Hunting the bundled sample tree (examples/data, written by the `generate` example) finds every planted
//! scenario with the rule meant for it, and nothing in the background traffic.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use chrono::Duration;
use cloudtrail_detect::{Correlator, Match, RuleSet, builtin_rules};
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

#[test]
fn the_sample_yields_every_planted_scenario_and_no_false_positive() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data");
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
    let mut correlator = Correlator::new(&rules, Duration::hours(1));
    let mut findings = Vec::new();
    for m in matches {
        findings.extend(correlator.push(m));
    }
    findings.extend(correlator.finish());

    let mut covered: BTreeSet<(&str, &str)> = BTreeSet::new();
    for finding in &findings {
        for id in &finding.event_ids {
            match planted.get(id.as_str()) {
                Some(scenario) => {
                    covered.insert((scenario, finding.rule_id.as_str()));
                }
                None => panic!("{} fired on background record {id}", finding.rule_id),
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
