//! Persistence (TA0003): new IAM users, roles, access keys, login profiles and trust policies; identity
//! providers, Roles Anywhere and Identity Center; federation tokens; backdoors in Lambda permissions,
//! code and layers; MFA and password-policy weakening; SSH keys; KMS grants; Cognito guest roles.

use chrono::Duration;

use crate::condition::{Condition, field, on};
use crate::field::Field;
use crate::rule::{Rule, RuleKind, Severity};

use super::helpers::{
    PERSISTENCE, PRIVILEGE_ESCALATION, UPDATE_FUNCTION_CONFIGURATION, for_another_user, names,
    policy_allows_everything, policy_principal_anyone, policy_principal_aws,
    policy_principal_whole_account, source,
};

pub(super) fn rules() -> Vec<Rule> {
    let mut rules = iam_users_and_keys();
    rules.extend(roles_and_identity_providers());
    rules.extend(identity_center());
    rules.extend(lambda());
    rules.extend(authentication_weakened());
    rules.extend(other_services());
    rules
}

/// The caller is a service-linked role (`AWSServiceRoleFor...`), acting for an AWS service.
fn by_service_linked_role() -> Condition {
    field("userIdentity.arn")
        .contains([":assumed-role/AWSServiceRoleFor"])
        .or(on(Field::SessionIssuerArn).contains(["/aws-service-role/"]))
}

fn iam_users_and_keys() -> Vec<Rule> {
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
            "aws-iam-access-key-created-for-other-user",
            "Access key created for another IAM user",
            names(&["CreateAccessKey"])
                .and(source("iam"))
                .and(for_another_user()),
        )
        .description("A principal created an access key for an IAM user other than itself: a long-lived credential an attacker can keep after losing the session that made it.")
        .false_positive("Administrators and provisioning pipelines issuing keys to service users")
        .severity(Severity::Medium)
        .tag("stratus:aws.persistence.iam-backdoor-user")
        .tag("stratus:aws.persistence.iam-create-admin-user")
        .mitre(PERSISTENCE, "T1098.001"),
        Rule::new(
            "aws-iam-root-access-key-created",
            "Access key created for the root user",
            names(&["CreateAccessKey"])
                .and(source("iam"))
                .and(field("userIdentity.type").equals(["Root"]))
                .and(field("requestParameters.userName").exists().not()),
        )
        .description("The root user created an access key for itself. Root keys cannot be restricted by IAM policies and AWS advises against having any.")
        .severity(Severity::High)
        .mitre(PERSISTENCE, "T1098.001"),
        Rule::new(
            "aws-iam-access-key-reactivated",
            "Inactive access key made active again",
            names(&["UpdateAccessKey"])
                .and(source("iam"))
                .and(field("requestParameters.status").equals(["Active"])),
        )
        .description("A disabled access key was enabled again: keys are deactivated when they leak or their owner leaves.")
        .severity(Severity::Low)
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
            "aws-iam-login-profile-created-for-other-user",
            "Console password created for another IAM user",
            names(&["CreateLoginProfile"])
                .and(source("iam"))
                .and(for_another_user()),
        )
        .description("A principal gave another IAM user a console password: a way in through the console that the user's owner may not know of.")
        .false_positive("Administrators onboarding people with console access")
        .severity(Severity::Medium)
        .tag("stratus:aws.persistence.iam-create-user-login-profile")
        .mitre(PERSISTENCE, "T1098"),
        Rule::new(
            "aws-iam-backdoor-user-sequence",
            "IAM user created, given a policy and an access key within an hour",
            names(&[
                "CreateUser",
                "AttachUserPolicy",
                "PutUserPolicy",
                "CreateAccessKey",
            ])
            .and(source("iam")),
        )
        .description("One principal created an IAM user, gave a user a policy and created an access key within an hour, in any order: CloudTrail often logs the three in the same second, out of order.")
        .false_positive("Onboarding of service users by administrators")
        .severity(Severity::High)
        .kind(RuleKind::Sequence {
            steps: vec![
                names(&["CreateUser"]),
                names(&["AttachUserPolicy", "PutUserPolicy"]),
                names(&["CreateAccessKey"]),
            ],
            group_by: Vec::new(),
            window: Duration::hours(1),
            ordered: false,
        })
        .tag("stratus:aws.persistence.iam-create-admin-user")
        .mitre(PERSISTENCE, "T1136.003"),
        Rule::new(
            "aws-iam-ssh-public-key-uploaded",
            "SSH public key uploaded for an IAM user",
            names(&["UploadSSHPublicKey"]).and(source("iam")),
        )
        .description("An SSH public key was attached to an IAM user; it authenticates to CodeCommit repositories without the user's password or access keys.")
        .severity(Severity::Low)
        .mitre(PERSISTENCE, "T1098.004"),
        Rule::new(
            "aws-iam-signing-certificate-uploaded",
            "X.509 signing certificate uploaded for an IAM user",
            names(&["UploadSigningCertificate"]).and(source("iam")),
        )
        .description("A signing certificate was added to an IAM user: a rarely used, rarely reviewed credential for SOAP-era APIs.")
        .severity(Severity::Medium)
        .mitre(PERSISTENCE, "T1098.001"),
        Rule::new(
            "aws-iam-service-specific-credential-created",
            "Service-specific credential created for an IAM user",
            names(&["CreateServiceSpecificCredential", "ResetServiceSpecificCredential"])
                .and(source("iam")),
        )
        .description("A user name and password for CodeCommit, Amazon Keyspaces or Bedrock was issued to an IAM user; it outlives the session that created it.")
        .severity(Severity::Low)
        .mitre(PERSISTENCE, "T1098.001"),
    ]
}

