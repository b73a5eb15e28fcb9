//! Saving and loading a [`Correlator`]'s state, so that a later run (the next day's batch, a service after
//! a restart) continues where this one stopped: see [`Correlator::save_state`].

mod codec;

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::group::{GroupState, earlier};
use super::seen::Seen;
use super::watermark::Watermark;
use super::{
    Correlator, FIRST_SEEN_RETENTION_DAYS, MAX_ENTRIES_PER_RULE, MAX_GROUPS_PER_RULE, MAX_PENDING,
    MAX_VALUES_PER_GROUP, WATERMARK_SAMPLE,
};
use crate::condition::Evidence;
use crate::engine::{MAX_WINDOW_COUNT, Match, RuleSet};
use crate::finding::{Finding, MAX_EVENT_IDS};
use crate::ioc::{Indicator, IndicatorKind};
use crate::rule::{Mitre, Rule, RuleKind, Severity};
use codec::{Decoder, Encoder, TIME, checksum};

/// The first bytes of every state file.
pub const STATE_MAGIC: [u8; 8] = *b"CTDSTATE";

/// The format version this build writes and reads; a file of any other version is refused
/// ([`StateError::Version`]).
pub const STATE_VERSION: u32 = 1;

/// The largest state body read or written (4 GiB); the bounds keep real states far below it.
pub const MAX_STATE_BYTES: u64 = 1 << 32;

/// Magic, version, body length, checksum.
const HEADER: usize = 8 + 4 + 8 + 8;

/// Why a state could not be saved or loaded. A load never falls back to an empty state: every problem
/// is one of these, with the byte offset where it was found.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// Reading or writing failed.
    #[error("input/output error: {0}")]
    Io(#[source] io::Error),
    /// The input does not start with [`STATE_MAGIC`]: it is not a correlator state.
    #[error("not a correlator state: it does not start with the bytes {:?}", String::from_utf8_lossy(&STATE_MAGIC))]
    NotState,
    /// The state was written in another format version.
    #[error("state format version {found}; this build reads version {supported} only")]
    Version {
        /// The version in the file.
        found: u32,
        /// [`STATE_VERSION`].
        supported: u32,
    },
    /// The input ends before the state does, or a length claims more bytes than remain.
    #[error("truncated at byte {offset}: {what}")]
    Truncated {
        /// Byte offset from the start of the input.
        offset: u64,
        /// What was being read.
        what: String,
    },
    /// The bytes are not a state this build writes: a checksum mismatch, a count past its bound, an
    /// invalid tag, time or UTF-8 text, a duplicate.
    #[error("damaged at byte {offset}: {what}")]
    Damaged {
        /// Byte offset from the start of the input.
        offset: u64,
        /// What is wrong.
        what: String,
    },
    /// The state would exceed [`MAX_STATE_BYTES`] (or a string the format's 32-bit lengths).
    #[error("the state is larger than the format allows ({MAX_STATE_BYTES} bytes)")]
    TooLarge,
}

/// A [`StateError`] with the file it concerns.
#[derive(Debug, thiserror::Error)]
#[error("state file {}: {error}", path.display())]
#[non_exhaustive]
pub struct StateFileError {
    /// The state file.
    pub path: PathBuf,
    /// What went wrong.
    #[source]
    pub error: StateError,
}

impl StateFileError {
    /// Whether the file does not exist (a first run, which may start afresh).
    pub fn is_not_found(&self) -> bool {
        matches!(&self.error, StateError::Io(error) if error.kind() == io::ErrorKind::NotFound)
    }
}

/// How states are saved and loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StateOptions {
    /// First-seen values last seen longer than this before the state's watermark (the latest event time
    /// processed) are dropped on save and on load, and reported again when they come back. Default
    /// [`FIRST_SEEN_RETENTION_DAYS`], the age at which the correlator forgets them anyway.
    pub max_age: Duration,
}

impl Default for StateOptions {
    fn default() -> Self {
        StateOptions {
            max_age: Duration::days(FIRST_SEEN_RETENTION_DAYS),
        }
    }
}

impl StateOptions {
    /// The defaults.
    pub fn new() -> Self {
        StateOptions::default()
    }

    /// Sets [`StateOptions::max_age`].
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }
}

/// What a save wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Saved {
    /// Bytes written, header included.
    pub bytes: u64,
    /// Groups written, over all rules.
    pub groups: usize,
    /// Matches waiting for the watermark, written.
    pub pending: usize,
    /// First-seen values left out by [`StateOptions::max_age`].
    pub aged_out: u64,
}

/// What a load restored, and what of the state the rule set no longer has a place for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Loaded {
    /// Groups restored, over all rules.
    pub groups: usize,
    /// Matches restored to wait for the watermark.
    pub pending: usize,
    /// First-seen values dropped by [`StateOptions::max_age`].
    pub aged_out: u64,
    /// Ids of rules in the state that the rule set does not have: their state is dropped.
    pub dropped_rules: Vec<String>,
    /// Ids of rules whose kind changed shape (another kind, a ranged count that was not, another number
    /// of steps): their state is dropped and they start empty.
    pub changed_rules: Vec<String>,
    /// Rules of the set that the state does not know: they start empty.
    pub new_rules: usize,
    /// Groups and waiting matches dropped with the rules above.
    pub dropped: u64,
}

