//! Credential access (TA0006): sign-in brute force, secrets and their policies, SecureString parameters,
//! EC2 password data, credential reports, key look-ups, registry tokens, decryption bursts, and command
//! output read back from instances.

use chrono::Duration;

use crate::condition::{field, on};
use crate::field::Field;
use crate::rule::{Rule, RuleKind, Severity};

use super::helpers::{
    CREDENTIAL_ACCESS, DISCOVERY, names, pattern, policy_principal_anyone, source,
};

/// The SSM reads that return parameter values.
const PARAMETER_READS: &[&str] = &[
    "GetParameter",
    "GetParameters",
    "GetParametersByPath",
    "GetParameterHistory",
];

pub(super) fn rules() -> Vec<Rule> {
    let mut rules = sign_in();
    rules.extend(secrets_manager());
    rules.extend(parameters_and_passwords());
    rules.extend(credential_lookups());
    rules
}

fn sign_in() -> Vec<Rule> {
    let failed = names(&["ConsoleLogin"])
        .and(source("signin"))
        .and(field("responseElements.ConsoleLogin").contains(["fail"]));
    let succeeded = names(&["ConsoleLogin"])
        .and(source("signin"))
        .and(field("responseElements.ConsoleLogin").equals(["Success"]));
    vec![
        Rule::new(
            "aws-console-signin-brute-force",
            "Many console sign-in failures from one source",
            failed.clone(),
        )
        .severity(Severity::High)
        .threshold(5, Duration::minutes(10))
        .mitre(CREDENTIAL_ACCESS, "T1110.001"),
        Rule::new(
            "aws-console-signin-success-after-failure",
            "Console sign-in succeeded from an address that had just failed",
            names(&["ConsoleLogin"]).and(source("signin")),
        )
        .description("A failed console sign-in followed within 30 minutes by a successful one from the same address: a guessed password, or a typo.")
        .false_positive("Mistyped passwords")
        .severity(Severity::Low)
        .kind(RuleKind::Sequence {
            steps: vec![failed, succeeded],
            group_by: vec![Field::SourceIpAddress],
            window: Duration::minutes(30),
            ordered: true,
        })
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
    ]
}

fn secrets_manager() -> Vec<Rule> {
    let policy = "requestParameters.resourcePolicy";
    // Resource policies arrive as JSON text or, in some exports, as an object.
    let anyone = policy_principal_anyone(policy)
        .or(field("requestParameters.resourcePolicy.Statement.Principal").equals(["*"]))
        .or(field("requestParameters.resourcePolicy.Statement.Principal.AWS").equals(["*"]));
    let restricted = pattern(
        policy,
        "aws(?::|%3a)(?:principalorgid|principalorgpaths|principalaccount|sourceaccount|sourcevpce?|sourceip)",
    )
    .or(field("requestParameters.resourcePolicy.Statement.Condition").exists());
    vec![
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
        .description("One principal read five or more different secrets within ten minutes.")
        .false_positive("Applications that load all their secrets at start-up")
        .severity(Severity::Medium)
        .kind(RuleKind::ValueCount {
            group_by: Vec::new(),
            field: Field::parse("requestParameters.secretId"),
            window: Duration::minutes(10),
            count: 5,
            at_most: None,
        })
        .tag("stratus:aws.credential-access.secretsmanager-retrieve-secrets")
        .mitre(CREDENTIAL_ACCESS, "T1555.006"),
        Rule::new(
            "aws-secretsmanager-list-then-read",
            "Secrets listed, then read, by the same principal",
            names(&["ListSecrets", "GetSecretValue"]).and(source("secretsmanager")),
        )
        .description("Enumerating secrets and then reading their values within ten minutes; applications read the secrets they know by name without listing them.")
        .false_positive("Secret-sync tools and administrators browsing the console")
        .severity(Severity::Low)
        .kind(RuleKind::Sequence {
            steps: vec![names(&["ListSecrets"]), names(&["GetSecretValue"])],
            group_by: Vec::new(),
            window: Duration::minutes(10),
            ordered: true,
        })
        .tag("stratus:aws.credential-access.secretsmanager-retrieve-secrets")
        .mitre(CREDENTIAL_ACCESS, "T1555.006"),
        Rule::new(
            "aws-secretsmanager-secret-read-by-new-principal",
            "Secret read by a principal that had not read it before",
            names(&["GetSecretValue"]).and(source("secretsmanager")),
        )
        .description("After a week of learning who reads each secret, a principal read a secret it had not read before: a stolen role going through the secrets it can reach looks like this, an application does not.")
        .false_positive("New applications and rotated deployment roles")
        .severity(Severity::Low)
        .kind(RuleKind::FirstSeen {
            group_by: vec![Field::parse("requestParameters.secretId")],
            field: Field::Entity,
            learning: Duration::days(7),
        })
        .tag("stratus:aws.credential-access.secretsmanager-retrieve-secrets")
        .mitre(CREDENTIAL_ACCESS, "T1555.006"),
        Rule::new(
            "aws-secretsmanager-resource-policy-changed",
            "Secret resource policy set",
            names(&["PutResourcePolicy"]).and(source("secretsmanager")),
        )
        .description("Who else may read a secret changed. A policy naming anyone (`*`) without an organisation, account, VPC or address condition makes the secret readable from any AWS account. DeleteResourcePolicy does not raise it.")
        .false_positive("Cross-account secret sharing set up on purpose")
        .severity(Severity::Medium)
        .escalate(anyone.and(restricted.not()), Severity::High)
        .mitre(CREDENTIAL_ACCESS, "T1555.006"),
    ]
}

