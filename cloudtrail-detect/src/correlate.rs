//! [`Correlator`]: turns matches into findings on event time, with a watermark and allowed lateness, so
//! that the findings do not depend on the order records arrive in.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use chrono::{DateTime, Duration, Utc};

use crate::condition::Evidence;
use crate::engine::{Match, RuleSet};
use crate::finding::{Finding, MAX_EVENT_IDS};
use crate::rule::RuleKind;

/// The most groups one correlation rule keeps state for; past it the group idle longest is dropped
/// (counted in [`Correlator::evicted`]).
pub const MAX_GROUPS_PER_RULE: usize = 100_000;

/// Turns [`Match`]es into [`Finding`]s in event-time order.
///
/// Matches wait in a buffer until the watermark (the latest event time seen, less the allowed lateness)
/// passes them; then they are processed in order of (event time, event id). Any arrival order within
/// the lateness therefore gives the same findings. A match older than the watermark when it arrives is too
/// late: it is counted in [`Correlator::late`] and not processed. [`Correlator::finish`] processes
/// everything left, as a batch job does at the end of its input.
#[derive(Debug)]
pub struct Correlator<'r> {
    rules: &'r RuleSet,
    lateness: Duration,
    max_seen: Option<DateTime<Utc>>,
    processed_up_to: Option<DateTime<Utc>>,
    /// Event time of the first record processed: first-seen rules learn from it on.
    started: Option<DateTime<Utc>>,
    pending: BTreeMap<PendingKey, Match>,
    sequence: u64,
    state: HashMap<(usize, String), GroupState>,
    /// Groups held per rule, to keep state bounded.
    groups: Vec<usize>,
    late: u64,
    evicted: u64,
    findings: Vec<Finding>,
    /// When the windows of ranged counts close: (close time, rule, group).
    deadlines: BTreeSet<(DateTime<Utc>, usize, String)>,
}

/// Pending matches are processed in order of event time, then event id, rule and arrival.
type PendingKey = (Option<DateTime<Utc>>, String, usize, u64);

#[derive(Debug)]
enum GroupState {
    /// An open single-record finding, absorbing repeats until its dedup period ends.
    Open(Finding),
    /// Recent matches of a threshold or value-count rule.
    Window(VecDeque<Match>),
    /// Progress through a sequence: the matches of the steps met so far (in order, or by step when the
    /// steps may come in any order).
    Sequence(Vec<Match>),
    /// Progress through an unordered sequence: the latest match of each step.
    Steps(Vec<Option<Match>>),
    /// Values seen by a first-seen rule, and when learning ends.
    Seen(HashMap<String, ()>),
}

impl<'r> Correlator<'r> {
    /// A correlator for these rules, waiting `lateness` for out-of-order records.
    pub fn new(rules: &'r RuleSet, lateness: Duration) -> Self {
        Correlator {
            rules,
            lateness,
            max_seen: None,
            processed_up_to: None,
            started: None,
            pending: BTreeMap::new(),
            sequence: 0,
            state: HashMap::new(),
            groups: vec![0; rules.rules().len()],
            late: 0,
            evicted: 0,
            findings: Vec::new(),
            deadlines: BTreeSet::new(),
        }
    }

    /// Matches (one per rule a record met) that arrived after the watermark had passed them.
    pub fn late(&self) -> u64 {
        self.late
    }

    /// Correlation groups dropped to keep state bounded.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Adds a match; returns the findings completed as the watermark moves.
    pub fn push(&mut self, m: Match) -> Vec<Finding> {
        if let (Some(time), Some(done)) = (m.time, self.processed_up_to)
            && time < done
        {
            self.late += 1;
            return Vec::new();
        }
        if let Some(time) = m.time {
            self.max_seen = Some(self.max_seen.map_or(time, |max| max.max(time)));
        }
        self.sequence += 1;
        self.pending
            .insert((m.time, m.event_id.clone(), m.rule, self.sequence), m);
        match self.max_seen {
            Some(max) => self.process_until(Some(max - self.lateness)),
            None => Vec::new(),
        }
    }

    /// Processes everything still waiting and closes every open finding.
    pub fn finish(mut self) -> Vec<Finding> {
        let mut out = self.process_until(None);
        while let Some((_, rule, group)) = self.deadlines.pop_first() {
            self.judge(rule, group);
        }
        out.append(&mut self.findings);
        let mut open: Vec<Finding> = self
            .state
            .drain()
            .filter_map(|(_, state)| match state {
                GroupState::Open(finding) => Some(finding),
                _ => None,
            })
            .collect();
        open.sort_by(|a, b| {
            (a.first_seen, &a.rule_id, &a.entity).cmp(&(b.first_seen, &b.rule_id, &b.entity))
        });
        out.append(&mut self.findings);
        out.extend(open);
        out
    }

