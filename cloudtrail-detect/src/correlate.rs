//! [`Correlator`]: turns matches into findings on event time, with a watermark and allowed lateness, so
//! that the findings do not depend on the order records arrive in; every piece of state it keeps is
//! bounded.

mod group;
mod pending;
mod seen;
mod state;
mod watermark;

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::condition::Evidence;
use crate::engine::{Match, RuleSet};
use crate::finding::{Finding, MAX_EVENT_IDS};
use crate::rule::{Rule, RuleKind};
use group::{GroupState, absorb, closed, earlier, later};
use pending::Pending;
use seen::Sighting;
pub use state::{
    Loaded, MAX_STATE_BYTES, STATE_MAGIC, STATE_VERSION, Saved, StateError, StateFileError,
    StateOptions,
};
pub use watermark::WATERMARK_SAMPLE;
use watermark::Watermark;

/// The most groups one rule keeps state for; past it the group that would expire first is dropped
/// (counted in [`Correlator::evicted`]; an open single-record finding is reported, not lost).
pub const MAX_GROUPS_PER_RULE: usize = 100_000;

/// The most entries (window timestamps, distinct values, first-seen values, kept matches) one rule keeps
/// over all its groups; past it whole groups are dropped as for [`MAX_GROUPS_PER_RULE`].
pub const MAX_ENTRIES_PER_RULE: usize = 1_000_000;

/// The most values a first-seen rule remembers per group; past it the value seen least recently is
/// forgotten (counted in [`Correlator::forgotten`]), and would be reported again.
pub const MAX_VALUES_PER_GROUP: usize = 1_000;

/// How long, in days, a first-seen rule remembers a value it has not seen again; older values are
/// forgotten, and reported again when they come back.
pub const FIRST_SEEN_RETENTION_DAYS: i64 = 90;

/// How long, in days, a dormancy rule ([`RuleKind::Dormant`]) remembers when a group last acted; a group
/// silent for longer is forgotten, and its next record is its first again (no finding). Past
/// [`MAX_GROUPS_PER_RULE`] groups the one silent longest is forgotten first.
pub const DORMANT_MEMORY_DAYS: i64 = 400;

/// The most matches waiting for the watermark; past it the earliest is processed at once (counted in
/// [`Correlator::overflowed`]), which may make a later, older record late.
pub const MAX_PENDING: usize = 100_000;

/// The most bytes the matches waiting for the watermark may hold ([`Match::heap_bytes`] and the match
/// itself); past it the earliest is processed at once, as past [`MAX_PENDING`]. So the buffer stays
/// within this however many matches a rule set makes and however large their evidence.
pub const MAX_PENDING_BYTES: usize = 24 << 20;

/// Why the correlator refused a match.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CorrelateError {
    /// The match was made by another [`RuleSet`] than the correlator's: its rule index means nothing here.
    #[error("the match of rule {rule} was made by another rule set than this correlator's")]
    ForeignMatch {
        /// The rule index the match carries.
        rule: usize,
    },
}

/// How much state a correlator holds, to check its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct StateSize {
    /// Groups with state, over all rules.
    pub groups: usize,
    /// Entries the groups hold (see [`MAX_ENTRIES_PER_RULE`]).
    pub entries: usize,
    /// The largest number of groups of any one rule.
    pub most_groups_of_a_rule: usize,
    /// The largest number of entries of any one rule.
    pub most_entries_of_a_rule: usize,
    /// Matches waiting for the watermark.
    pub pending: usize,
    /// The bytes the waiting matches hold (see [`MAX_PENDING_BYTES`]).
    pub pending_bytes: usize,
}

