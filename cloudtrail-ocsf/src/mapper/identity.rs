//! The actor, from `userIdentity`: user, session, invoking service and identity provider.

use std::borrow::Cow;

use chrono::SecondsFormat;
use cloudtrail_model::parse_time;
use serde_json::Value;

use super::Mapping;
use crate::record::{Account, Idp, ProgrammaticCredential, Session, User};
use crate::unmapped::{take, take_flag};
use crate::version::OcsfVersion;

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
        let type_name = self.take_text(m, "userIdentity", &["type"]);
        let uid = self.take_text(m, "userIdentity", &["arn"]);
        let account = self.take_text(m, "userIdentity", &["accountId"]);
        let on_behalf_user = self.take_text(m, "userIdentity", &["onBehalfOf", "userId"]);
        let principal = match on_behalf_user {
            Some(_) => None,
            None => self.take_text(m, "userIdentity", &["principalId"]),
        };
        let access_key = self.take_text(m, "userIdentity", &["accessKeyId"]);
        let credential = match access_key {
            Some(key) => Some(key),
            None => self.take_text(m, "userIdentity", &["credentialId"]),
        };
        let mut name = self.take_text(m, "userIdentity", &["userName"]);
        if name.is_none()
            && let Some(Value::Object(extra)) = additional.as_mut()
        {
            name = self.take_text(extra, "additionalEventData", &["UserName"]);
        }
        let idp_name = self
            .take_text(
                m,
                "userIdentity",
                &["sessionContext", "webIdFederationData", "federatedProvider"],
            )
            .or_else(|| self.take_text(m, "userIdentity", &["identityProvider"]));
        let idp_uid = self.take_text(m, "userIdentity", &["onBehalfOf", "identityStoreArn"]);
        let invoked_by = self.take_text(m, "userIdentity", &["invokedBy"]);
        let issuer = self.take_text(
            m,
            "userIdentity",
            &["sessionContext", "sessionIssuer", "arn"],
        );
        let created = take(
            m,
            &["sessionContext", "attributes", "creationDate"],
            |value| value.as_str().and_then(parse_time).is_some(),
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
            self.unmapped_user(&user);
            None
        };
        let session = Session {
            created_time: created.map(|time| time.timestamp_millis()),
            created_time_dt: created.map(|time| time.to_rfc3339_opts(SecondsFormat::Millis, true)),
            is_mfa,
            issuer: issuer.map(Cow::Owned),
            ..Session::default()
        };
        self.unmapped.add_members("userIdentity", &members);
        Identity {
            user,
            session: (!session.is_empty()).then_some(session),
            invoked_by,
            idp: (idp_name.is_some() || idp_uid.is_some()).then(|| Idp {
                name: idp_name.map(Cow::Owned),
                uid: idp_uid.map(Cow::Owned),
            }),
        }
    }

    /// Puts the parts of an unidentifiable actor user back under their CloudTrail names.
    pub(super) fn unmapped_user(&mut self, user: &User<'_>) {
        let parts = [
            ("userIdentity.type", user.type_name.as_deref()),
            ("userIdentity.principalId", user.uid_alt.as_deref()),
            ("userIdentity.accessKeyId", user.credential_uid.as_deref()),
        ];
        for (key, value) in parts {
            if let Some(value) = value {
                self.unmapped.add_text(key, value);
            }
        }
        for credential in &user.programmatic_credentials {
            self.unmapped
                .add_text("userIdentity.accessKeyId", &credential.uid);
        }
    }
}