/// The shape of a rule's state: a state is restored for a rule of the same id only when this agrees.
/// Windows, counts and conditions may change (the state is then read under the new values).
fn shape(kind: &RuleKind) -> String {
    match kind {
        RuleKind::Single { .. } => "single".to_owned(),
        RuleKind::Threshold { at_most: None, .. } => "threshold".to_owned(),
        RuleKind::Threshold { .. } => "threshold-ranged".to_owned(),
        RuleKind::ValueCount { at_most: None, .. } => "value-count".to_owned(),
        RuleKind::ValueCount { .. } => "value-count-ranged".to_owned(),
        RuleKind::Sequence {
            steps,
            ordered: true,
            ..
        } => format!("sequence-{}", steps.len()),
        RuleKind::Sequence { steps, .. } => format!("steps-{}", steps.len()),
        RuleKind::FirstSeen { .. } => "first-seen".to_owned(),
        RuleKind::Dormant { .. } => "dormant".to_owned(),
    }
}

/// The tag of each [`GroupState`] variant in the file.
fn tag(state: &GroupState) -> u8 {
    match state {
        GroupState::Open(_) => 0,
        GroupState::Sliding { .. } => 1,
        GroupState::Tumbling { .. } => 2,
        GroupState::Distinct { .. } => 3,
        GroupState::DistinctTumbling { .. } => 4,
        GroupState::Sequence(_) => 5,
        GroupState::Steps(_) => 6,
        GroupState::Seen { .. } => 7,
        GroupState::LastSeen(_) => 8,
    }
}

/// The tag a rule's groups must have.
fn tag_of(kind: &RuleKind) -> u8 {
    match kind {
        RuleKind::Single { .. } => 0,
        RuleKind::Threshold { at_most: None, .. } => 1,
        RuleKind::Threshold { .. } => 2,
        RuleKind::ValueCount { at_most: None, .. } => 3,
        RuleKind::ValueCount { .. } => 4,
        RuleKind::Sequence { ordered: true, .. } => 5,
        RuleKind::Sequence { .. } => 6,
        RuleKind::FirstSeen { .. } => 7,
        RuleKind::Dormant { .. } => 8,
    }
}

