//! [`Seen`]: the values one first-seen group remembers, each held once.
//!
//! The text of a value lives in one slot; a hash table of slot numbers finds it by value, and an ordered
//! index of compact keys (when it was last seen, then a per-group sequence number) finds the least
//! recently seen. Both indexes hold only small integers, so a value costs its text, one slot, four bytes
//! of hash table and one index entry of 20 bytes (`benches/state.rs` measures it). Finding, adding,
//! refreshing, forgetting and expiring a value are each O(log n).
//!
//! Ties (values last seen at the same time) are ordered by when they were seen, which a saved and loaded
//! state keeps (the sequence numbers are renumbered on load in the same order), so a history split in two
//! runs forgets the same values as one run over all of it.

use std::collections::BTreeMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use hashbrown::HashTable;

use super::group::closed;

/// When a value was last seen, then its sequence number within the group: the ordered index's key.
type Key = (DateTime<Utc>, u32);

/// One remembered value.
#[derive(Debug)]
struct Slot {
    value: Box<str>,
    key: Key,
}

/// The values of one first-seen group. See the module documentation.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    slots: Vec<Slot>,
    /// Slot numbers, hashed by their slot's value.
    index: HashTable<u32>,
    /// Slot numbers by key: the first is the least recently seen.
    by_time: BTreeMap<Key, u32>,
    /// The next sequence number.
    next: u32,
}

/// What [`Seen::see`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sighting {
    /// The value was remembered (now refreshed).
    Again,
    /// The value is new; `forgot` says whether the least recently seen was forgotten to make room.
    New {
        /// Whether a value was forgotten.
        forgot: bool,
    },
}

/// One hasher for every group (keyed at random once per process: values come from input).
fn hash(value: &str) -> u64 {
    static STATE: OnceLock<RandomState> = OnceLock::new();
    STATE.get_or_init(RandomState::new).hash_one(value)
}

impl Seen {
    /// A group from values in the order they were last seen (oldest first), as a state file lists them.
    /// Returns the position of the first value that appears twice, if one does.
    pub(crate) fn from_ordered(
        values: impl IntoIterator<Item = (DateTime<Utc>, Box<str>)>,
    ) -> Result<Seen, usize> {
        let values = values.into_iter();
        let mut seen = Seen {
            slots: Vec::with_capacity(values.size_hint().0),
            index: HashTable::with_capacity(values.size_hint().0),
            by_time: BTreeMap::new(),
            next: 0,
        };
        let mut keys = Vec::with_capacity(values.size_hint().0);
        for (position, (time, value)) in values.enumerate() {
            let Ok(number) = u32::try_from(position) else {
                return Err(position);
            };
            let hashed = hash(&value);
            let slots = &seen.slots;
            if seen
                .index
                .find(hashed, |&i| slots[i as usize].value == value)
                .is_some()
            {
                return Err(position);
            }
            let key = (time, number);
            seen.slots.push(Slot { value, key });
            let slots = &seen.slots;
            seen.index
                .insert_unique(hashed, number, |&i| hash(&slots[i as usize].value));
            keys.push((key, number));
            seen.next = number + 1;
        }
        // Built at once (sorted input makes full nodes: a third of the memory of inserting one by one).
        keys.sort_unstable();
        seen.by_time = keys.into_iter().collect();
        Ok(seen)
    }

    /// How many values are remembered.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// When the most recently seen value was seen.
    pub(crate) fn newest(&self) -> Option<DateTime<Utc>> {
        self.by_time.last_key_value().map(|((time, _), _)| *time)
    }

