//! Initial access (TA0001): console sign-ins without MFA, root activity.

use crate::condition::field;
use crate::rule::{Rule, Severity};

use super::helpers::{INITIAL_ACCESS, names};

pub(super) fn rules() -> Vec<Rule> {
    vec![
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
    ]
}