fn roles_and_identity_providers() -> Vec<Rule> {
    let trust = "requestParameters.policyDocument";
    let new_trust = "requestParameters.assumeRolePolicyDocument";
    vec![
        Rule::new(
            "aws-iam-role-trust-changed",
            "Role trust policy changed",
            names(&["UpdateAssumeRolePolicy"]).and(source("iam")),
        )
        .description("Who may assume a role changed. Adding an account or anyone to a trust policy is a classic backdoor (aws-iam-role-trust-allows-accounts raises those).")
        .false_positive("Infrastructure-as-code deployments updating trust policies")
        .severity(Severity::Medium)
        .tag("stratus:aws.persistence.iam-backdoor-role")
        .mitre(PERSISTENCE, "T1098.003"),
        Rule::new(
            "aws-iam-role-trust-allows-accounts",
            "Role trust policy lets AWS accounts or principals assume the role",
            names(&["UpdateAssumeRolePolicy"])
                .and(source("iam"))
                .and(policy_principal_aws(trust).or(policy_principal_anyone(trust))),
        )
        .description("A trust policy now names AWS principals (an account, user or role; possibly of another account) or anyone; services and identity providers alone do not raise it. Trusting anyone or a whole account (its root or bare id) on an existing role is High: that is how a role is backdoored to another account.")
        .false_positive("Cross-account access set up on purpose; role chaining within the account")
        .severity(Severity::Medium)
        .escalate(
            policy_principal_anyone(trust).or(policy_principal_whole_account(trust)),
            Severity::High,
        )
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
            "aws-iam-role-created-with-account-trust",
            "Role created that AWS accounts or principals may assume",
            names(&["CreateRole"]).and(source("iam")).and(
                policy_principal_aws(new_trust).or(policy_principal_anyone(new_trust)),
            ),
        )
        .description("A new role trusts AWS principals (an account, user or role; possibly of another account) or anyone, rather than a service or identity provider.")
        .false_positive("Cross-account roles deployed on purpose")
        .severity(Severity::Low)
        .escalate(policy_principal_anyone(new_trust), Severity::High)
        .escalate(policy_principal_whole_account(new_trust), Severity::Medium)
        .tag("stratus:aws.persistence.iam-create-backdoor-role")
        .mitre(PERSISTENCE, "T1098.003"),
        Rule::new(
            "aws-iam-saml-provider-changed",
            "SAML identity provider created or updated",
            names(&["CreateSAMLProvider", "UpdateSAMLProvider"])
                .and(source("iam"))
                .and(by_service_linked_role().not()),
        )
        .description("A SAML provider decides who can federate into the account's roles; a new or replaced metadata document lets its owner sign in as anyone those roles trust.")
        .false_positive("Identity-provider certificate rotation (IAM Identity Center's own AWSSSO_ provider, written by its service-linked role, does not raise it)")
        .severity(Severity::Medium)
        .mitre(PERSISTENCE, "T1098")
        .mitre(PRIVILEGE_ESCALATION, "T1484.002"),
        Rule::new(
            "aws-iam-oidc-provider-changed",
            "OpenID Connect identity provider created or widened",
            names(&[
                "CreateOpenIDConnectProvider",
                "AddClientIDToOpenIDConnectProvider",
                "UpdateOpenIDConnectProviderThumbprint",
            ])
            .and(source("iam")),
        )
        .description("An OIDC provider (or a new audience or certificate thumbprint for one) lets tokens of an outside issuer assume roles that trust it.")
        .false_positive("CI systems (GitHub Actions, GitLab) and EKS clusters set up by their administrators")
        .severity(Severity::Medium)
        .mitre(PERSISTENCE, "T1098")
        .mitre(PRIVILEGE_ESCALATION, "T1484.002"),
        Rule::new(
            "aws-rolesanywhere-trust-anchor-changed",
            "IAM Roles Anywhere trust anchor created, updated or enabled",
            names(&["CreateTrustAnchor", "UpdateTrustAnchor", "EnableTrustAnchor"])
                .and(source("rolesanywhere")),
        )
        .description("A trust anchor lets holders of certificates from its authority obtain role credentials from anywhere; an attacker's own CA gives lasting access.")
        .severity(Severity::Medium)
        .tag("stratus:aws.persistence.rolesanywhere-create-trust-anchor")
        .mitre(PERSISTENCE, "T1098.003"),
        Rule::new(
            "aws-rolesanywhere-profile-changed",
            "IAM Roles Anywhere profile created, updated or enabled",
            names(&["CreateProfile", "UpdateProfile", "EnableProfile"])
                .and(source("rolesanywhere")),
        )
        .description("A Roles Anywhere profile names the roles that trust-anchor certificates may assume.")
        .severity(Severity::Low)
        .tag("stratus:aws.persistence.rolesanywhere-create-trust-anchor")
        .mitre(PERSISTENCE, "T1098.003"),
        Rule::new(
            "aws-sts-federation-token-issued",
            "Federation token issued to an IAM user",
            names(&["GetFederationToken"]).and(source("sts")),
        )
        .description("GetFederationToken turns an IAM user's key into temporary credentials that survive the key's deletion for up to 36 hours and are not visible as a role session.")
        .false_positive("aws-vault login and federation proxies that use it by design (with an allow-all session policy, so the policy says nothing)")
        .severity(Severity::Medium)
        .tag("stratus:aws.persistence.sts-federation-token")
        .mitre(PERSISTENCE, "T1098.001"),
    ]
}

