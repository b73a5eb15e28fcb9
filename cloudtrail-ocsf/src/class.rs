//! [`OcsfClass`]: the three OCSF event classes Security Lake maps CloudTrail records to.

use std::fmt;

/// An OCSF event class a CloudTrail record becomes.
///
/// Security Lake uses exactly these three for CloudTrail management and data events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum OcsfClass {
    /// Account Change, class 3001 (Identity & Access Management): IAM users, roles, policies, keys, MFA.
    AccountChange,
    /// Authentication, class 3002 (Identity & Access Management): console sign-ins, `AssumeRole*`, MFA checks.
    Authentication,
    /// API Activity, class 6003 (Application Activity): every other API call.
    ApiActivity,
}

impl OcsfClass {
    /// Every class, by uid.
    pub const ALL: [OcsfClass; 3] = [
        OcsfClass::AccountChange,
        OcsfClass::Authentication,
        OcsfClass::ApiActivity,
    ];

    /// `class_uid`.
    pub fn uid(self) -> u32 {
        match self {
            OcsfClass::AccountChange => 3001,
            OcsfClass::Authentication => 3002,
            OcsfClass::ApiActivity => 6003,
        }
    }

    /// `class_name`, as the schema captions it.
    pub fn name(self) -> &'static str {
        match self {
            OcsfClass::AccountChange => "Account Change",
            OcsfClass::Authentication => "Authentication",
            OcsfClass::ApiActivity => "API Activity",
        }
    }

    /// `category_uid`: 3 (Identity & Access Management) or 6 (Application Activity).
    pub fn category_uid(self) -> u32 {
        self.uid() / 1000
    }

    /// `category_name`, as the schema captions it.
    pub fn category_name(self) -> &'static str {
        match self {
            OcsfClass::AccountChange | OcsfClass::Authentication => "Identity & Access Management",
            OcsfClass::ApiActivity => "Application Activity",
        }
    }

    /// A lower-case name for paths and file names: `account_change`, `authentication`, `api_activity`.
    pub fn file_stem(self) -> &'static str {
        match self {
            OcsfClass::AccountChange => "account_change",
            OcsfClass::Authentication => "authentication",
            OcsfClass::ApiActivity => "api_activity",
        }
    }

    /// The class with this `class_uid`, if it is one of the three.
    pub fn from_uid(uid: u32) -> Option<OcsfClass> {
        OcsfClass::ALL.into_iter().find(|class| class.uid() == uid)
    }
}

impl fmt::Display for OcsfClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.uid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_and_categories_follow_the_schema() {
        assert_eq!(OcsfClass::from_uid(3002), Some(OcsfClass::Authentication));
        assert_eq!(OcsfClass::from_uid(3005), None);
        assert_eq!(OcsfClass::ApiActivity.category_uid(), 6);
        assert_eq!(OcsfClass::AccountChange.category_uid(), 3);
    }
}