fn severity_code(severity: Severity) -> u8 {
    match severity {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

// Smallest encoded sizes, to check a count against the bytes that remain before reading its items.
const MATCH_LEAST: usize = 4 + 1 + 4 + 4 + 1 + 1 + 4 + 1 + 4 + 1 + 4;
const TRIPLE_LEAST: usize = 12;
const GROUP_LEAST: usize = 4 + TIME + 1;

impl<'r> Correlator<'r> {
    /// Writes everything this correlator holds that a later record can still change, so that
    /// [`Correlator::load_state`] continues where it stopped: the first-seen values, the open groups
    /// (windows, sequences, single-record findings within their dedup period), the matches waiting for the
    /// watermark, the watermark's sample, the latest event time processed and the start of the learning
    /// period. Nothing is finished: a run that saves its state instead of calling
    /// [`Correlator::finish`] leaves the findings still open to the run that loads it, and the two runs
    /// together report what one run over both inputs would. The counters ([`Correlator::late`] and the
    /// others) belong to a run and are not saved.
    ///
    /// The format is a header (the magic [`STATE_MAGIC`], [`STATE_VERSION`], the body's length and a
    /// checksum) and a length-prefixed binary body: each rule's id and shape, then its groups, then the
    /// waiting matches. First-seen values older than [`StateOptions::max_age`] before the latest event
    /// time processed are left out. To write a file atomically use [`Correlator::save_state_file`].
    ///
    /// ```
    /// use chrono::Duration;
    /// use cloudtrail_detect::{Correlator, Field, Rule, RuleKind, RuleSet, StateOptions, field};
    /// use cloudtrail_model::Event;
    ///
    /// let rule = Rule::new("new-region", "Principal in a new region", field("eventName").exists())
    ///     .kind(RuleKind::FirstSeen {
    ///         group_by: Vec::new(),
    ///         field: Field::parse("awsRegion"),
    ///         learning: Duration::zero(),
    ///     });
    /// let rules = RuleSet::new(vec![rule])?;
    /// let record = |id: &str, day: u32, region: &str| {
    ///     format!(
    ///         r#"{{"eventVersion":"1.11","eventTime":"2024-05-0{day}T10:00:00Z","eventName":"ListBuckets",
    ///           "eventSource":"s3.amazonaws.com","eventID":"{id}","awsRegion":"{region}",
    ///           "userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice"}}}}"#
    ///     )
    /// };
    /// let lateness = Duration::minutes(15);
    /// let mut findings = Vec::new();
    ///
    /// // Day one: alice works in us-east-1, then the run saves its state instead of finishing.
    /// let mut correlator = Correlator::new(&rules, lateness);
    /// let mut matches = Vec::new();
    /// rules.matches(&Event::from_json(&record("e-1", 1, "us-east-1"))?, &mut matches);
    /// for m in matches.drain(..) {
    ///     findings.extend(correlator.push(m)?);
    /// }
    /// let mut state = Vec::new();
    /// correlator.save_state(&mut state, &StateOptions::default())?;
    ///
    /// // Day two, maybe in another process: us-east-1 is known from the state, eu-west-1 is new.
    /// let (mut correlator, loaded) =
    ///     Correlator::load_state(&rules, lateness, state.as_slice(), &StateOptions::default())?;
    /// assert_eq!(loaded.pending, 1); // day one's match still waited for the watermark
    /// for (id, region) in [("e-2", "eu-west-1"), ("e-3", "us-east-1")] {
    ///     rules.matches(&Event::from_json(&record(id, 2, region))?, &mut matches);
    /// }
    /// for m in matches.drain(..) {
    ///     findings.extend(correlator.push(m)?);
    /// }
    /// findings.extend(correlator.finish());
    /// // e-1 was learned (the first record processed); e-2 is alice's first use of eu-west-1. A fresh
    /// // start on day two would have learned e-2 instead and reported e-3.
    /// let ids: Vec<&str> = findings.iter().map(|f| f.event_ids[0].as_str()).collect();
    /// assert_eq!(ids, ["e-2"]);
    /// Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save_state(
        &self,
        mut out: impl Write,
        options: &StateOptions,
    ) -> Result<Saved, StateError> {
        let (bytes, saved) = self.encode(options)?;
        for part in bytes {
            out.write_all(&part).map_err(StateError::Io)?;
        }
        out.flush().map_err(StateError::Io)?;
        Ok(saved)
    }

    /// Saves the state to `path` atomically: into a new temporary file in the same directory (created
    /// with `create_new`, so never one another writer holds), flushed to disk, then renamed over `path`
    /// and the directory synced. A reader of `path` sees the old state or the new one, never part of
    /// one; on failure the temporary file is removed and `path` is untouched.
    pub fn save_state_file(
        &self,
        path: &Path,
        options: &StateOptions,
    ) -> Result<Saved, StateFileError> {
        let fail = |error| StateFileError {
            path: path.to_owned(),
            error,
        };
        let (bytes, saved) = self.encode(options).map_err(fail)?;
        write_atomically(path, &bytes).map_err(|error| fail(StateError::Io(error)))?;
        Ok(saved)
    }

    /// A correlator for `rules` that continues the state `input` holds (written by
    /// [`Correlator::save_state`]), waiting `lateness` for out-of-order records.
    ///
    /// Rules are matched by id. A rule of the state that `rules` does not have, or whose kind changed
    /// shape (see [`Loaded::changed_rules`]), has its state dropped and listed; a rule the state does not
    /// know starts empty. First-seen values older than [`StateOptions::max_age`] are dropped. Every count
    /// is checked against the bytes that remain and against the correlator's bounds
    /// ([`MAX_GROUPS_PER_RULE`], [`MAX_ENTRIES_PER_RULE`], [`MAX_VALUES_PER_GROUP`], [`MAX_PENDING`],
    /// [`MAX_EVENT_IDS`]) before anything is allocated for it: a state past them was not written by this
    /// build and is refused. Another format version, a damaged or truncated input is an error, never an
    /// empty state.
    pub fn load_state(
        rules: &'r RuleSet,
        lateness: Duration,
        mut input: impl Read,
        options: &StateOptions,
    ) -> Result<(Correlator<'r>, Loaded), StateError> {
        let body = read_body(&mut input)?;
        let mut correlator = Correlator::new(rules, lateness);
        let loaded = correlator.decode(&body, options)?;
        Ok((correlator, loaded))
    }

    /// [`Correlator::load_state`] from a file; [`StateFileError::is_not_found`] tells a missing file
    /// (a first run) from a bad one.
    pub fn load_state_file(
        rules: &'r RuleSet,
        lateness: Duration,
        path: &Path,
        options: &StateOptions,
    ) -> Result<(Correlator<'r>, Loaded), StateFileError> {
        let fail = |error| StateFileError {
            path: path.to_owned(),
            error,
        };
        let file = File::open(path).map_err(|error| fail(StateError::Io(error)))?;
        Correlator::load_state(rules, lateness, io::BufReader::new(file), options).map_err(fail)
    }

    /// The header and the body, and what they hold.
    fn encode(&self, options: &StateOptions) -> Result<([Vec<u8>; 2], Saved), StateError> {
        let mut saved = Saved::default();
        let cutoff = self
            .processed_up_to
            .map(|time| earlier(time, options.max_age));
        let mut e = Encoder::default();
        e.opt_time(self.processed_up_to);
        e.opt_time(self.started);
        e.u64(self.sequence);
        let recent = self.watermark.recent();
        e.len(recent.len());
        for &time in recent {
            e.time(time);
        }
        let rules = self.rules.rules();
        e.len(rules.len());
        for rule in rules {
            e.str(&rule.id);
            e.str(&shape(&rule.kind));
        }
        for rule_state in &self.per_rule {
            let count = e.reserve();
            let mut written = 0;
            for (key, group) in &rule_state.groups {
                if let (GroupState::Seen(seen), Some(cutoff)) = (&group.state, cutoff)
                    && seen.newest().is_none_or(|time| time < cutoff)
                {
                    saved.aged_out += seen.len() as u64;
                    continue;
                }
                e.str(key);
                e.time(group.expires);
                encode_group(&mut e, &group.state, cutoff, &mut saved.aged_out);
                written += 1;
            }
            e.patch(count, written);
            saved.groups += written;
        }
        e.len(self.pending.len());
        for (arrival, m) in self.pending.in_order() {
            e.u64(arrival);
            encode_match(&mut e, m);
        }
        saved.pending = self.pending.len();
        let body = e.bytes;
        if e.overflowed || body.len() as u64 > MAX_STATE_BYTES {
            return Err(StateError::TooLarge);
        }
        let mut header = Vec::with_capacity(HEADER);
        header.extend_from_slice(&STATE_MAGIC);
        header.extend_from_slice(&STATE_VERSION.to_le_bytes());
        header.extend_from_slice(&(body.len() as u64).to_le_bytes());
        header.extend_from_slice(&checksum(&body).to_le_bytes());
        saved.bytes = (header.len() + body.len()) as u64;
        Ok(([header, body], saved))
    }

    /// Restores a body into this (new) correlator.
    fn decode(&mut self, body: &[u8], options: &StateOptions) -> Result<Loaded, StateError> {
        let mut loaded = Loaded::default();
        let mut d = Decoder::new(body, HEADER);
        let processed_up_to = d.opt_time("the latest event time processed")?;
        let started = d.opt_time("the first event time processed")?;
        let sequence = d.u64("the arrival counter")?;
        let held = d.count("watermark times", TIME, WATERMARK_SAMPLE)?;
        let mut recent = VecDeque::with_capacity(held);
        for _ in 0..held {
            recent.push_back(d.time("a watermark time")?);
        }
        let rules = self.rules.rules();
        let by_id: HashMap<&str, usize> = rules
            .iter()
            .enumerate()
            .map(|(index, rule)| (rule.id.as_str(), index))
            .collect();
        let count = d.count("rules", 8, usize::MAX)?;
        // For each rule of the file, the rule of this set its state goes to.
        let mut targets: Vec<Option<usize>> = Vec::with_capacity(count);
        let mut ids: Vec<String> = Vec::with_capacity(count);
        let mut seen_ids = BTreeSet::new();
        for _ in 0..count {
            let offset = d.offset();
            let id = d.str("a rule id")?;
            let kind = d.str("a rule's shape")?;
            if !seen_ids.insert(id) {
                return Err(d.damaged(offset, format!("rule {id:?} appears twice")));
            }
            targets.push(match by_id.get(id) {
                Some(&index) if shape(&rules[index].kind) == kind => Some(index),
                Some(_) => {
                    loaded.changed_rules.push(id.to_owned());
                    None
                }
                None => {
                    loaded.dropped_rules.push(id.to_owned());
                    None
                }
            });
            ids.push(id.to_owned());
        }
        loaded.new_rules = rules.len() - targets.iter().flatten().count();
        let cutoff = processed_up_to.map(|time| earlier(time, options.max_age));
        let stamp = self.rules.identity();
        let context = Context {
            targets: &targets,
            stamp,
            texts: Default::default(),
        };
        for (file_rule, target) in targets.iter().enumerate() {
            let what = format!("groups of rule {:?}", ids[file_rule]);
            let groups = d.count(&what, GROUP_LEAST, MAX_GROUPS_PER_RULE)?;
            let mut entries = 0usize;
            for _ in 0..groups {
                let offset = d.offset();
                let key = d.str("a group key")?;
                let expires = d.time("a group's expiry")?;
                let rule = target.map(|index| &rules[index]);
                let state = decode_group(&mut d, &context, file_rule, rule, cutoff, &mut loaded)?;
                let Some(index) = *target else {
                    loaded.dropped += 1;
                    continue;
                };
                entries += state.entries();
                if entries > MAX_ENTRIES_PER_RULE {
                    return Err(d.damaged(
                        offset,
                        format!(
                            "rule {:?} holds more than {MAX_ENTRIES_PER_RULE} entries",
                            ids[file_rule]
                        ),
                    ));
                }
                if self.per_rule[index].groups.contains_key(key) {
                    return Err(d.damaged(offset, format!("group {key:?} appears twice")));
                }
                if !state.is_empty() {
                    self.put(index, Arc::from(key), state, expires);
                    loaded.groups += 1;
                }
            }
        }
        let waiting = d.count("waiting matches", 8 + MATCH_LEAST, MAX_PENDING)?;
        let mut arrivals: HashSet<u64> = self.pending.arrivals().collect();
        for _ in 0..waiting {
            let offset = d.offset();
            let arrival = d.u64("a waiting match's arrival")?;
            let (file_rule, m) = decode_match(&mut d, &context)?;
            if targets[file_rule].is_none() {
                loaded.dropped += 1;
                continue;
            }
            if !arrivals.insert(arrival) {
                return Err(d.damaged(offset, "a waiting match appears twice"));
            }
            self.pending.push(m, arrival);
            loaded.pending += 1;
        }
        if d.remaining() > 0 {
            return Err(d.damaged(
                d.offset(),
                format!("{} bytes after the last section", d.remaining()),
            ));
        }
        self.processed_up_to = processed_up_to;
        self.started = started;
        self.sequence = sequence;
        self.watermark = Watermark::from_recent(recent);
        Ok(loaded)
    }
}

/// What decoding a match needs: where each rule of the file goes, and the set's identity to stamp.
struct Context<'a> {
    targets: &'a [Option<usize>],
    stamp: u64,
    /// The evidence's field names and test texts read so far: a rule's few texts repeat in every
    /// match it kept, and each is held once, shared, as matching shares them with the rule.
    texts: std::cell::RefCell<HashMap<Box<str>, Arc<str>>>,
}

