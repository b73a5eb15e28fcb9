//! The correlator under hostile input: many entities, one value read endlessly, endless distinct values,
//! forged event times, huge windows, matches from another rule set. Each test asserts the bound the crate
//! documents (state counted through `Correlator::state_size`, every later record still processed), never
//! wall time: the time each case takes is measured in `benches/correlate.rs`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use cloudtrail_detect::{
    CorrelateError, Correlator, FIRST_SEEN_RETENTION_DAYS, Field, Finding, MAX_GROUPS_PER_RULE,
    MAX_PENDING, MAX_PENDING_BYTES, MAX_VALUES_PER_GROUP, MAX_WINDOW_COUNT, Match, Rule, RuleKind,
    RuleSet, field,
};
use cloudtrail_model::Event;

fn time(second: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap() + Duration::seconds(second)
}

/// The matches of one record: `name` by `actor`, reading `secret`, at `when`.
fn matches(
    rules: &RuleSet,
    name: &str,
    when: DateTime<Utc>,
    actor: &str,
    secret: &str,
) -> Vec<Match> {
    let text = serde_json::json!({
        "eventVersion": "1.11", "eventTime": when.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "eventSource": "cloudtrail.amazonaws.com", "eventName": name, "eventID": format!("{name}-{actor}-{}", when.timestamp()),
        "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::111122223333:user/{actor}"), "accountId": "111122223333"},
        "requestParameters": {"secretId": secret, "name": "trail"}
    })
    .to_string();
    let event = Event::from_json(&text).unwrap();
    let mut out = Vec::new();
    rules.matches(&event, &mut out);
    out
}

/// A copy of `m` for another group, time and event id: the cheap way to make many matches.
fn variant(m: &Match, group: &str, when: DateTime<Utc>, id: usize) -> Match {
    let mut m = m.clone();
    m.group = group.to_owned();
    m.entity = group.to_owned();
    m.time = Some(when);
    m.event_id = format!("e-{id}");
    m
}

fn single(dedup: Duration) -> RuleSet {
    RuleSet::new(vec![
        Rule::new(
            "delete-trail",
            "a trail deleted",
            field("eventName").equals(["DeleteTrail"]),
        )
        .dedup(dedup),
    ])
    .unwrap()
}

#[test]
fn more_entities_than_the_cap_evict_by_expiry_then_key_and_lose_no_single_finding() {
    let rules = single(Duration::hours(1));
    let base = matches(&rules, "DeleteTrail", time(0), "x", "").remove(0);
    let entities = MAX_GROUPS_PER_RULE + 5_000;
    // Every entity at the same second: expiry ties everywhere, so eviction order rests on the key alone.
    let forward: Vec<Match> = (0..entities)
        .map(|i| variant(&base, &format!("user-{i:07}"), time(0), i))
        .collect();
    let run = |order: &mut dyn Iterator<Item = &Match>| {
        // No lateness: each match is processed as it arrives, so the cap is met in arrival order.
        let mut correlator = Correlator::new(&rules, Duration::zero());
        let mut findings = Vec::new();
        let mut most = 0;
        for m in order {
            findings.extend(correlator.push(m.clone()).unwrap());
            most = most.max(correlator.state_size().most_groups_of_a_rule);
        }
        let evicted = correlator.evicted();
        // The findings evicted before the end, in the order they were reported.
        let early: Vec<String> = findings.iter().map(|f| f.entity.clone()).collect();
        findings.extend(correlator.finish());
        (findings, early, evicted, most)
    };
    let (findings, early, evicted, most) = run(&mut forward.iter());
    assert!(most <= MAX_GROUPS_PER_RULE, "{most} groups held");
    assert_eq!(evicted, 5_000);
    assert_eq!(
        findings.len(),
        entities,
        "an evicted open finding is reported, not lost"
    );
    assert_eq!(early.len(), 5_000);
    assert_eq!(early[0], "user-0000000", "ties go by key");
    let (reversed, early_reversed, _, _) = run(&mut forward.iter().rev());
    assert_eq!(reversed.len(), entities);
    // Reversed arrival evicts the same way: the smallest key held when the cap is reached.
    let smallest_held = format!("user-{:07}", entities - MAX_GROUPS_PER_RULE);
    assert_eq!(early_reversed[0], smallest_held);
}

