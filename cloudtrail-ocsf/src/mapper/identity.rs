//! The actor, from `userIdentity`: user, session, invoking service and identity provider.

use std::borrow::Cow;

use cloudtrail_model::parse_time;
use serde_json::{Map, Value};

use super::Mapping;
use crate::record::{Account, Datetime, Idp, ProgrammaticCredential, Session, User};
use crate::unmapped::{take as take_member, take_flag};
use crate::version::OcsfVersion;

/// A value taken for an attribute: the member it came from (`userIdentity`, path) and the text.
type Part = (&'static str, &'static [&'static str], String);

/// The actor's identity, read from `userIdentity`.
#[derive(Default)]
pub(super) struct Identity {
    pub user: Option<User<'static>>,
    pub session: Option<Session<'static>>,
    pub invoked_by: Option<String>,
    pub idp: Option<Idp<'static>>,
}

impl Mapping<'_, '_> {
    /// The actor from `userIdentity`; what is not placed goes to `unmapped` under `userIdentity.`.
    pub(super) fn identity(
        &mut self,
        identity: Option<&cloudtrail_model::UserIdentity<'_>>,
        additional: &mut Option<Value>,
    ) -> Identity {
        let Some(identity) = identity else {
            return Identity::default();
        };
        let mut members = match serde_json::to_value(identity) {
            Ok(Value::Object(members)) => members,
            Ok(value) => {
                self.unmapped.add("userIdentity", &value);
                return Identity::default();
            }
            Err(error) => {
                self.unmapped
                    .add_text("userIdentity", &format!("<not serialisable: {error}>"));
                return Identity::default();
            }
        };
        let m = &mut members;
        // Each value taken is remembered with its CloudTrail key, so that the parts of a user or an
        // identity provider that cannot stand in OCSF on their own go back to `unmapped` as they were.
        let mut user_parts: Vec<Part> = Vec::new();
        let type_name = self.take_part(m, &["type"], &mut user_parts);
        let uid = self.take_part(m, &["arn"], &mut user_parts);
        let account = self.take_part(m, &["accountId"], &mut user_parts);
        let on_behalf_user = self.take_part(m, &["onBehalfOf", "userId"], &mut user_parts);
        let principal = match on_behalf_user {
            Some(_) => None,
            None => self.take_part(m, &["principalId"], &mut user_parts),
        };
        let credential = self
            .take_part(m, &["accessKeyId"], &mut user_parts)
            .or_else(|| self.take_part(m, &["credentialId"], &mut user_parts));
        let mut name = self.take_part(m, &["userName"], &mut user_parts);
        if name.is_none()
            && let Some(Value::Object(extra)) = additional.as_mut()
        {
            name = self.take_text(extra, "additionalEventData", &["UserName"]);
            if let Some(name) = &name {
                user_parts.push(("additionalEventData", &["UserName"], name.clone()));
            }
        }
        let mut idp_parts = Vec::new();
        let idp_name = self
            .take_part(
                m,
                &["sessionContext", "webIdFederationData", "federatedProvider"],
                &mut idp_parts,
            )
            .or_else(|| self.take_part(m, &["identityProvider"], &mut idp_parts));
        // The identity provider that vouched for the propagated identity: the Identity Store on the
        // IAM Identity Center path, the IAM SAML or OIDC provider on the IAM federation path (2026).
        let idp_uid = self
            .take_part(m, &["onBehalfOf", "identityStoreArn"], &mut idp_parts)
            .or_else(|| self.take_part(m, &["onBehalfOf", "federatedProviderArn"], &mut idp_parts));
        // `idp.issuer` exists from OCSF 1.5.0; before it the issuer stays unmapped.
        let idp_issuer = if self.version >= OcsfVersion::V1_5_0 {
            self.take_part(m, &["onBehalfOf", "issuer"], &mut idp_parts)
        } else {
            None
        };
        let invoked_by = self.take_text(m, "userIdentity", &["invokedBy"]);
        let issuer = self.take_text(
            m,
            "userIdentity",
            &["sessionContext", "sessionIssuer", "arn"],
        );
        let created = take_member(
            m,
            &["sessionContext", "attributes", "creationDate"],
            |value| {
                value
                    .as_str()
                    .and_then(parse_time)
                    .is_some_and(crate::record::expressible)
            },
        )
        .as_ref()
        .and_then(Value::as_str)
        .and_then(parse_time);
        let is_mfa = take_flag(m, &["sessionContext", "attributes", "mfaAuthenticated"]);

        let (credential_uid, programmatic_credentials) = match credential {
            Some(uid) if self.version >= OcsfVersion::V1_8_0 => (
                None,
                vec![ProgrammaticCredential {
                    uid: Cow::Owned(uid),
                }],
            ),
            other => (other.map(Cow::Owned), Vec::new()),
        };
        let user = User {
            account: account.map(|uid| Account {
                uid: Cow::Owned(uid),
            }),
            credential_uid,
            name: name.map(Cow::Owned),
            programmatic_credentials,
            type_name: type_name.map(Cow::Owned),
            uid: uid.map(Cow::Owned),
            uid_alt: on_behalf_user.or(principal).map(Cow::Owned),
        };
        let user = if user.is_identified() {
            Some(user)
        } else {
            // A user needs an account, name or uid; without one its other attributes stay unmapped.
            self.restore(&user_parts);
            None
        };
        let session = Session {
            created_time: created.map(|time| time.timestamp_millis()),
            created_time_dt: created.map(Datetime),
            is_mfa,
            issuer: issuer.map(Cow::Owned),
            ..Session::default()
        };
        let session = (!session.is_empty()).then_some(session);
        // An identity provider alone does not identify an actor (`actor` needs a user, session or
        // invoking service); then it stays unmapped too.
        let identified = user.is_some() || session.is_some() || invoked_by.is_some();
        let idp = if !identified {
            self.restore(&idp_parts);
            None
        } else {
            (idp_name.is_some() || idp_uid.is_some() || idp_issuer.is_some()).then(|| Idp {
                issuer: idp_issuer.map(Cow::Owned),
                name: idp_name.map(Cow::Owned),
                uid: idp_uid.map(Cow::Owned),
            })
        };
        self.unmapped.add_members("userIdentity", &members);
        Identity {
            user,
            session,
            invoked_by,
            idp,
        }
    }

    /// Takes the text at `path` of `userIdentity` and remembers it in `parts`.
    fn take_part(
        &mut self,
        members: &mut Map<String, Value>,
        path: &'static [&'static str],
        parts: &mut Vec<Part>,
    ) -> Option<String> {
        let value = self.take_text(members, "userIdentity", path)?;
        parts.push(("userIdentity", path, value.clone()));
        Some(value)
    }

    /// Puts values taken for an attribute that cannot stand back under their CloudTrail keys.
    fn restore(&mut self, parts: &[Part]) {
        for (prefix, path, value) in parts {
            let key = [*prefix, &path.join(".")].join(".");
            self.unmapped.add_text(&key, value);
        }
    }
}
