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
//! # Limits
//!
//! Rule files come from anywhere, so everything a file can grow is bounded, and a file past a bound
//! fails alone, with an error naming it (and the rule, when it has a title), while the others load:
//!
//! | what | bound | error |
//! |---|---|---|
//! | a file read by [`SigmaLoader::add_path`] | [`MAX_RULE_FILE_BYTES`], 1 MiB | [`SigmaError::FileTooLarge`] |
//! | YAML nesting, aliases expanded | 100 levels | [`SigmaError::Shape`] |
//! | YAML aliases (anchored nodes copied at every alias) | 100,000 nodes and 4 MiB of text built, counted from the parser's events before anything is built | [`SigmaError::AliasExpansion`] |
//! | `condition`: parentheses and `not` | 64 levels | [`SigmaError::Condition`], quoting the condition's first 200 characters |
//! | `re` patterns | compiled size [`REGEX_SIZE_LIMIT`](crate::REGEX_SIZE_LIMIT) (1 MiB), lazy DFA [`REGEX_DFA_SIZE_LIMIT`](crate::REGEX_DFA_SIZE_LIMIT) (1 MiB), nesting [`REGEX_NEST_LIMIT`](crate::REGEX_NEST_LIMIT) (64) | [`SigmaError::Value`] |
//! | `base64offset` values | at least two bytes (one byte has an alignment with no base64 character of its own, which would match everything) | [`SigmaError::Value`] |
//!
//! Directories: [`SigmaLoader::add_path`] follows links and reads each directory once (a cycle or a
//! second link to a folder is reported as [`SigmaError::DirectoryRevisited`]); a dangling link or an
//! unreadable entry is reported by name and the rest of the tree is read.
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
    /// The file's aliases expand to too much YAML (an alias bomb): refused before it is built.
    #[error(
        "aliases expand to more than {nodes} YAML nodes or {bytes} bytes of text; refused before building them"
    )]
    AliasExpansion {
        /// The limit, in nodes.
        nodes: u64,
        /// The limit, in bytes of scalar text.
        bytes: u64,
    },
    /// The file is larger than a rule file may be.
    #[error("{size} bytes, over the limit of {limit} for a rule file")]
    FileTooLarge {
        /// The file's size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A directory reached again through a link (a cycle, or a second link to it): its rules are read
    /// once.
    #[error("leads to {0} again (through a link); its rules are read once")]
    DirectoryRevisited(PathBuf),
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

/// The largest rule file [`SigmaLoader::add_path`] reads: 1 MiB (SigmaHQ's CloudTrail rules are 1 to 3 KB).
pub const MAX_RULE_FILE_BYTES: u64 = 1 << 20;

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
    /// Returns how many documents parsed.
    ///
    /// Links are followed, to files and to directories (rule folders are often linked in from a
    /// checkout); a directory reached a second time (a link cycle, or two links to one folder) is
    /// reported ([`SigmaError::DirectoryRevisited`]) and not read again, so loops end and no rule loads
    /// twice. A bad entry (a dangling link, an unreadable
    /// file or directory, a file over [`MAX_RULE_FILE_BYTES`]) is reported as a failure naming that
    /// entry, and the rest of the tree is still read.
    pub fn add_path(&mut self, path: impl AsRef<Path>) -> usize {
        let mut visited = std::collections::HashSet::new();
        self.add_tree(path.as_ref(), &mut visited)
    }

    /// `visited` holds the canonical paths of the directories read so far.
    fn add_tree(&mut self, path: &Path, visited: &mut std::collections::HashSet<PathBuf>) -> usize {
        // `metadata` follows links: a dangling one fails here, named.
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(error) => {
                self.io_failure(path, error);
                return 0;
            }
        };
        if !metadata.is_dir() {
            return self.add_file(path, metadata.len());
        }
        let canonical = match std::fs::canonicalize(path) {
            Ok(canonical) => canonical,
            Err(error) => {
                self.io_failure(path, error);
                return 0;
            }
        };
        if visited.contains(&canonical) {
            self.failure(path, SigmaError::DirectoryRevisited(canonical));
            return 0;
        }
        let entries = match std::fs::read_dir(path) {
            Ok(entries) => entries,
            Err(error) => {
                self.io_failure(path, error);
                return 0;
            }
        };
        let mut children = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => children.push(entry.path()),
                Err(error) => self.io_failure(path, error),
            }
        }
        children.sort();
        visited.insert(canonical);
        let mut added = 0;
        for child in children {
            let rule_file = child
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"));
            // Directories (through links too) and rule files are read; other files are skipped unread,
            // but a dangling link is reported: it may have named a rule folder.
            match std::fs::metadata(&child) {
                Ok(metadata) if rule_file || metadata.is_dir() => {
                    added += self.add_tree(&child, visited);
                }
                Ok(_) => {}
                Err(error) => {
                    let link =
                        std::fs::symlink_metadata(&child).is_ok_and(|m| m.file_type().is_symlink());
                    if rule_file || link {
                        self.io_failure(&child, error);
                    }
                }
            }
        }
        added
    }

    fn add_file(&mut self, path: &Path, size: u64) -> usize {
        if size > MAX_RULE_FILE_BYTES {
            self.failure(
                path,
                SigmaError::FileTooLarge {
                    size,
                    limit: MAX_RULE_FILE_BYTES,
                },
            );
            return 0;
        }
        // Read at most one byte past the limit: the file may have grown since `metadata`.
        let mut text = String::new();
        let read = std::fs::File::open(path).and_then(|file| {
            std::io::Read::read_to_string(
                &mut std::io::Read::take(file, MAX_RULE_FILE_BYTES + 1),
                &mut text,
            )
        });
        match read {
            Ok(n) if n as u64 > MAX_RULE_FILE_BYTES => {
                self.failure(
                    path,
                    SigmaError::FileTooLarge {
                        size: n as u64,
                        limit: MAX_RULE_FILE_BYTES,
                    },
                );
                0
            }
            Ok(_) => self.add_str(path, &text),
            Err(error) => {
                self.io_failure(path, error);
                0
            }
        }
    }

    fn failure(&mut self, path: &Path, error: SigmaError) {
        self.failures.push(LoadFailure {
            source: path.to_path_buf(),
            document: 0,
            rule: None,
            error,
        });
    }

    fn io_failure(&mut self, path: &Path, error: std::io::Error) {
        self.failure(path, SigmaError::Io(error));
    }

    /// Compiles everything added: detection rules with their filters applied, then correlations.
    pub fn compile(self) -> SigmaRules {
        correlation::compile(self.documents, self.failures)
    }
}
