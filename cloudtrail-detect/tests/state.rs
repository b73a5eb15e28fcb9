//! Saved and loaded correlator state: a history split in two runs with a save and a load between them
//! gives the findings of one run over all of it; the state survives a round trip and a changed rule set
//! as documented; every bad input is an error (never an empty state).

use chrono::{DateTime, Duration, TimeZone, Utc};
use cloudtrail_detect::{
    Correlator, Field, Finding, Match, Rule, RuleKind, RuleSet, StateError, StateOptions, field,
};
use cloudtrail_model::Event;
use proptest::prelude::*;

const NAMES: [&str; 4] = [
    "ListBuckets",
    "GetObject",
    "DeleteBucket",
    "PutBucketPolicy",
];
const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-south-1"];
const PRINCIPALS: [&str; 3] = ["alice", "bob", "carol"];

fn time(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 22, 0, 0).unwrap() + Duration::minutes(minute)
}

fn record(id: usize, minute: i64, principal: &str, name: &str, region: &str) -> String {
    let json = serde_json::json!({
        "eventVersion": "1.11",
        "eventTime": time(minute).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "eventSource": "s3.amazonaws.com", "eventName": name, "eventID": format!("e-{id:04}"),
        "awsRegion": region,
        "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::111122223333:user/{principal}"),
            "accountId": "111122223333"},
        "requestParameters": {"bucketName": format!("bucket-{}", id % 5)}
    });
    json.to_string()
}

/// One rule of each stateful kind (and a single-record rule with a dedup period).
fn rule_list() -> Vec<Rule> {
    let any = || field("eventName").exists();
    vec![
        Rule::new("first-region", "first use of a region", any()).kind(RuleKind::FirstSeen {
            group_by: Vec::new(),
            field: Field::parse("awsRegion"),
            learning: Duration::minutes(20),
        }),
        Rule::new(
            "reads",
            "3 reads in 10 minutes",
            field("eventName").equals(["GetObject"]),
        )
        .threshold(3, Duration::minutes(10)),
        Rule::new("regions", "2 regions in 30 minutes", any()).kind(RuleKind::ValueCount {
            group_by: Vec::new(),
            field: Field::parse("awsRegion"),
            window: Duration::minutes(30),
            count: 2,
            at_most: None,
        }),
        Rule::new(
            "buckets-ranged",
            "2 to 5 distinct buckets in 20 minutes",
            field("eventName").equals(["GetObject", "PutBucketPolicy"]),
        )
        .kind(RuleKind::ValueCount {
            group_by: Vec::new(),
            field: Field::parse("requestParameters.bucketName"),
            window: Duration::minutes(20),
            count: 2,
            at_most: Some(5),
        }),
        Rule::new(
            "policies-ranged",
            "2 to 3 policy changes in 15 minutes",
            field("eventName").equals(["PutBucketPolicy"]),
        )
        .kind(RuleKind::Threshold {
            group_by: Vec::new(),
            window: Duration::minutes(15),
            count: 2,
            at_most: Some(3),
        }),
        Rule::new(
            "list-then-delete",
            "list then delete",
            field("eventName").equals(["ListBuckets", "DeleteBucket"]),
        )
        .kind(RuleKind::Sequence {
            steps: vec![
                field("eventName").equals(["ListBuckets"]),
                field("eventName").equals(["DeleteBucket"]),
            ],
            group_by: Vec::new(),
            window: Duration::minutes(45),
            ordered: true,
        }),
        Rule::new(
            "any-order",
            "policy and delete in any order",
            field("eventName").equals(["PutBucketPolicy", "DeleteBucket"]),
        )
        .kind(RuleKind::Sequence {
            steps: vec![
                field("eventName").equals(["PutBucketPolicy"]),
                field("eventName").equals(["DeleteBucket"]),
            ],
            group_by: Vec::new(),
            window: Duration::minutes(30),
            ordered: false,
        }),
        Rule::new(
            "delete",
            "bucket deleted",
            field("eventName").equals(["DeleteBucket"]),
        )
        .dedup(Duration::minutes(20)),
        Rule::new("quiet", "back after 30 quiet minutes", any()).kind(RuleKind::Dormant {
            group_by: Vec::new(),
            silence: Duration::minutes(30),
        }),
    ]
}