/// Turns [`Match`]es into [`Finding`]s in event-time order.
///
/// Matches wait in a buffer until the watermark (the lower median of recent event times, less the
/// allowed lateness: see [`WATERMARK_SAMPLE`]) passes them; then they are processed in order of (event
/// time, event id). Any arrival order within the lateness therefore gives the same findings. A match
/// older than the latest one processed when it arrives is too late: it is counted in
/// [`Correlator::late`] and not processed. [`Correlator::finish`] processes everything left, as a batch
/// job does at the end of its input.
///
/// A record dated far in the future waits in the buffer until the watermark reaches it or the input ends;
/// it does not move the watermark unless most recent records agree with it.
///
/// Every group expires when no later record can change it (a dedup period, a window, a first-seen value's
/// retention), and each rule keeps at most [`MAX_GROUPS_PER_RULE`] groups and [`MAX_ENTRIES_PER_RULE`]
/// entries, dropping the group that expires first (ties by group key, so results do not depend on hash
/// order). Expiry and eviction are O(log n) per record.
#[derive(Debug)]
pub struct Correlator<'r> {
    rules: &'r RuleSet,
    lateness: Duration,
    watermark: Watermark,
    processed_up_to: Option<DateTime<Utc>>,
    /// Event time of the first record processed: first-seen rules learn from it on.
    started: Option<DateTime<Utc>>,
    pending: Pending,
    sequence: u64,
    per_rule: Vec<RuleState>,
    /// Every group by when it expires: (time, rule, group).
    expiry: BTreeSet<(DateTime<Utc>, usize, Arc<str>)>,
    late: u64,
    evicted: u64,
    forgotten: u64,
    overflowed: u64,
    findings: Vec<Finding>,
}

/// The groups of one rule.
#[derive(Debug, Default)]
struct RuleState {
    groups: HashMap<Arc<str>, Group>,
    /// The groups by when they expire, ties by key: the first is the one to evict.
    by_expiry: BTreeSet<(DateTime<Utc>, Arc<str>)>,
    /// Entries over all groups.
    entries: usize,
}

#[derive(Debug)]
struct Group {
    state: GroupState,
    expires: DateTime<Utc>,
}

/// How a group ends: it expired (or the input ended), or it was dropped for room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Expired,
    Evicted,
}

impl<'r> Correlator<'r> {
    /// A correlator for these rules, waiting `lateness` for out-of-order records.
    pub fn new(rules: &'r RuleSet, lateness: Duration) -> Self {
        Correlator {
            rules,
            lateness,
            watermark: Watermark::default(),
            processed_up_to: None,
            started: None,
            pending: Pending::default(),
            sequence: 0,
            per_rule: (0..rules.rules().len())
                .map(|_| RuleState::default())
                .collect(),
            expiry: BTreeSet::new(),
            late: 0,
            evicted: 0,
            forgotten: 0,
            overflowed: 0,
            findings: Vec::new(),
        }
    }

    /// Matches (one per rule a record met) that arrived after a later record had been processed.
    pub fn late(&self) -> u64 {
        self.late
    }

    /// Correlation groups dropped to keep state bounded.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// First-seen values forgotten because their group held [`MAX_VALUES_PER_GROUP`].
    pub fn forgotten(&self) -> u64 {
        self.forgotten
    }

    /// Matches processed before the watermark reached them because [`MAX_PENDING`] were waiting.
    pub fn overflowed(&self) -> u64 {
        self.overflowed
    }

    /// How much state is held now.
    pub fn state_size(&self) -> StateSize {
        let mut size = StateSize {
            pending: self.pending.len(),
            pending_bytes: self.pending.bytes(),
            ..StateSize::default()
        };
        for rule in &self.per_rule {
            size.groups += rule.groups.len();
            size.entries += rule.entries;
            size.most_groups_of_a_rule = size.most_groups_of_a_rule.max(rule.groups.len());
            size.most_entries_of_a_rule = size.most_entries_of_a_rule.max(rule.entries);
        }
        size
    }

    /// Adds a match; returns the findings completed as the watermark moves. A match made by another
    /// [`RuleSet`] is refused.
    pub fn push(&mut self, m: Match) -> Result<Vec<Finding>, CorrelateError> {
        if !self.rules.made(&m) {
            return Err(CorrelateError::ForeignMatch { rule: m.rule });
        }
        if let (Some(time), Some(done)) = (m.time, self.processed_up_to)
            && time < done
        {
            self.late += 1;
            return Ok(Vec::new());
        }
        let basis = m.time.map(|time| self.watermark.observe(time));
        self.sequence += 1;
        self.pending.push(m, self.sequence);
        while self.pending.len() > MAX_PENDING || self.pending.bytes() > MAX_PENDING_BYTES {
            self.overflowed += 1;
            self.process_first();
        }
        if let Some(basis) = basis {
            self.process_until(Some(earlier(basis, self.lateness)));
        }
        Ok(std::mem::take(&mut self.findings))
    }

    /// Processes everything still waiting and closes every group, reporting what they hold.
    pub fn finish(mut self) -> Vec<Finding> {
        self.process_until(None);
        while let Some((_, rule, group)) = self.expiry.pop_first() {
            self.end(rule, &group, End::Expired);
        }
        self.findings
    }

