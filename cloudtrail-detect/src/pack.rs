//! The built-in rule pack: the hunting notebook's seven rules, IAM configuration changes, AI-assistant
//! activity, Identity Center and console sign-in failures, VPC endpoint denials, and the attack techniques
//! of Stratus Red Team that leave CloudTrail records.

use chrono::Duration;

use crate::condition::{Condition, field, on};
use crate::field::Field;
use crate::rule::{Rule, RuleKind, Severity};

const DEFENSE_EVASION: &str = "TA0005";
const CREDENTIAL_ACCESS: &str = "TA0006";
const PERSISTENCE: &str = "TA0003";
const PRIVILEGE_ESCALATION: &str = "TA0004";
const INITIAL_ACCESS: &str = "TA0001";
const EXFILTRATION: &str = "TA0010";
const EXECUTION: &str = "TA0002";

fn names(list: &[&str]) -> Condition {
    field("eventName").equals(list.iter().copied())
}

fn source(service: &str) -> Condition {
    field("eventSource").equals([format!("{service}.amazonaws.com")])
}

/// Writes that change security posture, when an AI assistant makes them.
fn sensitive_write() -> Condition {
    field("readOnly")
        .equals(["false"])
        .and(field("eventSource").equals([
            "iam.amazonaws.com",
            "sts.amazonaws.com",
            "cloudtrail.amazonaws.com",
            "guardduty.amazonaws.com",
            "config.amazonaws.com",
            "organizations.amazonaws.com",
            "kms.amazonaws.com",
            "securityhub.amazonaws.com",
        ]))
}

/// Every built-in rule. Each has positive and negative fixtures in the project's tests.
pub fn builtin_rules() -> Vec<Rule> {
    let mut rules = notebook_rules();
    rules.extend(iam_rules());
    rules.extend(sign_in_rules());
    rules.extend(technique_rules());
    rules
}

/// The hunting notebook's seven rules (with the AssumeRole rule as single records and as a threshold).
fn notebook_rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-suspicious-user-agent",
            "Request from a penetration-testing distribution or PowerShell",
            field("userAgent").contains(["blackbox", "blackarch", "kali", "parrot", "pentoo", "powershell"]),
        )
        .description("The user agent names a penetration-testing Linux distribution (Kali, Parrot, Pentoo, BlackArch), BlackBox, or PowerShell.")
        .false_positive("AWS Tools for PowerShell used by administrators")
        .severity(Severity::Medium),
        Rule::new(
            "aws-console-root-login",
            "Root user signed in to the console",
            names(&["ConsoleLogin"]).and(field("userIdentity.type").equals(["Root"])),
        )
        .severity(Severity::High)
        .mitre(PRIVILEGE_ESCALATION, "T1078")
        .mitre(INITIAL_ACCESS, "T1078.004"),
        Rule::new(
            "aws-console-signin-failure",
            "Console sign-in failed",
            names(&["ConsoleLogin"])
                .and(source("signin"))
                .and(field("responseElements.ConsoleLogin").contains(["fail"])),
        )
        .severity(Severity::Low)
        .mitre(CREDENTIAL_ACCESS, "T1110"),
        Rule::new(
            "aws-secretsmanager-get-secret-value",
            "Secrets Manager secret read",
            names(&["GetSecretValue"]),
        )
        .severity(Severity::Low)
        .false_positive("applications reading their own secrets at start-up")
        .mitre(CREDENTIAL_ACCESS, "T1528"),
        Rule::new(
            "aws-sts-assume-role-denied",
            "AssumeRole denied",
            names(&["AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"])
                .and(source("sts"))
                .and(field("errorCode").contains(["denied"])),
        )
        .severity(Severity::Low)
        .mitre(CREDENTIAL_ACCESS, "T1110"),
        Rule::new(
            "aws-sts-assume-role-brute-force",
            "Many AssumeRole calls denied for one principal",
            names(&["AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"])
                .and(source("sts"))
                .and(field("errorCode").contains(["denied"])),
        )
        .severity(Severity::High)
        .threshold(10, Duration::minutes(10))
        .mitre(CREDENTIAL_ACCESS, "T1110"),
        Rule::new(
            "aws-cloudtrail-tampering",
            "CloudTrail logging stopped, deleted or changed",
            names(&["DeleteTrail", "StopLogging", "UpdateTrail", "PutEventSelectors"]).and(source("cloudtrail")),
        )
        .severity(Severity::High)
        .tag("stratus:aws.defense-evasion.cloudtrail-stop")
        .tag("stratus:aws.defense-evasion.cloudtrail-delete")
        .tag("stratus:aws.defense-evasion.cloudtrail-event-selectors")
        .mitre(DEFENSE_EVASION, "T1562.008"),
        Rule::new(
            "aws-guardduty-tampering",
            "GuardDuty detector or membership disabled or deleted",
            names(&[
                "DeleteDetector",
                "DeleteMembers",
                "DeletePublishingDestination",
                "DisassociateMembers",
                "DisassociateFromMasterAccount",
                "RemoveTargets",
                "StopMonitoringMembers",
            ])
            .or(names(&["UpdateDetector"]).and(field("requestParameters.enable").equals(["false"]))),
        )
        .severity(Severity::High)
        .mitre(DEFENSE_EVASION, "T1562.001"),
    ]
}

