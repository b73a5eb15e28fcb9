//! `activity_id` from the event name: the leading PascalCase verb, never a substring, with overrides.
//!
//! `ListPipelineRuns` is Read (its verb is `List`, whatever it contains), `DeleteTags` is Delete,
//! `AllocateAddress` is Create. A leading `Batch` is skipped (`BatchGetItem` reads). Names whose verb no
//! table knows are Other (99), or Read when the record says `readOnly: true`.

use crate::class::OcsfClass;

/// API Activity (6003) `activity_id`s.
pub(crate) mod api {
    pub const CREATE: i32 = 1;
    pub const READ: i32 = 2;
    pub const UPDATE: i32 = 3;
    pub const DELETE: i32 = 4;
}

/// Authentication (3002) `activity_id`s.
pub(crate) mod authentication {
    pub const LOGON: i32 = 1;
    pub const LOGOFF: i32 = 2;
}

/// Account Change (3001) `activity_id`s.
pub(crate) mod account_change {
    pub const CREATE: i32 = 1;
    pub const ENABLE: i32 = 2;
    pub const PASSWORD_CHANGE: i32 = 3;
    pub const PASSWORD_RESET: i32 = 4;
    pub const DISABLE: i32 = 5;
    pub const DELETE: i32 = 6;
    pub const ATTACH_POLICY: i32 = 7;
    pub const DETACH_POLICY: i32 = 8;
    pub const MFA_FACTOR_ENABLE: i32 = 10;
    pub const MFA_FACTOR_DISABLE: i32 = 11;
}

/// `activity_id` 99 in every class.
pub(crate) const OTHER: i32 = 99;

/// The leading verb of an event name: the text up to the second word of its PascalCase (or camelCase)
/// spelling, after an optional `Batch`. `AssumeRoleWithSAML` → `Assume`, `listTags` → `list`,
/// `BatchGetItem` → `Get`, `UNKNOWN` → `UNKNOWN`.
pub(crate) fn leading_verb(name: &str) -> &str {
    let first = first_word(name);
    if first == "Batch" && name.len() > first.len() {
        return first_word(&name[first.len()..]);
    }
    first
}