#[test]
fn single_record_groups_expire_after_their_dedup_period() {
    let rules = single(Duration::minutes(10));
    let base = matches(&rules, "DeleteTrail", time(0), "x", "").remove(0);
    let mut correlator = Correlator::new(&rules, Duration::minutes(5));
    let mut findings: Vec<Finding> = Vec::new();
    // One new entity a minute for a week: at most the last 10 minutes (plus the watermark's lag and the
    // lateness) of entities are open at any time.
    let minutes = 7 * 24 * 60;
    for i in 0..minutes {
        let m = variant(&base, &format!("user-{i}"), time(i as i64 * 60), i);
        findings.extend(correlator.push(m).unwrap());
        let held = correlator.state_size();
        assert!(
            held.groups + held.pending <= 10 + 1 + 5 + 16 + 1,
            "{held:?} at minute {i}"
        );
    }
    assert_eq!(correlator.evicted(), 0);
    findings.extend(correlator.finish());
    assert_eq!(findings.len(), minutes);
}

#[test]
fn one_value_read_endlessly_holds_one_entry_and_later_records_are_processed() {
    let rules = RuleSet::new(vec![
        Rule::new(
            "distinct",
            "3 secrets in 10 minutes",
            field("eventName").equals(["GetSecretValue"]),
        )
        .kind(RuleKind::ValueCount {
            group_by: Vec::new(),
            field: Field::parse("requestParameters.secretId"),
            window: Duration::minutes(10),
            count: 3,
            at_most: None,
        }),
    ])
    .unwrap();
    let base = matches(&rules, "GetSecretValue", time(0), "app", "db").remove(0);
    let mut correlator = Correlator::new(&rules, Duration::minutes(1));
    let reads = 40_000;
    for i in 0..reads {
        // 40,000 reads of one secret within ten minutes.
        let m = variant(
            &base,
            "app",
            time(0) + Duration::milliseconds(i as i64 * 15),
            i,
        );
        assert!(correlator.push(m).unwrap().is_empty());
        assert!(correlator.state_size().entries <= 1);
    }
    // Two more secrets: the third distinct value fires.
    let mut other = base.clone();
    for (i, secret) in ["api", "ssh"].into_iter().enumerate() {
        other = variant(&other, "app", time(601), reads + i);
        other.value = Some(secret.to_owned());
        correlator.push(other.clone()).unwrap();
    }
    assert_eq!(correlator.late(), 0);
    let findings = correlator.finish();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].events, 3, "one record per distinct value");
}

fn first_seen() -> RuleSet {
    RuleSet::new(vec![
        Rule::new(
            "new-secret",
            "a secret never read",
            field("eventName").equals(["GetSecretValue"]),
        )
        .kind(RuleKind::FirstSeen {
            group_by: Vec::new(),
            field: Field::parse("requestParameters.secretId"),
            learning: Duration::zero(),
        }),
    ])
    .unwrap()
}

#[test]
fn first_seen_values_are_capped_per_group_and_forgotten_after_the_retention() {
    let rules = first_seen();
    let base = matches(&rules, "GetSecretValue", time(0), "app", "s").remove(0);
    let mut correlator = Correlator::new(&rules, Duration::zero());
    let values = MAX_VALUES_PER_GROUP * 5;
    let mut findings = Vec::new();
    for i in 0..values {
        let mut m = variant(&base, "app", time(1 + i as i64), i);
        m.value = Some(format!("secret-{i}"));
        findings.extend(correlator.push(m).unwrap());
        assert!(correlator.state_size().entries <= MAX_VALUES_PER_GROUP);
    }
    // Every value processed past the cap pushed out the least recently seen one (a few wait for the
    // watermark still).
    let waiting = correlator.state_size().pending;
    assert!(waiting <= 16, "{waiting}");
    assert_eq!(
        correlator.forgotten(),
        (values - MAX_VALUES_PER_GROUP - waiting) as u64
    );
    // A value read again the same day is known; after the retention it is new again.
    let mut again = variant(&base, "app", time(1 + values as i64), values);
    again.value = Some(format!("secret-{}", values - 1));
    findings.extend(correlator.push(again.clone()).unwrap());
    let later =
        time(1 + values as i64) + Duration::days(FIRST_SEEN_RETENTION_DAYS) + Duration::days(1);
    let mut returned = variant(&again, "app", later, values + 1);
    returned.value = again.value.clone();
    findings.extend(correlator.push(returned).unwrap());
    findings.extend(correlator.finish());
    // The first record started learning at its own time with zero learning, so it is not reported;
    // every other first sight is, and the returning value once more.
    assert_eq!(findings.len(), values - 1 + 1);
    assert_eq!(
        findings.last().unwrap().event_ids,
        [format!("e-{}", values + 1)]
    );
}

