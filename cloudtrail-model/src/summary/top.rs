//! [`TopCounts`]: the most frequent values of one field, in bounded memory.

use std::collections::HashMap;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

/// The most frequent values of one field with their counts, holding at most one and a half times its
/// capacity in distinct values whatever the input.
///
/// While the number of distinct values seen stays within that bound, every count is exact. Past it, the
/// least frequent values are dropped (the values kept are chosen by count, ties by value, so the result
/// does not depend on hash order), a value seen again after it was dropped starts again from zero, and
/// each reported count can be at most [`TopCounts::error_bound`] below the true one. Merging two
/// `TopCounts` adds their counts, so per-thread summaries combine into one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopCounts {
    capacity: usize,
    counts: HashMap<String, u64>,
    /// The largest count of a value ever dropped.
    error_bound: u64,
    /// Observations whose value was dropped.
    dropped: u64,
}

impl TopCounts {
    /// An empty set that keeps `capacity` values (at least one).
    pub fn new(capacity: usize) -> TopCounts {
        TopCounts {
            capacity: capacity.max(1),
            counts: HashMap::new(),
            error_bound: 0,
            dropped: 0,
        }
    }

    /// Counts `n` more observations of `value`.
    pub fn add(&mut self, value: &str, n: u64) {
        if let Some(count) = self.counts.get_mut(value) {
            *count = count.saturating_add(n);
            return;
        }
        self.counts.insert(value.to_owned(), n);
        self.prune_if_full();
    }

    /// Adds every count of `other` to this one.
    pub fn merge(&mut self, other: &TopCounts) {
        for (value, &count) in &other.counts {
            match self.counts.get_mut(value.as_str()) {
                Some(mine) => *mine = mine.saturating_add(count),
                None => {
                    self.counts.insert(value.clone(), count);
                }
            }
        }
        self.error_bound = self.error_bound.max(other.error_bound);
        self.dropped = self.dropped.saturating_add(other.dropped);
        self.prune_if_full();
    }

    fn prune_if_full(&mut self) {
        let limit = self.capacity + self.capacity.div_ceil(2);
        if self.counts.len() <= limit {
            return;
        }
        let mut entries: Vec<(String, u64)> = self.counts.drain().collect();
        entries.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        for (_, count) in entries.drain(self.capacity..) {
            self.error_bound = self.error_bound.max(count);
            self.dropped = self.dropped.saturating_add(count);
        }
        self.counts.extend(entries);
    }

    /// The values kept, most frequent first (ties by value), at most the capacity.
    pub fn top(&self) -> Vec<(&str, u64)> {
        let mut entries: Vec<(&str, u64)> = self
            .counts
            .iter()
            .map(|(value, &count)| (value.as_str(), count))
            .collect();
        entries.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        entries.truncate(self.capacity);
        entries
    }

    /// The count kept for `value` (zero if it was never seen or was dropped).
    pub fn count(&self, value: &str) -> u64 {
        self.counts.get(value).copied().unwrap_or(0)
    }

    /// How many distinct values are kept now.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.dropped == 0
    }

    /// Whether every count is exact (no value was ever dropped).
    pub fn is_exact(&self) -> bool {
        self.dropped == 0
    }

    /// How far below the true count a reported count can be: the largest count of a dropped value.
    pub fn error_bound(&self) -> u64 {
        self.error_bound
    }

    /// Observations whose value was dropped to keep the bound.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

impl Serialize for TopCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Entry<'a> {
            value: &'a str,
            count: u64,
        }
        let top: Vec<Entry<'_>> = self
            .top()
            .into_iter()
            .map(|(value, count)| Entry { value, count })
            .collect();
        let mut state = serializer.serialize_struct("TopCounts", 3)?;
        state.serialize_field("top", &top)?;
        state.serialize_field("dropped", &self.dropped)?;
        state.serialize_field("error_bound", &self.error_bound)?;
        state.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_within_capacity_and_ordered_by_count_then_value() {
        let mut top = TopCounts::new(4);
        for value in ["b", "a", "c", "a", "b", "a"] {
            top.add(value, 1);
        }
        assert_eq!(top.top(), [("a", 3), ("b", 2), ("c", 1)]);
        assert!(top.is_exact());
    }

    #[test]
    fn a_million_distinct_values_stay_within_the_bound() {
        let mut top = TopCounts::new(10);
        for _ in 0..50 {
            top.add("frequent", 1);
        }
        for i in 0..1_000_000u32 {
            top.add(&i.to_string(), 1);
            assert!(top.len() <= 15);
        }
        assert_eq!(top.top()[0], ("frequent", 50));
        assert_eq!(top.error_bound(), 1);
        // Every observation is either in a kept count or counted as dropped.
        let kept: u64 = top.counts.values().sum();
        assert_eq!(kept + top.dropped(), 1_000_050);
    }
}
