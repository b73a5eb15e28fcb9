//! What several rule families share: ATT&CK tactic ids and condition shorthands.

use crate::condition::{Condition, field};

pub(super) const DEFENSE_EVASION: &str = "TA0005";
pub(super) const CREDENTIAL_ACCESS: &str = "TA0006";
pub(super) const PERSISTENCE: &str = "TA0003";
pub(super) const PRIVILEGE_ESCALATION: &str = "TA0004";
pub(super) const INITIAL_ACCESS: &str = "TA0001";
pub(super) const EXFILTRATION: &str = "TA0010";
pub(super) const EXECUTION: &str = "TA0002";
pub(super) const DISCOVERY: &str = "TA0007";

/// The record's `eventName` is one of `list`.
pub(super) fn names(list: &[&str]) -> Condition {
    field("eventName").equals(list.iter().copied())
}

/// The record's `eventSource` is `<service>.amazonaws.com`.
pub(super) fn source(service: &str) -> Condition {
    field("eventSource").equals([format!("{service}.amazonaws.com")])
}

/// Writes that change security posture (IAM, STS, logging and security services).
pub(super) fn sensitive_write() -> Condition {
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

// Shared by the exfiltration, execution, discovery, initial-access and LLM families.

pub(super) const LATERAL_MOVEMENT: &str = "TA0008";
pub(super) const COLLECTION: &str = "TA0009";
pub(super) const IMPACT: &str = "TA0040";

/// The call failed (any `errorCode`): rules that flag an attempt lower its severity with this.
pub(super) fn failed() -> Condition {
    field("errorCode").exists()
}

/// The caller holds an EC2 instance profile's credentials: the role session is named after the instance
/// (EC2 names it `i-` and 8 or 17 hexadecimal digits), or CloudTrail marks the credentials as delivered by
/// the instance metadata service (`sessionContext.ec2RoleDelivery`). The name is tested first and with
/// its case kept: no allocation for most records.
pub(super) fn instance_session() -> Condition {
    field("userIdentity.principalId")
        .cased()
        .glob(["*:i-????????", "*:i-?????????????????"])
        .or(field("userIdentity.sessionContext.ec2RoleDelivery").exists())
}

/// The caller is an assumed-role session (a typed field: cheap to test before payload paths).
pub(super) fn assumed_role() -> Condition {
    field("userIdentity.type").equals(["AssumedRole"])
}

/// The user agent of an SDK or the CLI on a desktop operating system, or of an offensive distribution: a
/// laptop or workstation, not an EC2 instance or an AWS service (SDKs and the CLI write `Darwin/...`,
/// `Windows/...`, `os/macos`, `os/windows`). Browsers are left out: role sessions reach the console only
/// through federation, which the console rules watch.
pub(super) fn workstation_agent() -> Condition {
    field("userAgent").contains([
        "darwin/",
        "os/macos",
        "windows/",
        "os/windows",
        "kali",
        "parrot",
    ])
}
