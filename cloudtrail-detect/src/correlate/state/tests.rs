//! Unit tests of the state format that need its internals: a body whose checksum is right but whose
//! lengths lie.

use super::codec::{Encoder, checksum};
use super::*;
use crate::rule::Rule;

fn wrap(body: &[u8]) -> Vec<u8> {
    let mut file = STATE_MAGIC.to_vec();
    file.extend_from_slice(&STATE_VERSION.to_le_bytes());
    file.extend_from_slice(&(body.len() as u64).to_le_bytes());
    file.extend_from_slice(&checksum(body).to_le_bytes());
    file.extend_from_slice(body);
    file
}

fn rules() -> RuleSet {
    RuleSet::new(vec![Rule::new(
        "r",
        "r",
        crate::field("eventName").equals(["GetObject"]),
    )])
    .unwrap_or_else(|error| panic!("{error}"))
}

/// A body's first fields: no event time processed, no learning start, no arrivals, and a watermark
/// sample of `times` (the count only: what follows is the caller's).
fn times(times: usize) -> Encoder {
    let mut e = Encoder::default();
    e.opt_time(None);
    e.opt_time(None);
    e.u64(0);
    e.len(times);
    e
}

/// A body's start: no times, no watermark, then `rules` rules (the first `r` of shape `single`, when
/// there is one).
fn rules_of(rules: usize) -> Encoder {
    let mut e = times(0);
    e.len(rules);
    if rules > 0 {
        e.str("r");
        e.str("single");
    }
    e
}

fn start() -> Encoder {
    rules_of(1)
}

fn load(bytes: &[u8]) -> Result<Loaded, StateError> {
    let rules = rules();
    Correlator::load_state(&rules, Duration::zero(), bytes, &StateOptions::default())
        .map(|(_, loaded)| loaded)
}

#[test]
fn a_well_formed_empty_body_loads() {
    let mut e = start();
    e.len(0);
    e.len(0);
    let loaded = load(&wrap(&e.bytes)).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!((loaded.groups, loaded.pending, loaded.new_rules), (0, 0, 0));
}

#[test]
fn a_count_that_claims_more_than_remains_is_truncation_before_any_allocation() {
    // 100,000 groups (the bound) claimed, a few bytes present.
    let mut e = start();
    e.len(MAX_GROUPS_PER_RULE);
    e.str("alice");
    let error = load(&wrap(&e.bytes)).err();
    assert!(
        matches!(&error, Some(StateError::Truncated { what, .. }) if what.contains("claimed")),
        "{error:?}"
    );
    // A string length of 4 GiB.
    let mut e = start();
    e.len(1);
    e.u32(u32::MAX);
    let error = load(&wrap(&e.bytes)).err();
    assert!(
        matches!(error, Some(StateError::Truncated { .. })),
        "{error:?}"
    );
}

#[test]
fn a_count_past_its_bound_is_damage() {
    let mut e = start();
    e.len(MAX_GROUPS_PER_RULE + 1);
    let error = load(&wrap(&e.bytes)).err();
    assert!(
        matches!(&error, Some(StateError::Damaged { what, .. }) if what.contains("bound")),
        "{error:?}"
    );
    let e = times(WATERMARK_SAMPLE + 1);
    let error = load(&wrap(&e.bytes)).err();
    assert!(
        matches!(error, Some(StateError::Damaged { .. })),
        "{error:?}"
    );
}

#[test]
fn bad_tags_times_and_text_are_damage() {
    // A presence tag of 2.
    let mut e = Encoder::default();
    e.u8(2);
    assert!(matches!(
        load(&wrap(&e.bytes)),
        Err(StateError::Damaged { offset: 28, .. })
    ));
    // A time out of range.
    let mut e = Encoder::default();
    e.u8(1);
    e.u64(i64::MAX as u64);
    e.u32(0);
    assert!(matches!(
        load(&wrap(&e.bytes)),
        Err(StateError::Damaged { .. })
    ));
    // A group of the wrong kind for its rule, and a rule id that is not UTF-8.
    let mut e = start();
    e.len(1);
    e.str("alice");
    e.time(DateTime::<Utc>::UNIX_EPOCH);
    e.u8(7);
    assert!(matches!(
        load(&wrap(&e.bytes)),
        Err(StateError::Damaged { .. })
    ));
    let mut e = rules_of(0);
    // rules_of(0) wrote a count of 0: one rule follows instead.
    e.patch(e.bytes.len() - 4, 1);
    e.len(2);
    e.u8(0xff);
    e.u8(0xfe);
    e.str("single");
    e.len(0);
    e.len(0);
    assert!(matches!(
        load(&wrap(&e.bytes)),
        Err(StateError::Damaged { .. })
    ));
}