impl Context<'_> {
    fn text(&self, text: &str) -> Arc<str> {
        let mut texts = self.texts.borrow_mut();
        if let Some(shared) = texts.get(text) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(text);
        texts.insert(Box::from(text), Arc::clone(&shared));
        shared
    }
}

fn encode_group(
    e: &mut Encoder,
    state: &GroupState,
    cutoff: Option<DateTime<Utc>>,
    aged: &mut u64,
) {
    e.u8(tag(state));
    match state {
        GroupState::Open(finding) => encode_finding(e, finding),
        GroupState::Sliding { times, sample } => {
            e.len(times.len());
            for &time in times {
                e.time(time);
            }
            e.len(sample.len());
            for (time, m) in sample {
                e.time(*time);
                encode_match(e, m);
            }
        }
        GroupState::Tumbling {
            start,
            records,
            sample,
        } => {
            e.time(*start);
            e.u64(*records);
            e.len(sample.len());
            for m in sample {
                encode_match(e, m);
            }
        }
        GroupState::Distinct { latest, .. } => {
            e.len(latest.len());
            for (value, (time, m)) in latest {
                e.str(value);
                e.time(*time);
                encode_match(e, m);
            }
        }
        GroupState::DistinctTumbling {
            start,
            records,
            first,
        } => {
            e.time(*start);
            e.u64(*records);
            e.len(first.len());
            for (value, m) in first {
                e.str(value);
                encode_match(e, m);
            }
        }
        GroupState::Sequence(done) => {
            e.len(done.len());
            for m in done {
                encode_match(e, m);
            }
        }
        GroupState::Steps(latest) => {
            e.len(latest.len());
            for slot in latest {
                match slot {
                    None => e.u8(0),
                    Some(m) => {
                        e.u8(1);
                        encode_match(e, m);
                    }
                }
            }
        }
        GroupState::Seen(seen) => {
            let count = e.reserve();
            let mut written = 0;
            for (time, value) in seen.iter() {
                if cutoff.is_some_and(|cutoff| time < cutoff) {
                    *aged += 1;
                    continue;
                }
                e.str(value);
                e.time(time);
                written += 1;
            }
            e.patch(count, written);
        }
        GroupState::LastSeen(time) => e.time(*time),
    }
}