#[test]
fn a_forged_far_future_time_does_not_make_genuine_records_late() {
    let rules = single(Duration::minutes(1));
    let base = matches(&rules, "DeleteTrail", time(0), "x", "").remove(0);
    let mut correlator = Correlator::new(&rules, Duration::minutes(15));
    let forged = Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap();
    let mut id = 0;
    let mut next = |who: &str, when: DateTime<Utc>| {
        id += 1;
        variant(&base, who, when, id)
    };
    let mut findings = Vec::new();
    for minute in 0..60 {
        findings.extend(correlator.push(next("user-a", time(minute * 60))).unwrap());
    }
    findings.extend(correlator.push(next("intruder", forged)).unwrap());
    for minute in 60..70 {
        findings.extend(correlator.push(next("user-a", time(minute * 60))).unwrap());
    }
    // The genuine DeleteTrail, five minutes out of order.
    findings.extend(correlator.push(next("user-b", time(65 * 60))).unwrap());
    assert_eq!(correlator.late(), 0);
    findings.extend(correlator.finish());
    assert!(findings.iter().any(|f| f.entity == "user-b"));
    assert!(
        findings.iter().any(|f| f.entity == "intruder"),
        "the forged record is still processed"
    );
}

#[test]
fn records_waiting_for_the_watermark_are_bounded() {
    let rules = single(Duration::minutes(1));
    let base = matches(&rules, "DeleteTrail", time(0), "x", "").remove(0);
    // With a lateness of ten years nothing is processed until the buffer is full.
    let mut correlator = Correlator::new(&rules, Duration::days(3650));
    let total = MAX_PENDING + 1_000;
    let mut findings = Vec::new();
    let mut most = 0;
    for i in 0..total {
        findings.extend(
            correlator
                .push(variant(&base, "user-a", time(i as i64), i))
                .unwrap(),
        );
        let held = correlator.state_size();
        assert!(held.pending <= MAX_PENDING);
        assert!(held.pending_bytes <= MAX_PENDING_BYTES);
        most = most.max(held.pending);
    }
    // Whichever bound binds first, every match past it was processed early, none lost.
    let waiting = correlator.state_size().pending;
    assert_eq!(correlator.overflowed(), (total - waiting) as u64);
    assert!(correlator.overflowed() >= 1_000);
    assert!(
        most > MAX_PENDING / 2,
        "small matches fill most of the count: {most}"
    );
    findings.extend(correlator.finish());
    assert_eq!(findings.iter().map(|f| f.events).sum::<u64>(), total as u64);
}

#[test]
fn large_matches_waiting_for_the_watermark_are_bounded_in_bytes() {
    let rules = single(Duration::minutes(1));
    let base = matches(&rules, "DeleteTrail", time(0), "x", "").remove(0);
    let mut correlator = Correlator::new(&rules, Duration::days(3650));
    // Records whose matches carry 64 KiB of text each: a thousand of them would hold 64 MiB.
    let total = 1_000;
    let mut findings = Vec::new();
    for i in 0..total {
        let mut m = variant(&base, "user-a", time(i as i64), i);
        m.value = Some("v".repeat(64 << 10));
        findings.extend(correlator.push(m).unwrap());
        assert!(correlator.state_size().pending_bytes <= MAX_PENDING_BYTES);
    }
    let waiting = correlator.state_size().pending;
    assert!(waiting <= MAX_PENDING_BYTES / (64 << 10), "{waiting}");
    assert!(waiting > 0);
    assert_eq!(correlator.overflowed(), (total - waiting) as u64);
    findings.extend(correlator.finish());
    assert_eq!(findings.iter().map(|f| f.events).sum::<u64>(), total as u64);
}

