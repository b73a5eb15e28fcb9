//! [`GroupState`]: what one correlation group holds between records, and the bounds on it.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::seen::Seen;
use crate::engine::Match;
use crate::finding::{Finding, MAX_EVENT_IDS};

/// What one group of one rule holds. Every variant is bounded: see [`GroupState::entries`].
#[derive(Debug)]
pub(crate) enum GroupState {
    /// An open single-record finding, absorbing repeats until its dedup period ends (boxed: the variants
    /// stay small, and every group of every rule is one of them).
    Open(Box<Finding>),
    /// A sliding threshold: the times of the matches in the window (fewer than the rule's count, which is
    /// at most [`MAX_WINDOW_COUNT`](crate::engine::MAX_WINDOW_COUNT)) and the latest [`MAX_EVENT_IDS`]
    /// matches as evidence.
    Sliding {
        times: VecDeque<DateTime<Utc>>,
        sample: VecDeque<(DateTime<Utc>, Match)>,
    },
    /// A ranged threshold's tumbling window, judged when it closes: how many records, and the first
    /// [`MAX_EVENT_IDS`] of them.
    Tumbling {
        start: DateTime<Utc>,
        records: u64,
        sample: Vec<Match>,
    },
    /// A sliding distinct-value count: the latest match of each value in the window, and the values by
    /// the time of that match (fewer values than the rule's count).
    Distinct {
        latest: HashMap<Arc<str>, (DateTime<Utc>, Match)>,
        by_time: BTreeSet<(DateTime<Utc>, Arc<str>)>,
    },
    /// A ranged distinct-value count's tumbling window: the first match of each value, at most one more
    /// value than the range allows (past it the window cannot qualify), and how many records.
    DistinctTumbling {
        start: DateTime<Utc>,
        records: u64,
        first: HashMap<Arc<str>, Match>,
    },
    /// Progress through an ordered sequence: the matches of the steps met so far.
    Sequence(Vec<Match>),
    /// Progress through an unordered sequence: the latest match of each step.
    Steps(Vec<Option<Match>>),
    /// Values a first-seen rule has seen, each with when it was last seen (each held once; ordered for
    /// the age limit and to drop the least recently seen past the per-group cap).
    Seen(Box<Seen>),
    /// A dormancy rule's group: the time of its latest record.
    LastSeen(DateTime<Utc>),
}

impl GroupState {
    /// How many entries (timestamps, kept matches, values) the group holds, for the per-rule bound.
    pub(crate) fn entries(&self) -> usize {
        match self {
            GroupState::Open(_) => 1,
            GroupState::Sliding { times, .. } => times.len(),
            GroupState::Tumbling { sample, .. } => sample.len().max(1),
            GroupState::Distinct { latest, .. } => latest.len(),
            GroupState::DistinctTumbling { first, .. } => first.len().max(1),
            GroupState::Sequence(done) => done.len(),
            GroupState::Steps(latest) => latest.iter().flatten().count(),
            GroupState::Seen(seen) => seen.len(),
            GroupState::LastSeen(_) => 1,
        }
    }

    /// Whether nothing is left to remember (the group can be dropped).
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            GroupState::Open(_) | GroupState::Tumbling { .. } => false,
            GroupState::DistinctTumbling { .. } => false,
            _ => self.entries() == 0,
        }
    }
}

/// `time + span`, saturating at the ends of the representable range instead of panicking (a Sigma
/// `timespan` may be millions of weeks).
pub(crate) fn later(time: DateTime<Utc>, span: Duration) -> DateTime<Utc> {
    time.checked_add_signed(span)
        .unwrap_or(if span < Duration::zero() {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
}

/// `time - span`, saturating.
pub(crate) fn earlier(time: DateTime<Utc>, span: Duration) -> DateTime<Utc> {
    time.checked_sub_signed(span)
        .unwrap_or(if span < Duration::zero() {
            DateTime::<Utc>::MAX_UTC
        } else {
            DateTime::<Utc>::MIN_UTC
        })
}

/// Whether a window of `span` that started at `start` has closed by `time`.
pub(crate) fn closed(start: DateTime<Utc>, span: Duration, time: DateTime<Utc>) -> bool {
    later(start, span) < time
}

/// Adds a match to a finding: counts it, keeps its event id while there is room, widens the span.
pub(crate) fn absorb(finding: &mut Finding, m: &Match) {
    finding.events += 1;
    if finding.event_ids.len() < MAX_EVENT_IDS {
        finding.event_ids.push(m.event_id.clone());
    }
    finding.severity = finding.severity.max(m.severity);
    finding.first_seen = finding.first_seen.into_iter().chain(m.time).min();
    finding.last_seen = finding.last_seen.into_iter().chain(m.time).max();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_arithmetic_saturates() {
        let huge = Duration::MAX;
        let now = DateTime::<Utc>::UNIX_EPOCH;
        assert_eq!(later(now, huge), DateTime::<Utc>::MAX_UTC);
        assert_eq!(earlier(now, huge), DateTime::<Utc>::MIN_UTC);
        assert_eq!(later(now, Duration::MIN), DateTime::<Utc>::MIN_UTC);
        assert_eq!(earlier(now, Duration::MIN), DateTime::<Utc>::MAX_UTC);
        assert!(!closed(
            DateTime::<Utc>::MAX_UTC,
            huge,
            DateTime::<Utc>::MAX_UTC
        ));
    }
}
