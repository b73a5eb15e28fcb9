//! Privilege escalation (TA0004): IAM policies attached, put or changed.

use crate::condition::field;
use crate::rule::{Rule, Severity};

use super::helpers::{PRIVILEGE_ESCALATION, names, source};

pub(super) fn rules() -> Vec<Rule> {
    vec![
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
        .escalate(
            field("requestParameters.policyArn").ends_with([":policy/AdministratorAccess"]),
            Severity::High,
        )
        .mitre(PRIVILEGE_ESCALATION, "T1098.003"),
    ]
}