fn first_word(name: &str) -> &str {
    let mut previous_lower = false;
    for (index, c) in name.char_indices() {
        if index > 0 && c.is_ascii_uppercase() && previous_lower {
            return &name[..index];
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    name
}

/// API Activity verbs, compared case-insensitively with the leading verb.
const API_VERBS: &[(&str, i32)] = &[
    ("Create", api::CREATE),
    ("Run", api::CREATE),
    ("Generate", api::CREATE),
    ("Allocate", api::CREATE),
    ("Import", api::CREATE),
    ("Copy", api::CREATE),
    ("Launch", api::CREATE),
    ("Issue", api::CREATE),
    ("Upload", api::CREATE),
    ("Clone", api::CREATE),
    ("Provision", api::CREATE),
    ("Get", api::READ),
    ("List", api::READ),
    ("Describe", api::READ),
    ("Search", api::READ),
    ("Lookup", api::READ),
    ("Head", api::READ),
    ("Query", api::READ),
    ("Scan", api::READ),
    ("Select", api::READ),
    ("View", api::READ),
    ("Preview", api::READ),
    ("Read", api::READ),
    ("Download", api::READ),
    ("Filter", api::READ),
    ("Update", api::UPDATE),
    ("Put", api::UPDATE),
    ("Modify", api::UPDATE),
    ("Add", api::UPDATE),
    ("Remove", api::UPDATE),
    ("Start", api::UPDATE),
    ("Stop", api::UPDATE),
    ("Attach", api::UPDATE),
    ("Detach", api::UPDATE),
    ("Associate", api::UPDATE),
    ("Disassociate", api::UPDATE),
    ("Tag", api::UPDATE),
    ("Untag", api::UPDATE),
    ("Enable", api::UPDATE),
    ("Disable", api::UPDATE),
    ("Register", api::UPDATE),
    ("Deregister", api::UPDATE),
    ("Set", api::UPDATE),
    ("Change", api::UPDATE),
    ("Replace", api::UPDATE),
    ("Reset", api::UPDATE),
    ("Restore", api::UPDATE),
    ("Reboot", api::UPDATE),
    ("Apply", api::UPDATE),
    ("Assign", api::UPDATE),
    ("Unassign", api::UPDATE),
    ("Accept", api::UPDATE),
    ("Reject", api::UPDATE),
    ("Cancel", api::UPDATE),
    ("Rotate", api::UPDATE),
    ("Authorize", api::UPDATE),
    ("Revoke", api::UPDATE),
    ("Edit", api::UPDATE),
    ("Patch", api::UPDATE),
    ("Move", api::UPDATE),
    ("Rename", api::UPDATE),
    ("Suspend", api::UPDATE),
    ("Resume", api::UPDATE),
    ("Upgrade", api::UPDATE),
    ("Delete", api::DELETE),
    ("Terminate", api::DELETE),
    ("Release", api::DELETE),
    ("Purge", api::DELETE),
    ("Destroy", api::DELETE),
    ("Erase", api::DELETE),
];

/// Authentication events by name.
const AUTHENTICATION_NAMES: &[(&str, i32)] = &[
    ("ConsoleLogin", authentication::LOGON),
    ("AssumeRole", authentication::LOGON),
    ("AssumeRoleWithSAML", authentication::LOGON),
    ("AssumeRoleWithWebIdentity", authentication::LOGON),
    ("ExternalIdPDirectoryLogin", authentication::LOGON),
    ("UserAuthentication", authentication::LOGON),
    ("GetSessionToken", authentication::LOGON),
    ("GetFederationToken", authentication::LOGON),
    ("ConsoleLogout", authentication::LOGOFF),
    ("Logout", authentication::LOGOFF),
];

/// Account Change events whose activity their verb does not tell.
const ACCOUNT_CHANGE_NAMES: &[(&str, i32)] = &[
    ("EnableMFADevice", account_change::MFA_FACTOR_ENABLE),
    ("CreateVirtualMFADevice", account_change::MFA_FACTOR_ENABLE),
    ("ResyncMFADevice", account_change::MFA_FACTOR_ENABLE),
    ("DeactivateMFADevice", account_change::MFA_FACTOR_DISABLE),
    ("DeleteVirtualMFADevice", account_change::MFA_FACTOR_DISABLE),
    ("ChangePassword", account_change::PASSWORD_CHANGE),
    ("PasswordUpdated", account_change::PASSWORD_CHANGE),
    ("UpdateLoginProfile", account_change::PASSWORD_RESET),
    ("DeleteRolePolicy", account_change::DETACH_POLICY),
    ("DeleteUserPolicy", account_change::DETACH_POLICY),
    ("DeleteGroupPolicy", account_change::DETACH_POLICY),
    (
        "DeleteRolePermissionsBoundary",
        account_change::DETACH_POLICY,
    ),
    (
        "DeleteUserPermissionsBoundary",
        account_change::DETACH_POLICY,
    ),
    ("AddUserToGroup", account_change::ATTACH_POLICY),
    ("AddRoleToInstanceProfile", account_change::ATTACH_POLICY),
    ("RemoveUserFromGroup", account_change::DETACH_POLICY),
    (
        "RemoveRoleFromInstanceProfile",
        account_change::DETACH_POLICY,
    ),
];

/// Account Change verbs.
const ACCOUNT_CHANGE_VERBS: &[(&str, i32)] = &[
    ("Create", account_change::CREATE),
    ("Delete", account_change::DELETE),
    ("Attach", account_change::ATTACH_POLICY),
    ("Put", account_change::ATTACH_POLICY),
    ("Detach", account_change::DETACH_POLICY),
    ("Enable", account_change::ENABLE),
];

fn lookup(table: &[(&str, i32)], key: &str, ignore_case: bool) -> Option<i32> {
    table
        .iter()
        .find(|(name, _)| {
            if ignore_case {
                name.eq_ignore_ascii_case(key)
            } else {
                *name == key
            }
        })
        .map(|(_, id)| *id)
}

/// What the activity rules need to know of a record.
pub(crate) struct ActivityInput<'r> {
    /// `eventName` without an API version suffix.
    pub event_name: &'r str,
    /// `readOnly`.
    pub read_only: Option<bool>,
    /// `requestParameters.status` (`UpdateAccessKey`: `Active` / `Inactive`).
    pub request_status: Option<&'r str>,
}

/// The built-in `activity_id` of a record in `class`.
pub(crate) fn activity_id(class: OcsfClass, input: &ActivityInput<'_>) -> i32 {
    let verb = leading_verb(input.event_name);
    match class {
        OcsfClass::ApiActivity => lookup(API_VERBS, verb, true)
            .or_else(|| (input.read_only == Some(true)).then_some(api::READ))
            .unwrap_or(OTHER),
        OcsfClass::Authentication => {
            lookup(AUTHENTICATION_NAMES, input.event_name, false).unwrap_or(OTHER)
        }
        OcsfClass::AccountChange => {
            if input.event_name == "UpdateAccessKey" {
                return match input.request_status {
                    Some(status) if status.eq_ignore_ascii_case("Active") => account_change::ENABLE,
                    Some(status) if status.eq_ignore_ascii_case("Inactive") => {
                        account_change::DISABLE
                    }
                    _ => OTHER,
                };
            }
            lookup(ACCOUNT_CHANGE_NAMES, input.event_name, false)
                .or_else(|| lookup(ACCOUNT_CHANGE_VERBS, verb, false))
                .unwrap_or(OTHER)
        }
    }
}

/// The caption of `activity_id` in `class` (all three supported releases caption these ids alike).
pub(crate) fn caption(class: OcsfClass, id: i32) -> Option<&'static str> {
    let caption = match (class, id) {
        (_, 0) => "Unknown",
        (_, OTHER) => "Other",
        (OcsfClass::ApiActivity, 1) => "Create",
        (OcsfClass::ApiActivity, 2) => "Read",
        (OcsfClass::ApiActivity, 3) => "Update",
        (OcsfClass::ApiActivity, 4) => "Delete",
        (OcsfClass::Authentication, 1) => "Logon",
        (OcsfClass::Authentication, 2) => "Logoff",
        (OcsfClass::Authentication, 3) => "Authentication Ticket",
        (OcsfClass::Authentication, 4) => "Service Ticket Request",
        (OcsfClass::Authentication, 5) => "Service Ticket Renew",
        (OcsfClass::Authentication, 6) => "Preauth",
        (OcsfClass::Authentication, 7) => "Account Switch",
        (OcsfClass::AccountChange, 1) => "Create",
        (OcsfClass::AccountChange, 2) => "Enable",
        (OcsfClass::AccountChange, 3) => "Password Change",
        (OcsfClass::AccountChange, 4) => "Password Reset",
        (OcsfClass::AccountChange, 5) => "Disable",
        (OcsfClass::AccountChange, 6) => "Delete",
        (OcsfClass::AccountChange, 7) => "Attach Policy",
        (OcsfClass::AccountChange, 8) => "Detach Policy",
        (OcsfClass::AccountChange, 9) => "Lock",
        (OcsfClass::AccountChange, 10) => "MFA Factor Enable",
        (OcsfClass::AccountChange, 11) => "MFA Factor Disable",
        (OcsfClass::AccountChange, 12) => "Unlock",
        _ => return None,
    };
    Some(caption)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_activity(name: &str) -> i32 {
        activity_id(
            OcsfClass::ApiActivity,
            &ActivityInput {
                event_name: name,
                read_only: None,
                request_status: None,
            },
        )
    }

    #[test]
    fn the_leading_verb_decides_never_a_substring() {
        assert_eq!(api_activity("ListPipelineRuns"), api::READ);
        assert_eq!(api_activity("GetRun"), api::READ);
        assert_eq!(api_activity("DeleteTags"), api::DELETE);
        assert_eq!(api_activity("DeleteBucketTagging"), api::DELETE);
        assert_eq!(api_activity("AllocateAddress"), api::CREATE);
        assert_eq!(api_activity("ReleaseAddress"), api::DELETE);
        assert_eq!(api_activity("BatchGetItem"), api::READ);
        assert_eq!(api_activity("listTags"), api::READ);
        assert_eq!(api_activity("PutObject"), api::UPDATE);
        assert_eq!(api_activity("UnknownAPI"), OTHER);
        assert_eq!(api_activity("Addendum"), OTHER);
        assert_eq!(api_activity("Batch"), OTHER);
    }

    #[test]
    fn unknown_verbs_read_only_records_are_reads() {
        let input = ActivityInput {
            event_name: "CheckDomainAvailability",
            read_only: Some(true),
            request_status: None,
        };
        assert_eq!(activity_id(OcsfClass::ApiActivity, &input), api::READ);
    }

    #[test]
    fn account_changes_by_name_and_verb() {
        let of = |name: &str, status: Option<&str>| {
            activity_id(
                OcsfClass::AccountChange,
                &ActivityInput {
                    event_name: name,
                    read_only: None,
                    request_status: status,
                },
            )
        };
        assert_eq!(of("CreateUser", None), account_change::CREATE);
        assert_eq!(of("DeleteRole", None), account_change::DELETE);
        assert_eq!(of("DeleteRolePolicy", None), account_change::DETACH_POLICY);
        assert_eq!(of("AttachRolePolicy", None), account_change::ATTACH_POLICY);
        assert_eq!(
            of("EnableMFADevice", None),
            account_change::MFA_FACTOR_ENABLE
        );
        assert_eq!(
            of("UpdateAccessKey", Some("Inactive")),
            account_change::DISABLE
        );
        assert_eq!(
            of("UpdateAccessKey", Some("Active")),
            account_change::ENABLE
        );
        assert_eq!(of("TagRole", None), OTHER);
    }
}
