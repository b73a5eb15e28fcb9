//! The hunting notebook's seven rules (the AssumeRole rule both as single records and as a threshold):
//! suspicious user agents, root console sign-in, console sign-in failures, Secrets Manager reads, AssumeRole
//! denials, CloudTrail and GuardDuty tampering.

use chrono::Duration;

use crate::condition::{Condition, field};
use crate::rule::{Rule, Severity};

use super::helpers::{
    CREDENTIAL_ACCESS, DEFENSE_EVASION, INITIAL_ACCESS, PRIVILEGE_ESCALATION, names, source,
    succeeded,
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
            names(&["DeleteTrail", "StopLogging", "UpdateTrail"])
                .and(source("cloudtrail"))
                .or(names(&["PutEventSelectors"])
                    .and(source("cloudtrail"))
                    .and(event_selectors_drop_events())),
        )
        .description("A trail was deleted, stopped or changed (UpdateTrail can move its bucket or drop regions and global events), or its event selectors no longer log management events or write calls. Selectors that add events are not flagged. High when the call succeeded and stops or narrows logging; other trail updates and failed attempts are Medium.")
        .severity(Severity::Medium)
        .escalate(
            succeeded().and(
                names(&["DeleteTrail", "StopLogging", "PutEventSelectors"])
                    .or(field("requestParameters.isMultiRegionTrail").equals(["false"]))
                    .or(field("requestParameters.includeGlobalServiceEvents").equals(["false"]))
                    .or(field("requestParameters.enableLogFileValidation").equals(["false"])),
            ),
            Severity::High,
        )
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
                "DisassociateFromAdministratorAccount",
                "RemoveTargets",
                "StopMonitoringMembers",
            ])
            .or(names(&["UpdateDetector"]).and(
                field("requestParameters.enable")
                    .equals(["false"])
                    .or(field("requestParameters.features.status").equals(["DISABLED"]))
                    .or(field("requestParameters.dataSources.s3Logs.enable").equals(["false"]))
                    .or(field("requestParameters.dataSources.kubernetes.auditLogs.enable").equals(["false"])),
            )),
        )
        .description("GuardDuty stops watching: a detector deleted or disabled (or one of its protection plans, such as S3 or EKS audit logs, turned off), member accounts removed, findings no longer exported, or EventBridge targets that carried findings removed. Failed attempts are Medium.")
        .severity(Severity::Medium)
        .escalate(succeeded(), Severity::High)
        .mitre(DEFENSE_EVASION, "T1562.001"),
    ]
}

/// A PutEventSelectors request that stops logging events the trail logged by default: basic selectors of
/// which none includes management events, or none logs write calls (`All` or `WriteOnly`); advanced
/// selectors of which none selects the `Management` category; or no selectors at all.
fn event_selectors_drop_events() -> Condition {
    let basic = "requestParameters.eventSelectors";
    let advanced = "requestParameters.advancedEventSelectors.fieldSelectors";
    let no_management = field(&format!("{basic}.includeManagementEvents"))
        .equals(["false"])
        .and(
            field(&format!("{basic}.includeManagementEvents"))
                .equals(["true"])
                .not(),
        );
    let no_writes = field(&format!("{basic}.readWriteType"))
        .equals(["ReadOnly"])
        .and(
            field(&format!("{basic}.readWriteType"))
                .equals(["All", "WriteOnly"])
                .not(),
        );
    let advanced_without_management = field(&format!("{advanced}.field")).exists().and(
        field(&format!("{advanced}.equals"))
            .equals(["Management"])
            .not(),
    );
    let nothing = field(&format!("{basic}.includeManagementEvents"))
        .exists()
        .or(field(&format!("{basic}.readWriteType")).exists())
        .or(field(&format!("{basic}.dataResources.type")).exists())
        .or(field(&format!("{advanced}.field")).exists())
        .not();
    no_management
        .or(no_writes)
        .or(advanced_without_management)
        .or(nothing)
}