fn encode_triple(e: &mut Encoder, evidence: &Evidence) {
    e.str(&evidence.field);
    e.str(&evidence.test);
    e.str(&evidence.value);
    // The indicator an IOC test matched: 0 for none, else 1 + its kind's place in IndicatorKind::ALL.
    match &evidence.indicator {
        None => e.u8(0),
        Some(indicator) => {
            let kind = IndicatorKind::ALL
                .iter()
                .position(|kind| *kind == indicator.kind)
                .unwrap_or(0);
            e.u8(1 + kind as u8);
            e.str(&indicator.value);
            e.str(&indicator.list);
            e.len(indicator.line);
            e.opt_str(indicator.note.as_deref());
        }
    }
}

fn encode_match(e: &mut Encoder, m: &Match) {
    e.len(m.rule);
    e.opt_time(m.time);
    e.str(&m.event_id);
    e.str(&m.entity);
    e.opt_str(m.account.as_deref());
    e.opt_str(m.arn.as_deref());
    e.opt_str(m.region.as_deref());
    e.str(&m.group);
    e.opt_str(m.value.as_deref());
    e.len(m.steps.len());
    for &step in &m.steps {
        e.len(step);
    }
    e.u8(severity_code(m.severity));
    e.len(m.evidence.len());
    for evidence in &m.evidence {
        encode_triple(e, evidence);
    }
}