    /// The values with when each was last seen, least recently seen first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (DateTime<Utc>, &str)> {
        self.by_time
            .iter()
            .filter_map(|(&(time, _), &i)| Some((time, &*self.slots.get(i as usize)?.value)))
    }

    /// Forgets the values not seen within `retention` before `at`.
    pub(crate) fn expire(&mut self, retention: Duration, at: DateTime<Utc>) {
        while let Some((&(time, _), &i)) = self.by_time.first_key_value()
            && closed(time, retention, at)
        {
            self.remove(i as usize);
        }
    }

    /// Records that `value` was seen at `at`, forgetting the least recently seen value first when the
    /// group holds `cap` and `value` is new.
    pub(crate) fn see(&mut self, value: &str, at: DateTime<Utc>, cap: usize) -> Sighting {
        let key = self.key(at);
        let hashed = hash(value);
        let slots = &self.slots;
        if let Some(&i) = self
            .index
            .find(hashed, |&i| &*slots[i as usize].value == value)
        {
            let old = std::mem::replace(&mut self.slots[i as usize].key, key);
            self.by_time.remove(&old);
            self.by_time.insert(key, i);
            return Sighting::Again;
        }
        let mut forgot = false;
        if self.slots.len() >= cap
            && let Some((_, &first)) = self.by_time.first_key_value()
        {
            self.remove(first as usize);
            forgot = true;
        }
        // At most the per-group cap of values: the slot number fits.
        let number = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
        self.slots.push(Slot {
            value: value.into(),
            key,
        });
        let slots = &self.slots;
        self.index
            .insert_unique(hashed, number, |&i| hash(&slots[i as usize].value));
        self.by_time.insert(key, number);
        Sighting::New { forgot }
    }

    /// The key of a sighting at `at`: a new sequence number (all are renumbered, in order, when they run
    /// out).
    fn key(&mut self, at: DateTime<Utc>) -> Key {
        if self.next == u32::MAX {
            let order: Vec<u32> = std::mem::take(&mut self.by_time).into_values().collect();
            for (number, i) in (0u32..).zip(order) {
                if let Some(slot) = self.slots.get_mut(i as usize) {
                    slot.key.1 = number;
                    self.by_time.insert(slot.key, i);
                }
            }
            self.next = u32::try_from(self.by_time.len()).unwrap_or(0);
        }
        let key = (at, self.next);
        self.next += 1;
        key
    }

    /// Forgets the value in slot `i`; the last slot moves into its place.
    fn remove(&mut self, i: usize) {
        let Some(slot) = self.slots.get(i) else {
            return;
        };
        let number = i as u32;
        if let Ok(entry) = self.index.find_entry(hash(&slot.value), |&j| j == number) {
            entry.remove();
        }
        let slot = self.slots.swap_remove(i);
        self.by_time.remove(&slot.key);
        if let Some(moved) = self.slots.get(i) {
            let was = self.slots.len() as u32;
            if let Some(j) = self.index.find_mut(hash(&moved.value), |&j| j == was) {
                *j = number;
            }
            if let Some(j) = self.by_time.get_mut(&moved.key) {
                *j = number;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::seconds(seconds)
    }

    /// The values least recently seen first.
    fn listed(seen: &Seen) -> Vec<(i64, String)> {
        seen.iter()
            .map(|(time, value)| (time.timestamp(), value.to_owned()))
            .collect()
    }

    /// Every index agrees with the slots.
    fn consistent(seen: &Seen) {
        assert_eq!(seen.index.len(), seen.slots.len());
        assert_eq!(seen.by_time.len(), seen.slots.len());
        for (i, slot) in seen.slots.iter().enumerate() {
            assert_eq!(seen.by_time.get(&slot.key), Some(&(i as u32)));
            let found = seen.index.find(hash(&slot.value), |&j| {
                seen.slots[j as usize].value == slot.value
            });
            assert_eq!(found, Some(&(i as u32)));
        }
    }

    #[test]
    fn refreshes_forgets_the_least_recent_and_expires() {
        let mut seen = Seen::default();
        assert_eq!(seen.see("a", at(1), 3), Sighting::New { forgot: false });
        assert_eq!(seen.see("b", at(2), 3), Sighting::New { forgot: false });
        assert_eq!(seen.see("c", at(2), 3), Sighting::New { forgot: false });
        assert_eq!(seen.see("a", at(3), 3), Sighting::Again);
        consistent(&seen);
        // "b" is the least recently seen (tied with "c", seen first).
        assert_eq!(seen.see("d", at(4), 3), Sighting::New { forgot: true });
        consistent(&seen);
        assert_eq!(
            listed(&seen),
            [(2, "c".into()), (3, "a".into()), (4, "d".into())]
        );
        seen.expire(Duration::seconds(1), at(5));
        consistent(&seen);
        assert_eq!(listed(&seen), [(4, "d".into())]);
        assert_eq!(seen.newest(), Some(at(4)));
        assert_eq!(seen.see("b", at(5), 3), Sighting::New { forgot: false });
    }

    #[test]
    fn loads_in_order_and_refuses_repeats() {
        let values = [
            (at(1), "x".into()),
            (at(1), "y".into()),
            (at(2), "z".into()),
        ];
        let mut seen = Seen::from_ordered(values).unwrap_or_default();
        consistent(&seen);
        assert_eq!(seen.len(), 3);
        // The tie keeps its order: "x" is forgotten first.
        assert_eq!(seen.see("w", at(3), 3), Sighting::New { forgot: true });
        assert_eq!(
            listed(&seen),
            [(1, "y".into()), (2, "z".into()), (3, "w".into())]
        );
        let repeated = [(at(1), "x".into()), (at(2), "x".into())];
        assert_eq!(Seen::from_ordered(repeated).err(), Some(1));
    }

    #[test]
    fn sequence_numbers_renumber_in_order_when_they_run_out() {
        let mut seen = Seen::default();
        for (i, value) in ["p", "q", "r"].into_iter().enumerate() {
            seen.see(value, at(i as i64 / 2), 10);
        }
        seen.next = u32::MAX - 1;
        seen.see("s", at(1), 10);
        let before = listed(&seen);
        seen.see("t", at(1), 10);
        consistent(&seen);
        assert!(seen.next < 10, "renumbered from 0");
        let mut expected = before;
        expected.push((1, "t".into()));
        assert_eq!(listed(&seen), expected);
    }
}
