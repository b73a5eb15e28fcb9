//! Runs the built-in rule pack and the correlator over arbitrary records: no panic, every match names a
//! rule of the set, and every finding's events were matched.
#![no_main]

use std::sync::OnceLock;

use chrono::Duration;
use cloudtrail_detect::{Correlator, RuleSet, builtin_rules};
use cloudtrail_model::Event;
use libfuzzer_sys::fuzz_target;

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::new(builtin_rules()).expect("the built-in pack is valid"))
}

fuzz_target!(|data: &[u8]| {
    let rules = rules();
    let mut matches = Vec::new();
    // The input as JSON Lines: each line one record, so one input exercises correlation too.
    for line in data.split(|b| *b == b'\n') {
        if let Ok(event) = Event::from_slice(line) {
            rules.matches(&event, &mut matches);
        }
    }
    let matched: std::collections::HashSet<String> = matches.iter().map(|m| m.event_id.clone()).collect();
    assert!(matches.iter().all(|m| m.rule < rules.rules().len()));
    let mut correlator = Correlator::new(rules, Duration::minutes(10));
    let mut findings = Vec::new();
    for m in matches {
        findings.extend(correlator.push(m).unwrap());
    }
    findings.extend(correlator.finish());
    for finding in findings {
        assert!(finding.events >= 1);
        assert!(finding.event_ids.iter().all(|id| matched.contains(id)));
    }
});