fn parameters_and_passwords() -> Vec<Rule> {
    let decrypted = names(PARAMETER_READS)
        .and(source("ssm"))
        .and(field("requestParameters.withDecryption").equals(["true"]));
    let mut enumerate_then_read = vec!["DescribeParameters"];
    enumerate_then_read.extend_from_slice(PARAMETER_READS);
    vec![
        Rule::new(
            "aws-ssm-parameters-decrypted",
            "SecureString parameters read decrypted",
            decrypted.clone(),
        )
        .severity(Severity::Low)
        .tag("stratus:aws.credential-access.ssm-retrieve-securestring-parameters")
        .mitre(CREDENTIAL_ACCESS, "T1552"),
        Rule::new(
            "aws-ssm-parameters-enumerated-then-decrypted",
            "Parameters enumerated, then read decrypted, by the same principal",
            names(&enumerate_then_read).and(source("ssm")),
        )
        .description("DescribeParameters followed within 30 minutes by decrypting reads: looking for SecureStrings, then taking them. Applications read the parameters they know by name.")
        .false_positive("Administrators browsing Parameter Store in the console")
        .severity(Severity::Medium)
        .kind(RuleKind::Sequence {
            steps: vec![names(&["DescribeParameters"]), decrypted.clone()],
            group_by: Vec::new(),
            window: Duration::minutes(30),
            ordered: true,
        })
        .tag("stratus:aws.credential-access.ssm-retrieve-securestring-parameters")
        .mitre(CREDENTIAL_ACCESS, "T1552"),
        Rule::new(
            "aws-ssm-many-parameters-decrypted",
            "Many different parameters read decrypted by one principal",
            decrypted,
        )
        .description("Decrypting GetParameters requests naming five or more different parameters (counting the first name of each request) within ten minutes.")
        .false_positive("Applications that load their configuration parameter by parameter")
        .severity(Severity::Low)
        .kind(RuleKind::ValueCount {
            group_by: Vec::new(),
            field: Field::parse("requestParameters.names"),
            window: Duration::minutes(10),
            count: 5,
            at_most: None,
        })
        .tag("stratus:aws.credential-access.ssm-retrieve-securestring-parameters")
        .mitre(CREDENTIAL_ACCESS, "T1552"),
        Rule::new(
            "aws-ec2-password-data",
            "Windows administrator password data read",
            names(&["GetPasswordData"]),
        )
        .severity(Severity::Medium)
        .tag("stratus:aws.credential-access.ec2-get-password-data")
        .mitre(CREDENTIAL_ACCESS, "T1552"),
        Rule::new(
            "aws-ec2-password-data-many-instances",
            "Password data of many instances requested by one principal",
            names(&["GetPasswordData"]).and(source("ec2")),
        )
        .description("One principal asked for the Windows administrator password of five or more instances within an hour, allowed or not.")
        .severity(Severity::High)
        .kind(RuleKind::ValueCount {
            group_by: Vec::new(),
            field: Field::parse("requestParameters.instanceId"),
            window: Duration::hours(1),
            count: 5,
            at_most: None,
        })
        .tag("stratus:aws.credential-access.ec2-get-password-data")
        .mitre(CREDENTIAL_ACCESS, "T1552"),
        Rule::new(
            "aws-ssm-command-output-read-after-shell",
            "Shell command sent to an instance and its output read back",
            names(&["SendCommand", "GetCommandInvocation"]).and(source("ssm")),
        )
        .description("A principal ran a shell script on an instance through SSM and read the command's output within 15 minutes; the script is hidden from CloudTrail, and reading the instance role's credentials from the metadata service this way is a known technique.")
        .false_positive("Administrators running commands by hand")
        .severity(Severity::Low)
        .kind(RuleKind::Sequence {
            steps: vec![
                names(&["SendCommand"]).and(
                    field("requestParameters.documentName")
                        .equals(["AWS-RunShellScript", "AWS-RunPowerShellScript"]),
                ),
                names(&["GetCommandInvocation"]),
            ],
            group_by: Vec::new(),
            window: Duration::minutes(15),
            ordered: true,
        })
        .tag("stratus:aws.credential-access.ec2-steal-instance-credentials")
        .mitre(CREDENTIAL_ACCESS, "T1552.005"),
    ]
}

