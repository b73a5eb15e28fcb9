//! Initial access (TA0001): console sign-ins without MFA, root activity of any kind, root access keys,
//! root password recovery and change, and web-identity and SAML federation failures.

use crate::condition::{Condition, field};
use crate::rule::{Rule, Severity};

use super::helpers::{
    CREDENTIAL_ACCESS, INITIAL_ACCESS, PERSISTENCE, PRIVILEGE_ESCALATION, names, source,
};

/// The caller is the account's root user.
fn root() -> Condition {
    field("userIdentity.type").equals(["Root"])
}

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
        Rule::new(
            "aws-root-activity",
            "Root user activity",
            root()
                .and(field("userIdentity.invokedBy").exists().not())
                .and(field("eventType").equals(["AwsServiceEvent"]).not()),
        )
        .description("Any call made as the root user, console or API, other than AWS services acting for it. AWS recommends using root only for the few tasks that need it; root access keys and password changes have rules of their own at High.")
        .false_positive("the tasks that need root (MFA set-up, account settings, support plan, closing the account)")
        .severity(Severity::Medium)
        .mitre(INITIAL_ACCESS, "T1078.004")
        .mitre(PRIVILEGE_ESCALATION, "T1078.004"),
        Rule::new(
            "aws-root-access-key-used",
            "Root access key used",
            root().and(field("userIdentity.accessKeyId").starts_with(["AKIA"])),
        )
        .description("A call signed with one of the root user's long-term access keys (AKIA...): root keys should not exist; in use, they are full, unrestricted access.")
        .false_positive("legacy automation still running as root")
        .severity(Severity::High)
        .mitre(INITIAL_ACCESS, "T1078.004"),
        Rule::new(
            "aws-root-password-recovery",
            "Root password recovery requested or completed",
            names(&["PasswordRecoveryRequested", "PasswordRecoveryCompleted"]).and(source("signin")),
        )
        .description("A password-reset email for the root user was requested, or the reset completed: whoever controls the account's email address can take the account.")
        .false_positive("an owner who forgot the root password")
        .severity(Severity::Medium)
        .escalate(names(&["PasswordRecoveryCompleted"]), Severity::High)
        .mitre(INITIAL_ACCESS, "T1078.004")
        .mitre(PERSISTENCE, "T1098"),
        Rule::new(
            "aws-root-password-changed",
            "Root password changed",
            names(&["PasswordUpdated"])
                .and(root())
                .and(field("responseElements.PasswordUpdated").equals(["Success"])),
        )
        .description("The root user's password was changed: legitimate rotations are rare; an intruder who got in changes it to lock the owner out.")
        .false_positive("scheduled rotation of the root password")
        .severity(Severity::High)
        .mitre(PERSISTENCE, "T1098")
        .mitre(CREDENTIAL_ACCESS, "T1110"),
        Rule::new(
            "aws-sts-federation-failure",
            "AssumeRoleWithWebIdentity or AssumeRoleWithSAML failed",
            names(&["AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"])
                .and(source("sts"))
                .and(field("errorCode").exists())
                .and(field("errorCode").contains(["denied"]).not()),
        )
        .description("A web-identity (OIDC: GitHub Actions, EKS, Cognito) or SAML token was refused: invalid, expired, for the wrong audience, or from an untrusted provider. Tokens forged or replayed against a role's trust policy fail this way; AccessDenied is counted by aws-sts-assume-role-denied.")
        .false_positive("misconfigured CI pipelines and expired tokens")
        .severity(Severity::Low)
        .mitre(INITIAL_ACCESS, "T1078.004"),
    ]
}
