//! `userIdentity`: who made the request ([`UserIdentity`]), its session ([`SessionContext`]), and a
//! view per identity type to `match` on ([`IdentityKind`]).

use std::borrow::Cow;

use crate::flag::Flag;
use crate::json::{RawJson, json_object};
use crate::kinds::{IdentityType, SubjectType};
use crate::time::Timestamp;

json_object! {
    /// The `userIdentity` element: who made the request.
    ///
    /// Every member is optional, even `type` (AWS service events omit it). The members are the union over all
    /// identity types, because real records do not keep to the documented per-type sets (`onBehalfOf` on
    /// `AssumedRole`, `userName` on `Unknown`); [`UserIdentity::kind`] gives the per-type view.
    pub struct UserIdentity<'a> {
        /// `type`: the kind of principal.
        "type" => identity_type: IdentityType<'a>,
        /// `principalId`: unique id of the principal; `AROA...:session` for temporary credentials.
        "principalId" => principal_id: Cow<'a, str>,
        /// `arn`: ARN of the principal (can be `""`).
        "arn" => arn: Cow<'a, str>,
        /// `accountId`: account that owns the entity granting the permissions. A string: leading zeros
        /// matter.
        "accountId" => account_id: Cow<'a, str>,
        /// `accessKeyId`: `AKIA...` long-term or `ASIA...` temporary (can be `""`).
        "accessKeyId" => access_key_id: Cow<'a, str>,
        /// `userName`: depends on the type (IAM user name, account alias, federated subject).
        "userName" => user_name: Cow<'a, str>,
        /// `sessionContext`: the session for temporary credentials.
        "sessionContext" => session_context: SessionContext<'a>,
        /// `invokedBy`: the AWS service that made the request on the principal's behalf.
        "invokedBy" => invoked_by: Cow<'a, str>,
        /// `identityProvider`: SAML name qualifier or OIDC issuer (`SAMLUser`, `WebIdentityUser`).
        "identityProvider" => identity_provider: Cow<'a, str>,
        /// `onBehalfOf`: the Identity Center user, federated user or workload the request was made for.
        "onBehalfOf" => on_behalf_of: OnBehalfOf<'a>,
        /// `credentialId`: the bearer-token credential (Identity Center access-portal session).
        "credentialId" => credential_id: Cow<'a, str>,
        /// `inScopeOf`: the resource the credentials were issued to (Lambda function, EC2 instance).
        "inScopeOf" => in_scope_of: InScopeOf<'a>,
    }
}

json_object! {
    /// `sessionContext`: the session behind temporary credentials.
    pub struct SessionContext<'a> {
        /// `attributes`: when the session was created and whether it used MFA.
        "attributes" => attributes: SessionAttributes<'a>,
        /// `sessionIssuer`: the role or user that issued the credentials (often `{}` for console sessions).
        "sessionIssuer" => session_issuer: SessionIssuer<'a>,
        /// `webIdFederationData`: the identity provider behind web identity federation.
        "webIdFederationData" => web_id_federation_data: WebIdFederationData<'a>,
        /// `sourceIdentity`: the STS source identity.
        "sourceIdentity" => source_identity: Cow<'a, str>,
        /// `ec2RoleDelivery`: `"1.0"` for IMDSv1 credentials, `"2.0"` for IMDSv2.
        "ec2RoleDelivery" => ec2_role_delivery: Cow<'a, str>,
        /// `assumedRoot`: `"true"` for a root session from `sts:AssumeRoot`.
        "assumedRoot" => assumed_root: Flag<'a>,
    }
}

json_object! {
    /// `sessionContext.attributes`.
    pub struct SessionAttributes<'a> {
        /// `creationDate`: when the session was created (extended or basic ISO 8601).
        "creationDate" => creation_date: Timestamp<'a>,
        /// `mfaAuthenticated`: a string `"true"`/`"false"` in raw logs.
        "mfaAuthenticated" => mfa_authenticated: Flag<'a>,
    }
}

