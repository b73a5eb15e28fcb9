//! The hunting notebook's seven rules (the AssumeRole rule both as single records and as a threshold):
//! suspicious user agents, root console sign-in, console sign-in failures, Secrets Manager reads, AssumeRole
//! denials, CloudTrail and GuardDuty tampering.

use chrono::Duration;

use crate::condition::field;
use crate::rule::{Rule, Severity};

use super::helpers::{
    CREDENTIAL_ACCESS, DEFENSE_EVASION, INITIAL_ACCESS, PRIVILEGE_ESCALATION, names, source,
};

pub(super) fn rules() -> Vec<Rule> {
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