fn encode_finding(e: &mut Encoder, f: &Finding) {
    e.str(&f.rule_id);
    e.str(&f.title);
    e.u8(severity_code(f.severity));
    e.len(f.mitre.len());
    for mitre in &f.mitre {
        e.str(&mitre.tactic);
        e.str(&mitre.technique);
        e.str(&mitre.attack_version);
    }
    e.str(&f.entity);
    e.opt_str(f.account.as_deref());
    e.opt_str(f.arn.as_deref());
    e.opt_str(f.region.as_deref());
    e.opt_time(f.first_seen);
    e.opt_time(f.last_seen);
    e.len(f.event_ids.len());
    for id in &f.event_ids {
        e.str(id);
    }
    e.u64(f.events);
    e.len(f.explanation.len());
    for evidence in &f.explanation {
        encode_triple(e, evidence);
    }
}

fn decode_severity(d: &mut Decoder<'_>) -> Result<Severity, StateError> {
    let offset = d.offset();
    Ok(match d.u8("a severity")? {
        0 => Severity::Info,
        1 => Severity::Low,
        2 => Severity::Medium,
        3 => Severity::High,
        4 => Severity::Critical,
        code => return Err(d.damaged(offset, format!("severity code {code}"))),
    })
}

fn decode_triples(
    d: &mut Decoder<'_>,
    context: &Context<'_>,
    what: &str,
) -> Result<Vec<Evidence>, StateError> {
    let count = d.count(what, TRIPLE_LEAST + 1, usize::MAX)?;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let field = context.text(d.str(what)?);
        let test = context.text(d.str(what)?);
        let value = d.str(what)?;
        let evidence = Evidence::shared(field, test, value);
        let offset = d.offset();
        let evidence = match d.u8("an indicator's kind")? {
            0 => evidence,
            tag => {
                let Some(kind) = IndicatorKind::ALL.get(usize::from(tag) - 1).copied() else {
                    return Err(d.damaged(offset, format!("indicator kind {tag}")));
                };
                let indicator = Indicator {
                    kind,
                    value: d.str("an indicator")?.to_owned(),
                    list: d.str("an indicator's list")?.to_owned(),
                    line: d.u32("an indicator's line")? as usize,
                    note: d.opt_str("an indicator's note")?.map(str::to_owned),
                };
                evidence.with_indicator(Arc::new(indicator))
            }
        };
        out.push(evidence);
    }
    Ok(out)
}

/// A match and the index of its rule in the file.
fn decode_match(d: &mut Decoder<'_>, context: &Context<'_>) -> Result<(usize, Match), StateError> {
    let offset = d.offset();
    let file_rule = d.u32("a match's rule")? as usize;
    if file_rule >= context.targets.len() {
        return Err(d.damaged(
            offset,
            format!(
                "a match of rule {file_rule}; the state has {} rules",
                context.targets.len()
            ),
        ));
    }
    let time = d.opt_time("a match's time")?;
    let event_id = d.str("an event id")?.to_owned();
    let entity = d.str("an entity")?.to_owned();
    let account = d.opt_str("an account")?.map(str::to_owned);
    let arn = d.opt_str("an ARN")?.map(str::to_owned);
    let region = d.opt_str("a region")?.map(str::to_owned);
    let group = d.str("a match's group")?.to_owned();
    let value = d.opt_str("a match's value")?.map(str::to_owned);
    let steps = d.count("steps", 4, usize::MAX)?;
    let steps = (0..steps)
        .map(|_| d.u32("a step").map(|step| step as usize))
        .collect::<Result<Vec<_>, _>>()?;
    let severity = decode_severity(d)?;
    let evidence = decode_triples(d, context, "evidence")?;
    let m = Match {
        rule: context.targets[file_rule].unwrap_or(0),
        time,
        event_id,
        entity,
        account,
        arn,
        region,
        group,
        value,
        steps,
        severity,
        evidence,
        rule_set: context.stamp,
    };
    Ok((file_rule, m))
}

/// A match kept in a group of `file_rule`, which must be its rule.
fn decode_kept(
    d: &mut Decoder<'_>,
    context: &Context<'_>,
    file_rule: usize,
) -> Result<Match, StateError> {
    let offset = d.offset();
    let (rule, m) = decode_match(d, context)?;
    if rule != file_rule {
        return Err(d.damaged(offset, "a match kept in a group of another rule"));
    }
    Ok(m)
}