    /// Processes pending matches with time up to `until` (all of them for `None`).
    fn process_until(&mut self, until: Option<DateTime<Utc>>) {
        while let Some(first) = self.pending.first_time() {
            if let (Some(until), Some(time)) = (until, first)
                && time > until
            {
                break;
            }
            self.process_first();
        }
    }

    fn process_first(&mut self) {
        let Some(m) = self.pending.pop() else {
            return;
        };
        if let Some(time) = m.time {
            self.processed_up_to = Some(self.processed_up_to.map_or(time, |t| t.max(time)));
            self.started.get_or_insert(time);
            // Groups that no record from now on can change are closed first.
            while let Some(first) = self.expiry.first()
                && first.0 < time
            {
                if let Some((_, rule, group)) = self.expiry.pop_first() {
                    self.end(rule, &group, End::Expired);
                }
            }
        }
        self.process(m);
    }

    /// Applies one match to its group, making room first when the rule is at a bound.
    fn process(&mut self, m: Match) {
        let rule = m.rule;
        let Some(state) = self.per_rule.get(rule) else {
            return;
        };
        if !state.groups.contains_key(m.group.as_str()) && state.groups.len() >= MAX_GROUPS_PER_RULE
        {
            self.evict_first(rule);
        }
        while self.per_rule[rule].entries >= MAX_ENTRIES_PER_RULE {
            self.evict_first(rule);
        }
        let (key, state) = self.take(rule, &m.group);
        // A record without an event time counts at the latest time processed.
        let at = m
            .time
            .or(self.processed_up_to)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let rules = self.rules;
        if let Some((state, expires)) = self.apply(&rules.rules()[rule], &key, state, m, at)
            && !state.is_empty()
        {
            self.put(rule, key, state, expires);
        }
    }

    /// Removes a group's state from the indexes, returning its key (shared, new if there was none) and
    /// state.
    fn take(&mut self, rule: usize, group: &str) -> (Arc<str>, Option<GroupState>) {
        let rule_state = &mut self.per_rule[rule];
        match rule_state.groups.remove_entry(group) {
            Some((key, held)) => {
                rule_state
                    .by_expiry
                    .remove(&(held.expires, Arc::clone(&key)));
                rule_state.entries -= held.state.entries();
                self.expiry.remove(&(held.expires, rule, Arc::clone(&key)));
                (key, Some(held.state))
            }
            None => (Arc::from(group), None),
        }
    }

    fn put(&mut self, rule: usize, key: Arc<str>, state: GroupState, expires: DateTime<Utc>) {
        let rule_state = &mut self.per_rule[rule];
        rule_state.entries += state.entries();
        rule_state.by_expiry.insert((expires, Arc::clone(&key)));
        self.expiry.insert((expires, rule, Arc::clone(&key)));
        rule_state.groups.insert(key, Group { state, expires });
    }

    /// Drops the group of `rule` that would expire first.
    fn evict_first(&mut self, rule: usize) {
        let first = self.per_rule[rule]
            .by_expiry
            .first()
            .map(|(_, key)| Arc::clone(key));
        if let Some(key) = first {
            self.end(rule, &key, End::Evicted);
        }
    }

    /// Ends a group: an open finding is reported, a ranged window judged (when it expired; an evicted one
    /// is dropped, as its count is not final), any other state dropped.
    fn end(&mut self, rule: usize, group: &str, why: End) {
        let (key, state) = self.take(rule, group);
        let Some(state) = state else { return };
        if why == End::Evicted {
            self.evicted += 1;
        }
        match state {
            GroupState::Open(finding) if self.rules.rules()[rule].report => {
                self.findings.push(*finding);
            }
            GroupState::Tumbling { .. } | GroupState::DistinctTumbling { .. }
                if why == End::Expired =>
            {
                self.judge(rule, &key, state);
            }
            _ => {}
        }
    }

