//! The built-in pack's counting rules (distinct instances, distinct calls, bursts) on whole sequences of
//! real records (tests/data/pack_sequences.jsonl): Stratus Red Team detonation logs as recorded, and
//! variants that must not count (one instance many times, a person's session instead of an instance's).
//! Each case names the rules that must report a finding and the rules that must not.

use std::collections::BTreeSet;

use chrono::Duration;
use cloudtrail_detect::{Correlator, RuleSet, baseline_rules, builtin_rules};
use cloudtrail_model::Event;

#[test]
fn counting_rules_find_the_detonations_and_not_their_harmless_variants() {
    let mut pack = builtin_rules();
    pack.extend(baseline_rules());
    let rules = RuleSet::new(pack).unwrap();
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/pack_sequences.jsonl"
    ))
    .unwrap();
    let mut failures = Vec::new();
    for line in text.lines() {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let name = case["case"].as_str().unwrap();
        let records: Vec<String> = case["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.to_string())
            .collect();
        let mut matches = Vec::new();
        for record in &records {
            rules.matches(&Event::from_json(record).unwrap(), &mut matches);
        }
        // Records arrive out of order in the logs; the correlator works on event time.
        let mut correlator = Correlator::new(&rules, Duration::hours(1));
        let mut findings = Vec::new();
        for m in matches {
            findings.extend(correlator.push(m).unwrap());
        }
        findings.extend(correlator.finish());
        let found: BTreeSet<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
        for rule in case["expect"].as_array().unwrap() {
            let rule = rule.as_str().unwrap();
            if !found.contains(rule) {
                failures.push(format!("{name}: {rule} found nothing (found {found:?})"));
            }
        }
        for rule in case["absent"].as_array().unwrap() {
            let rule = rule.as_str().unwrap();
            if found.contains(rule) {
                failures.push(format!("{name}: {rule} must not report"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
