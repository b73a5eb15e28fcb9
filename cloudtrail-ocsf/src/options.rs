//! [`MappingOptions`] and the [`ClassTable`] that picks a record's OCSF class.

use std::collections::HashMap;

use crate::class::OcsfClass;
use crate::version::OcsfVersion;

/// How [`Mapper`](crate::Mapper) maps: the OCSF release, the class table, and Security Lake fidelity.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MappingOptions {
    /// The OCSF release to produce (default 1.1.0, profiles `cloud` and `datetime`).
    pub version: OcsfVersion,
    /// Which (eventSource, eventName) pairs become Authentication or Account Change records.
    pub classes: ClassTable,
    /// `activity_id` overrides by `eventName`, applied after the built-in verb rules whatever the class.
    /// The id must belong to the class's enumeration (the validator reports it otherwise).
    pub activity_overrides: HashMap<String, i32>,
    /// Reproduce Security Lake's OCSF 1.1.0 output exactly where it chose to leave data out of the schema:
    /// `recipientAccountId` stays in `unmapped` instead of `cloud.account.uid` (1.1.0 only; the 1.5.0
    /// mapping places it). Default `true`.
    pub security_lake_exact: bool,
}

impl Default for MappingOptions {
    fn default() -> Self {
        MappingOptions {
            version: OcsfVersion::default(),
            classes: ClassTable::security_lake(),
            activity_overrides: HashMap::new(),
            security_lake_exact: true,
        }
    }
}

impl MappingOptions {
    /// The default options for another OCSF release.
    pub fn for_version(version: OcsfVersion) -> Self {
        MappingOptions {
            version,
            ..MappingOptions::default()
        }
    }
}

/// The class of each (eventSource, eventName) pair that is not API Activity.
///
/// [`ClassTable::security_lake`] holds the pairs Security Lake maps to Authentication and Account Change;
/// every other pair is API Activity. Pairs, not names alone: `CreateRole` or `DeletePolicy` in another
/// service than IAM stays API Activity.
///
/// ```
/// use cloudtrail_ocsf::{ClassTable, OcsfClass};
///
/// let mut table = ClassTable::security_lake();
/// assert_eq!(table.class_of("iam.amazonaws.com", "CreateUser"), OcsfClass::AccountChange);
/// assert_eq!(table.class_of("ec2.amazonaws.com", "CreateRole"), OcsfClass::ApiActivity);
/// table.insert("sts.amazonaws.com", "GetSessionToken", OcsfClass::Authentication);
/// table.remove("signin.amazonaws.com", "CheckMfa");
/// assert_eq!(table.class_of("sts.amazonaws.com", "GetSessionToken"), OcsfClass::Authentication);
/// assert_eq!(table.class_of("signin.amazonaws.com", "CheckMfa"), OcsfClass::ApiActivity);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClassTable {
    /// eventSource → eventName → class: two string lookups, no allocation per record.
    entries: HashMap<String, HashMap<String, OcsfClass>>,
}

/// `signin.amazonaws.com` events Security Lake (and its published mappings) treat as authentication.
const SIGNIN_AUTHENTICATION: &[&str] = &[
    "ConsoleLogin",
    "CheckMfa",
    "CredentialChallenge",
    "CredentialVerification",
    "UserAuthentication",
    "ExternalIdPDirectoryLogin",
];

/// `sts.amazonaws.com` events that are authentication: role assumption.
const STS_AUTHENTICATION: &[&str] = &[
    "AssumeRole",
    "AssumeRoleWithSAML",
    "AssumeRoleWithWebIdentity",
];

