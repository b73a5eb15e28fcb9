//! What several rule families share: ATT&CK tactic ids and condition shorthands.

use crate::condition::{Condition, field, on};
use crate::field::Field;

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

// Defense evasion and impact (defense_evasion, security_services, network_controls, data_protection,
// impact).

/// ATT&CK tactic id of Impact.
pub(super) const IMPACT: &str = "TA0040";

/// `eventName` is one of `list` and `eventSource` is `<service>.amazonaws.com`.
pub(super) fn call(service: &str, list: &[&str]) -> Condition {
    names(list).and(source(service))
}

/// `eventSource` is one of `<service>.amazonaws.com` for the services given.
pub(super) fn sources(services: &[&str]) -> Condition {
    field("eventSource").equals(services.iter().map(|s| format!("{s}.amazonaws.com")))
}

/// The call succeeded. Destructive rules are High only then: a failed or denied attempt keeps their
/// base severity (Medium), as an error such as `TrailNotFoundException` is mostly a typo or a script's
/// clean-up, not an intrusion.
pub(super) fn succeeded() -> Condition {
    on(Field::Outcome).equals(["success"])
}
