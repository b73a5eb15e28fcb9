//! An embeddable rule engine for AWS CloudTrail: rules written in Rust and Sigma YAML (feature `sigma`, on
//! by default) compiled to one representation, stateful correlation on event time, MITRE ATT&CK metadata,
//! and a built-in rule pack.
//!
//! # Brief overview
//!
//! - A [`Rule`] is metadata plus a [`Condition`] over a record ([`field`] and [`on`] start the tests:
//!   equals, contains, starts/ends with, glob, regex, CIDR, exists, numeric comparison; case-insensitive
//!   unless `cased`; combined with `and`, `or`, `not`), and a [`RuleKind`]: single records (deduplicated
//!   per entity), thresholds, distinct-value counts, ordered sequences, first-seen values and dormancy
//!   (a group back after a silence).
//! - [`Field`] names typed members (`eventName`, `userIdentity.type`, the outcome, the acting principal,
//!   the user-agent family, the source network) and JSON paths into `requestParameters`,
//!   `responseElements`, `additionalEventData`, `serviceEventDetails` or the whole record, through arrays (any element matches). Payloads are parsed
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
//! - A correlator's state can be saved and loaded ([`Correlator::save_state`], [`Correlator::load_state`],
//!   atomic file forms), so that a later run or a restarted service continues it: see
//!   [Persistent state](#persistent-state).
//! - [`ioc`] matches indicator lists (addresses and CIDR blocks, access keys, ARNs, accounts, user-agent
//!   substrings) in time that does not grow with them, as rules of the engine ([`ioc::rules`]): each
//!   finding names the indicator, its list and line.
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
//! built-in pack of 30 rules 2.1M records/s, the 211-rule pack far less (measured 2026-12-02 on the
//! shared 2-core machine at load average 13-17: criterion medians 104K-115K records/s, and, robust to
//! load, 180K-220K records per CPU-second over the generated records and 320K-440K over the corpus
//! with `DETECT_CPU_PASSES=40`; the million records/s per core it should keep is not met, see the
//! project README); the 57 SigmaHQ CloudTrail rules 690K records/s compiled from Sigma and
//! 710K written with the builder (the same rules, the same representation: the difference is noise and
//! evaluation order); 1,000 generated rules 380K records/s. The `hunt` example over a million-record tree
//! against DuckDB, with the machine it was measured on, is in the
//! [performance section of the project README](https://github.com/cloudtrail-rs/cloudtrail#performance),
//! the one place for side-by-side figures.
//!
//! Correlation at hostile volumes (`benches/correlate.rs`, one core, measured with a load average of 13-19
//! on the 2 cores, so the process got about a third of one: medians of 10 runs, each making its matches
//! from a template): a million distinct entities through a single-record rule and a threshold (2 million
//! matches) in 45 s (range 27-66 s), where the former eviction scan took 61 s for 110,000 entities; 400,000
//! reads of one secret within one window of a distinct-value count in 6.1 s (range 5.3-7.1 s), where
//! re-sorting the window took 61 s for 40,000. Both grow as n log n.
//!
//! # Bounds
//!
//! Records and rule files are attacker-influenced, so everything they can grow is bounded:
//!
//! - **State per rule**: at most [`MAX_GROUPS_PER_RULE`] groups and [`MAX_ENTRIES_PER_RULE`] entries
//!   (window timestamps, distinct values, first-seen values, kept matches). Past either, the group that
//!   would expire first (ties by group key, so results never depend on hash order) is dropped and counted
//!   in [`Correlator::evicted`]; an open single-record finding is reported, not lost. Eviction and expiry
//!   cost O(log n) per record.
//! - **Expiry**: every group ends when no later record can change it: a single-record finding after its
//!   dedup period, a window after its span, a sequence after its window, a first-seen group after
//!   [`FIRST_SEEN_RETENTION_DAYS`] without records.
//! - **Records per window**: a threshold window holds fewer timestamps than its count (at most
//!   [`MAX_WINDOW_COUNT`], checked by [`RuleSet::new`]) and its latest [`MAX_EVENT_IDS`] matches; a
//!   distinct-value window holds the latest match of fewer values than its count, whatever the number of
//!   records (one value read 400,000 times in a window is one entry); a ranged window counts its records
//!   and keeps the first [`MAX_EVENT_IDS`].
//! - **First-seen values**: at most [`MAX_VALUES_PER_GROUP`] per group (the least recently seen is
//!   forgotten, [`Correlator::forgotten`]), each forgotten after [`FIRST_SEEN_RETENTION_DAYS`] unseen.
//! - **Waiting records**: at most [`MAX_PENDING`] matches, holding at most [`MAX_PENDING_BYTES`], wait
//!   for the watermark ([`Correlator::overflowed`] counts those processed early): however many matches
//!   a rule set makes, the lateness buffer stays within that.
//! - **Watermark**: the lower median of the last [`WATERMARK_SAMPLE`] event times, less the lateness: a
//!   record dated 9999-12-31 is processed in its turn but does not move the watermark unless most recent
//!   records agree, so it cannot make genuine records late.
//! - **Time arithmetic** saturates: a window or dedup period of millions of weeks never panics.
//! - A [`Match`] from another [`RuleSet`] is refused with [`CorrelateError::ForeignMatch`].
//!
//! `tests/correlation_bounds.rs` checks each bound by counting state ([`Correlator::state_size`]);
//! `benches/correlate.rs` measures the cost at hostile volumes (figures below).
//!
//! # Persistent state
//!
//! [`Correlator::save_state`] writes what a later record can still change (first-seen values, open
//! windows, sequences and dedup periods, the matches waiting for the watermark, the watermark's sample and
//! the learning period's start) without finishing it; [`Correlator::load_state`] continues it, so that a
//! history split in two runs gives the findings of one run over all of it (`tests/state.rs` checks this
//! as a property over random histories). The format is binary and versioned ([`STATE_MAGIC`],
//! [`STATE_VERSION`], the body's length and a checksum, then length-prefixed sections); rules are matched
//! by id, and the state of a rule that is gone or changed shape is dropped and listed in [`Loaded`].
//! Loading treats the bytes as hostile: every count is checked against the bytes that remain and the
//! bounds below before anything is allocated, and any problem is a [`StateError`] with its byte offset
//! ([`StateFileError`] adds the file), never an empty state. [`StateOptions::max_age`] drops first-seen
//! values unseen for longer, relative to the latest event time processed, on save and load.
//! [`Correlator::save_state_file`] writes atomically (a new temporary file in the same directory, synced,
//! renamed over the old one).
//!
//! Size and speed (`benches/state.rs`, release, one thread, on 2 cores shared with other builds at load
//! averages of 4.6-12; medians of seven runs for save and eight for load, each of 10 samples): a state
//! of 1,000,000 distinct principals (a first-seen rule holding all of them, 1,000 accounts x 1,000
//! principals, at
//! [`MAX_VALUES_PER_GROUP`] and [`MAX_ENTRIES_PER_RULE`]; a one-day threshold per principal holding the
//! latest 100,000 of them, at [`MAX_GROUPS_PER_RULE`]; 18,014 matches waiting for the watermark) encodes
//! to 94.4 MB, saves in 764 ms (runs of 381-1192 ms) and loads in 929 ms (622-1025 ms): at the 1 s sought
//! on this machine, over it in two runs of eight. Loaded in a fresh process it took 331 MB resident when
//! each first-seen value was held in a hash map and an ordered set; each value is now held once (its text
//! in one slot, found through a hash table of slot numbers and ordered by a compact (time, sequence) key,
//! `correlate/seen.rs`) and an open finding is boxed. Measured again on a release build on 2026-12-02
//! (load average 2-3, the project's CI running beside it; 10 samples): 94.6 MB encoded, saves in 635 ms
//! (370-957 ms), loads in 870 ms (715-1,071 ms), and takes 260.4 MB resident loaded in a fresh process:
//! save and load under the second sought, memory still above the 200 MB sought. On 2026-12-03 (quiet
//! machine, release build), with each explanation's field name and test text shared with its rule (and
//! with one another when a state is loaded) instead of copied into every match kept: 94.6 MB encoded,
//! saves in 464 ms (438-490), loads in 483 ms (457-505), 251.0 MB resident loaded. Not met: 200 MB.
//! Where the rest goes has not been measured exactly (the workspace forbids the unsafe code a counting
//! allocator needs); by the sizes of its parts, about 130 MB are the million first-seen values (text,
//! slot, hash table, ordered index) and most of the rest the 100,000 threshold windows' kept matches.
//! A first-seen rule grouped per principal (rather than per account) holds at most
//! [`MAX_GROUPS_PER_RULE`] principals.
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
//!     correlator.push(m)?;
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
//! | `correlate::state` | [`StateOptions`], [`Saved`], [`Loaded`], [`StateError`], [`StateFileError`] |
//! | `tuning` | [`Tuning`], [`Suppression`] |
//! | [`ioc`] | [`ioc::IocSet`]: indicator lists (addresses and CIDRs, access keys, ARNs, accounts, user agents); [`ioc::rules`] and [`ioc::indicator`] to match them in a [`RuleSet`] |
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
pub use correlate::{
    CorrelateError, Correlator, DORMANT_MEMORY_DAYS, FIRST_SEEN_RETENTION_DAYS, Loaded,
    MAX_ENTRIES_PER_RULE, MAX_GROUPS_PER_RULE, MAX_PENDING, MAX_PENDING_BYTES, MAX_STATE_BYTES,
    MAX_VALUES_PER_GROUP, STATE_MAGIC, STATE_VERSION, Saved, StateError, StateFileError,
    StateOptions, StateSize, WATERMARK_SAMPLE,
};
pub use engine::{MAX_WINDOW_COUNT, Match, RuleSet};
pub use error::RuleError;
pub use field::{EventView, Field, Payload};
pub use finding::{Finding, MAX_EVENT_IDS};
pub use matcher::{Comparison, Matcher, Network};
pub use pack::{baseline_rules, builtin_rules};
pub use rule::{Input, Mitre, Rule, RuleKind, Severity};
pub use tuning::{Suppression, Tuning};

/// The crate README's examples (its page on the crate registry), compiled and run as doctests so they stay
/// true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
