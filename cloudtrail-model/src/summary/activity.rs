//! [`Activity`]: records per hour by outcome, for the latest hours.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::outcome::Outcome;

/// Records counted by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct OutcomeCounts {
    /// Requests that succeeded.
    pub success: u64,
    /// Requests that failed.
    pub failure: u64,
    /// Requests denied by an access control.
    pub denied: u64,
}

impl OutcomeCounts {
    fn add(&mut self, other: &OutcomeCounts) {
        self.success += other.success;
        self.failure += other.failure;
        self.denied += other.denied;
    }

    /// All records counted.
    pub fn total(&self) -> u64 {
        self.success + self.failure + self.denied
    }
}

/// Records per hour of event time, by outcome, for at most a fixed number of the latest hours: the
/// records of older hours are added to [`Activity::earlier`], whatever the order they arrive in (a
/// hostile tree with times spread over ten thousand years cannot grow it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Activity {
    #[serde(skip)]
    hours_kept: usize,
    /// Counts per hour, keyed by the hour's start (Unix seconds).
    hours: BTreeMap<i64, OutcomeCounts>,
    /// Records of hours older than those kept.
    pub earlier: OutcomeCounts,
}

impl Activity {
    pub(super) fn new(hours_kept: usize) -> Activity {
        Activity {
            hours_kept: hours_kept.max(1),
            hours: BTreeMap::new(),
            earlier: OutcomeCounts::default(),
        }
    }

    pub(super) fn add(&mut self, time: DateTime<Utc>, outcome: Outcome) {
        let hour = time.timestamp().div_euclid(3600) * 3600;
        let counts = self.hours.entry(hour).or_default();
        match outcome {
            Outcome::Success => counts.success += 1,
            Outcome::Failure => counts.failure += 1,
            Outcome::Denied => counts.denied += 1,
        }
        self.trim();
    }

    pub(super) fn merge(&mut self, other: &Activity) {
        for (hour, counts) in &other.hours {
            self.hours.entry(*hour).or_default().add(counts);
        }
        self.earlier.add(&other.earlier);
        self.trim();
    }

    fn trim(&mut self) {
        while self.hours.len() > self.hours_kept {
            if let Some((_, oldest)) = self.hours.pop_first() {
                self.earlier.add(&oldest);
            }
        }
    }

    /// The hours kept, oldest first, with their start time.
    pub fn hours(&self) -> impl Iterator<Item = (DateTime<Utc>, &OutcomeCounts)> + '_ {
        self.hours
            .iter()
            .filter_map(|(start, counts)| Some((DateTime::from_timestamp(*start, 0)?, counts)))
    }
}
