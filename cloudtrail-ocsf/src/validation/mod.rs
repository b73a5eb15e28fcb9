//! [`validate`]: checks an OCSF record against the official schema of its release and class.
//!
//! The schema is the release's own (ocsf/ocsf-schema, resolved by `schema/generate.py` and embedded). A
//! record is checked for: the class named by `class_uid`; `metadata.version`; required attributes (a
//! profile's required attributes only when `metadata.profiles` declares it); `at_least_one` and
//! `just_one` constraints; attributes the class or object does not define; attributes of profiles the
//! record does not declare; explicit `null`s anywhere outside `json_t` data; types (integer ranges,
//! booleans, strings, `timestamp_t`, the `datetime_t`/`ip_t`/... patterns, `max_len`, `range`); enum
//! membership and the caption of each enum's sibling (`status` for `status_id`, ...); `type_uid` =
//! `class_uid * 100 + activity_id` and its `type_name`; and every object inside, observables included.

mod check;
mod schema;

use std::fmt;

use serde_json::Value;

use crate::version::OcsfVersion;

/// Everything wrong with a record (at least one violation).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("OCSF {version} record violates its schema: {}", list(.violations))]
#[non_exhaustive]
pub struct ValidationError {
    /// The release the record was checked against.
    pub version: OcsfVersion,
    /// What is wrong, each with the path of the attribute.
    pub violations: Vec<Violation>,
}

fn list(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(Violation::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// One thing wrong, at one attribute path (`actor.user.uid`, `observables[1].type_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// Dotted path of the attribute, with `[i]` for array items; empty for the record itself.
    pub path: String,
    /// What is wrong there.
    pub problem: Problem,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "<record>"
        } else {
            &self.path
        };
        write!(f, "{path}: {}", self.problem)
    }
}

/// What is wrong with an attribute.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// The record or an object-typed attribute is not a JSON object.
    #[error("not a JSON object")]
    NotAnObject,
    /// `class_uid` is missing or names none of the supported classes.
    #[error(
        "class_uid {found} is not API Activity, Authentication, Account Change or Detection Finding"
    )]
    UnknownClass {
        /// What `class_uid` holds, as JSON text.
        found: String,
    },
    /// `metadata.version` is not the release validated against.
    #[error("metadata.version is {found}, expected {expected:?}")]
    VersionMismatch {
        /// The release validated against.
        expected: &'static str,
        /// What the record holds, as JSON text.
        found: String,
    },
    /// A required attribute is absent.
    #[error("required attribute missing")]
    MissingRequired,
    /// An attribute is present with the value `null`.
    #[error("explicit null")]
    ExplicitNull,
    /// The class or object defines no such attribute.
    #[error("attribute not defined by the schema")]
    UnknownAttribute,
    /// The attribute belongs to a profile the record does not declare in `metadata.profiles`.
    #[error("attribute of profile {profile:?}, which metadata.profiles does not declare")]
    ProfileNotDeclared {
        /// The profile.
        profile: String,
    },
    /// The value has the wrong JSON type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// The OCSF type (or `array`).
        expected: String,
        /// The JSON type found.
        found: &'static str,
    },
    /// An enumerated attribute holds a value its enumeration lacks.
    #[error("{value} is not one of the enumerated values")]
    NotInEnum {
        /// The value, as JSON text.
        value: String,
    },
    /// The caption sibling of an enumerated attribute (`status` of `status_id`) does not match.
    #[error("{sibling} is {found:?}, expected the caption {expected:?}")]
    SiblingMismatch {
        /// The sibling attribute.
        sibling: String,
        /// The caption of the enumerated value.
        expected: String,
        /// What the sibling holds.
        found: String,
    },
    /// A string is longer than its type allows.
    #[error("{length} characters, more than the {max_len} of {type_name}")]
    TooLong {
        /// The OCSF type.
        type_name: String,
        /// Its limit.
        max_len: usize,
        /// The string's length in characters.
        length: usize,
    },
    /// A string does not match its type's pattern.
    #[error("{value:?} is not a valid {type_name}")]
    Pattern {
        /// The OCSF type.
        type_name: String,
        /// The value.
        value: String,
    },
    /// A number is outside its type's range.
    #[error("{value} is outside the range of {type_name}")]
    OutOfRange {
        /// The OCSF type.
        type_name: String,
        /// The value, as JSON text.
        value: String,
    },
    /// None of the attributes of an `at_least_one` constraint is present.
    #[error("at least one of {attributes:?} is required")]
    AtLeastOne {
        /// The constraint's attributes.
        attributes: Vec<String>,
    },
    /// Not exactly one of the attributes of a `just_one` constraint is present.
    #[error("exactly one of {attributes:?} is required, found {found}")]
    JustOne {
        /// The constraint's attributes.
        attributes: Vec<String>,
        /// How many are present.
        found: usize,
    },
    /// `type_uid` is not `class_uid * 100 + activity_id`, or `type_name` not its caption.
    #[error("expected {expected}, found {found}")]
    TypeMismatch {
        /// The expected value.
        expected: String,
        /// What the record holds, as JSON text.
        found: String,
    },
    /// The embedded schema could not be read (a defect of the build, not of the record).
    #[error("the embedded OCSF schema is unreadable: {0}")]
    SchemaUnavailable(String),
}

/// `string_t`'s `max_len` in `version` (65,535 in 1.1.0; none later), from the embedded schema.
pub(crate) fn string_max_len(version: OcsfVersion) -> Option<usize> {
    schema::schema(version).ok()?.types.get("string_t")?.max_len
}

/// Checks `record` against OCSF `version`, for the class its `class_uid` names.
///
/// ```
/// use cloudtrail_ocsf::{OcsfVersion, Problem, validate};
///
/// let record = serde_json::json!({"class_uid": 6003, "metadata": {"version": "1.1.0"}});
/// let error = validate(&record, OcsfVersion::V1_1_0).unwrap_err();
/// assert!(error.violations.iter().any(|v| v.path == "api" && v.problem == Problem::MissingRequired));
/// ```
pub fn validate(record: &Value, version: OcsfVersion) -> Result<(), ValidationError> {
    let violations = match schema::schema(version) {
        Ok(schema) => check::record(schema, version, record),
        Err(error) => vec![Violation {
            path: String::new(),
            problem: Problem::SchemaUnavailable(error.0),
        }],
    };
    if violations.is_empty() {
        Ok(())
    } else {
        Err(ValidationError {
            version,
            violations,
        })
    }
}
