//! Persistence (TA0003): new IAM users, roles, access keys, login profiles and trust policies, and
//! backdoors in Lambda permissions.

use chrono::Duration;

use crate::condition::field;
use crate::rule::{Rule, RuleKind, Severity};

use super::helpers::{PERSISTENCE, names, source};

pub(super) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-iam-user-created",
            "IAM user created",
            names(&["CreateUser"]).and(source("iam")),
        )
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
            "aws-iam-role-trust-changed",
            "Role trust policy changed",
            names(&["UpdateAssumeRolePolicy"]).and(source("iam")),
        )
        .severity(Severity::High)
        .tag("stratus:aws.persistence.iam-backdoor-role")
        .mitre(PERSISTENCE, "T1098.003"),
        Rule::new(
            "aws-iam-role-created",
            "IAM role created",
            names(&["CreateRole"]).and(source("iam")),
        )
        .severity(Severity::Info)
        .tag("stratus:aws.persistence.iam-create-backdoor-role")
        .mitre(PERSISTENCE, "T1098.003"),
        Rule::new(
            "aws-iam-backdoor-user-sequence",
            "IAM user created, given a policy and an access key in a row",
            names(&[
                "CreateUser",
                "AttachUserPolicy",
                "PutUserPolicy",
                "CreateAccessKey",
            ])
            .and(source("iam")),
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
    ]
}