fn decode_finding(d: &mut Decoder<'_>, context: &Context<'_>) -> Result<Finding, StateError> {
    let rule_id = d.str("a finding's rule id")?.to_owned();
    let title = d.str("a finding's title")?.to_owned();
    let severity = decode_severity(d)?;
    let count = d.count("ATT&CK references", TRIPLE_LEAST, usize::MAX)?;
    let mut mitre = Vec::with_capacity(count);
    for _ in 0..count {
        mitre.push(Mitre {
            tactic: d.str("a tactic")?.to_owned(),
            technique: d.str("a technique")?.to_owned(),
            attack_version: d.str("an ATT&CK version")?.to_owned(),
        });
    }
    let entity = d.str("a finding's entity")?.to_owned();
    let account = d.opt_str("a finding's account")?.map(str::to_owned);
    let arn = d.opt_str("a finding's ARN")?.map(str::to_owned);
    let region = d.opt_str("a finding's region")?.map(str::to_owned);
    let first_seen = d.opt_time("a finding's first time")?;
    let last_seen = d.opt_time("a finding's last time")?;
    let count = d.count("event ids", 4, MAX_EVENT_IDS)?;
    let mut event_ids = Vec::with_capacity(count);
    for _ in 0..count {
        event_ids.push(d.str("an event id")?.to_owned());
    }
    let events = d.u64("a finding's record count")?;
    let explanation = decode_triples(d, context, "explanation")?;
    Ok(Finding {
        rule_id,
        title,
        severity,
        mitre,
        entity,
        account,
        arn,
        region,
        first_seen,
        last_seen,
        event_ids,
        events,
        explanation,
    })
}

/// One group's state. For a rule the set keeps (`rule`), its tag must be the rule's; for a dropped rule
/// the state is read (to reach what follows) and then discarded by the caller.
fn decode_group(
    d: &mut Decoder<'_>,
    context: &Context<'_>,
    file_rule: usize,
    rule: Option<&Rule>,
    cutoff: Option<DateTime<Utc>>,
    loaded: &mut Loaded,
) -> Result<GroupState, StateError> {
    let offset = d.offset();
    let tag = d.u8("a group's kind")?;
    if let Some(rule) = rule
        && tag != tag_of(&rule.kind)
    {
        return Err(d.damaged(
            offset,
            format!(
                "a group of kind {tag} under rule {:?} of another kind",
                rule.id
            ),
        ));
    }
    let kept = |d: &mut Decoder<'_>| decode_kept(d, context, file_rule);
    Ok(match tag {
        0 => GroupState::Open(Box::new(decode_finding(d, context)?)),
        1 => {
            let count = d.count("window times", TIME, MAX_WINDOW_COUNT)?;
            let times = (0..count)
                .map(|_| d.time("a window time"))
                .collect::<Result<VecDeque<_>, _>>()?;
            let count = d.count("window matches", TIME + MATCH_LEAST, MAX_EVENT_IDS)?;
            let mut sample = VecDeque::with_capacity(count);
            for _ in 0..count {
                let time = d.time("a window match's time")?;
                sample.push_back((time, kept(d)?));
            }
            GroupState::Sliding { times, sample }
        }
        2 => {
            let start = d.time("a window's start")?;
            let records = d.u64("a window's record count")?;
            let count = d.count("window matches", MATCH_LEAST, MAX_EVENT_IDS)?;
            let sample = (0..count).map(|_| kept(d)).collect::<Result<Vec<_>, _>>()?;
            GroupState::Tumbling {
                start,
                records,
                sample,
            }
        }
        3 => {
            let count = d.count(
                "distinct values",
                4 + TIME + MATCH_LEAST,
                MAX_ENTRIES_PER_RULE,
            )?;
            let mut latest = HashMap::with_capacity(count);
            let mut by_time = BTreeSet::new();
            for _ in 0..count {
                let offset = d.offset();
                let value: Arc<str> = Arc::from(d.str("a distinct value")?);
                let time = d.time("a distinct value's time")?;
                let m = kept(d)?;
                by_time.insert((time, Arc::clone(&value)));
                if latest.insert(value, (time, m)).is_some() {
                    return Err(d.damaged(offset, "a distinct value appears twice"));
                }
            }
            GroupState::Distinct { latest, by_time }
        }
        4 => {
            let start = d.time("a window's start")?;
            let records = d.u64("a window's record count")?;
            let count = d.count("distinct values", 4 + MATCH_LEAST, MAX_ENTRIES_PER_RULE)?;
            let mut first = HashMap::with_capacity(count);
            for _ in 0..count {
                let offset = d.offset();
                let value: Arc<str> = Arc::from(d.str("a distinct value")?);
                if first.insert(value, kept(d)?).is_some() {
                    return Err(d.damaged(offset, "a distinct value appears twice"));
                }
            }
            GroupState::DistinctTumbling {
                start,
                records,
                first,
            }
        }
        5 | 6 => {
            let steps = match rule.map(|rule| &rule.kind) {
                Some(RuleKind::Sequence { steps, .. }) => steps.len(),
                _ => usize::MAX,
            };
            let count = d.count("sequence steps", 1, steps)?;
            if tag == 5 {
                let done = (0..count).map(|_| kept(d)).collect::<Result<Vec<_>, _>>()?;
                GroupState::Sequence(done)
            } else {
                if rule.is_some() && count != steps {
                    return Err(d.damaged(offset, format!("{count} step slots for {steps} steps")));
                }
                let mut latest = Vec::with_capacity(count);
                for _ in 0..count {
                    latest.push(if d.present("a step slot")? {
                        Some(kept(d)?)
                    } else {
                        None
                    });
                }
                GroupState::Steps(latest)
            }
        }
        7 => {
            let count = d.count("first-seen values", 4 + TIME, MAX_VALUES_PER_GROUP)?;
            let mut values = Vec::with_capacity(count);
            let mut offsets = Vec::with_capacity(count);
            for _ in 0..count {
                let offset = d.offset();
                let value = d.str("a first-seen value")?;
                let time = d.time("a first-seen value's time")?;
                if cutoff.is_some_and(|cutoff| time < cutoff) {
                    loaded.aged_out += 1;
                    continue;
                }
                values.push((time, Box::from(value)));
                offsets.push(offset);
            }
            match Seen::from_ordered(values) {
                Ok(seen) => GroupState::Seen(Box::new(seen)),
                Err(repeated) => {
                    let offset = offsets.get(repeated).copied().unwrap_or(offset);
                    return Err(d.damaged(offset, "a first-seen value appears twice"));
                }
            }
        }
        8 => GroupState::LastSeen(d.time("a group's latest record time")?),
        other => return Err(d.damaged(offset, format!("unknown group kind {other}"))),
    })
}

