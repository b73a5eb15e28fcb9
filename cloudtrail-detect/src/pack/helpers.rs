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

// Persistence, privilege escalation and credential access (policy documents in request parameters).

/// A regular-expression test on `path`. The patterns are the pack's own constants, so one that does not
/// compile is a bug of the pack: it then never matches, and the pack's positive fixtures fail.
pub(super) fn pattern(path: &str, regex: &str) -> Condition {
    field(path)
        .regex(regex)
        .unwrap_or_else(|_| Condition::Any(Vec::new()))
}

/// Builds a policy-text pattern from a template: CloudTrail logs policy documents as JSON text, as is or
/// URL-encoded (`%22Action%22%3A%20%22%2A%22`), with any spacing, and some exports escape the quotes
/// again. In the template `'` is a quote, `~` optional spacing, `:` a colon, `[` an optional opening
/// bracket, `{` an opening brace, `*` a literal star and `…` the rest of one statement (no braces).
fn policy_regex(template: &str) -> String {
    let mut out = String::new();
    for c in template.chars() {
        match c {
            '\'' => out.push_str(r#"(?:\\?"|%22)"#),
            '~' => out.push_str(r"(?:\s|%20|%0a|%0d|%09|\+)*"),
            ':' => out.push_str("(?::|%3a)"),
            '[' => out.push_str(r"(?:\[|%5b)?"),
            '{' => out.push_str(r"(?:\{|%7b)"),
            '*' => out.push_str(r"(?:\*|%2a)"),
            '…' => out.push_str(r"[^{}]*?"),
            other => out.push(other),
        }
    }
    out
}

/// The policy document at `path` (JSON text) has a statement that allows every action (`"Effect":
/// "Allow"` with `"Action": "*"` or `["*"]`, in either order). `NotAction` does not count.
pub(super) fn policy_allows_everything(path: &str) -> Condition {
    let effect_first = policy_regex("'effect'~:~'allow'…'action'~:~[~'*'");
    let action_first = policy_regex("'action'~:~[~'*'…'effect'~:~'allow'");
    pattern(path, &format!("{effect_first}|{action_first}"))
}

/// The policy document at `path` (JSON text) names every principal: `"Principal": "*"`,
/// `{"AWS": "*"}` or `{"AWS": ["*"]}`.
pub(super) fn policy_principal_anyone(path: &str) -> Condition {
    let principal = policy_regex("'principal'~:~");
    let aws = policy_regex("{~'aws'~:~");
    let star = policy_regex("[~'*'");
    pattern(path, &format!("{principal}(?:{aws})?{star}"))
}

/// The policy document at `path` (JSON text) names an AWS account, user or role as principal
/// (`"Principal": {"AWS": ...}`), as trust policies that let other accounts in do.
pub(super) fn policy_principal_aws(path: &str) -> Condition {
    pattern(path, &policy_regex("'aws'~:"))
}

/// The request names a user (`requestParameters.userName`) other than the caller, an IAM user acting on
/// itself being the ordinary case. Callers that are not IAM users (roles, root) always act on another.
pub(super) fn for_another_user() -> Condition {
    field("requestParameters.userName").exists().and(
        Condition::SameValue {
            field: Field::parse("requestParameters.userName"),
            other: Field::UserName,
            cased: true,
        }
        .not(),
    )
}

/// The policy document at `path` (JSON text) names a whole AWS account as principal: its root ARN
/// (`arn:aws:iam::111122223333:root`) or its bare id (`{"AWS": "111122223333"}`), the form cross-account
/// trust takes. Policy text cannot be compared with the record's own account, so the account may be the
/// record's own.
pub(super) fn policy_principal_whole_account(path: &str) -> Condition {
    let colon = "(?::|%3a)";
    let root = format!(r"arn{colon}aws[a-z-]{{0,20}}{colon}iam{colon}{colon}\d{{12}}{colon}root");
    let bare = format!(
        r"{}\d{{12}}{}",
        policy_regex("'aws'~:~[~'"),
        policy_regex("'")
    );
    pattern(path, &format!("{root}|{bare}"))
}

/// Lambda's UpdateFunctionConfiguration, as CloudTrail names it with and without API-version suffixes.
pub(super) const UPDATE_FUNCTION_CONFIGURATION: &[&str] = &[
    "UpdateFunctionConfiguration",
    "UpdateFunctionConfiguration20150331",
    "UpdateFunctionConfiguration20150331v2",
];

// Shared by the exfiltration, execution, discovery, initial-access and LLM families.

pub(super) const LATERAL_MOVEMENT: &str = "TA0008";
pub(super) const COLLECTION: &str = "TA0009";

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