    /// Processes pending matches with time up to `until` (all of them for `None`).
    fn process_until(&mut self, until: Option<DateTime<Utc>>) -> Vec<Finding> {
        while let Some(entry) = self.pending.first_entry() {
            let time = entry.key().0;
            if let (Some(until), Some(time)) = (until, time)
                && time > until
            {
                break;
            }
            let m = entry.remove();
            if let Some(time) = m.time {
                self.processed_up_to = Some(self.processed_up_to.map_or(time, |t| t.max(time)));
                self.started.get_or_insert(time);
                // Ranged windows that closed before this record are judged first.
                while let Some(first) = self.deadlines.first()
                    && first.0 < time
                {
                    if let Some((_, rule, group)) = self.deadlines.pop_first() {
                        self.judge(rule, group);
                    }
                }
            }
            self.process(m);
        }
        std::mem::take(&mut self.findings)
    }

    fn process(&mut self, m: Match) {
        let rules = self.rules;
        let rule = &rules.rules()[m.rule];
        let key = (m.rule, m.group.clone());
        let is_new = !self.state.contains_key(&key);
        if is_new && self.groups[m.rule] >= MAX_GROUPS_PER_RULE {
            self.evict_one(m.rule);
        }
        self.apply(rule, key.clone(), m);
        if is_new && self.state.contains_key(&key) {
            self.groups[key.0] += 1;
        }
    }

