//! [`Pending`]: the matches waiting for the watermark, earliest first, bounded in number and in bytes.
//!
//! A binary heap of boxed matches: each waiting match costs its own allocation plus two words in the
//! heap's vector, where an ordered map keyed by a copy of the event id cost a node slot half empty on
//! average (matches arrive nearly in time order, which leaves the map's nodes half full) and a second
//! string. The order is that of [`Pending::pop`]: event time, then event id, rule and arrival.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use chrono::{DateTime, Utc};

use crate::engine::Match;

/// One waiting match and when it arrived (ties between equal matches go to the earlier arrival).
///
/// The event time and the first bytes of the event id sit beside the box, so that the heap's
/// comparisons, a dozen or more per match, rarely follow the pointer: event ids are UUIDs, whose first
/// sixteen bytes almost always differ.
#[derive(Debug)]
struct Waiting {
    time: Option<DateTime<Utc>>,
    id_prefix: [u8; ID_PREFIX],
    m: Box<Match>,
    arrival: u64,
    bytes: usize,
}

/// How many leading bytes of the event id a waiting match keeps inline.
const ID_PREFIX: usize = 16;

impl Waiting {
    fn new(m: Match, arrival: u64, bytes: usize) -> Waiting {
        let mut id_prefix = [0u8; ID_PREFIX];
        let id = m.event_id.as_bytes();
        let n = id.len().min(ID_PREFIX);
        id_prefix[..n].copy_from_slice(&id[..n]);
        Waiting {
            time: m.time,
            id_prefix,
            m: Box::new(m),
            arrival,
            bytes,
        }
    }

    /// The order of (event time, event id, rule, arrival). Zero padding is the least byte, so prefixes
    /// that differ order as the ids do; equal prefixes fall through to the whole ids.
    fn order(&self, other: &Self) -> Ordering {
        self.time
            .cmp(&other.time)
            .then_with(|| self.id_prefix.cmp(&other.id_prefix))
            .then_with(|| {
                (self.m.event_id.as_str(), self.m.rule, self.arrival).cmp(&(
                    other.m.event_id.as_str(),
                    other.m.rule,
                    other.arrival,
                ))
            })
    }
}

impl PartialEq for Waiting {
    fn eq(&self, other: &Self) -> bool {
        self.order(other) == Ordering::Equal
    }
}

impl Eq for Waiting {}

impl PartialOrd for Waiting {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Waiting {
    /// Reversed, so that the heap's greatest is the earliest match.
    fn cmp(&self, other: &Self) -> Ordering {
        other.order(self)
    }
}

/// Matches waiting for the watermark.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    heap: BinaryHeap<Waiting>,
    /// The heap bytes of the matches held, as [`Match::heap_bytes`] counts them.
    bytes: usize,
}

impl Pending {
    /// Adds a match that arrived `arrival`-th.
    pub(crate) fn push(&mut self, m: Match, arrival: u64) {
        let bytes = m.heap_bytes() + std::mem::size_of::<Match>();
        self.bytes += bytes;
        self.heap.push(Waiting::new(m, arrival, bytes));
    }

    /// The earliest match's event time, `Some(None)` when it has none, `None` when nothing waits.
    pub(crate) fn first_time(&self) -> Option<Option<DateTime<Utc>>> {
        self.heap.peek().map(|w| w.time)
    }

    /// Takes the earliest match.
    pub(crate) fn pop(&mut self) -> Option<Match> {
        let waiting = self.heap.pop()?;
        self.bytes -= waiting.bytes;
        Some(*waiting.m)
    }

    /// How many matches wait.
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// The bytes the waiting matches hold.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    /// The arrival numbers of the matches waiting (so that loading a damaged state that repeats one is
    /// refused).
    pub(crate) fn arrivals(&self) -> impl Iterator<Item = u64> + '_ {
        self.heap.iter().map(|w| w.arrival)
    }

    /// The waiting matches and their arrivals, earliest first (to save them in a stable order).
    pub(crate) fn in_order(&self) -> Vec<(u64, &Match)> {
        let mut waiting: Vec<&Waiting> = self.heap.iter().collect();
        waiting.sort_by(|a, b| b.cmp(a));
        waiting.into_iter().map(|w| (w.arrival, &*w.m)).collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::rule::Severity;

    fn at(seconds: i64, event_id: &str, rule: usize) -> Match {
        Match {
            rule,
            time: Utc.timestamp_opt(seconds, 0).single(),
            event_id: event_id.to_owned(),
            entity: "someone".to_owned(),
            account: None,
            region: None,
            arn: None,
            group: String::new(),
            value: Some("x".repeat(seconds as usize)),
            steps: Vec::new(),
            severity: Severity::Low,
            evidence: Vec::new(),
            rule_set: 0,
        }
    }

    #[test]
    fn matches_come_out_by_time_then_event_id_rule_and_arrival() {
        let mut pending = Pending::default();
        let arrivals = [
            at(5, "b", 0),
            at(3, "z", 0),
            at(5, "a", 1),
            at(5, "a", 0),
            at(9, "a", 0),
            at(5, "a", 0),
        ];
        for (arrival, m) in arrivals.into_iter().enumerate() {
            pending.push(m, arrival as u64);
        }
        let saved: Vec<(u64, String)> = pending
            .in_order()
            .into_iter()
            .map(|(arrival, m)| (arrival, m.event_id.clone()))
            .collect();
        assert_eq!(
            pending.first_time().flatten().map(|t| t.timestamp()),
            Some(3)
        );
        let mut popped = Vec::new();
        while let Some(m) = pending.pop() {
            popped.push((m.time.map(|t| t.timestamp()), m.event_id, m.rule));
        }
        assert_eq!(
            popped,
            [
                (Some(3), "z".to_owned(), 0),
                (Some(5), "a".to_owned(), 0),
                (Some(5), "a".to_owned(), 0),
                (Some(5), "a".to_owned(), 1),
                (Some(5), "b".to_owned(), 0),
                (Some(9), "a".to_owned(), 0),
            ]
        );
        let order: Vec<u64> = saved.iter().map(|(arrival, _)| *arrival).collect();
        assert_eq!(order, [1, 3, 5, 2, 0, 4]);
        assert_eq!(pending.bytes(), 0);
        assert_eq!(pending.len(), 0);
        assert_eq!(pending.first_time(), None);
    }

    #[test]
    fn bytes_follow_the_matches_held() {
        let mut pending = Pending::default();
        pending.push(at(100, "a", 0), 0);
        let one = pending.bytes();
        assert!(one >= 100 + std::mem::size_of::<Match>(), "{one}");
        pending.push(at(1_000, "b", 0), 1);
        assert!(pending.bytes() >= one + 1_000);
        pending.pop();
        assert!(pending.bytes() >= 1_000 && pending.bytes() < one + 1_000);
        pending.pop();
        assert_eq!(pending.bytes(), 0);
    }
}
