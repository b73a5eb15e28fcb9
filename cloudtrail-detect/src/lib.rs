//! An embeddable rule engine for AWS CloudTrail: rules written in Rust and Sigma YAML (feature `sigma`, on
//! by default) compiled to one representation, stateful correlation on event time, MITRE ATT&CK metadata,
//! and a built-in rule pack.
//!
//! # Brief overview
//!
//! - A [`Rule`] is metadata plus a [`Condition`] over a record ([`field`] and [`on`] start the tests:
//!   equals, contains, starts/ends with, glob, regex, CIDR, exists, numeric comparison; case-insensitive
//!   unless `cased`; combined with `and`, `or`, `not`), and a [`RuleKind`]: single records (deduplicated
//!   per entity), thresholds, distinct-value counts, ordered sequences and first-seen values.
//! - [`Field`] names typed members (`eventName`, `userIdentity.type`, the outcome, the acting principal)
//!   and JSON paths into `requestParameters`, `responseElements`, `additionalEventData`,
//!   `serviceEventDetails` or the whole record, through arrays (any element matches). Payloads are parsed
//!   only when a rule that needs them is evaluated, at most once per record.
//! - Text tests (equals, contains, glob, regex, CIDR, numbers) see scalar values: strings, and numbers and
//!   booleans as their JSON text. An object a path ends on is not a string and passes none of them (a
//!   glob `*` on `Statement.Principal` does not match `{"AWS": "arn:..."}`); `exists` sees it, and a
//!   path into it (`Statement.Principal.AWS`) reaches its members. A payload named whole
//!   (`responseElements`) is read as its JSON text, as SIEMs store it and public Sigma rules expect
//!   (see [`EventView::scalar_values`]). The same holds for Rust and Sigma rules.
//! - A [`RuleSet`] indexes rules by the event names their conditions require, so a record meets only the
//!   rules that can match it; it is `Send + Sync` and matches records from many threads at once
//!   ([`RuleSet::matches`]), each [`Match`] explaining which tests held with the values seen.
//! - A [`Correlator`] turns matches into [`Finding`]s on event time, with a watermark and allowed lateness:
//!   findings do not depend on arrival order within the lateness, and state stays bounded.
//! - [`Tuning`] applies suppressions (by rule, account, principal or ARN pattern, with expiry) and
//!   severity overrides, loaded from a file.
//! - [`builtin_rules`] is the built-in pack; its documentation carries the Stratus Red Team coverage table
//!   (technique, rules, ATT&CK ids, fixtures), generated from the rules by the crate's tests.
//! - [`sigma`] compiles Sigma detection rules, filters and correlation rules to the same [`Rule`]s, with
//!   every input bound stated (file size, YAML nesting and aliases, condition depth, regex size; see
//!   its Limits section).
//!
//! # Performance
//!
//! Matching only, one core, 20,000 generated records parsed beforehand (`benches/detect.rs`): the
//! built-in pack 2.1M records/s; the 57 SigmaHQ CloudTrail rules 690K records/s compiled from Sigma and
//! 710K written with the builder (the same rules, the same representation: the difference is noise and
//! evaluation order); 1,000 generated rules 380K records/s. The `hunt` example over a million-record tree
//! against DuckDB, with the machine it was measured on, is in the
//! [performance section of the project README](https://github.com/cloudtrail-rs/cloudtrail#performance),
//! the one place for side-by-side figures.
//!
//! # Example
//!
//! ```
//! use chrono::Duration;
//! use cloudtrail_detect::{Correlator, Rule, RuleSet, Severity, builtin_rules, field};
//! use cloudtrail_model::Event;
//!
//! let mut rules = builtin_rules();
//! rules.push(
//!     Rule::new("my-bucket-policy-change", "Bucket policy changed",
//!         field("eventName").equals(["PutBucketPolicy"]).and(field("requestParameters.bucketName").starts_with(["prod-"])))
//!     .severity(Severity::High),
//! );
//! let rules = RuleSet::new(rules)?;
//!
//! let record = r#"{"eventVersion":"1.11","eventTime":"2024-05-01T10:00:00Z","eventSource":"cloudtrail.amazonaws.com",
//!   "eventName":"StopLogging","eventID":"e-1","userIdentity":{"type":"AssumedRole",
//!   "arn":"arn:aws:sts::111122223333:assumed-role/ci/run-7","accountId":"111122223333"},
//!   "requestParameters":{"name":"management-events"}}"#;
//! let event = Event::from_json(record)?;
//! let mut matches = Vec::new();
//! rules.matches(&event, &mut matches);
//!
//! let mut correlator = Correlator::new(&rules, Duration::minutes(15));
//! for m in matches {
//!     correlator.push(m);
//! }
//! let findings = correlator.finish();
//! assert_eq!(findings[0].rule_id, "aws-cloudtrail-tampering");
//! assert_eq!(findings[0].entity, "arn:aws:sts::111122223333:assumed-role/ci");
//! assert_eq!(findings[0].explanation[0].value, "StopLogging");
//! Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Map
//!
//! | module | holds |
//! |---|---|
//! | `field` | [`Field`], [`Payload`], [`EventView`] |
//! | `matcher`, `condition` | [`Matcher`], [`Condition`], [`field`], [`on`], [`Evidence`] |
//! | `rule` | [`Rule`], [`RuleKind`], [`Severity`], [`Mitre`] |
//! | `engine` | [`RuleSet`], [`Match`] |
//! | `correlate`, `finding` | [`Correlator`], [`Finding`] |
//! | `tuning` | [`Tuning`], [`Suppression`] |
//! | [`ioc`] | [`ioc::IocSet`]: indicator lists (addresses and CIDRs, access keys, ARNs, accounts, user agents) |
//! | `pack` | [`builtin_rules`] |
//! | [`sigma`] | [`sigma::SigmaLoader`], [`sigma::SigmaRules`], [`sigma::LoadFailure`], [`sigma::SigmaError`] |
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod condition;
mod correlate;
mod engine;
mod error;
mod field;
mod finding;
pub mod ioc;
mod matcher;
mod pack;
mod rule;
#[cfg(feature = "sigma")]
pub mod sigma;
mod tuning;

pub use condition::{
    Condition, Evidence, FieldTest, REGEX_DFA_SIZE_LIMIT, REGEX_NEST_LIMIT, REGEX_SIZE_LIMIT, Test,
    field, on,
};
pub use correlate::{Correlator, MAX_GROUPS_PER_RULE};
pub use engine::{Match, RuleSet};
pub use error::RuleError;
pub use field::{EventView, Field, Payload};
pub use finding::{Finding, MAX_EVENT_IDS};
pub use matcher::{Comparison, Matcher, Network};
pub use pack::builtin_rules;
pub use rule::{Input, Mitre, Rule, RuleKind, Severity};
pub use tuning::{Suppression, Tuning};

/// The crate README's examples (its page on the crate registry), compiled and run as doctests so they stay
/// true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