    /// Applies a match to a group's state; returns the state to keep and when it expires.
    fn apply(
        &mut self,
        rule: &Rule,
        key: &Arc<str>,
        state: Option<GroupState>,
        m: Match,
        at: DateTime<Utc>,
    ) -> Option<(GroupState, DateTime<Utc>)> {
        match &rule.kind {
            RuleKind::Single { dedup } => {
                if let Some(GroupState::Open(mut finding)) = state {
                    let first = finding.first_seen.unwrap_or(at);
                    if !closed(first, *dedup, at) {
                        absorb(&mut finding, &m);
                        return Some((GroupState::Open(finding), later(first, *dedup)));
                    }
                    if rule.report {
                        self.findings.push(*finding);
                    }
                }
                let finding = self.start(&m, m.entity.clone());
                Some((GroupState::Open(Box::new(finding)), later(at, *dedup)))
            }
            RuleKind::Threshold {
                window,
                count,
                at_most: None,
                ..
            } => {
                let (mut times, mut sample) = match state {
                    Some(GroupState::Sliding { times, sample }) => (times, sample),
                    _ => (VecDeque::new(), VecDeque::new()),
                };
                while times.front().is_some_and(|t| closed(*t, *window, at)) {
                    times.pop_front();
                }
                while sample.front().is_some_and(|(t, _)| closed(*t, *window, at)) {
                    sample.pop_front();
                }
                times.push_back(at);
                sample.push_back((at, m));
                if sample.len() > MAX_EVENT_IDS {
                    sample.pop_front();
                }
                if times.len() >= *count {
                    let matches: Vec<Match> = sample.into_iter().map(|(_, m)| m).collect();
                    let note = window_note(times.len(), false, *window, *count, None, key);
                    self.emit(
                        &matches,
                        times.len() as u64,
                        times.front().copied(),
                        key,
                        note,
                    );
                    return None;
                }
                Some((GroupState::Sliding { times, sample }, later(at, *window)))
            }
            RuleKind::ValueCount {
                window,
                count,
                at_most: None,
                ..
            } => {
                let value: Arc<str> = Arc::from(m.value.as_deref()?);
                let (mut latest, mut by_time) = match state {
                    Some(GroupState::Distinct { latest, by_time }) => (latest, by_time),
                    _ => (HashMap::new(), BTreeSet::new()),
                };
                while let Some((t, _)) = by_time.first()
                    && closed(*t, *window, at)
                {
                    if let Some((_, old)) = by_time.pop_first() {
                        latest.remove(&old);
                    }
                }
                if let Some((t, _)) = latest.remove(&value) {
                    by_time.remove(&(t, Arc::clone(&value)));
                }
                by_time.insert((at, Arc::clone(&value)));
                latest.insert(value, (at, m));
                if latest.len() >= *count {
                    let reached = latest.len();
                    let matches = in_order(latest.into_values().map(|(_, m)| m));
                    let note = window_note(reached, true, *window, *count, None, key);
                    self.emit(&matches, reached as u64, None, key, note);
                    return None;
                }
                Some((GroupState::Distinct { latest, by_time }, later(at, *window)))
            }
            RuleKind::Threshold {
                window,
                at_most: Some(_),
                ..
            }
            | RuleKind::ValueCount {
                window,
                at_most: Some(_),
                ..
            } => self.tumble(rule, key, state, m, at, *window),
            RuleKind::Sequence {
                steps,
                window,
                ordered: false,
                ..
            } => {
                let mut latest = match state {
                    Some(GroupState::Steps(latest)) => latest,
                    _ => vec![None; steps.len()],
                };
                // Steps met longer than the window before this record no longer count.
                for slot in latest.iter_mut() {
                    if slot
                        .as_ref()
                        .is_some_and(|s| closed(s.time.unwrap_or(at), *window, at))
                    {
                        *slot = None;
                    }
                }
                for &step in &m.steps {
                    if let Some(slot) = latest.get_mut(step) {
                        *slot = Some(m.clone());
                    }
                }
                if latest.iter().all(Option::is_some) {
                    let mut matches = in_order(latest.into_iter().flatten());
                    matches.dedup_by(|a, b| a.event_id == b.event_id);
                    let note = Evidence::new(
                        "",
                        &format!(
                            "all {} steps within {} minutes",
                            steps.len(),
                            window.num_minutes()
                        ),
                        key,
                    );
                    self.emit(&matches, matches.len() as u64, None, key, note);
                    return None;
                }
                let newest = latest
                    .iter()
                    .flatten()
                    .filter_map(|s| s.time)
                    .max()
                    .unwrap_or(at);
                Some((GroupState::Steps(latest), later(newest, *window)))
            }
            RuleKind::Sequence { steps, window, .. } => {
                let mut done = match state {
                    Some(GroupState::Sequence(done)) => done,
                    _ => Vec::new(),
                };
                if let Some(start) = done.first().and_then(|d| d.time)
                    && closed(start, *window, at)
                {
                    done.clear();
                }
                let next = done.len();
                if m.steps.contains(&next) {
                    done.push(m);
                } else if m.steps.contains(&0) {
                    done.clear();
                    done.push(m);
                }
                if done.len() == steps.len() {
                    let note = Evidence::new(
                        "",
                        &format!(
                            "{} steps in order within {} minutes",
                            steps.len(),
                            window.num_minutes()
                        ),
                        key,
                    );
                    self.emit(&done, done.len() as u64, None, key, note);
                    return None;
                }
                let start = done.first().and_then(|d| d.time).unwrap_or(at);
                Some((GroupState::Sequence(done), later(start, *window)))
            }
            RuleKind::FirstSeen { learning, .. } => {
                let value = m.value.as_deref()?;
                let learning = self
                    .started
                    .is_some_and(|start| m.time.is_some_and(|t| t <= later(start, *learning)));
                let retention = Duration::days(FIRST_SEEN_RETENTION_DAYS);
                let mut seen = match state {
                    Some(GroupState::Seen(seen)) => seen,
                    _ => Box::default(),
                };
                seen.expire(retention, at);
                let new = match seen.see(value, at, MAX_VALUES_PER_GROUP) {
                    Sighting::Again => false,
                    Sighting::New { forgot } => {
                        self.forgotten += u64::from(forgot);
                        true
                    }
                };
                if new && !learning {
                    let note = Evidence::new("", "first seen for this group", value);
                    self.emit(std::slice::from_ref(&m), 1, None, key, note);
                }
                Some((GroupState::Seen(seen), later(at, retention)))
            }
            RuleKind::Dormant { silence, .. } => self.dormant(key, state, m, at, *silence),
        }
    }