#[test]
fn huge_windows_and_lateness_saturate_instead_of_panicking() {
    let huge = Duration::MAX;
    let weeks = Duration::try_weeks(20_000_000).unwrap();
    for span in [huge, weeks, -huge] {
        let condition = || field("eventName").equals(["GetSecretValue"]);
        let rules = RuleSet::new(vec![
            Rule::new("single", "single", condition()).dedup(span),
            Rule::new("threshold", "threshold", condition()).threshold(2, span),
            Rule::new("ranged", "ranged", condition()).kind(RuleKind::Threshold {
                group_by: Vec::new(),
                window: span,
                count: 1,
                at_most: Some(5),
            }),
            Rule::new("distinct", "distinct", condition()).kind(RuleKind::ValueCount {
                group_by: Vec::new(),
                field: Field::parse("requestParameters.secretId"),
                window: span,
                count: 2,
                at_most: None,
            }),
            Rule::new("sequence", "sequence", condition()).kind(RuleKind::Sequence {
                steps: vec![condition(), condition()],
                group_by: Vec::new(),
                window: span,
                ordered: true,
            }),
            Rule::new("first", "first", condition()).kind(RuleKind::FirstSeen {
                group_by: Vec::new(),
                field: Field::parse("requestParameters.secretId"),
                learning: span,
            }),
        ])
        .unwrap();
        for lateness in [huge, -huge, Duration::zero()] {
            let mut correlator = Correlator::new(&rules, lateness);
            let mut findings = Vec::new();
            let extremes = [
                Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap(),
                time(0),
                time(60),
                Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            ];
            for (i, when) in extremes.into_iter().enumerate() {
                for m in matches(&rules, "GetSecretValue", when, "app", &format!("s{i}")) {
                    findings.extend(correlator.push(m).unwrap());
                }
            }
            findings.extend(correlator.finish());
            assert!(findings.iter().any(|f| f.rule_id == "single"));
        }
    }
}

#[cfg(feature = "sigma")]
#[test]
fn sigma_timespans_of_millions_of_weeks_correlate_without_panicking() {
    let mut loader = cloudtrail_detect::sigma::SigmaLoader::new();
    loader.add_str(
        "huge.yml",
        "title: read\nname: read\nlogsource: {product: aws, service: cloudtrail}\n\
         detection: {selection: {eventName: GetSecretValue}, condition: selection}\n---\n\
         title: many reads\nid: many\ncorrelation:\n    type: event_count\n    rules: [read]\n\
         \x20   group-by: [userIdentity.arn]\n    timespan: 20000000w\n    condition: {gte: 2}\n",
    );
    let loaded = loader.compile();
    assert!(loaded.failures.is_empty(), "{:?}", loaded.failures);
    let rules = RuleSet::new(loaded.rules).unwrap();
    let mut correlator = Correlator::new(&rules, Duration::minutes(15));
    let mut findings = Vec::new();
    for i in 0..3 {
        for m in matches(&rules, "GetSecretValue", time(i * 60), "app", "s") {
            findings.extend(correlator.push(m).unwrap());
        }
    }
    findings.extend(correlator.finish());
    assert!(findings.iter().any(|f| f.rule_id == "many"));
}

#[test]
fn a_match_from_another_rule_set_is_an_error() {
    let ours = single(Duration::minutes(1));
    let theirs = single(Duration::minutes(1));
    let foreign = matches(&theirs, "DeleteTrail", time(0), "x", "").remove(0);
    let mut correlator = Correlator::new(&ours, Duration::minutes(15));
    assert_eq!(
        correlator.push(foreign),
        Err(CorrelateError::ForeignMatch { rule: 0 })
    );
    // A clone of the set holds the same rules: its matches are accepted.
    let clone = ours.clone();
    let own = matches(&clone, "DeleteTrail", time(0), "x", "").remove(0);
    assert!(correlator.push(own).is_ok());
    assert_eq!(correlator.finish().len(), 1);
}

#[test]
fn counts_beyond_the_window_bound_are_refused() {
    let rule = Rule::new("t", "t", field("eventName").equals(["GetSecretValue"]))
        .threshold(MAX_WINDOW_COUNT + 1, Duration::minutes(1));
    let error = RuleSet::new(vec![rule]).unwrap_err().to_string();
    assert!(error.contains("count above"), "{error}");
}
