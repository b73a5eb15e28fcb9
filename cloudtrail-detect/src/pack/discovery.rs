//! Discovery (TA0007): enumeration bursts and denials, user-data downloads, SES and account discovery,
//! instance-role sessions looking around, and requests denied by VPC endpoint policies.

use chrono::Duration;

use crate::condition::{Condition, field, on};
use crate::field::Field;
use crate::rule::{Rule, RuleKind, Severity};

use super::helpers::{CREDENTIAL_ACCESS, DISCOVERY, assumed_role, instance_session, names, source};

/// Error codes of calls refused for lack of permission (EC2 prefixes its codes with `Client.`), and the
/// EC2 codes an intruder's probing of security groups and instances produces (the Glue/Athena hunting
/// talk's list).
const PERMISSION_ERRORS: [&str; 8] = [
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "Client.UnauthorizedOperation",
    "Client.OperationNotPermitted",
    "OperationNotPermitted",
    "Client.InvalidPermission.NotFound",
    "InvalidPermission.NotFound",
];

/// `count` distinct event names for one principal within `minutes`.
fn distinct_calls(minutes: i64, count: usize) -> RuleKind {
    RuleKind::ValueCount {
        group_by: Vec::new(),
        field: Field::EventName,
        window: Duration::minutes(minutes),
        count,
        at_most: None,
    }
}

/// A read call (`List*`, `Describe*`, `Get*`) by a principal, not by an AWS service on its behalf.
fn read_call() -> Condition {
    field("eventName")
        .cased()
        .starts_with(["List", "Describe", "Get"])
        .and(field("userIdentity.type").equals(["AWSService"]).not())
        .and(field("userIdentity.invokedBy").exists().not())
}

/// Reads that map the account rather than the caller's own resources: IAM, logging and security
/// services, the bucket list and the caller's identity.
fn account_enumeration() -> Condition {
    field("eventSource")
        .equals([
            "iam.amazonaws.com",
            "cloudtrail.amazonaws.com",
            "guardduty.amazonaws.com",
            "securityhub.amazonaws.com",
            "config.amazonaws.com",
            "organizations.amazonaws.com",
            "access-analyzer.amazonaws.com",
        ])
        .or(names(&["ListBuckets", "GetCallerIdentity"]))
}

/// A role session that belongs to an AWS service-linked role (Trusted Advisor, Config, ...).
fn service_linked() -> Condition {
    on(Field::SessionIssuerArn).contains(["/aws-service-role/"])
}

pub(super) fn rules() -> Vec<Rule> {
    let mut rules = enumeration();
    rules.extend(targeted());
    rules
}

/// Bursts of reads and of refused calls.
fn enumeration() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-discovery-burst",
            "Many distinct List/Describe/Get calls by one principal",
            read_call(),
        )
        .description("Twenty or more distinct read APIs within 10 minutes: enumeration by a tool (Pacu, ScoutSuite, CloudFox, Prowler) or by hand after credentials were taken.")
        .false_positive("security scanners and inventory tools; the console's own page loads")
        .severity(Severity::Low)
        .kind(distinct_calls(10, 20))
        .tag("stratus:aws.discovery.ec2-enumerate-from-instance")
        .mitre(DISCOVERY, "T1580")
        .mitre(DISCOVERY, "T1526"),
        Rule::new(
            "aws-instance-role-discovery-burst",
            "EC2 instance role enumerating the account",
            // Cheapest first: the instance test may serialise the identity (ec2RoleDelivery).
            read_call()
                .and(assumed_role())
                .and(account_enumeration())
                .and(instance_session()),
        )
        .description("An instance-profile session makes six or more distinct account-wide reads within 10 minutes: who am I, every bucket, IAM users, roles and policies, trails, detectors, findings. Applications read their own resources; an intruder on the instance, or holding its credentials, maps the account.")
        .false_positive("inventory and security agents running on instances")
        .severity(Severity::Medium)
        .kind(distinct_calls(10, 6))
        .tag("stratus:aws.discovery.ec2-enumerate-from-instance")
        .mitre(DISCOVERY, "T1580")
        .mitre(DISCOVERY, "T1087.004"),
        Rule::new(
            "aws-discovery-denied-burst",
            "Many distinct read calls denied for one principal",
            read_call().and(field("errorCode").equals(PERMISSION_ERRORS)),
        )
        .description("Five or more distinct read APIs refused within 10 minutes: credentials being probed for what they may do.")
        .false_positive("tools run with a narrow role that try every service")
        .severity(Severity::Medium)
        .kind(distinct_calls(10, 5))
        .tag("stratus:aws.discovery.ec2-enumerate-from-instance")
        .mitre(DISCOVERY, "T1580"),
        Rule::new(
            "aws-api-permission-errors-burst",
            "Burst of permission errors for one principal",
            field("errorCode").equals(PERMISSION_ERRORS),
        )
        .description("Ten or more calls refused for lack of permission (AccessDenied, Client.UnauthorizedOperation, Client.OperationNotPermitted, Client.InvalidPermission.NotFound) within 10 minutes, whatever the API: a principal trying what it cannot do.")
        .false_positive("misconfigured applications retrying a forbidden call")
        .severity(Severity::Medium)
        .threshold(10, Duration::minutes(10))
        .mitre(DISCOVERY, "T1580")
        .mitre(DISCOVERY, "T1069.003"),
    ]
}