    /// A dormancy rule: a finding when the group's previous record is more than `silence` old.
    fn dormant(
        &mut self,
        key: &Arc<str>,
        state: Option<GroupState>,
        m: Match,
        at: DateTime<Utc>,
        silence: Duration,
    ) -> Option<(GroupState, DateTime<Utc>)> {
        let last = match state {
            Some(GroupState::LastSeen(last)) => Some(last),
            _ => None,
        };
        if let Some(last) = last
            && closed(last, silence, at)
        {
            let days = at.signed_duration_since(last).num_days();
            let note = Evidence::new(
                "",
                &format!(
                    "first record after {days} days without one (the previous at {})",
                    last.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ),
                key,
            );
            self.emit(std::slice::from_ref(&m), 1, None, key, note);
        }
        let newest = last.map_or(at, |last| last.max(at));
        Some((
            GroupState::LastSeen(newest),
            later(newest, Duration::days(DORMANT_MEMORY_DAYS)),
        ))
    }

    /// A ranged count (threshold or distinct values): tumbling windows starting at a group's first record,
    /// judged when they close.
    fn tumble(
        &mut self,
        rule: &Rule,
        key: &Arc<str>,
        state: Option<GroupState>,
        m: Match,
        at: DateTime<Utc>,
        window: Duration,
    ) -> Option<(GroupState, DateTime<Utc>)> {
        let rule_index = m.rule;
        let state = match state {
            Some(
                held @ (GroupState::Tumbling { start, .. }
                | GroupState::DistinctTumbling { start, .. }),
            ) => {
                if closed(start, window, at) {
                    self.judge(rule_index, key, held);
                    None
                } else {
                    Some(held)
                }
            }
            _ => None,
        };
        let mut state = match (state, &rule.kind) {
            (Some(held), _) => held,
            (None, RuleKind::ValueCount { .. }) => GroupState::DistinctTumbling {
                start: at,
                records: 0,
                first: HashMap::new(),
            },
            (None, _) => GroupState::Tumbling {
                start: at,
                records: 0,
                sample: Vec::new(),
            },
        };
        let start = match &mut state {
            GroupState::Tumbling {
                start,
                records,
                sample,
            } => {
                *records += 1;
                if sample.len() < MAX_EVENT_IDS {
                    sample.push(m);
                }
                *start
            }
            GroupState::DistinctTumbling {
                start,
                records,
                first,
            } => {
                let at_most = match &rule.kind {
                    RuleKind::ValueCount {
                        at_most: Some(max), ..
                    } => *max,
                    _ => 0,
                };
                if let Some(value) = m.value.as_deref() {
                    *records += 1;
                    // One value past the range is enough to know the window does not qualify.
                    if first.len() <= at_most && !first.contains_key(value) {
                        first.insert(Arc::from(value), m);
                    }
                }
                *start
            }
            _ => at,
        };
        Some((state, later(start, window)))
    }

