//! Credential access (TA0006): sign-in brute force, secrets, SecureString parameters, EC2 password
//! data.

use chrono::Duration;

use crate::condition::{field, on};
use crate::field::Field;
use crate::rule::{Rule, RuleKind, Severity};

use super::helpers::{CREDENTIAL_ACCESS, names, source};

pub(super) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-console-signin-brute-force",
            "Many console sign-in failures from one source",
            names(&["ConsoleLogin"])
                .and(source("signin"))
                .and(field("responseElements.ConsoleLogin").contains(["fail"])),
        )
        .severity(Severity::High)
        .threshold(5, Duration::minutes(10))
        .mitre(CREDENTIAL_ACCESS, "T1110.001"),
        Rule::new(
            "aws-identity-center-signin-failure",
            "IAM Identity Center sign-in step failed",
            names(&[
                "CredentialVerification",
                "CredentialChallenge",
                "UserAuthentication",
                "Authenticate",
                "Federate",
            ])
            .and(field("eventSource").equals(["signin.amazonaws.com", "sso.amazonaws.com"]))
            .and(on(Field::Outcome).equals(["failure"])),
        )
        .severity(Severity::Low)
        .mitre(CREDENTIAL_ACCESS, "T1110"),
        Rule::new(
            "aws-ec2-password-data",
            "Windows administrator password data read",
            names(&["GetPasswordData"]),
        )
        .severity(Severity::Medium)
        .tag("stratus:aws.credential-access.ec2-get-password-data")
        .mitre(CREDENTIAL_ACCESS, "T1552"),
        Rule::new(
            "aws-ssm-parameters-decrypted",
            "SecureString parameters read decrypted",
            names(&["GetParameter", "GetParameters", "GetParametersByPath"])
                .and(source("ssm"))
                .and(field("requestParameters.withDecryption").equals(["true"])),
        )
        .severity(Severity::Low)
        .tag("stratus:aws.credential-access.ssm-retrieve-securestring-parameters")
        .mitre(CREDENTIAL_ACCESS, "T1552"),
        Rule::new(
            "aws-secretsmanager-batch-retrieval",
            "Secrets read in bulk",
            names(&["BatchGetSecretValue"]),
        )
        .severity(Severity::Medium)
        .tag("stratus:aws.credential-access.secretsmanager-batch-retrieve-secrets")
        .mitre(CREDENTIAL_ACCESS, "T1555.006"),
        Rule::new(
            "aws-secretsmanager-many-secrets",
            "Many distinct secrets read by one principal",
            names(&["GetSecretValue"]),
        )
        .severity(Severity::High)
        .kind(RuleKind::ValueCount {
            group_by: Vec::new(),
            field: Field::parse("requestParameters.secretId"),
            window: Duration::minutes(10),
            count: 5,
            at_most: None,
        })
        .tag("stratus:aws.credential-access.secretsmanager-retrieve-secrets")
        .mitre(CREDENTIAL_ACCESS, "T1555.006"),
    ]
}