/// Discovery calls that matter one by one.
fn targeted() -> Vec<Rule> {
    let user_data = names(&["DescribeInstanceAttribute"])
        .and(field("requestParameters.attribute").equals(["userData"]))
        .and(field("userIdentity.invokedBy").exists().not());
    let ses_reads = names(&[
        "GetAccountSendingEnabled",
        "GetSendQuota",
        "GetSendStatistics",
        "ListIdentities",
        "GetIdentityVerificationAttributes",
        "ListEmailIdentities",
        "GetAccount",
    ])
    .and(source("ses"))
    .and(service_linked().not());
    vec![
        Rule::new(
            "aws-vpc-endpoint-access-denied",
            "Request denied by a VPC endpoint policy",
            field("errorCode")
                .equals(["VpceAccessDenied"])
                .and(field("eventType").equals(["AwsVpceEvent"])),
        )
        .severity(Severity::Medium)
        .mitre(DISCOVERY, "T1580"),
        Rule::new(
            "aws-ec2-user-data-read",
            "EC2 instance user data read",
            user_data.clone(),
        )
        .description("User data often holds bootstrap secrets (passwords, tokens, keys). Refused attempts count too.")
        .false_positive("configuration audits; AWS services reading on a principal's behalf are excluded")
        .severity(Severity::Low)
        .tag("stratus:aws.discovery.ec2-download-user-data")
        .mitre(DISCOVERY, "T1580")
        .mitre(CREDENTIAL_ACCESS, "T1552.005"),
        Rule::new(
            "aws-ec2-user-data-read-many",
            "User data of many instances read by one principal",
            user_data,
        )
        .description("Five or more distinct instances' user data within 10 minutes: harvesting bootstrap secrets across the fleet.")
        .false_positive("configuration audits")
        .severity(Severity::Medium)
        .kind(RuleKind::ValueCount {
            group_by: Vec::new(),
            field: Field::parse("requestParameters.instanceId"),
            window: Duration::minutes(10),
            count: 5,
            at_most: None,
        })
        .tag("stratus:aws.discovery.ec2-download-user-data")
        .mitre(CREDENTIAL_ACCESS, "T1552.005"),
        Rule::new(
            "aws-ses-sending-discovery",
            "SES sending status, quota or identities read",
            ses_reads.clone(),
        )
        .description("Whether SES may send, how much, and from which identities: what someone checks before using stolen keys for phishing or spam. Service-linked roles (Trusted Advisor) are excluded.")
        .false_positive("mail-sending applications checking their quota")
        .severity(Severity::Info)
        .tag("stratus:aws.discovery.ses-enumerate")
        .mitre(DISCOVERY, "T1526"),
        Rule::new(
            "aws-ses-enumeration",
            "SES enumerated by one principal",
            ses_reads,
        )
        .description("Three or more distinct SES reads (sending enabled, quota, identities, verification) within 15 minutes.")
        .false_positive("SES administrators in the console")
        .severity(Severity::Medium)
        .kind(distinct_calls(15, 3))
        .tag("stratus:aws.discovery.ses-enumerate")
        .mitre(DISCOVERY, "T1526"),
        Rule::new(
            "aws-get-caller-identity-tool",
            "GetCallerIdentity from a credential-testing or offensive tool",
            names(&["GetCallerIdentity"]).and(field("userAgent").contains([
                "trufflehog", "pacu", "scoutsuite", "cloudfox", "cloudsplaining", "enumerate-iam",
                "python-requests", "curl/", "kali", "parrot",
            ])),
        )
        .description("The first call made with found keys checks whose they are; the user agent names a secret scanner (TruffleHog), an AWS attack or audit tool, or a bare HTTP client.")
        .false_positive("authorised audits")
        .severity(Severity::Info)
        .escalate(field("userAgent").contains(["trufflehog", "pacu"]), Severity::Low)
        .mitre(DISCOVERY, "T1087.004"),
        Rule::new(
            "aws-instance-role-lists-buckets",
            "EC2 instance role listed every S3 bucket",
            names(&["ListBuckets"]).and(assumed_role()).and(instance_session()),
        )
        .description("Applications on an instance read their own buckets; listing all buckets of the account with the instance's role is a first look around, from the instance or with its stolen credentials.")
        .false_positive("backup and inventory agents running on instances")
        .severity(Severity::Low)
        .tag("stratus:aws.discovery.ec2-enumerate-from-instance")
        .mitre(DISCOVERY, "T1619"),
        Rule::new(
            "aws-instance-role-get-caller-identity",
            "EC2 instance role asked who it is",
            names(&["GetCallerIdentity"]).and(assumed_role()).and(instance_session()),
        )
        .description("sts get-caller-identity with an instance profile's session: what someone does first with credentials read from the instance metadata service.")
        .false_positive("tools on instances that check their identity at start-up (Terraform, some SDK setups)")
        .severity(Severity::Low)
        .tag("stratus:aws.credential-access.ec2-steal-instance-credentials")
        .mitre(DISCOVERY, "T1087.004")
        .mitre(CREDENTIAL_ACCESS, "T1552.005"),
        Rule::new(
            "aws-account-contacts-discovery",
            "Account details or contacts read",
            names(&["DescribeAccount", "GetAlternateContact", "GetContactInformation"])
                .and(field("eventSource").equals([
                    "organizations.amazonaws.com",
                    "account.amazonaws.com",
                    "billingconsole.amazonaws.com",
                ])),
        )
        .description("Reading the account's organisation entry, alternate contacts or contact information: who would be told of abuse.")
        .false_positive("account administrators")
        .severity(Severity::Info)
        .mitre(DISCOVERY, "T1087.004"),
    ]
}