/// Reads and checks the header, then the body it announces.
fn read_body(input: &mut impl Read) -> Result<Vec<u8>, StateError> {
    let mut header = [0u8; HEADER];
    let mut got = 0;
    while got < HEADER {
        match input.read(&mut header[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(StateError::Io(error)),
        }
    }
    let magic = got.min(STATE_MAGIC.len());
    if header[..magic] != STATE_MAGIC[..magic] {
        return Err(StateError::NotState);
    }
    let short = |what: &str| StateError::Truncated {
        offset: got as u64,
        what: format!("the header ends after {got} of {HEADER} bytes, in {what}"),
    };
    if got < 12 {
        return Err(short(if got < 8 { "the magic" } else { "the version" }));
    }
    let word = |at: usize| {
        let mut array = [0; 8];
        array.copy_from_slice(&header[at..at + 8]);
        u64::from_le_bytes(array)
    };
    let mut version = [0; 4];
    version.copy_from_slice(&header[8..12]);
    let found = u32::from_le_bytes(version);
    if found != STATE_VERSION {
        return Err(StateError::Version {
            found,
            supported: STATE_VERSION,
        });
    }
    if got < HEADER {
        return Err(short(if got < 20 {
            "the body length"
        } else {
            "the checksum"
        }));
    }
    let length = word(12);
    if length > MAX_STATE_BYTES {
        return Err(StateError::Damaged {
            offset: 12,
            what: format!("a body of {length} bytes, more than the limit {MAX_STATE_BYTES}"),
        });
    }
    // Grown as bytes arrive, never reserved from the length read.
    let mut body = Vec::with_capacity((length as usize).min(1 << 26));
    input
        .take(length)
        .read_to_end(&mut body)
        .map_err(StateError::Io)?;
    if (body.len() as u64) < length {
        return Err(StateError::Truncated {
            offset: (HEADER + body.len()) as u64,
            what: format!("the body ends after {} of {length} bytes", body.len()),
        });
    }
    let mut more = [0u8; 1];
    if input.read(&mut more).map_err(StateError::Io)? > 0 {
        return Err(StateError::Damaged {
            offset: HEADER as u64 + length,
            what: "bytes after the end of the state".to_owned(),
        });
    }
    if checksum(&body) != word(20) {
        return Err(StateError::Damaged {
            offset: 20,
            what: "the checksum does not match the contents".to_owned(),
        });
    }
    Ok(body)
}

/// Writes `parts` to a new temporary file next to `path`, syncs it and renames it over `path`.
fn write_atomically(path: &Path, parts: &[Vec<u8>]) -> io::Result<()> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, "the path does not name a file")
    })?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut attempt = 0u32;
    let (temp, mut file) = loop {
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{}.{attempt}.tmp", std::process::id()));
        let temp = dir.join(temp_name);
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => break (temp, file),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists && attempt < 1000 => {
                attempt += 1;
            }
            Err(error) => {
                return Err(io::Error::new(
                    error.kind(),
                    format!(
                        "cannot create the temporary file {}: {error}",
                        temp.display()
                    ),
                ));
            }
        }
    };
    let written = parts
        .iter()
        .try_for_each(|part| file.write_all(part))
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            std::fs::rename(&temp, path)
        });
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(io::Error::new(
            error.kind(),
            format!("writing through {}: {error}", temp.display()),
        ));
    }
    // The rename is durable once the directory is synced (where directories can be opened).
    #[cfg(unix)]
    File::open(dir).and_then(|dir| dir.sync_all())?;
    Ok(())
}

#[cfg(test)]
mod tests;