fn iam_rules() -> Vec<Rule> {
    vec![
        Rule::new("aws-iam-user-created", "IAM user created", names(&["CreateUser"]).and(source("iam")))
            .severity(Severity::Low)
            .tag("stratus:aws.persistence.iam-create-admin-user")
            .mitre(PERSISTENCE, "T1136.003"),
        Rule::new(
            "aws-iam-access-key-created",
            "Access key created for an IAM user",
            names(&["CreateAccessKey"]).and(source("iam")),
        )
        .severity(Severity::Medium)
        .tag("stratus:aws.persistence.iam-backdoor-user")
        .mitre(PERSISTENCE, "T1098.001"),
        Rule::new(
            "aws-iam-login-profile-changed",
            "Console password created or changed for an IAM user",
            names(&["CreateLoginProfile", "UpdateLoginProfile"]).and(source("iam")),
        )
        .severity(Severity::Medium)
        .tag("stratus:aws.persistence.iam-create-user-login-profile")
        .tag("stratus:aws.privilege-escalation.iam-update-user-login-profile")
        .mitre(PERSISTENCE, "T1098"),
        Rule::new(
            "aws-iam-policy-changed",
            "IAM policy attached, put or changed",
            names(&[
                "AttachUserPolicy",
                "AttachRolePolicy",
                "AttachGroupPolicy",
                "PutUserPolicy",
                "PutRolePolicy",
                "PutGroupPolicy",
                "CreatePolicy",
                "CreatePolicyVersion",
                "SetDefaultPolicyVersion",
                "DeleteUserPolicy",
                "DeleteRolePolicy",
                "DetachUserPolicy",
                "DetachRolePolicy",
            ])
            .and(source("iam")),
        )
        .severity(Severity::Low)
        .escalate(field("requestParameters.policyArn").ends_with([":policy/AdministratorAccess"]), Severity::High)
        .mitre(PRIVILEGE_ESCALATION, "T1098.003"),
        Rule::new(
            "aws-iam-role-trust-changed",
            "Role trust policy changed",
            names(&["UpdateAssumeRolePolicy"]).and(source("iam")),
        )
        .severity(Severity::High)
        .tag("stratus:aws.persistence.iam-backdoor-role")
        .mitre(PERSISTENCE, "T1098.003"),
        Rule::new("aws-iam-role-created", "IAM role created", names(&["CreateRole"]).and(source("iam")))
            .severity(Severity::Info)
            .tag("stratus:aws.persistence.iam-create-backdoor-role")
            .mitre(PERSISTENCE, "T1098.003"),
        Rule::new(
            "aws-iam-backdoor-user-sequence",
            "IAM user created, given a policy and an access key in a row",
            names(&["CreateUser", "AttachUserPolicy", "PutUserPolicy", "CreateAccessKey"]).and(source("iam")),
        )
        .severity(Severity::Critical)
        .kind(RuleKind::Sequence {
            steps: vec![
                names(&["CreateUser"]),
                names(&["AttachUserPolicy", "PutUserPolicy"]),
                names(&["CreateAccessKey"]),
            ],
            group_by: Vec::new(),
            window: Duration::hours(1),
            ordered: true,
        })
        .mitre(PERSISTENCE, "T1136.003"),
        Rule::new(
            "aws-ai-assistant-activity",
            "Call made through an AI coding assistant",
            field("userAgent").contains(["exec-env/amazonq-for-", "app/amazonq-for-cli", "acp-client/kiro"]),
        )
        .description("Amazon Q Developer or Kiro ran this call. Reads are informational; writes are raised, and writes to IAM, STS, logging and security services more.")
        .severity(Severity::Info)
        .escalate(sensitive_write(), Severity::High)
        .escalate(field("readOnly").equals(["false"]), Severity::Medium)
        .mitre(EXECUTION, "T1059.009"),
    ]
}

fn sign_in_rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-console-signin-brute-force",
            "Many console sign-in failures from one source",
            names(&["ConsoleLogin"])
                .and(source("signin"))
                .and(field("responseElements.ConsoleLogin").contains(["fail"])),
        )
        .severity(Severity::High)
        .threshold(5, Duration::minutes(10))
        .mitre(CREDENTIAL_ACCESS, "T1110.001"),
        Rule::new(
            "aws-console-login-without-mfa",
            "Console sign-in without MFA",
            names(&["ConsoleLogin"])
                .and(field("responseElements.ConsoleLogin").equals(["Success"]))
                .and(field("additionalEventData.MFAUsed").equals(["No"])),
        )
        .severity(Severity::Medium)
        .tag("stratus:aws.initial-access.console-login-without-mfa")
        .mitre(INITIAL_ACCESS, "T1078.004"),
        Rule::new(
            "aws-identity-center-signin-failure",
            "IAM Identity Center sign-in step failed",
            names(&[
                "CredentialVerification",
                "CredentialChallenge",
                "UserAuthentication",
                "Authenticate",
                "Federate",
            ])
            .and(field("eventSource").equals(["signin.amazonaws.com", "sso.amazonaws.com"]))
            .and(on(Field::Outcome).equals(["failure"])),
        )
        .severity(Severity::Low)
        .mitre(CREDENTIAL_ACCESS, "T1110"),
        Rule::new(
            "aws-vpc-endpoint-access-denied",
            "Request denied by a VPC endpoint policy",
            field("errorCode")
                .equals(["VpceAccessDenied"])
                .and(field("eventType").equals(["AwsVpceEvent"])),
        )
        .severity(Severity::Medium)
        .mitre("TA0007", "T1580"),
    ]
}