fn matches_of(rules: &RuleSet, records: &[String]) -> Vec<Match> {
    let mut matches = Vec::new();
    for record in records {
        rules.matches(&Event::from_json(record).unwrap(), &mut matches);
    }
    matches
}

/// Findings in a fixed order, so that two runs compare whatever order they completed in.
fn normalised(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by(|a, b| {
        (
            &a.rule_id,
            &a.entity,
            a.first_seen,
            a.last_seen,
            &a.event_ids,
        )
            .cmp(&(
                &b.rule_id,
                &b.entity,
                b.first_seen,
                b.last_seen,
                &b.event_ids,
            ))
    });
    findings
}

const LATENESS: Duration = Duration::minutes(15);

fn one_run(rules: &RuleSet, matches: Vec<Match>) -> Vec<Finding> {
    let mut correlator = Correlator::new(rules, LATENESS);
    let mut findings = Vec::new();
    for m in matches {
        findings.extend(correlator.push(m).unwrap());
    }
    findings.extend(correlator.finish());
    normalised(findings)
}

/// The first `split` matches, a save and a load (through bytes), then the rest.
fn two_runs(rules: &RuleSet, mut matches: Vec<Match>, split: usize) -> Vec<Finding> {
    let rest = matches.split_off(split);
    let mut correlator = Correlator::new(rules, LATENESS);
    let mut findings = Vec::new();
    for m in matches {
        findings.extend(correlator.push(m).unwrap());
    }
    let mut state = Vec::new();
    correlator
        .save_state(&mut state, &StateOptions::default())
        .unwrap();
    drop(correlator);
    let (mut correlator, loaded) =
        Correlator::load_state(rules, LATENESS, state.as_slice(), &StateOptions::default())
            .unwrap();
    assert!(loaded.dropped_rules.is_empty() && loaded.changed_rules.is_empty());
    for m in rest {
        findings.extend(correlator.push(m).unwrap());
    }
    findings.extend(correlator.finish());
    normalised(findings)
}

