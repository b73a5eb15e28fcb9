//! [`Principal`]: the acting principal of a record, the key hunters group events by.

use std::borrow::Cow;
use std::fmt;

use crate::event::Event;
use crate::kinds::IdentityType;

/// Who acted, as one stable key per actor (see [`Event::acting_principal`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Principal<'r> {
    /// A role, for every session of it: the assumed-role ARN without its session name,
    /// `arn:aws:sts::<account>:assumed-role/<role>`.
    Role(&'r str),
    /// An AWS service acting itself (`invokedBy`), e.g. `ec2.amazonaws.com`.
    Service(&'r str),
    /// An IAM Identity Center user, by Identity Store user id (`onBehalfOf.userId`).
    IdentityCenterUser(&'r str),
    /// Any other principal with an ARN (IAM user, root, federated user): `userIdentity.arn`.
    Arn(&'r str),
    /// No identity to name: the source address (`sourceIPAddress`) stands in for it.
    SourceIp(&'r str),
    /// Nothing to name the actor by.
    Unknown,
}

impl<'r> Principal<'r> {
    /// The entity id: the key itself, prefixed `source_ip:` for [`Principal::SourceIp`] as the hunting
    /// notebook does, and `identity_center_user:` for Identity Center users; `unknown` when there is none.
    pub fn entity_id(&self) -> Cow<'r, str> {
        match *self {
            Principal::Role(key) | Principal::Service(key) | Principal::Arn(key) => {
                Cow::Borrowed(key)
            }
            Principal::IdentityCenterUser(user) => {
                Cow::Owned(format!("identity_center_user:{user}"))
            }
            Principal::SourceIp(address) => Cow::Owned(format!("source_ip:{address}")),
            Principal::Unknown => Cow::Borrowed("unknown"),
        }
    }
}

impl fmt::Display for Principal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.entity_id())
    }
}

impl Event<'_> {
    /// The acting principal, by these rules in order:
    ///
    /// 1. an assumed role: its ARN without the session name (every session of a role is one actor);
    /// 2. an AWS service (`AWSService`, or an identity with no type): `invokedBy`;
    /// 3. an IAM Identity Center user (`onBehalfOf.userId`, on `IdentityCenterUser` and on the
    ///    transitional `Unknown` shape);
    /// 4. any other non-empty `userIdentity.arn`;
    /// 5. else the non-empty `sourceIPAddress` (failed sign-ins, anonymous and network events);
    /// 6. else [`Principal::Unknown`].
    ///
    /// An `AssumedRole` acting on behalf of an Identity Center user is the role (rule 1): the role holds the
    /// permissions; the user is reachable through [`crate::UserIdentity::identity_center_user`].
    pub fn acting_principal(&self) -> Principal<'_> {
        if let Some(identity) = &self.user_identity {
            let arn = identity.arn.as_deref().filter(|arn| !arn.is_empty());
            match identity.identity_type() {
                Some(IdentityType::AssumedRole) => {
                    if let Some(role) = arn.and_then(role_without_session) {
                        return Principal::Role(role);
                    }
                }
                Some(IdentityType::AwsService) | None => {
                    if let Some(service) = identity.invoked_by.as_deref().filter(|s| !s.is_empty())
                    {
                        return Principal::Service(service);
                    }
                }
                _ => {}
            }
            if let Some(user) = identity
                .on_behalf_of
                .as_ref()
                .and_then(|o| o.user_id.as_deref())
                .filter(|user| !user.is_empty())
            {
                return Principal::IdentityCenterUser(user);
            }
            if let Some(arn) = arn {
                return Principal::Arn(arn);
            }
        }
        match self.source_ip_address().filter(|ip| !ip.is_empty()) {
            Some(address) => Principal::SourceIp(address),
            None => Principal::Unknown,
        }
    }

    /// The entity id of the acting principal (see [`Principal::entity_id`]).
    pub fn entity_id(&self) -> Cow<'_, str> {
        self.acting_principal().entity_id()
    }
}

/// `arn:aws:sts::1:assumed-role/Role/session` → `arn:aws:sts::1:assumed-role/Role`.
fn role_without_session(arn: &str) -> Option<&str> {
    let marker = arn.find(":assumed-role/")?;
    let role_start = marker + ":assumed-role/".len();
    let role_end = arn[role_start..]
        .find('/')
        .map_or(arn.len(), |i| role_start + i);
    Some(&arn[..role_end])
}