fn technique_rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-ebs-snapshot-shared",
            "EBS snapshot shared with another account or made public",
            names(&["ModifySnapshotAttribute"])
                .and(field("requestParameters.createVolumePermission.add.items").exists()),
        )
        .severity(Severity::High)
        .tag("stratus:aws.exfiltration.ec2-share-ebs-snapshot")
        .mitre(EXFILTRATION, "T1537"),
        Rule::new(
            "aws-ec2-security-group-open-to-world",
            "Security group opened to the whole internet",
            names(&["AuthorizeSecurityGroupIngress"]).and(
                field("requestParameters.ipPermissions.items.ipRanges.items.cidrIp")
                    .equals(["0.0.0.0/0"])
                    .or(
                        field("requestParameters.ipPermissions.items.ipv6Ranges.items.cidrIpv6")
                            .equals(["::/0"]),
                    ),
            ),
        )
        .severity(Severity::Medium)
        .tag("stratus:aws.exfiltration.ec2-security-group-open-port-22-ingress")
        .mitre(DEFENSE_EVASION, "T1562.007"),
        Rule::new(
            "aws-lambda-public-permission",
            "Lambda function made invocable by anyone",
            names(&[
                "AddPermission",
                "AddPermission20150331",
                "AddPermission20150331v2",
            ])
            .and(field("requestParameters.principal").equals(["*"])),
        )
        .severity(Severity::High)
        .tag("stratus:aws.persistence.lambda-backdoor-function")
        .mitre(PERSISTENCE, "T1546"),
        Rule::new(
            "aws-organizations-leave",
            "Account tried to leave its AWS Organization",
            names(&["LeaveOrganization"]),
        )
        .severity(Severity::High)
        .tag("stratus:aws.defense-evasion.organizations-leave")
        .mitre(DEFENSE_EVASION, "T1666"),
        Rule::new(
            "aws-vpc-flow-logs-deleted",
            "VPC flow logs deleted",
            names(&["DeleteFlowLogs"]),
        )
        .severity(Severity::High)
        .tag("stratus:aws.defense-evasion.vpc-remove-flow-logs")
        .mitre(DEFENSE_EVASION, "T1562.008"),
        Rule::new(
            "aws-dns-query-logs-deleted",
            "Route 53 Resolver query logging deleted",
            names(&[
                "DeleteResolverQueryLogConfig",
                "DisassociateResolverQueryLogConfig",
            ]),
        )
        .severity(Severity::High)
        .tag("stratus:aws.defense-evasion.dns-delete-logs")
        .mitre(DEFENSE_EVASION, "T1562.008"),
        Rule::new(
            "aws-ec2-password-data",
            "Windows administrator password data read",
            names(&["GetPasswordData"]),
        )
        .severity(Severity::Medium)
        .tag("stratus:aws.credential-access.ec2-get-password-data")
        .mitre(CREDENTIAL_ACCESS, "T1552"),
        Rule::new(
            "aws-ssm-parameters-decrypted",
            "SecureString parameters read decrypted",
            names(&["GetParameter", "GetParameters", "GetParametersByPath"])
                .and(source("ssm"))
                .and(field("requestParameters.withDecryption").equals(["true"])),
        )
        .severity(Severity::Low)
        .tag("stratus:aws.credential-access.ssm-retrieve-securestring-parameters")
        .mitre(CREDENTIAL_ACCESS, "T1552"),
        Rule::new(
            "aws-secretsmanager-batch-retrieval",
            "Secrets read in bulk",
            names(&["BatchGetSecretValue"]),
        )
        .severity(Severity::Medium)
        .tag("stratus:aws.credential-access.secretsmanager-batch-retrieve-secrets")
        .mitre(CREDENTIAL_ACCESS, "T1555.006"),
        Rule::new(
            "aws-secretsmanager-many-secrets",
            "Many distinct secrets read by one principal",
            names(&["GetSecretValue"]),
        )
        .severity(Severity::High)
        .kind(RuleKind::ValueCount {
            group_by: Vec::new(),
            field: Field::parse("requestParameters.secretId"),
            window: Duration::minutes(10),
            count: 5,
            at_most: None,
        })
        .tag("stratus:aws.credential-access.secretsmanager-retrieve-secrets")
        .mitre(CREDENTIAL_ACCESS, "T1555.006"),
    ]
}