fn identity_center() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-sso-permission-set-changed",
            "Identity Center permission set created or given policies",
            names(&[
                "CreatePermissionSet",
                "UpdatePermissionSet",
                "AttachManagedPolicyToPermissionSet",
                "AttachCustomerManagedPolicyReferenceToPermissionSet",
                "PutInlinePolicyToPermissionSet",
            ])
            .and(source("sso")),
        )
        .description("Permission sets become roles in every account they are assigned to; granting one administrator rights reaches the whole organisation.")
        .false_positive("Identity Center administrators and their pipelines")
        .severity(Severity::Low)
        .escalate(
            field("requestParameters.managedPolicyArn")
                .ends_with([":policy/AdministratorAccess"])
                .or(policy_allows_everything(
                    "requestParameters.inlinePolicy",
                )),
            Severity::Medium,
        )
        .mitre(PERSISTENCE, "T1098.003"),
        Rule::new(
            "aws-sso-account-assignment-created",
            "Identity Center user or group assigned to an account",
            names(&["CreateAccountAssignment"]).and(source("sso")),
        )
        .description("A user or group of the identity store was given a permission set in an AWS account.")
        .severity(Severity::Low)
        .mitre(PERSISTENCE, "T1098.003"),
        Rule::new(
            "aws-sso-permission-set-provisioned",
            "Identity Center permission set provisioned to accounts",
            names(&["ProvisionPermissionSet"]).and(source("sso")),
        )
        .description("Changes to a permission set were pushed to the accounts it is assigned to.")
        .severity(Severity::Info)
        .mitre(PERSISTENCE, "T1098.003"),
        Rule::new(
            "aws-identitystore-user-created",
            "Identity Center user created",
            names(&["CreateUser"])
                .and(field("eventSource").equals(["identitystore.amazonaws.com", "sso-directory.amazonaws.com"])),
        )
        .description("A user was added to the Identity Center directory (the API logs identitystore, the console sso-directory).")
        .false_positive("SCIM provisioning from the organisation's identity provider")
        .severity(Severity::Low)
        .mitre(PERSISTENCE, "T1136.003"),
        Rule::new(
            "aws-identitystore-group-membership-added",
            "User added to an Identity Center group",
            names(&["CreateGroupMembership", "AddMemberToGroup"])
                .and(field("eventSource").equals(["identitystore.amazonaws.com", "sso-directory.amazonaws.com"])),
        )
        .description("Group membership carries the group's account assignments.")
        .false_positive("SCIM provisioning from the organisation's identity provider")
        .severity(Severity::Low)
        .mitre(PERSISTENCE, "T1098.007"),
    ]
}