    /// Judges the closed window of a ranged count: a finding when the count falls in the range.
    fn judge(&mut self, rule: usize, key: &Arc<str>, state: GroupState) {
        let rules = self.rules;
        let (window, count, at_most) = match &rules.rules()[rule].kind {
            RuleKind::Threshold {
                window,
                count,
                at_most: Some(max),
                ..
            }
            | RuleKind::ValueCount {
                window,
                count,
                at_most: Some(max),
                ..
            } => (*window, *count, *max),
            _ => return,
        };
        let (matches, reached, records, distinct) = match state {
            GroupState::Tumbling {
                records, sample, ..
            } => (sample, records as usize, records, false),
            GroupState::DistinctTumbling { records, first, .. } => {
                let reached = first.len();
                (in_order(first.into_values()), reached, records, true)
            }
            _ => return,
        };
        if !matches.is_empty() && (count..=at_most).contains(&reached) {
            let note = window_note(reached, distinct, window, count, Some(at_most), key);
            self.emit(&matches, records, None, key, note);
        }
    }

    fn start(&self, m: &Match, entity: String) -> Finding {
        let rule = &self.rules.rules()[m.rule];
        Finding {
            rule_id: rule.id.clone(),
            title: rule.title.clone(),
            severity: m.severity,
            mitre: rule.mitre.clone(),
            entity,
            account: m.account.clone(),
            region: m.region.clone(),
            arn: m.arn.clone(),
            first_seen: m.time,
            last_seen: m.time,
            event_ids: vec![m.event_id.clone()],
            events: 1,
            explanation: m.evidence.clone(),
        }
    }

    /// Reports a correlation finding over `matches` (the evidence kept, in order), covering `events`
    /// records from `first_seen` on when that is earlier than the first match kept.
    fn emit(
        &mut self,
        matches: &[Match],
        events: u64,
        first_seen: Option<DateTime<Utc>>,
        entity: &str,
        note: Evidence,
    ) {
        let Some(first) = matches.first() else { return };
        let mut finding = self.start(first, entity.to_owned());
        for m in &matches[1..] {
            absorb(&mut finding, m);
        }
        finding.events = finding.events.max(events);
        if let (Some(kept), Some(earliest)) = (finding.first_seen, first_seen) {
            finding.first_seen = Some(kept.min(earliest));
        }
        finding.explanation.push(note);
        self.feed(&finding, matches);
        if self.rules.rules()[first.rule].report {
            self.findings.push(finding);
        }
    }

    /// Hands a correlation finding to the rules chained on its rule, as one match each.
    fn feed(&mut self, finding: &Finding, matches: &[Match]) {
        let rules = self.rules;
        let Some(last) = matches.last() else { return };
        for &(rule, input) in rules.chained_from(&finding.rule_id) {
            let chained = Match {
                rule,
                time: finding.last_seen,
                event_id: last.event_id.clone(),
                entity: finding.entity.clone(),
                account: finding.account.clone(),
                region: finding.region.clone(),
                arn: finding.arn.clone(),
                group: finding.entity.clone(),
                value: None,
                steps: vec![input],
                severity: rules.rules()[rule].severity,
                evidence: vec![Evidence::new(
                    "",
                    &format!("correlation {:?} fired", finding.rule_id),
                    &finding.entity,
                )],
                rule_set: last.rule_set,
            };
            self.process(chained);
        }
    }
}

/// Matches in order of (event time, event id): the evidence of a finding, independent of hash order.
fn in_order(matches: impl IntoIterator<Item = Match>) -> Vec<Match> {
    let mut matches: Vec<Match> = matches.into_iter().collect();
    matches.sort_by(|a, b| (a.time, &a.event_id).cmp(&(b.time, &b.event_id)));
    matches
}

/// The explanation line of a threshold or value-count finding.
fn window_note(
    reached: usize,
    distinct: bool,
    window: Duration,
    count: usize,
    at_most: Option<usize>,
    group: &str,
) -> Evidence {
    let what = if distinct {
        "distinct values"
    } else {
        "matching records"
    };
    let bound = match at_most {
        Some(max) if max == count => format!("exactly {count}"),
        Some(max) => format!("between {count} and {max}"),
        None => format!("threshold {count}"),
    };
    Evidence::new(
        "",
        &format!(
            "{reached} {what} within {} minutes ({bound})",
            window.num_minutes()
        ),
        group,
    )
}
