//! The targets of Authentication and Account Change: the user authenticated or changed, the session
//! created, the console destination, MFA use and the policy.

use std::borrow::Cow;

use cloudtrail_model::RawJson;
use serde_json::Value;

use super::identity::Identity;
use super::{Mapping, into_static};
use crate::class::OcsfClass;
use crate::error::MapError;
use crate::record::{Account, NetworkEndpoint, Policy, Service, Session, User};
use crate::unmapped::{flag, take};

/// What an Authentication or Account Change record adds at its top level.
#[derive(Default)]
pub(super) struct Target<'a> {
    pub user: Option<User<'a>>,
    pub session: Option<Session<'a>>,
    pub dst_endpoint: Option<NetworkEndpoint<'a>>,
    pub service: Option<Service<'a>>,
    pub is_mfa: Option<bool>,
    pub policy: Option<Policy<'a>>,
}

impl<'a> Mapping<'_, 'a> {
    /// A sign-in's own statement of its outcome: `responseElements.<eventName>` or
    /// `serviceEventDetails.<eventName>` (`"Success"` / `"Failure"`).
    pub(super) fn stated_outcome(
        &self,
        response: Option<&Value>,
        service_event_details: Option<&RawJson<'_>>,
    ) -> Option<String> {
        if self.class != OcsfClass::Authentication {
            return None;
        }
        if let Some(outcome) = response
            .and_then(|value| value.get(self.event_name))
            .and_then(Value::as_str)
        {
            return Some(outcome.to_owned());
        }
        service_event_details?
            .member_str(self.event_name)
            .map(Cow::into_owned)
    }

    /// Authentication: the user authenticated (the role assumed, or the signing-in identity), the
    /// session created, the console destination and MFA use.
    pub(super) fn authentication_target(
        &mut self,
        identity: &Identity,
        request: Option<&Value>,
        response: Option<&Value>,
        additional: &mut Option<Value>,
        recipient: Option<&str>,
    ) -> Result<Target<'a>, MapError> {
        let actor = identity.user.as_ref();
        let role_arn = self.string_at(request, &["roleArn"]);
        let session_name = self.string_at(request, &["roleSessionName"]);
        let mut user = User::default();
        match role_arn {
            Some(arn) => user.uid = Some(Cow::Owned(arn)),
            None => {
                user.uid = actor.and_then(|user| user.uid.clone()).map(into_static);
                user.uid_alt = actor.and_then(|user| user.uid_alt.clone()).map(into_static);
            }
        }
        user.name = session_name.map(Cow::Owned);
        if user.uid.is_none() && user.name.is_none() {
            user.name = actor.and_then(|user| user.name.clone()).map(into_static);
        }
        if !user.is_identified() {
            let account = actor
                .and_then(|user| user.account.as_ref())
                .map(|account| account.uid.to_string())
                .or_else(|| recipient.map(str::to_owned));
            user.account = account.map(|uid| Account {
                uid: Cow::Owned(uid),
            });
        }
        if !user.is_identified() {
            return Err(self.missing_target());
        }
        let session = Session {
            uid: self
                .string_at(response, &["assumedRoleUser", "arn"])
                .map(Cow::Owned),
            uid_alt: self
                .string_at(response, &["assumedRoleUser", "assumedRoleId"])
                .map(Cow::Owned),
            credential_uid: self
                .string_at(response, &["credentials", "accessKeyId"])
                .map(Cow::Owned),
            ..Session::default()
        };
        let (login_to, is_mfa) = match additional.as_mut() {
            Some(Value::Object(extra)) => (
                self.take_text(extra, "additionalEventData", &["LoginTo"]),
                take(extra, &["MFAUsed"], |value| yes_no(value).is_some())
                    .as_ref()
                    .and_then(yes_no),
            ),
            _ => (None, None),
        };
        Ok(Target {
            user: Some(user),
            session: (!session.is_empty()).then_some(session),
            dst_endpoint: login_to.map(|url| NetworkEndpoint {
                svc_name: Some(Cow::Owned(url)),
                ..NetworkEndpoint::default()
            }),
            is_mfa,
            ..Target::default()
        })
    }

    /// Account Change: the user or role changed (from the request and the response) and the policy.
    pub(super) fn account_change_target(
        &mut self,
        identity: &Identity,
        request: Option<&Value>,
        response: Option<&Value>,
        recipient: Option<&str>,
    ) -> Result<Target<'a>, MapError> {
        let mut user = User {
            name: self
                .string_at(request, &["userName"])
                .or_else(|| self.string_at(request, &["roleName"]))
                .or_else(|| self.string_at(response, &["user", "userName"]))
                .or_else(|| self.string_at(response, &["role", "roleName"]))
                .map(Cow::Owned),
            uid: self
                .string_at(response, &["user", "arn"])
                .or_else(|| self.string_at(response, &["role", "arn"]))
                .map(Cow::Owned),
            uid_alt: self
                .string_at(response, &["user", "userId"])
                .or_else(|| self.string_at(response, &["role", "roleId"]))
                .map(Cow::Owned),
            ..User::default()
        };
        if !user.is_identified() {
            // No user or role named: the change is to the account (its alias, password policy, a
            // policy or group), which is what `user.account` records.
            let account = recipient.map(str::to_owned).or_else(|| {
                identity
                    .user
                    .as_ref()
                    .and_then(|user| user.account.as_ref())
                    .map(|account| account.uid.to_string())
            });
            user.account = account.map(|uid| Account {
                uid: Cow::Owned(uid),
            });
        }
        if !user.is_identified() {
            return Err(self.missing_target());
        }
        let policy = Policy {
            name: self.string_at(request, &["policyName"]).map(Cow::Owned),
            uid: self.string_at(request, &["policyArn"]).map(Cow::Owned),
        };
        Ok(Target {
            user: Some(user),
            policy: (policy != Policy::default()).then_some(policy),
            ..Target::default()
        })
    }

    pub(super) fn missing_target(&self) -> MapError {
        MapError::MissingTargetUser {
            event_id: self.event_id(),
            event_name: self.event_name.to_owned(),
            class: self.class,
        }
    }

    /// A non-empty string at `path` of a JSON payload, when it fits the release (a value left out stays
    /// in the payload's `api.*.data`).
    fn string_at(&self, value: Option<&Value>, path: &[&str]) -> Option<String> {
        let mut current = value?;
        for key in path {
            current = current.get(key)?;
        }
        current
            .as_str()
            .filter(|text| !text.is_empty() && self.fits(text))
            .map(str::to_owned)
    }
}

/// `MFAUsed`: `"Yes"` / `"No"`, or a flag.
fn yes_no(value: &Value) -> Option<bool> {
    match value.as_str() {
        Some(text) if text.eq_ignore_ascii_case("yes") => Some(true),
        Some(text) if text.eq_ignore_ascii_case("no") => Some(false),
        _ => flag(value),
    }
}
