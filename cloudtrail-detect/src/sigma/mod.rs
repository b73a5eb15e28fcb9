//! Sigma rules (feature `sigma`): detection rules, filters and correlation rules in Sigma YAML, compiled to
//! the engine's own [`Rule`]s, so they run in the same [`RuleSet`](crate::RuleSet) as Rust rules, with the
//! same findings, explanations, tuning and speed.
//!
//! ```
//! use cloudtrail_detect::RuleSet;
//! use cloudtrail_detect::sigma::SigmaLoader;
//!
//! let mut loader = SigmaLoader::new();
//! loader.add_str("stop_logging.yml", r#"
//! title: CloudTrail logging stopped
//! id: 4db60cc0-36fb-4c5b-a9e1-6bd5fbfda5e8
//! level: high
//! tags: [attack.defense-impairment, attack.t1685.002]
//! logsource: {product: aws, service: cloudtrail}
//! detection:
//!   selection:
//!     eventSource: cloudtrail.amazonaws.com
//!     eventName: [StopLogging, DeleteTrail]
//!   filter_ci:
//!     userIdentity.arn|endswith: ':assumed-role/terraform/ci'
//!   condition: selection and not filter_ci
//! "#);
//! let loaded = loader.compile();
//! assert!(loaded.failures.is_empty());
//! let rules = RuleSet::new(loaded.rules)?;
//! assert_eq!(rules.rules()[0].title, "CloudTrail logging stopped");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What is supported
//!
//! - Detection: selections as maps (and), lists of maps (or) and keyword lists (matched anywhere in the
//!   record's JSON text); `condition` with `and`, `or`, `not`, parentheses, `1 of`/`any of`/`all of` with
//!   wildcards and `them`, or a list of conditions (any of them). Values with `*` and `?` wildcards and `\`
//!   escapes; `null` meaning absent; lists meaning any of them.
//! - Modifiers: `contains`, `startswith`, `endswith`, `all`, `re` (with `i`, `m`, `s`), `cidr`, `exists`,
//!   `cased`, `fieldref`, `lt`, `lte`, `gt`, `gte`, `base64` and `base64offset` (EC2 user data is base64).
//!   `windash`, `wide`/`utf16*` and `expand` are refused with an error naming the rule and the modifier:
//!   CloudTrail has no Windows command lines or UTF-16 text, and placeholders need a deployment's values.
//! - Field names are CloudTrail's dotted paths (`userIdentity.type`, `requestParameters.bucketName`,
//!   `responseElements.ConsoleLogin`), through arrays. Values, wildcards and modifiers other than
//!   `exists` test scalar values only: a path that ends on an object (`...Statement.Principal` holding
//!   `{"AWS": "arn:aws:iam::1:root"}`) never matches `'*'` or any string; name its members instead
//!   (`...Statement.Principal.AWS`). A payload named alone (`requestParameters`) is matched as its JSON
//!   text, which SigmaHQ's CloudTrail rules rely on (`requestParameters|contains: 'Suspended'`).
//! - Filters (Sigma filter documents): their condition is added to the rules they name, as the
//!   Sigma-native way to suppress.
//! - Correlations: `event_count`, `value_count`, `temporal` and `temporal_ordered`, with `group-by`,
//!   `timespan`, condition ranges (`gt`, `gte`, `lt`, `lte`, `eq`), `aliases`, `generate` and chaining
//!   (a correlation over correlations), run by the engine's correlator on event time.
//! - Metadata: `id`, `title`, `description`, `status`, `level` (severity), `tags` (ATT&CK tactics and
//!   techniques become [`Mitre`](crate::Mitre) references; every tag is kept), `falsepositives`,
//!   `references`.
//!
//! Documents for other log sources, and the pre-2.0 aggregations (`| count() > 5`, `near`), fail to load
//! with a reason. [`SigmaLoader::compile`] loads every rule it can and lists the rest in
//! [`SigmaRules::failures`].

mod correlation;
mod detection;
mod document;
mod expr;
mod meta;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::rule::Rule;
use document::Document;