/// Lambda API names with and without the API-version suffixes CloudTrail appends.
const ADD_PERMISSION: &[&str] = &[
    "AddPermission",
    "AddPermission20150331",
    "AddPermission20150331v2",
];

fn lambda() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-lambda-public-permission",
            "Lambda function made invocable by anyone",
            names(ADD_PERMISSION)
                .and(source("lambda"))
                .and(field("requestParameters.principal").equals(["*"])),
        )
        .severity(Severity::High)
        .tag("stratus:aws.persistence.lambda-backdoor-function")
        .mitre(PERSISTENCE, "T1546"),
        Rule::new(
            "aws-lambda-account-permission",
            "Lambda function made invocable by an AWS account or principal",
            names(ADD_PERMISSION).and(source("lambda")).and(
                field("requestParameters.principal")
                    .regex(r"^(?:\d{12}|arn:aws[a-z-]*:iam::\d{12}:.+)$")
                    .unwrap_or_else(|_| Condition::Any(Vec::new()))
                    .and(
                        Condition::SameValue {
                            field: Field::parse("requestParameters.principal"),
                            other: Field::RecipientAccountId,
                            cased: true,
                        }
                        .not(),
                    ),
            ),
        )
        .description("A function's resource policy now lets an AWS account (other than the function's own, when named by id) or one of its principals invoke it.")
        .false_positive("Cross-account event delivery set up on purpose")
        .severity(Severity::Medium)
        .tag("stratus:aws.persistence.lambda-backdoor-function")
        .mitre(PERSISTENCE, "T1546"),
        Rule::new(
            "aws-lambda-public-function-url",
            "Lambda function URL created without authentication",
            names(&[
                "CreateFunctionUrlConfig",
                "CreateFunctionUrlConfig20211031",
                "UpdateFunctionUrlConfig",
                "UpdateFunctionUrlConfig20211031",
            ])
            .and(source("lambda"))
            .and(field("requestParameters.authType").equals(["NONE"])),
        )
        .description("An HTTPS endpoint that anyone can call now runs the function.")
        .false_positive("Public webhooks and APIs built on function URLs")
        .severity(Severity::Medium)
        .tag("stratus:aws.persistence.lambda-backdoor-function")
        .mitre(PERSISTENCE, "T1546"),
        Rule::new(
            "aws-lambda-code-updated",
            "Lambda function code replaced",
            names(&[
                "UpdateFunctionCode",
                "UpdateFunctionCode20150331",
                "UpdateFunctionCode20150331v2",
            ])
            .and(source("lambda")),
        )
        .description("New code was deployed to an existing function: attackers overwrite code to run with the function's role on every invocation.")
        .false_positive("Deployment pipelines (look at the caller and user agent)")
        .severity(Severity::Low)
        .tag("stratus:aws.persistence.lambda-overwrite-code")
        .mitre(PERSISTENCE, "T1546"),
        Rule::new(
            "aws-lambda-layer-added",
            "Lambda function configured with layers",
            names(UPDATE_FUNCTION_CONFIGURATION)
            .and(source("lambda"))
            .and(field("requestParameters.layers").exists()),
        )
        .description("The function now loads layers; a layer can hold an extension that runs beside every invocation and reads its events and credentials. An empty list (layers removed) does not raise it.")
        .false_positive("Deployments that set layers with every configuration update")
        .severity(Severity::Medium)
        .tag("stratus:aws.persistence.lambda-layer-extension")
        .mitre(PERSISTENCE, "T1546"),
        Rule::new(
            "aws-lambda-layer-shared",
            "Lambda layer version shared with another account or everyone",
            names(&[
                "AddLayerVersionPermission",
                "AddLayerVersionPermission20181031",
            ])
            .and(source("lambda"))
            .and(
                Condition::SameValue {
                    field: Field::parse("requestParameters.principal"),
                    other: Field::RecipientAccountId,
                    cased: true,
                }
                .not(),
            ),
        )
        .description("A layer version may now be used by another account (or, with principal `*`, by anyone).")
        .severity(Severity::Medium)
        .escalate(field("requestParameters.principal").equals(["*"]), Severity::High)
        .mitre(PERSISTENCE, "T1546"),
        Rule::new(
            "aws-lambda-layer-published",
            "Lambda layer version published",
            names(&["PublishLayerVersion", "PublishLayerVersion20181031"]).and(source("lambda")),
        )
        .description("New layer code, the first step of adding a malicious extension to functions.")
        .severity(Severity::Info)
        .tag("stratus:aws.persistence.lambda-layer-extension")
        .mitre(PERSISTENCE, "T1546"),
    ]
}

