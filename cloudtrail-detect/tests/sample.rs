//! Hunting the bundled sample tree (examples/data, linked as tests/data/sample; written by the `generate`
//! example) finds every planted scenario with the rule meant for it, and nothing above Low in the background
//! traffic (Info and Low findings are context, as they are on real benign history: an instance role listing
//! buckets).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use chrono::Duration;
use cloudtrail_detect::{Correlator, Finding, Match, RuleSet, Severity, builtin_rules};
use cloudtrail_reader::{Reader, Source};

/// The rules each planted scenario must trigger, and the planted record (by event name) each finding must
/// name: the scenario's key event.
const EXPECTED: &[(&str, &str, &str)] = &[
    (
        "suspicious_user_agent",
        "aws-suspicious-user-agent",
        "GetCallerIdentity",
    ),
    (
        "root_console_login",
        "aws-console-root-login",
        "ConsoleLogin",
    ),
    (
        "console_signin_failures",
        "aws-console-signin-failure",
        "ConsoleLogin",
    ),
    (
        "console_signin_failures",
        "aws-console-signin-brute-force",
        "ConsoleLogin",
    ),
    (
        "secrets_manager_reads",
        "aws-secretsmanager-get-secret-value",
        "GetSecretValue",
    ),
    (
        "secrets_manager_reads",
        "aws-secretsmanager-many-secrets",
        "GetSecretValue",
    ),
    (
        "assume_role_brute_force",
        "aws-sts-assume-role-denied",
        "AssumeRole",
    ),
    (
        "assume_role_brute_force",
        "aws-sts-assume-role-brute-force",
        "AssumeRole",
    ),
    (
        "cloudtrail_tampering",
        "aws-cloudtrail-tampering",
        "StopLogging",
    ),
    (
        "guardduty_tampering",
        "aws-guardduty-tampering",
        "DeleteDetector",
    ),
    ("iam_persistence", "aws-iam-user-created", "CreateUser"),
    (
        "iam_persistence",
        "aws-iam-access-key-created",
        "CreateAccessKey",
    ),
    (
        "iam_persistence",
        "aws-iam-access-key-created-for-other-user",
        "CreateAccessKey",
    ),
    (
        "iam_persistence",
        "aws-iam-login-profile-changed",
        "CreateLoginProfile",
    ),
    (
        "iam_persistence",
        "aws-iam-login-profile-created-for-other-user",
        "CreateLoginProfile",
    ),
    (
        "iam_persistence",
        "aws-iam-policy-changed",
        "AttachUserPolicy",
    ),
    (
        "iam_persistence",
        "aws-iam-role-trust-changed",
        "UpdateAssumeRolePolicy",
    ),
    (
        "iam_persistence",
        "aws-iam-role-trust-allows-accounts",
        "UpdateAssumeRolePolicy",
    ),
    (
        "iam_persistence",
        "aws-iam-backdoor-user-sequence",
        "CreateAccessKey",
    ),
    (
        "ai_assistant_writes",
        "aws-ai-assistant-activity",
        "RunInstances",
    ),
    (
        "identity_center_signin_failures",
        "aws-identity-center-signin-failure",
        "CredentialVerification",
    ),
    (
        "vpc_endpoint_denials",
        "aws-vpc-endpoint-access-denied",
        "GetObject",
    ),
    (
        "ebs_snapshot_shared",
        "aws-ebs-snapshot-shared",
        "ModifySnapshotAttribute",
    ),
    (
        "security_group_opened",
        "aws-ec2-security-group-open-to-world",
        "AuthorizeSecurityGroupIngress",
    ),
    (
        "lambda_backdoor",
        "aws-lambda-public-permission",
        "AddPermission20150331v2",
    ),
    (
        "leave_organization",
        "aws-organizations-leave",
        "LeaveOrganization",
    ),
    (
        "flow_logs_deleted",
        "aws-vpc-flow-logs-deleted",
        "DeleteFlowLogs",
    ),
    (
        "dns_query_logs_deleted",
        "aws-dns-query-logs-deleted",
        "DeleteResolverQueryLogConfig",
    ),
    (
        "ec2_password_data",
        "aws-ec2-password-data",
        "GetPasswordData",
    ),
    (
        "ssm_parameters_decrypted",
        "aws-ssm-parameters-decrypted",
        "GetParameters",
    ),
    (
        "config_recorder_stopped",
        "aws-config-recording-stopped",
        "StopConfigurationRecorder",
    ),
    (
        "cloudwatch_alarms_silenced",
        "aws-cloudwatch-alarm-actions-disabled",
        "DisableAlarmActions",
    ),
    (
        "cloudwatch_alarms_silenced",
        "aws-cloudwatch-alarms-deleted",
        "DeleteAlarms",
    ),
    (
        "trail_log_group_deleted",
        "aws-cloudwatch-log-group-deleted",
        "DeleteLogGroup",
    ),
    ("kms_key_destroyed", "aws-kms-key-disabled", "DisableKey"),
    (
        "kms_key_destroyed",
        "aws-kms-key-deletion-scheduled",
        "ScheduleKeyDeletion",
    ),
    (
        "waf_and_eventbridge_deleted",
        "aws-waf-web-acl-deleted",
        "DeleteWebACL",
    ),
    (
        "waf_and_eventbridge_deleted",
        "aws-eventbridge-rule-disabled-or-deleted",
        "DeleteRule",
    ),
    (
        "s3_public_access_block_removed",
        "aws-s3-public-access-block-removed",
        "DeleteBucketPublicAccessBlock",
    ),
    (
        "bedrock_invocation_logging_deleted",
        "aws-bedrock-invocation-logging-deleted",
        "DeleteModelInvocationLoggingConfiguration",
    ),
    ("ami_shared", "aws-ec2-ami-shared", "ModifyImageAttribute"),
    (
        "rds_snapshot_shared",
        "aws-rds-snapshot-shared",
        "ModifyDBSnapshotAttribute",
    ),
    (
        "s3_replication_to_foreign_bucket",
        "aws-s3-replication-configured",
        "PutBucketReplication",
    ),
    (
        "traffic_mirroring",
        "aws-ec2-traffic-mirroring",
        "CreateTrafficMirrorSession",
    ),
    (
        "rds_database_deleted",
        "aws-rds-deletion-protection-disabled",
        "ModifyDBInstance",
    ),
    (
        "rds_database_deleted",
        "aws-rds-backup-deleted",
        "DeleteDBSnapshot",
    ),
    (
        "rds_database_deleted",
        "aws-rds-instance-deleted",
        "DeleteDBInstance",
    ),
    (
        "efs_file_system_deleted",
        "aws-efs-file-system-deleted",
        "DeleteFileSystem",
    ),
    (
        "backup_vault_destroyed",
        "aws-backup-recovery-point-deleted",
        "DeleteRecoveryPoint",
    ),
    (
        "backup_vault_destroyed",
        "aws-backup-recovery-points-deleted-burst",
        "DeleteRecoveryPoint",
    ),
    (
        "backup_vault_destroyed",
        "aws-backup-vault-deleted",
        "DeleteBackupVault",
    ),
    (
        "s3_mass_deletion",
        "aws-s3-objects-batch-deleted",
        "DeleteObjects",
    ),
    (
        "s3_mass_deletion",
        "aws-s3-batch-deletion-burst",
        "DeleteObjects",
    ),
    ("s3_sse_c_ransom", "aws-s3-sse-c-encryption", "CopyObject"),
    (
        "s3_sse_c_ransom",
        "aws-s3-ransom-note-uploaded",
        "PutObject",
    ),
    (
        "policy_version_set_default",
        "aws-iam-policy-version-set-default",
        "CreatePolicyVersion",
    ),
    (
        "policy_version_set_default",
        "aws-iam-policy-version-set-default",
        "SetDefaultPolicyVersion",
    ),
    (
        "federation_providers_added",
        "aws-iam-saml-provider-changed",
        "CreateSAMLProvider",
    ),
    (
        "federation_providers_added",
        "aws-iam-oidc-provider-changed",
        "CreateOpenIDConnectProvider",
    ),
    (
        "roles_anywhere_trust_anchor",
        "aws-rolesanywhere-trust-anchor-changed",
        "CreateTrustAnchor",
    ),
    (
        "roles_anywhere_trust_anchor",
        "aws-rolesanywhere-profile-changed",
        "CreateProfile",
    ),
    (
        "identity_center_assignment",
        "aws-sso-permission-set-changed",
        "CreatePermissionSet",
    ),
    (
        "identity_center_assignment",
        "aws-sso-account-assignment-created",
        "CreateAccountAssignment",
    ),
    (
        "identity_center_assignment",
        "aws-sso-permission-set-provisioned",
        "ProvisionPermissionSet",
    ),
    (
        "federation_token_issued",
        "aws-sts-federation-token-issued",
        "GetFederationToken",
    ),
    (
        "ssm_send_command_fleet",
        "aws-ssm-send-command",
        "SendCommand",
    ),
    (
        "ssm_send_command_fleet",
        "aws-ssm-send-command-many-instances",
        "SendCommand",
    ),
    ("ssm_start_session", "aws-ssm-start-session", "StartSession"),
    (
        "instance_connect_keys",
        "aws-ec2-instance-connect-key",
        "SendSSHPublicKey",
    ),
    (
        "instance_connect_keys",
        "aws-ec2-serial-console-enabled",
        "EnableSerialConsoleAccess",
    ),
    (
        "instance_connect_keys",
        "aws-ec2-serial-console-key",
        "SendSerialConsoleSSHPublicKey",
    ),
    (
        "user_data_modified",
        "aws-ec2-user-data-modified",
        "ModifyInstanceAttribute",
    ),
    (
        "console_login_without_mfa",
        "aws-console-login-without-mfa",
        "ConsoleLogin",
    ),
    (
        "bedrock_model_abuse",
        "aws-bedrock-model-access-requested",
        "PutFoundationModelEntitlement",
    ),
    (
        "bedrock_model_abuse",
        "aws-bedrock-invoke-by-person",
        "InvokeModel",
    ),
    (
        "instance_credentials_off_instance",
        "aws-ec2-instance-credentials-off-instance",
        "ListBuckets",
    ),
    (
        "instance_credentials_off_instance",
        "aws-ec2-instance-credentials-off-instance",
        "GetObject",
    ),
    (
        "instance_credentials_off_instance",
        "aws-instance-role-lists-buckets",
        "ListBuckets",
    ),
    (
        "discovery_burst",
        "aws-discovery-burst",
        "GetAccountAuthorizationDetails",
    ),
    (
        "permission_error_burst",
        "aws-api-permission-errors-burst",
        "ListUsers",
    ),
    (
        "permission_error_burst",
        "aws-discovery-denied-burst",
        "ListUsers",
    ),
    (
        "workload_identity_writes",
        "aws-workload-identity-write",
        "CreateAccessKey",
    ),
    (
        "workload_identity_writes",
        "aws-workload-identity-write",
        "PutObject",
    ),
    (
        "secrets_batch_retrieval",
        "aws-secretsmanager-batch-retrieval",
        "BatchGetSecretValue",
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
    let planted: BTreeMap<&str, (&str, &str)> = truth
        .iter()
        .map(|t| {
            (
                t["event_id"].as_str().unwrap(),
                (
                    t["scenario"].as_str().unwrap(),
                    t["event_name"].as_str().unwrap(),
                ),
            )
        })
        .collect();

    let rules = RuleSet::new(builtin_rules()).unwrap();
    let findings = hunt(&rules, data);

    let mut covered: BTreeSet<(&str, &str, &str)> = BTreeSet::new();
    for finding in &findings {
        for id in &finding.event_ids {
            match planted.get(id.as_str()) {
                Some((scenario, name)) => {
                    covered.insert((scenario, finding.rule_id.as_str(), name));
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
            "scenario {} not found by {} on its {} record",
            expected.0,
            expected.1,
            expected.2
        );
    }
    let scenarios: BTreeSet<&str> = planted.values().map(|p| p.0).collect();
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
