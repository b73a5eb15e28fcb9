//! [`Tuning`]: suppressions and severity overrides, loaded from a file, applied to findings without
//! editing rules.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::error::RuleError;
use crate::finding::Finding;
use crate::rule::Severity;

/// One suppression: findings of matching rules for a matching scope are dropped until it expires.
///
/// Every field set must match; `rule`, `principal` and `arn` are glob patterns (`*`, `?`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    /// Rule ids this applies to (glob); `*` for all.
    pub rule: String,
    /// The account the finding is about.
    #[serde(default)]
    pub account: Option<String>,
    /// The entity (acting principal) of the finding (glob).
    #[serde(default)]
    pub principal: Option<String>,
    /// The caller's `userIdentity.arn` (glob).
    #[serde(default)]
    pub arn: Option<String>,
    /// When the suppression stops applying.
    #[serde(default)]
    pub expires: Option<DateTime<Utc>>,
    /// Why it exists (for the people who read the file).
    pub reason: String,
}

/// Tuning for a deployment: suppressions and severity overrides by rule id.
///
/// ```
/// use cloudtrail_detect::Tuning;
///
/// let tuning = Tuning::from_json(r#"{
///   "suppressions": [
///     {"rule": "aws-secretsmanager-*", "principal": "arn:aws:sts::*:assumed-role/Backup*",
///      "expires": "2030-01-01T00:00:00Z", "reason": "nightly backups read every secret"}
///   ],
///   "severity": {"aws-console-root-login": "critical"}
/// }"#)?;
/// assert_eq!(tuning.suppressions.len(), 1);
/// # Ok::<(), cloudtrail_detect::RuleError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tuning {
    /// Suppressions.
    #[serde(default)]
    pub suppressions: Vec<Suppression>,
    /// Severity overrides by rule id.
    #[serde(default)]
    pub severity: HashMap<String, Severity>,
}

impl Tuning {
    /// Reads tuning from JSON text.
    pub fn from_json(text: &str) -> Result<Tuning, RuleError> {
        serde_json::from_str(text).map_err(RuleError::Tuning)
    }

    /// Applies the overrides and drops suppressed findings, as of `now` (for expiry); returns how many
    /// were suppressed.
    pub fn apply(&self, findings: &mut Vec<Finding>, now: DateTime<Utc>) -> usize {
        for finding in findings.iter_mut() {
            if let Some(severity) = self.severity.get(&finding.rule_id) {
                finding.severity = *severity;
            }
        }
        let before = findings.len();
        findings.retain(|finding| !self.suppresses(finding, now));
        before - findings.len()
    }

    /// Whether a suppression in force at `now` covers the finding.
    pub fn suppresses(&self, finding: &Finding, now: DateTime<Utc>) -> bool {
        self.suppressions.iter().any(|s| {
            s.expires.is_none_or(|expires| now < expires)
                && glob(&s.rule, &finding.rule_id)
                && s.account
                    .as_ref()
                    .is_none_or(|a| finding.account.as_ref() == Some(a))
                && s.principal
                    .as_ref()
                    .is_none_or(|p| glob(p, &finding.entity))
                && s.arn
                    .as_ref()
                    .is_none_or(|p| finding.arn.as_deref().is_some_and(|arn| glob(p, arn)))
        })
    }
}

/// Case-sensitive glob: `*` any run, `?` one character.
fn glob(pattern: &str, text: &str) -> bool {
    crate::matcher::Matcher::Glob(vec![pattern.to_owned()]).test(text, true)
}
