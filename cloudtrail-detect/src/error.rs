//! [`RuleError`]: why a rule or a tuning file is not valid.

/// Why a rule, a rule set or a tuning file could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// A regular expression does not compile.
    #[error("invalid regular expression {pattern:?}: {error}")]
    Regex {
        /// The pattern.
        pattern: String,
        /// The compiler's error.
        #[source]
        error: regex::Error,
    },
    /// A network is not `address/prefix`.
    #[error("invalid network {0:?}: expected an IP address or address/prefix")]
    Network(String),
    /// Two rules share an id.
    #[error("duplicate rule id {0:?}")]
    DuplicateId(String),
    /// A rule is inconsistent (a sequence without steps, a threshold of zero, ...).
    #[error("rule {rule:?}: {reason}")]
    Invalid {
        /// The rule id.
        rule: String,
        /// What is wrong.
        reason: String,
    },
    /// A tuning file is not valid JSON of the expected shape.
    #[error("invalid tuning file: {0}")]
    Tuning(#[source] serde_json::Error),
}
