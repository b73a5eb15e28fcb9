//! [`Correlator`]: turns matches into findings on event time, with a watermark and allowed lateness, so
//! that the findings do not depend on the order records arrive in.

use std::collections::{BTreeMap, HashMap, VecDeque};

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
}

/// Pending matches are processed in order of event time, then event id, rule and arrival.
type PendingKey = (Option<DateTime<Utc>>, String, usize, u64);

#[derive(Debug)]
enum GroupState {
    /// An open single-record finding, absorbing repeats until its dedup period ends.
    Open(Finding),
    /// Recent matches of a threshold or value-count rule.
    Window(VecDeque<Match>),
    /// Progress through a sequence: the matches of the steps met so far.
    Sequence(Vec<Match>),
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
            RuleKind::Threshold { window, count, .. }
            | RuleKind::ValueCount { window, count, .. } => {
                let distinct = matches!(rule.kind, RuleKind::ValueCount { .. });
                let state = self
                    .state
                    .entry(key.clone())
                    .or_insert_with(|| GroupState::Window(VecDeque::new()));
                let GroupState::Window(recent) = state else {
                    return;
                };
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
                let reached = if distinct {
                    let mut values: Vec<&str> =
                        recent.iter().filter_map(|r| r.value.as_deref()).collect();
                    values.sort_unstable();
                    values.dedup();
                    values.len()
                } else {
                    recent.len()
                };
                if reached >= *count {
                    let matches: Vec<Match> = recent.drain(..).collect();
                    let what = if distinct {
                        "distinct values"
                    } else {
                        "matching records"
                    };
                    let note = Evidence {
                        field: String::new(),
                        test: format!(
                            "{reached} {what} within {} minutes (threshold {count})",
                            window.num_minutes()
                        ),
                        value: key.1.clone(),
                    };
                    self.emit(&matches, key.1.clone(), note);
                }
            }
            RuleKind::Sequence { steps, window } => {
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

    /// Drops the group of `rule` whose newest record is oldest, closing an open finding first.
    fn evict_one(&mut self, rule: usize) {
        let newest = |state: &GroupState| -> Option<DateTime<Utc>> {
            match state {
                GroupState::Open(f) => f.last_seen,
                GroupState::Window(w) => w.back().and_then(|m| m.time),
                GroupState::Sequence(s) => s.last().and_then(|m| m.time),
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
        self.findings.push(finding);
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