json_object! {
    /// `sessionContext.sessionIssuer`: the principal that issued temporary credentials.
    pub struct SessionIssuer<'a> {
        /// `type`: `Role`, `IAMUser` or `Root`.
        "type" => issuer_type: IdentityType<'a>,
        /// `principalId` of the issuer.
        "principalId" => principal_id: Cow<'a, str>,
        /// `arn` of the issuer: the role ARN, with its path.
        "arn" => arn: Cow<'a, str>,
        /// `accountId` of the issuer.
        "accountId" => account_id: Cow<'a, str>,
        /// `userName`: role name, IAM user name or account alias.
        "userName" => user_name: Cow<'a, str>,
    }
}

json_object! {
    /// `sessionContext.webIdFederationData`.
    pub struct WebIdFederationData<'a> {
        /// `federatedProvider`: the OIDC or Cognito provider.
        "federatedProvider" => federated_provider: Cow<'a, str>,
        /// `attributes`: the provider's claims, a map of strings.
        "attributes" => attributes: RawJson<'a>,
    }
}

json_object! {
    /// `onBehalfOf`: the person or workload a request was made for, on an `IdentityCenterUser` identity or,
    /// with trusted identity propagation (2026), on the `AssumedRole` session acting for them.
    ///
    /// Two shapes (AWS documentation of simplified trusted identity propagation, EMR Management Guide,
    /// "Audit access with simplified trusted identity propagation"):
    ///
    /// - the IAM Identity Center path: `userId`, `identityStoreArn`, `identityCenterInstanceArn`, `subject`,
    ///   `subjectType` and `issuer` (the Identity Center instance ARN);
    /// - the IAM federation path: `subject`, `subjectType`, `issuer` and `federatedProviderArn` (the IAM
    ///   SAML or OIDC provider), with no Identity Store user.
    pub struct OnBehalfOf<'a> {
        /// `userId`: the immutable Identity Store user id.
        "userId" => user_id: Cow<'a, str>,
        /// `identityStoreArn`: `arn:aws:identitystore::<account>:identitystore/d-...`.
        "identityStoreArn" => identity_store_arn: Cow<'a, str>,
        /// `identityCenterInstanceArn`: `arn:aws:sso:::instance/ssoins-...` (Identity Center path).
        "identityCenterInstanceArn" => identity_center_instance_arn: Cow<'a, str>,
        /// `subject`: the subject of the propagated identity (the user or workload at its issuer).
        "subject" => subject: Cow<'a, str>,
        /// `subjectType`: `user` or `workload` (a non-human caller); see [`OnBehalfOf::subject_type`].
        "subjectType" => subject_type: SubjectType<'a>,
        /// `issuer`: who vouched for the subject: the Identity Center instance ARN, or the identity
        /// provider's issuer on the federation path.
        "issuer" => issuer: Cow<'a, str>,
        /// `federatedProviderArn`: the IAM SAML or OIDC provider (IAM federation path).
        "federatedProviderArn" => federated_provider_arn: Cow<'a, str>,
    }
}

impl OnBehalfOf<'_> {
    /// `subjectType`, with unusual spellings (`Workload`) read as the known value.
    pub fn subject_type(&self) -> Option<SubjectType<'_>> {
        self.subject_type.as_ref().map(SubjectType::canonical)
    }

    /// Whether the request was made for a workload (a non-human caller), as `subjectType` says.
    pub fn is_workload(&self) -> bool {
        matches!(self.subject_type(), Some(SubjectType::Workload))
    }

    /// Whether this names an IAM Identity Center user (`userId`, `identityStoreArn` or
    /// `identityCenterInstanceArn` present) rather than only a federated subject.
    pub fn is_identity_center(&self) -> bool {
        self.user_id.is_some()
            || self.identity_store_arn.is_some()
            || self.identity_center_instance_arn.is_some()
    }
}

