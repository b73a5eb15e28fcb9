//! Drives the correlator with arbitrary event times (anywhere in chrono's range, in any order, missing),
//! entities, values and lateness, through every kind of rule, some with windows of millions of weeks: no
//! panic, state within the documented bounds after every match, and every single-record match either
//! reported in a finding or counted late.
#![no_main]

use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use cloudtrail_detect::{
    Correlator, Field, MAX_ENTRIES_PER_RULE, MAX_GROUPS_PER_RULE, MAX_PENDING, Match, Rule,
    RuleKind, RuleSet, field,
};
use cloudtrail_model::Event;
use libfuzzer_sys::fuzz_target;

/// The rules, and one template match per rule.
fn rules() -> &'static (RuleSet, Vec<Match>) {
    static RULES: OnceLock<(RuleSet, Vec<Match>)> = OnceLock::new();
    RULES.get_or_init(|| {
        let read = || field("eventName").equals(["GetSecretValue"]);
        let huge = Duration::try_weeks(20_000_000).expect("within range");
        let secret = || Field::parse("requestParameters.secretId");
        let rules = RuleSet::new(vec![
            Rule::new("single", "single", read()).dedup(Duration::minutes(10)),
            Rule::new("threshold", "threshold", read()).threshold(3, Duration::minutes(10)),
            Rule::new("huge", "huge threshold", read()).threshold(3, huge),
            Rule::new("ranged", "ranged", read()).kind(RuleKind::Threshold {
                group_by: Vec::new(),
                window: Duration::minutes(10),
                count: 2,
                at_most: Some(4),
            }),
            Rule::new("distinct", "distinct", read()).kind(RuleKind::ValueCount {
                group_by: Vec::new(),
                field: secret(),
                window: Duration::minutes(10),
                count: 3,
                at_most: None,
            }),
            Rule::new("distinct-ranged", "distinct ranged", read()).kind(RuleKind::ValueCount {
                group_by: Vec::new(),
                field: secret(),
                window: huge,
                count: 1,
                at_most: Some(2),
            }),
            Rule::new("sequence", "sequence", read()).kind(RuleKind::Sequence {
                steps: vec![read(), read()],
                group_by: Vec::new(),
                window: Duration::minutes(10),
                ordered: true,
            }),
            Rule::new("steps", "steps", read()).kind(RuleKind::Sequence {
                steps: vec![read(), read()],
                group_by: Vec::new(),
                window: huge,
                ordered: false,
            }),
            Rule::new("first", "first", read()).kind(RuleKind::FirstSeen {
                group_by: Vec::new(),
                field: secret(),
                learning: Duration::minutes(1),
            }),
        ])
        .expect("the rules are valid");
        let text = r#"{"eventTime":"2024-05-01T00:00:00Z","eventName":"GetSecretValue","eventID":"e",
            "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"},"requestParameters":{"secretId":"s"}}"#;
        let event = Event::from_json(text).expect("the template parses");
        let mut templates = Vec::new();
        rules.matches(&event, &mut templates);
        assert_eq!(templates.len(), rules.rules().len());
        (rules, templates)
    })
}

fuzz_target!(|data: &[u8]| {
    let (rules, templates) = rules();
    let Some((&lateness, data)) = data.split_first() else { return };
    let mut correlator = Correlator::new(rules, Duration::minutes(i64::from(lateness as i8)));
    let mut findings = Vec::new();
    let mut singles = 0u64;
    let mut late_singles = 0u64;
    // Each match is 8 bytes: rule, entity, value, flags, and a 32-bit signed time offset.
    for (index, chunk) in data.chunks_exact(8).enumerate() {
        let mut m = templates[usize::from(chunk[0]) % templates.len()].clone();
        m.group = format!("entity-{}", chunk[1]);
        m.entity = m.group.clone();
        m.value = (chunk[2] != 0).then(|| format!("value-{}", chunk[2]));
        m.event_id = format!("e-{index}");
        let offset = i32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]);
        m.time = match chunk[3] % 4 {
            0 => None,
            1 => Some(DateTime::<Utc>::MAX_UTC),
            2 => Some(DateTime::<Utc>::MIN_UTC),
            _ => DateTime::<Utc>::from_timestamp(1_714_521_600 + i64::from(offset) * 60, 0),
        };
        let single = m.rule == 0;
        let late_before = correlator.late();
        findings.extend(correlator.push(m).expect("the correlator's own rule set"));
        if single {
            singles += 1;
            late_singles += correlator.late() - late_before;
        }
        let size = correlator.state_size();
        assert!(size.most_groups_of_a_rule <= MAX_GROUPS_PER_RULE);
        assert!(size.most_entries_of_a_rule <= MAX_ENTRIES_PER_RULE);
        assert!(size.pending <= MAX_PENDING);
    }
    findings.extend(correlator.finish());
    let reported: u64 = findings
        .iter()
        .filter(|f| f.rule_id == "single")
        .map(|f| f.events)
        .sum();
    assert_eq!(reported + late_singles, singles, "single-record matches are conserved");
    assert!(findings.iter().all(|f| f.events >= 1 && !f.event_ids.is_empty()));
});