    fn apply(&mut self, rule: &crate::rule::Rule, key: (usize, String), m: Match) {
        match &rule.kind {
            RuleKind::Single { dedup } => {
                if let Some(GroupState::Open(finding)) = self.state.get_mut(&key) {
                    let within = match (finding.first_seen, m.time) {
                        (Some(first), Some(time)) => time - first <= *dedup,
                        _ => true,
                    };
                    if within {
                        absorb(finding, &m);
                        return;
                    }
                }
                if let Some(GroupState::Open(finished)) = self.state.remove(&key) {
                    self.findings.push(finished);
                }
                let finding = self.start(&m, m.entity.clone());
                self.state.insert(key, GroupState::Open(finding));
            }
            RuleKind::Threshold {
                window,
                count,
                at_most,
                ..
            }
            | RuleKind::ValueCount {
                window,
                count,
                at_most,
                ..
            } => {
                let distinct = matches!(rule.kind, RuleKind::ValueCount { .. });
                let state = self
                    .state
                    .entry(key.clone())
                    .or_insert_with(|| GroupState::Window(VecDeque::new()));
                let GroupState::Window(recent) = state else {
                    return;
                };
                if at_most.is_some() {
                    // A ranged count: tumbling windows, judged when they close.
                    let closed = match (recent.front().and_then(|f| f.time), m.time) {
                        (Some(start), Some(time)) => time - start > *window,
                        _ => false,
                    };
                    if closed {
                        self.judge(key.0, key.1.clone());
                        return self.apply(rule, key, m);
                    }
                    if recent.is_empty()
                        && let Some(time) = m.time
                    {
                        self.deadlines
                            .insert((time + *window, key.0, key.1.clone()));
                    }
                    recent.push_back(m);
                    return;
                }
                if let Some(time) = m.time {
                    while recent
                        .front()
                        .and_then(|f| f.time)
                        .is_some_and(|t| time - t > *window)
                    {
                        recent.pop_front();
                    }
                }
                recent.push_back(m);
                let reached = reached(recent.iter(), distinct);
                if reached >= *count {
                    let matches: Vec<Match> = recent.drain(..).collect();
                    let note = window_note(reached, distinct, *window, *count, None, &key.1);
                    self.emit(&matches, key.1.clone(), note);
                }
            }
            RuleKind::Sequence {
                steps,
                window,
                ordered: false,
                ..
            } => {
                let state = self
                    .state
                    .entry(key.clone())
                    .or_insert_with(|| GroupState::Steps(vec![None; steps.len()]));
                let GroupState::Steps(latest) = state else {
                    return;
                };
                // Steps met longer than the window before this record no longer count.
                if let Some(time) = m.time {
                    for slot in latest.iter_mut() {
                        if slot
                            .as_ref()
                            .and_then(|s| s.time)
                            .is_some_and(|t| time - t > *window)
                        {
                            *slot = None;
                        }
                    }
                }
                for &step in &m.steps {
                    if let Some(slot) = latest.get_mut(step) {
                        *slot = Some(m.clone());
                    }
                }
                if latest.iter().all(Option::is_some) {
                    let mut matches: Vec<Match> =
                        latest.iter_mut().filter_map(Option::take).collect();
                    matches.sort_by(|a, b| (a.time, &a.event_id).cmp(&(b.time, &b.event_id)));
                    matches.dedup_by(|a, b| a.event_id == b.event_id);
                    let note = Evidence {
                        field: String::new(),
                        test: format!(
                            "all {} steps within {} minutes",
                            steps.len(),
                            window.num_minutes()
                        ),
                        value: key.1.clone(),
                    };
                    self.emit(&matches, key.1.clone(), note);
                }
            }
            RuleKind::Sequence { steps, window, .. } => {
                let state = self
                    .state
                    .entry(key.clone())
                    .or_insert_with(|| GroupState::Sequence(Vec::new()));
                let GroupState::Sequence(done) = state else {
                    return;
                };
                if let (Some(start), Some(time)) = (done.first().and_then(|d| d.time), m.time)
                    && time - start > *window
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
                    let matches: Vec<Match> = std::mem::take(done);
                    let note = Evidence {
                        field: String::new(),
                        test: format!(
                            "{} steps in order within {} minutes",
                            steps.len(),
                            window.num_minutes()
                        ),
                        value: key.1.clone(),
                    };
                    self.emit(&matches, key.1.clone(), note);
                }
            }
            RuleKind::FirstSeen { learning, .. } => {
                let Some(value) = m.value.clone() else { return };
                let learning = match (self.started, m.time) {
                    (Some(start), Some(time)) => time <= start + *learning,
                    _ => false,
                };
                let state = self
                    .state
                    .entry(key.clone())
                    .or_insert_with(|| GroupState::Seen(HashMap::new()));
                let GroupState::Seen(values) = state else {
                    return;
                };
                if values.insert(value.clone(), ()).is_none() && !learning {
                    let note = Evidence {
                        field: String::new(),
                        test: "first seen for this group".to_owned(),
                        value,
                    };
                    self.emit(std::slice::from_ref(&m), key.1.clone(), note);
                }
            }
        }
    }

    /// Judges the closed window of a ranged count: a finding when the count falls in the range.
    fn judge(&mut self, rule: usize, group: String) {
        let rules = self.rules;
        let (distinct, window, count, at_most) = match &rules.rules()[rule].kind {
            RuleKind::Threshold {
                window,
                count,
                at_most: Some(max),
                ..
            } => (false, *window, *count, *max),
            RuleKind::ValueCount {
                window,
                count,
                at_most: Some(max),
                ..
            } => (true, *window, *count, *max),
            _ => return,
        };
        let key = (rule, group);
        let Some(GroupState::Window(recent)) = self.state.get_mut(&key) else {
            return;
        };
        let matches: Vec<Match> = recent.drain(..).collect();
        let reached = reached(&matches, distinct);
        if !matches.is_empty() && (count..=at_most).contains(&reached) {
            let note = window_note(reached, distinct, window, count, Some(at_most), &key.1);
            self.emit(&matches, key.1, note);
        }
    }

    /// Drops the group of `rule` whose newest record is oldest, closing an open finding first.
    fn evict_one(&mut self, rule: usize) {
        let newest = |state: &GroupState| -> Option<DateTime<Utc>> {
            match state {
                GroupState::Open(f) => f.last_seen,
                GroupState::Window(w) => w.back().and_then(|m| m.time),
                GroupState::Sequence(s) => s.last().and_then(|m| m.time),
                GroupState::Steps(s) => s.iter().flatten().filter_map(|m| m.time).max(),
                GroupState::Seen(_) => None,
            }
        };
        let oldest = self
            .state
            .iter()
            .filter(|((r, _), _)| *r == rule)
            .min_by_key(|(_, state)| newest(state))
            .map(|(key, _)| key.clone());
        if let Some(key) = oldest {
            if let Some(GroupState::Open(finding)) = self.state.remove(&key) {
                self.findings.push(finding);
            }
            self.groups[rule] = self.groups[rule].saturating_sub(1);
            self.evicted += 1;
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
            arn: m.arn.clone(),
            first_seen: m.time,
            last_seen: m.time,
            event_ids: vec![m.event_id.clone()],
            events: 1,
            explanation: m.evidence.clone(),
        }
    }

    fn emit(&mut self, matches: &[Match], entity: String, note: Evidence) {
        let Some(first) = matches.first() else { return };
        let mut finding = self.start(first, entity);
        for m in &matches[1..] {
            absorb(&mut finding, m);
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
                arn: finding.arn.clone(),
                group: finding.entity.clone(),
                value: None,
                steps: vec![input],
                severity: rules.rules()[rule].severity,
                evidence: vec![Evidence {
                    field: String::new(),
                    test: format!("correlation {:?} fired", finding.rule_id),
                    value: finding.entity.clone(),
                }],
            };
            self.process(chained);
        }
    }
}

/// How many matches, or distinct values, a window holds.
fn reached<'m>(matches: impl IntoIterator<Item = &'m Match>, distinct: bool) -> usize {
    if distinct {
        let mut values: Vec<&str> = matches
            .into_iter()
            .filter_map(|m| m.value.as_deref())
            .collect();
        values.sort_unstable();
        values.dedup();
        values.len()
    } else {
        matches.into_iter().count()
    }
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
    Evidence {
        field: String::new(),
        test: format!(
            "{reached} {what} within {} minutes ({bound})",
            window.num_minutes()
        ),
        value: group.to_owned(),
    }
}

fn absorb(finding: &mut Finding, m: &Match) {
    finding.events += 1;
    if finding.event_ids.len() < MAX_EVENT_IDS {
        finding.event_ids.push(m.event_id.clone());
    }
    finding.severity = finding.severity.max(m.severity);
    finding.first_seen = finding.first_seen.into_iter().chain(m.time).min();
    finding.last_seen = finding.last_seen.into_iter().chain(m.time).max();
}