json_object! {
    /// `inScopeOf`: the AWS resource that temporary credentials were issued to.
    pub struct InScopeOf<'a> {
        /// `sourceArn`: the resource that caused the credentials to be issued.
        "sourceArn" => source_arn: Cow<'a, str>,
        /// `sourceAccount`: the account that owns `sourceArn`.
        "sourceAccount" => source_account: Cow<'a, str>,
        /// `issuerType`: the resource type, e.g. `AWS::Lambda::Function`.
        "issuerType" => issuer_type: Cow<'a, str>,
        /// `credentialsIssuedTo`: the resource the credentials were issued to.
        "credentialsIssuedTo" => credentials_issued_to: Cow<'a, str>,
    }
}

/// Per-type view of a [`UserIdentity`], to `match` on. Each variant holds the members that identify a
/// principal of that type; everything else stays reachable on the [`UserIdentity`] itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentityKind<'r> {
    /// The account's root user.
    Root {
        /// The account.
        account_id: Option<&'r str>,
        /// The account alias, when CloudTrail gives it.
        alias: Option<&'r str>,
    },
    /// An IAM user.
    IamUser {
        /// The user's ARN.
        arn: Option<&'r str>,
        /// The user name (`HIDDEN_DUE_TO_SECURITY_REASONS` for some failed sign-ins).
        user_name: Option<&'r str>,
        /// The account.
        account_id: Option<&'r str>,
    },
    /// A role session.
    AssumedRole {
        /// `arn:<partition>:sts::<account>:assumed-role/<role>/<session>`.
        arn: Option<&'r str>,
        /// The issuing role's ARN, from `sessionContext.sessionIssuer`.
        role_arn: Option<&'r str>,
        /// The session name: the part of the ARN after the role name.
        session_name: Option<&'r str>,
        /// The account.
        account_id: Option<&'r str>,
    },
    /// A role acting as a persistent identity.
    Role {
        /// The role's ARN.
        arn: Option<&'r str>,
        /// The account.
        account_id: Option<&'r str>,
    },
    /// A federated user (`sts:GetFederationToken`).
    FederatedUser {
        /// `arn:aws:sts::<account>:federated-user/<name>`.
        arn: Option<&'r str>,
        /// The IAM user or root that issued the token.
        issuer_arn: Option<&'r str>,
        /// The account.
        account_id: Option<&'r str>,
    },
    /// A directory service user.
    Directory {
        /// The user name, when present.
        user_name: Option<&'r str>,
        /// The account.
        account_id: Option<&'r str>,
    },
    /// Another AWS account.
    AwsAccount {
        /// The calling account or principal id.
        principal_id: Option<&'r str>,
        /// The account.
        account_id: Option<&'r str>,
    },
    /// An AWS service principal.
    AwsService {
        /// The service, e.g. `ec2.amazonaws.com`.
        invoked_by: Option<&'r str>,
    },
    /// A SAML-federated user.
    SamlUser {
        /// The subject.
        user_name: Option<&'r str>,
        /// The SAML name qualifier.
        identity_provider: Option<&'r str>,
    },
    /// An OIDC-federated user.
    WebIdentityUser {
        /// The user id at the provider.
        user_name: Option<&'r str>,
        /// The OIDC issuer.
        identity_provider: Option<&'r str>,
    },
    /// An IAM Identity Center user (the 2025 shape).
    IdentityCenterUser {
        /// `onBehalfOf.userId`.
        user_id: Option<&'r str>,
        /// `onBehalfOf.identityStoreArn`.
        identity_store_arn: Option<&'r str>,
        /// `credentialId`: the access-portal session.
        credential_id: Option<&'r str>,
        /// The account that owns the Identity Center instance.
        account_id: Option<&'r str>,
    },
    /// A caller CloudTrail could not classify; before 2025 this included Identity Center users.
    Unknown {
        /// The user name, when present (pre-2025 Identity Center sign-ins).
        user_name: Option<&'r str>,
        /// The principal id, when present.
        principal_id: Option<&'r str>,
        /// The account.
        account_id: Option<&'r str>,
    },
    /// An identity with no `type`: AWS service events such as KMS key rotation.
    Untyped {
        /// The account.
        account_id: Option<&'r str>,
        /// The service or `AWS Internal`.
        invoked_by: Option<&'r str>,
    },
    /// A `type` this crate does not know, as written.
    Other(&'r str),
}