fn credential_lookups() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-iam-credential-report",
            "IAM credential report generated or downloaded",
            names(&["GenerateCredentialReport", "GetCredentialReport"]).and(source("iam")),
        )
        .description("The report lists every user, whether they have passwords, keys and MFA, and when each was last used: a map of the weakest credentials.")
        .false_positive("Compliance scanners and CSPM tools")
        .severity(Severity::Low)
        .mitre(DISCOVERY, "T1087.004"),
        Rule::new(
            "aws-sts-access-key-info",
            "Account of an access key looked up",
            names(&["GetAccessKeyInfo"]).and(source("sts")),
        )
        .description("GetAccessKeyInfo tells which account an access key id belongs to; attackers use it on keys they found.")
        .severity(Severity::Low)
        .mitre(DISCOVERY, "T1087.004"),
        Rule::new(
            "aws-sts-session-token-from-user",
            "Session token obtained with an IAM user's long-term key",
            names(&["GetSessionToken"])
                .and(source("sts"))
                .and(field("userIdentity.type").equals(["IAMUser"])),
        )
        .description("Context: temporary credentials derived from a user's access key stay valid after the key is deleted.")
        .false_positive("MFA-enforcing CLI wrappers (aws-vault, aws-mfa)")
        .severity(Severity::Info)
        .mitre(CREDENTIAL_ACCESS, "T1528"),
        Rule::new(
            "aws-ecr-authorization-token-new-principal",
            "Container registry token issued to a principal not seen before",
            names(&["GetAuthorizationToken"])
                .and(source("ecr"))
                .and(on(Field::InvokedBy).exists().not()),
        )
        .description("A principal that had not asked for one in the learning period obtained a registry token: pulling images can reveal secrets baked into them, pushing can replace them.")
        .false_positive("New build agents and cluster nodes")
        .severity(Severity::Low)
        .kind(RuleKind::FirstSeen {
            group_by: vec![Field::Global],
            field: Field::Entity,
            learning: Duration::days(7),
        })
        .mitre(CREDENTIAL_ACCESS, "T1528"),
        Rule::new(
            "aws-codebuild-source-credentials-imported",
            "Source-provider token stored in CodeBuild",
            names(&["ImportSourceCredentials"]).and(source("codebuild")),
        )
        .description("A GitHub, GitHub Enterprise or Bitbucket token was stored for CodeBuild; builds then reach the provider's repositories with it. DeleteSourceCredentials does not raise it.")
        .severity(Severity::Low)
        .mitre(CREDENTIAL_ACCESS, "T1552"),
        Rule::new(
            "aws-kms-decrypt-burst",
            "Burst of KMS decryptions by one principal",
            names(&["Decrypt"])
                .and(source("kms"))
                .and(on(Field::InvokedBy).exists().not()),
        )
        .description("A principal called Decrypt itself (not through a service such as S3 or EBS) 100 times within ten minutes: decrypting stolen ciphertexts or harvesting envelope keys.")
        .false_positive("Batch jobs decrypting their own data")
        .severity(Severity::Low)
        .threshold(100, Duration::minutes(10))
        .mitre(CREDENTIAL_ACCESS, "T1555"),
    ]
}