fn authentication_weakened() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-iam-mfa-device-removed",
            "MFA device deactivated or deleted",
            names(&["DeactivateMFADevice", "DeleteVirtualMFADevice"]).and(source("iam")),
        )
        .description("A user's MFA device was turned off or deleted, so that a stolen password is enough to sign in; attackers then enrol their own device.")
        .false_positive("Users replacing a lost device")
        .severity(Severity::Medium)
        .mitre(PERSISTENCE, "T1556.006"),
        Rule::new(
            "aws-iam-mfa-device-enabled-for-other-user",
            "MFA device enrolled for another IAM user",
            names(&["EnableMFADevice", "ResyncMFADevice"])
                .and(source("iam"))
                .and(for_another_user())
                .and(field("userIdentity.type").equals(["Root"]).not()),
        )
        .description("A principal enrolled an MFA device for another user: after taking over a user, attackers enrol their own device so that the account stays theirs. The root user enrolling its own device (userName `AWS ROOT USER`) does not raise it.")
        .false_positive("Administrators enrolling hardware tokens for their users")
        .severity(Severity::Low)
        .mitre(PERSISTENCE, "T1556.006"),
        Rule::new(
            "aws-iam-password-policy-deleted",
            "Account password policy deleted",
            names(&["DeleteAccountPasswordPolicy"]).and(source("iam")),
        )
        .description("Without a password policy IAM accepts any password of 8 characters.")
        .severity(Severity::Medium)
        .mitre(PERSISTENCE, "T1556"),
        Rule::new(
            "aws-iam-password-policy-weak",
            "Account password policy set below common baselines",
            names(&["UpdateAccountPasswordPolicy"]).and(source("iam")).and(
                field("requestParameters.minimumPasswordLength")
                    .less_than(14.0)
                    .or(field("requestParameters.minimumPasswordLength").exists().not())
                    .or(field("requestParameters.requireSymbols").equals(["false"]))
                    .or(field("requestParameters.requireNumbers").equals(["false"]))
                    .or(field("requestParameters.passwordReusePrevention").less_than(5.0)),
            ),
        )
        .description("The password policy allows passwords shorter than 14 characters (IAM's default is 8 when the length is left out), without symbols or numbers, or reused within 5 changes (CIS AWS Foundations 1.8-1.9).")
        .false_positive("Organisations whose baseline is lower on purpose")
        .severity(Severity::Low)
        .mitre(PERSISTENCE, "T1556"),
    ]
}