/// An IAM Identity Center user, whichever shape the record uses (see [`UserIdentity::identity_center_user`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentityCenterUser<'r> {
    /// The Identity Store user id (`onBehalfOf.userId`); `None` for the pre-2025 shape, which names the user
    /// only by `user_name`.
    pub user_id: Option<&'r str>,
    /// The user name as typed at sign-in (pre-2025 shape only).
    pub user_name: Option<&'r str>,
    /// The Identity Store ARN, when given.
    pub identity_store_arn: Option<&'r str>,
    /// The access-portal session (`credentialId`), when given.
    pub credential_id: Option<&'r str>,
}

impl<'a> UserIdentity<'a> {
    /// The identity type as it reads, with unusual spellings (`iamuser`) read as the known type.
    pub fn identity_type(&self) -> Option<IdentityType<'_>> {
        self.identity_type.as_ref().map(IdentityType::canonical)
    }

    /// The per-type view to `match` on.
    ///
    /// ```
    /// use cloudtrail_model::{Event, IdentityKind};
    ///
    /// let json = r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole",
    ///   "arn":"arn:aws:sts::111122223333:assumed-role/Deployer/ci-run-42","accountId":"111122223333"}}"#;
    /// let event = Event::from_json(json)?;
    /// match event.user_identity.as_ref().map(|identity| identity.kind()) {
    ///     Some(IdentityKind::AssumedRole { session_name, .. }) => assert_eq!(session_name, Some("ci-run-42")),
    ///     other => panic!("unexpected {other:?}"),
    /// }
    /// # Ok::<(), cloudtrail_model::ParseError>(())
    /// ```
    pub fn kind(&self) -> IdentityKind<'_> {
        let account_id = self.account_id.as_deref();
        let arn = self.arn.as_deref().filter(|arn| !arn.is_empty());
        let Some(identity_type) = self.identity_type() else {
            return IdentityKind::Untyped {
                account_id,
                invoked_by: self.invoked_by.as_deref(),
            };
        };
        match identity_type {
            IdentityType::Root => IdentityKind::Root {
                account_id,
                alias: self.user_name.as_deref(),
            },
            IdentityType::IamUser => IdentityKind::IamUser {
                arn,
                user_name: self.user_name.as_deref(),
                account_id,
            },
            IdentityType::AssumedRole => IdentityKind::AssumedRole {
                arn,
                role_arn: self.session_issuer_arn(),
                session_name: arn.and_then(assumed_role_session_name),
                account_id,
            },
            IdentityType::Role => IdentityKind::Role { arn, account_id },
            IdentityType::FederatedUser => IdentityKind::FederatedUser {
                arn,
                issuer_arn: self.session_issuer_arn(),
                account_id,
            },
            IdentityType::Directory => IdentityKind::Directory {
                user_name: self.user_name.as_deref(),
                account_id,
            },
            IdentityType::AwsAccount => IdentityKind::AwsAccount {
                principal_id: self.principal_id.as_deref(),
                account_id,
            },
            IdentityType::AwsService => IdentityKind::AwsService {
                invoked_by: self.invoked_by.as_deref(),
            },
            IdentityType::SamlUser => IdentityKind::SamlUser {
                user_name: self.user_name.as_deref(),
                identity_provider: self.identity_provider.as_deref(),
            },
            IdentityType::WebIdentityUser => IdentityKind::WebIdentityUser {
                user_name: self.user_name.as_deref(),
                identity_provider: self.identity_provider.as_deref(),
            },
            IdentityType::IdentityCenterUser => {
                let on_behalf_of = self.on_behalf_of.as_ref();
                IdentityKind::IdentityCenterUser {
                    user_id: on_behalf_of.and_then(|o| o.user_id.as_deref()),
                    identity_store_arn: on_behalf_of.and_then(|o| o.identity_store_arn.as_deref()),
                    credential_id: self.credential_id.as_deref(),
                    account_id,
                }
            }
            IdentityType::Unknown => IdentityKind::Unknown {
                user_name: self.user_name.as_deref(),
                principal_id: self.principal_id.as_deref(),
                account_id,
            },
            IdentityType::Other(_) => {
                IdentityKind::Other(self.identity_type.as_ref().map_or("", IdentityType::as_str))
            }
        }
    }

    /// The IAM Identity Center user behind this identity, in either shape:
    ///
    /// - since 2025, `type: IdentityCenterUser` (or a transitional `Unknown`, or an `AssumedRole` acting for
    ///   a user) with `onBehalfOf {userId, identityStoreArn}` and `credentialId`;
    /// - before, `type: Unknown` with `userName` on `signin.amazonaws.com`, `sso.amazonaws.com` and related
    ///   events (pass the record's `eventSource`).
    ///
    /// `None` when neither shape applies.
    pub fn identity_center_user(
        &self,
        event_source: Option<&str>,
    ) -> Option<IdentityCenterUser<'_>> {
        if let Some(on_behalf_of) = self
            .on_behalf_of
            .as_ref()
            .filter(|o| o.is_identity_center())
        {
            return Some(IdentityCenterUser {
                user_id: on_behalf_of.user_id.as_deref(),
                user_name: self.user_name.as_deref(),
                identity_store_arn: on_behalf_of.identity_store_arn.as_deref(),
                credential_id: self.credential_id.as_deref(),
            });
        }
        match self.identity_type() {
            Some(IdentityType::IdentityCenterUser) => Some(IdentityCenterUser {
                user_id: None,
                user_name: self.user_name.as_deref(),
                identity_store_arn: None,
                credential_id: self.credential_id.as_deref(),
            }),
            Some(IdentityType::Unknown)
                if self.user_name.is_some()
                    && event_source.is_some_and(is_identity_center_source) =>
            {
                Some(IdentityCenterUser {
                    user_id: None,
                    user_name: self.user_name.as_deref(),
                    identity_store_arn: None,
                    credential_id: self.credential_id.as_deref(),
                })
            }
            _ => None,
        }
    }

    /// `sessionContext.sessionIssuer.arn`, when present and not empty.
    pub fn session_issuer_arn(&self) -> Option<&str> {
        self.session_context
            .as_ref()?
            .session_issuer
            .as_ref()?
            .arn
            .as_deref()
            .filter(|arn| !arn.is_empty())
    }

    /// Whether the session used MFA (`sessionContext.attributes.mfaAuthenticated`), when stated.
    pub fn mfa_authenticated(&self) -> Option<bool> {
        self.session_context
            .as_ref()?
            .attributes
            .as_ref()?
            .mfa_authenticated
            .as_ref()?
            .value()
    }
}

/// Event sources whose `Unknown` callers were Identity Center users before the 2025 change.
fn is_identity_center_source(source: &str) -> bool {
    matches!(
        source,
        "signin.amazonaws.com"
            | "sso.amazonaws.com"
            | "sso-oauth.amazonaws.com"
            | "sso-directory.amazonaws.com"
            | "identitystore.amazonaws.com"
    )
}

/// The session name of an `assumed-role` ARN: everything after `assumed-role/<role>/`.
fn assumed_role_session_name(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let rest = resource.strip_prefix("assumed-role/")?;
    let (_, session) = rest.split_once('/')?;
    Some(session)
}