/// `iam.amazonaws.com` mutations of users, roles, groups, policies, keys, MFA and passwords that are
/// Account Change (the list of the ocsf/examples CloudTrail mapping, restricted to IAM's event source).
const IAM_ACCOUNT_CHANGE: &[&str] = &[
    "AddRoleToInstanceProfile",
    "AddUserToGroup",
    "AttachGroupPolicy",
    "AttachRolePolicy",
    "AttachUserPolicy",
    "ChangePassword",
    "CreateAccessKey",
    "CreateAccountAlias",
    "CreateInstanceProfile",
    "CreateLoginProfile",
    "CreateRole",
    "CreateServiceLinkedRole",
    "CreateUser",
    "CreateVirtualMFADevice",
    "DeactivateMFADevice",
    "DeleteAccessKey",
    "DeleteAccountAlias",
    "DeleteAccountPasswordPolicy",
    "DeleteGroup",
    "DeleteGroupPolicy",
    "DeleteInstanceProfile",
    "DeleteLoginProfile",
    "DeletePolicy",
    "DeleteRole",
    "DeleteRolePermissionsBoundary",
    "DeleteRolePolicy",
    "DeleteServiceLinkedRole",
    "DeleteUser",
    "DeleteUserPermissionsBoundary",
    "DeleteUserPolicy",
    "DeleteVirtualMFADevice",
    "DetachGroupPolicy",
    "DetachRolePolicy",
    "DetachUserPolicy",
    "EnableMFADevice",
    "PutGroupPolicy",
    "PutRolePermissionsBoundary",
    "PutRolePolicy",
    "PutUserPermissionsBoundary",
    "PutUserPolicy",
    "RemoveRoleFromInstanceProfile",
    "RemoveUserFromGroup",
    "ResyncMFADevice",
    "TagInstanceProfile",
    "TagRole",
    "TagUser",
    "UntagInstanceProfile",
    "UntagRole",
    "UntagUser",
    "UpdateAccessKey",
    "UpdateAccountPasswordPolicy",
    "UpdateAssumeRolePolicy",
    "UpdateGroup",
    "UpdateLoginProfile",
    "UpdateRole",
    "UpdateRoleDescription",
    "UpdateUser",
];

/// Account-level changes outside IAM's event source that the same mapping lists.
const ACCOUNT_ACCOUNT_CHANGE: &[(&str, &str)] = &[
    ("signin.amazonaws.com", "PasswordUpdated"),
    ("signin.amazonaws.com", "EmailUpdated"),
    ("signin.amazonaws.com", "AccountNameUpdated"),
    ("account.amazonaws.com", "UpdateAccountName"),
    ("account.amazonaws.com", "UpdateAccountEmailAddress"),
];

impl ClassTable {
    /// An empty table: every record is API Activity.
    pub fn new() -> Self {
        ClassTable::default()
    }

    /// The pairs Security Lake maps to Authentication (sign-in events, `AssumeRole*`) and Account Change
    /// (IAM mutations).
    pub fn security_lake() -> Self {
        let mut table = ClassTable::new();
        for name in SIGNIN_AUTHENTICATION {
            table.insert("signin.amazonaws.com", name, OcsfClass::Authentication);
        }
        for name in STS_AUTHENTICATION {
            table.insert("sts.amazonaws.com", name, OcsfClass::Authentication);
        }
        for name in IAM_ACCOUNT_CHANGE {
            table.insert("iam.amazonaws.com", name, OcsfClass::AccountChange);
        }
        for (source, name) in ACCOUNT_ACCOUNT_CHANGE {
            table.insert(source, name, OcsfClass::AccountChange);
        }
        table
    }

    /// Maps the pair to `class`, replacing what was there.
    pub fn insert(&mut self, event_source: &str, event_name: &str, class: OcsfClass) -> &mut Self {
        self.entries
            .entry(event_source.to_owned())
            .or_default()
            .insert(event_name.to_owned(), class);
        self
    }

    /// Forgets the pair: it becomes API Activity.
    pub fn remove(&mut self, event_source: &str, event_name: &str) -> Option<OcsfClass> {
        let names = self.entries.get_mut(event_source)?;
        let removed = names.remove(event_name);
        if names.is_empty() {
            self.entries.remove(event_source);
        }
        removed
    }

    /// The class of the pair: the table's entry, else API Activity.
    pub fn class_of(&self, event_source: &str, event_name: &str) -> OcsfClass {
        self.entries
            .get(event_source)
            .and_then(|names| names.get(event_name))
            .copied()
            .unwrap_or(OcsfClass::ApiActivity)
    }

    /// Every entry, in no particular order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str, OcsfClass)> {
        self.entries.iter().flat_map(|(source, names)| {
            names
                .iter()
                .map(move |(name, class)| (source.as_str(), name.as_str(), *class))
        })
    }

    /// How many pairs the table holds.
    pub fn len(&self) -> usize {
        self.entries.values().map(HashMap::len).sum()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