fn other_services() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-ec2-key-pair-imported",
            "SSH key pair imported into EC2",
            names(&["ImportKeyPair"]).and(source("ec2")),
        )
        .description("A public key from outside AWS was registered; instances launched with it accept the holder of its private key.")
        .severity(Severity::Low)
        .mitre(PERSISTENCE, "T1098.004"),
        Rule::new(
            "aws-cognito-identity-pool-unauthenticated",
            "Cognito identity pool lets unauthenticated guests get AWS credentials",
            names(&["CreateIdentityPool", "UpdateIdentityPool", "SetIdentityPoolRoles"])
                .and(source("cognito-identity"))
                .and(
                    field("requestParameters.allowUnauthenticatedIdentities")
                        .equals(["true"])
                        .or(field("requestParameters.roles.unauthenticated").exists()),
                ),
        )
        .description("Anyone on the internet can exchange a guest identity for credentials of the pool's unauthenticated role.")
        .false_positive("Public web and mobile apps that use guest access on purpose")
        .severity(Severity::Medium)
        .mitre(PERSISTENCE, "T1098.003"),
        Rule::new(
            "aws-cognito-user-pool-admin-credentials",
            "Cognito user pool user created or given a password by an administrator",
            names(&["AdminSetUserPassword", "AdminCreateUser"]).and(source("cognito-idp")),
        )
        .description("An administrator call set a user pool user's password or created a user: access to the application behind the pool, and to the identity pool roles it maps to.")
        .false_positive("Back-office provisioning of application users")
        .severity(Severity::Low)
        .mitre(PERSISTENCE, "T1098"),
        Rule::new(
            "aws-kms-grant-to-account",
            "KMS grant given to a whole AWS account",
            names(&["CreateGrant"])
                .and(source("kms"))
                .and(field("requestParameters.granteePrincipal").ends_with([":root"]))
                .and(on(Field::InvokedBy).exists().not()),
        )
        .description("A grant lets its grantee use a key without the key policy saying so, and is easy to miss; a grantee that is a whole account (`arn:aws:iam::<account>:root`) is usually another account. Grants that services (EBS, RDS) make for their own use name other grantees or carry invokedBy.")
        .false_positive("Sharing encrypted snapshots or AMIs with partner accounts")
        .severity(Severity::Medium)
        .mitre(PERSISTENCE, "T1098"),
    ]
}