/// Records mostly in time order (gaps of up to half an hour, so windows span the split), some a few
/// minutes out of order, a few far out of order (late).
fn history() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        (
            0i64..30,
            0i64..8,
            0..10u8,
            0..PRINCIPALS.len(),
            0..NAMES.len(),
            0..REGIONS.len(),
        ),
        1..60,
    )
    .prop_map(|steps| {
        let mut minute = 0;
        steps
            .into_iter()
            .enumerate()
            .map(|(id, (gap, jitter, late, principal, name, region))| {
                minute += gap;
                let at = if late == 0 {
                    minute - 40
                } else {
                    minute - jitter
                };
                record(id, at, PRINCIPALS[principal], NAMES[name], REGIONS[region])
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn two_runs_with_a_saved_state_find_what_one_run_finds(
        events in history(),
        split in any::<prop::sample::Index>(),
    ) {
        let rules = RuleSet::new(rule_list()).unwrap();
        let matches = matches_of(&rules, &events);
        let split = split.index(matches.len() + 1);
        let whole = one_run(&rules, matches.clone());
        prop_assert_eq!(two_runs(&rules, matches, split), whole);
    }
}

/// Two runs over a fixed history, the split inside open windows: the property's cases are random, this
/// one is known to leave every kind of state open at the split.
#[test]
fn a_split_inside_open_windows_loses_nothing() {
    let rules = RuleSet::new(rule_list()).unwrap();
    let mut events = Vec::new();
    let plan = [
        (0, "alice", "ListBuckets", "us-east-1"),
        (25, "alice", "GetObject", "us-east-1"),
        (26, "alice", "GetObject", "eu-west-1"),
        (27, "alice", "PutBucketPolicy", "us-east-1"),
        (28, "alice", "PutBucketPolicy", "us-east-1"),
        (29, "bob", "DeleteBucket", "ap-south-1"),
        // The split falls here: a threshold at 2 of 3, a sequence at its first step, ranged windows and
        // a dedup period open, matches waiting for the watermark.
        (31, "alice", "GetObject", "us-east-1"),
        (32, "alice", "DeleteBucket", "us-east-1"),
        (33, "bob", "DeleteBucket", "ap-south-1"),
        (90, "carol", "GetObject", "ap-south-1"),
        // Bob's first record in 62 minutes: the dormancy rule's finding, from his time in the state.
        (95, "bob", "GetObject", "ap-south-1"),
    ];
    for (id, (minute, principal, name, region)) in plan.into_iter().enumerate() {
        events.push(record(id, minute, principal, name, region));
    }
    let matches = matches_of(&rules, &events);
    let split = matches.iter().position(|m| m.event_id == "e-0006").unwrap();
    let whole = one_run(&rules, matches.clone());
    let kinds: std::collections::BTreeSet<&str> =
        whole.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(
        kinds.len(),
        rule_list().len(),
        "every rule fires: {kinds:?}"
    );
    assert_eq!(two_runs(&rules, matches, split), whole);
}

/// A state after the first half of the fixed history above.
fn half_state(rules: &RuleSet) -> Vec<u8> {
    let events: Vec<String> = (0..40)
        .map(|id| {
            record(
                id,
                id as i64 * 3,
                PRINCIPALS[id % 3],
                NAMES[id % 4],
                REGIONS[id % 3],
            )
        })
        .collect();
    let mut correlator = Correlator::new(rules, LATENESS);
    for m in matches_of(rules, &events) {
        correlator.push(m).unwrap();
    }
    let mut state = Vec::new();
    correlator
        .save_state(&mut state, &StateOptions::default())
        .unwrap();
    state
}

fn load<'r>(rules: &'r RuleSet, bytes: &[u8]) -> Result<Correlator<'r>, StateError> {
    Correlator::load_state(rules, LATENESS, bytes, &StateOptions::default()).map(|(c, _)| c)
}

#[test]
fn a_loaded_state_saves_to_the_same_state() {
    let rules = RuleSet::new(rule_list()).unwrap();
    let state = half_state(&rules);
    let first = load(&rules, &state).unwrap();
    let mut again = Vec::new();
    let saved = first
        .save_state(&mut again, &StateOptions::default())
        .unwrap();
    assert_eq!(saved.bytes as usize, again.len());
    // Hash maps are written in their own order: the same state, maybe not the same bytes.
    assert_eq!(again.len(), state.len());
    let second = load(&rules, &again).unwrap();
    assert_eq!(first.state_size(), second.state_size());
    assert!(first.state_size().groups > 0 && first.state_size().pending > 0);
    assert_eq!(normalised(first.finish()), normalised(second.finish()));
}

#[test]
fn a_state_from_another_program_or_version_is_refused() {
    let rules = RuleSet::new(rule_list()).unwrap();
    let state = half_state(&rules);
    let mut other = state.clone();
    other[0] = b'X';
    assert!(matches!(load(&rules, &other), Err(StateError::NotState)));
    assert!(matches!(
        load(&rules, b"{\"json\": true}"),
        Err(StateError::NotState)
    ));
    let mut newer = state.clone();
    newer[8..12].copy_from_slice(&2u32.to_le_bytes());
    let error = load(&rules, &newer).err().unwrap();
    assert!(
        matches!(
            error,
            StateError::Version {
                found: 2,
                supported: 1
            }
        ),
        "{error}"
    );
}

#[test]
fn a_state_truncated_at_any_byte_is_an_error() {
    let rules = RuleSet::new(rule_list()).unwrap();
    let state = half_state(&rules);
    assert!(
        state.len() > 1000,
        "a state worth cutting: {} bytes",
        state.len()
    );
    for cut in 0..state.len() {
        match load(&rules, &state[..cut]) {
            Err(StateError::Truncated { offset, .. }) => assert!(offset as usize <= cut),
            Err(other) => panic!("cut at {cut}: {other}"),
            Ok(_) => panic!("cut at {cut}: loaded"),
        }
    }
}

#[test]
fn a_damaged_byte_or_a_trailing_one_is_an_error() {
    let rules = RuleSet::new(rule_list()).unwrap();
    let state = half_state(&rules);
    for at in (28..state.len()).step_by(7) {
        let mut damaged = state.clone();
        damaged[at] ^= 0x20;
        assert!(
            matches!(
                load(&rules, &damaged),
                Err(StateError::Damaged { offset: 20, .. })
            ),
            "byte {at}"
        );
    }
    let mut longer = state.clone();
    longer.push(0);
    let error = load(&rules, &longer).err().unwrap();
    assert!(matches!(error, StateError::Damaged { .. }), "{error}");
    let mut huge = state;
    huge[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
    let error = load(&rules, &huge).err().unwrap();
    assert!(
        matches!(error, StateError::Damaged { offset: 12, .. }),
        "{error}"
    );
}

#[test]
fn rules_that_left_or_changed_shape_are_dropped_and_new_ones_start_empty() {
    let rules = RuleSet::new(rule_list()).unwrap();
    let state = half_state(&rules);
    let mut changed = rule_list();
    // "reads" is gone, "regions" became a ranged count, "newcomer" is new.
    changed.retain(|rule| rule.id != "reads");
    for rule in &mut changed {
        if rule.id == "regions"
            && let RuleKind::ValueCount { at_most, .. } = &mut rule.kind
        {
            *at_most = Some(5);
        }
    }
    changed.push(Rule::new("newcomer", "new", field("eventName").exists()));
    let changed = RuleSet::new(changed).unwrap();
    let (correlator, loaded) = Correlator::load_state(
        &changed,
        LATENESS,
        state.as_slice(),
        &StateOptions::default(),
    )
    .unwrap();
    assert_eq!(loaded.dropped_rules, ["reads"]);
    assert_eq!(loaded.changed_rules, ["regions"]);
    assert_eq!(loaded.new_rules, 2);
    assert!(loaded.dropped > 0);
    let full = load(&rules, &state).unwrap().state_size();
    assert_eq!(
        correlator.state_size().groups + loaded.dropped as usize - (full.pending - loaded.pending),
        full.groups
    );
    // The findings that remain come only from rules of the new set.
    for finding in correlator.finish() {
        assert!(changed.rules().iter().any(|r| r.id == finding.rule_id));
    }
}

#[test]
fn first_seen_values_past_the_age_limit_are_dropped_and_reported_again() {
    let rule = Rule::new("first-region", "first region", field("eventName").exists()).kind(
        RuleKind::FirstSeen {
            group_by: Vec::new(),
            field: Field::parse("awsRegion"),
            learning: Duration::zero(),
        },
    );
    let rules = RuleSet::new(vec![rule]).unwrap();
    let day = 24 * 60;
    let mut events = vec![record(0, 0, "alice", "GetObject", "us-east-1")];
    // Enough records on day 40 for the watermark to move there.
    for id in 1..6 {
        events.push(record(
            id,
            40 * day + id as i64,
            "alice",
            "GetObject",
            "eu-west-1",
        ));
    }
    let mut correlator = Correlator::new(&rules, Duration::zero());
    let mut findings = 0;
    for m in matches_of(&rules, &events) {
        findings += correlator.push(m).unwrap().len();
    }
    // The first record is the learning period's (zero long, it holds the first record's time).
    assert_eq!(findings, 1);
    let month = StateOptions::new().with_max_age(Duration::days(30));
    let mut state = Vec::new();
    let saved = correlator.save_state(&mut state, &month).unwrap();
    assert_eq!((saved.groups, saved.aged_out), (1, 1));
    // Without the limit on save, the load applies it.
    let mut whole = Vec::new();
    correlator
        .save_state(&mut whole, &StateOptions::default())
        .unwrap();
    let (_, loaded) =
        Correlator::load_state(&rules, Duration::zero(), whole.as_slice(), &month).unwrap();
    assert_eq!(loaded.aged_out, 1);

    let (mut correlator, _) =
        Correlator::load_state(&rules, Duration::zero(), state.as_slice(), &month).unwrap();
    let later = [
        record(6, 41 * day, "alice", "GetObject", "eu-west-1"),
        record(7, 41 * day + 1, "alice", "GetObject", "us-east-1"),
    ];
    let mut again = Vec::new();
    for m in matches_of(&rules, &later) {
        again.extend(correlator.push(m).unwrap());
    }
    again.extend(correlator.finish());
    let ids: Vec<&str> = again.iter().map(|f| f.event_ids[0].as_str()).collect();
    assert_eq!(ids, ["e-0007"], "us-east-1 was aged out, eu-west-1 kept");
}

#[test]
fn a_state_file_is_written_atomically_and_its_errors_name_it() {
    let rules = RuleSet::new(rule_list()).unwrap();
    let dir = std::env::temp_dir().join(format!("cloudtrail-state-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("hunt.state");
    let missing = Correlator::load_state_file(&rules, LATENESS, &path, &StateOptions::default())
        .err()
        .unwrap();
    assert!(missing.is_not_found(), "{missing}");

    let correlator = load(&rules, &half_state(&rules)).unwrap();
    let saved = correlator
        .save_state_file(&path, &StateOptions::default())
        .unwrap();
    // Saving again replaces the file; no temporary file is left next to it.
    correlator
        .save_state_file(&path, &StateOptions::default())
        .unwrap();
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["hunt.state"]);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), saved.bytes);
    let (loaded, _) =
        Correlator::load_state_file(&rules, LATENESS, &path, &StateOptions::default()).unwrap();
    assert_eq!(loaded.state_size(), correlator.state_size());

    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let error = Correlator::load_state_file(&rules, LATENESS, &path, &StateOptions::default())
        .err()
        .unwrap();
    assert!(!error.is_not_found());
    let message = error.to_string();
    assert!(
        message.contains(&path.display().to_string()) && message.contains("truncated"),
        "{message}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The built-in `aws-compute-launched-in-new-region` on a history split across a saved state: the
/// regions of the learning fortnight (in the first run) are known in the second, only the third region is
/// reported, and a fresh second run (no state) would have learned it instead.
#[test]
fn the_built_in_new_region_rule_remembers_regions_across_runs() {
    let rules = RuleSet::new(cloudtrail_detect::builtin_rules()).unwrap();
    let day = 24 * 60;
    let first: Vec<String> = [(0, "us-west-2"), (2 * day, "eu-west-1")]
        .iter()
        .enumerate()
        .map(|(id, (minute, region))| record(id, *minute, "alice", "RunInstances", region))
        .collect();
    let second: Vec<String> = [
        (20 * day, "us-west-2"),
        (20 * day + 5, "eu-west-1"),
        (20 * day + 10, "ap-southeast-3"),
    ]
    .iter()
    .enumerate()
    .map(|(id, (minute, region))| record(10 + id, *minute, "alice", "RunInstances", region))
    .collect();
    let new_region = |findings: Vec<Finding>| -> Vec<String> {
        findings
            .into_iter()
            .filter(|f| f.rule_id == "aws-compute-launched-in-new-region")
            .map(|f| f.event_ids[0].clone())
            .collect()
    };
    let mut all = matches_of(&rules, &first);
    let split = all.len();
    all.extend(matches_of(&rules, &second));
    assert_eq!(new_region(two_runs(&rules, all.clone(), split)), ["e-0012"]);
    assert_eq!(new_region(one_run(&rules, all)), ["e-0012"]);
    // Without the state the second run's first record starts a new learning period.
    assert!(new_region(one_run(&rules, matches_of(&rules, &second))).is_empty());
}