/// Why a Sigma document could not be compiled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SigmaError {
    /// The text is not YAML.
    #[error("invalid YAML: {0}")]
    Yaml(#[source] yaml_rust2::ScanError),
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Io(#[source] std::io::Error),
    /// A required member is missing.
    #[error("missing `{0}`")]
    Missing(&'static str),
    /// A member has the wrong shape.
    #[error("`{member}` {expected}")]
    Shape {
        /// The member, as a dotted path.
        member: String,
        /// What it should be.
        expected: &'static str,
    },
    /// The rule is for another log source.
    #[error("log source {0} is not AWS CloudTrail")]
    Logsource(String),
    /// A modifier that means nothing for CloudTrail or is not supported.
    #[error("field `{field}`: modifier `{modifier}` is not supported: {reason}")]
    Modifier {
        /// The field.
        field: String,
        /// The modifier.
        modifier: String,
        /// Why.
        reason: &'static str,
    },
    /// A value that does not suit its modifier.
    #[error("field `{field}`: {reason}")]
    Value {
        /// The field.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// The condition does not parse or names no selection.
    #[error("condition {condition:?}: {reason}")]
    Condition {
        /// The condition.
        condition: String,
        /// What is wrong.
        reason: String,
    },
    /// A correlation or filter names a rule that was not loaded.
    #[error("no rule named {0:?} was loaded")]
    UnknownRule(String),
    /// Correlation rules refer to each other in a cycle.
    #[error("correlation cycle through {0:?}")]
    Cycle(String),
    /// The engine refused the compiled rule.
    #[error(transparent)]
    Rule(#[from] crate::error::RuleError),
}

/// A document that failed to load: where, which rule, and why.
#[derive(Debug)]
pub struct LoadFailure {
    /// The file (or the name given to [`SigmaLoader::add_str`]).
    pub source: PathBuf,
    /// The document's position in its file (0 for the first).
    pub document: usize,
    /// The rule's title or id, when it has one.
    pub rule: Option<String>,
    /// Why it failed.
    pub error: SigmaError,
}

impl fmt::Display for LoadFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source.display())?;
        if self.document > 0 {
            write!(f, " (document {})", self.document + 1)?;
        }
        if let Some(rule) = &self.rule {
            write!(f, ": rule {rule:?}")?;
        }
        write!(f, ": {}", self.error)
    }
}

/// What [`SigmaLoader::compile`] produced: rules ready for a [`RuleSet`](crate::RuleSet), and every
/// document that failed.
#[derive(Debug, Default)]
pub struct SigmaRules {
    /// The compiled rules, correlations after the rules they chain on.
    pub rules: Vec<Rule>,
    /// Documents that failed to load or compile.
    pub failures: Vec<LoadFailure>,
}

/// Collects Sigma documents from files, directories and text, then compiles them together (filters and
/// correlations refer to rules by id or name, possibly in other files).
#[derive(Debug, Default)]
pub struct SigmaLoader {
    documents: Vec<(PathBuf, usize, Document)>,
    failures: Vec<LoadFailure>,
}

impl SigmaLoader {
    /// An empty loader.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the documents of a YAML text; `source` names it in failures. Returns how many documents
    /// parsed.
    pub fn add_str(&mut self, source: impl AsRef<Path>, text: &str) -> usize {
        let source = source.as_ref().to_path_buf();
        match document::parse(text) {
            Ok(documents) => {
                let mut added = 0;
                for (index, document) in documents.into_iter().enumerate() {
                    match document {
                        Ok(document) => {
                            self.documents.push((source.clone(), index, document));
                            added += 1;
                        }
                        Err((rule, error)) => self.failures.push(LoadFailure {
                            source: source.clone(),
                            document: index,
                            rule,
                            error,
                        }),
                    }
                }
                added
            }
            Err(error) => {
                self.failures.push(LoadFailure {
                    source,
                    document: 0,
                    rule: None,
                    error,
                });
                0
            }
        }
    }

    /// Adds a file, or every `.yml`/`.yaml` file under a directory (recursively, in name order).
    /// Returns how many documents parsed; unreadable files are recorded as failures.
    pub fn add_path(&mut self, path: impl AsRef<Path>) -> usize {
        let path = path.as_ref();
        if path.is_dir() {
            let mut entries = match std::fs::read_dir(path) {
                Ok(entries) => entries.filter_map(Result::ok).map(|e| e.path()).collect(),
                Err(error) => {
                    self.io_failure(path, error);
                    Vec::new()
                }
            };
            entries.sort();
            entries
                .iter()
                .filter(|p| {
                    p.is_dir()
                        || p.extension().is_some_and(|e| {
                            e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml")
                        })
                })
                .map(|p| self.add_path(p))
                .sum()
        } else {
            match std::fs::read_to_string(path) {
                Ok(text) => self.add_str(path, &text),
                Err(error) => {
                    self.io_failure(path, error);
                    0
                }
            }
        }
    }

    fn io_failure(&mut self, path: &Path, error: std::io::Error) {
        self.failures.push(LoadFailure {
            source: path.to_path_buf(),
            document: 0,
            rule: None,
            error: SigmaError::Io(error),
        });
    }

    /// Compiles everything added: detection rules with their filters applied, then correlations.
    pub fn compile(self) -> SigmaRules {
        correlation::compile(self.documents, self.failures)
    }
}
