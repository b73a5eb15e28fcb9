//! Every built-in rule on its positive and negative fixtures (tests/data/pack/<family>.jsonl).

use std::collections::BTreeSet;

use cloudtrail_detect::{Rule, RuleSet, baseline_rules, builtin_rules};
use cloudtrail_model::Event;

/// The built-in pack and the baseline rules, whose fixtures live beside the pack's.
fn every_rule() -> Vec<Rule> {
    let mut rules = builtin_rules();
    rules.extend(baseline_rules());
    rules
}

/// Every fixture line of `tests/data/pack/*.jsonl`, with the file it came from.
fn fixture_lines() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pack");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixture files in {dir}");
    let mut lines = Vec::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for line in std::fs::read_to_string(&file).unwrap().lines() {
            lines.push((name.clone(), line.to_owned()));
        }
    }
    lines
}

#[test]
fn every_rule_matches_its_positives_and_not_its_negatives() {
    let rules = RuleSet::new(every_rule()).unwrap();
    let mut positives = BTreeSet::new();
    let mut negatives = BTreeSet::new();
    let mut failures = Vec::new();
    for (file, line) in fixture_lines() {
        let fixture: serde_json::Value = serde_json::from_str(&line).unwrap();
        let rule = fixture["rule"].as_str().unwrap();
        let expected = fixture["expected"].as_bool().unwrap();
        let record = fixture["event"].to_string();
        let event = Event::from_json(&record).unwrap();
        let mut matches = Vec::new();
        rules.matches(&event, &mut matches);
        let matched = matches.iter().any(|m| rules.rules()[m.rule].id == rule);
        if matched != expected {
            failures.push(format!(
                "{file}: {rule}: {} (expected {expected})",
                fixture["name"]
            ));
        }
        if expected {
            positives.insert(rule.to_owned());
            // The explanation names the tests that held with real values (a positive that did not match
            // is reported with the other failures above).
            if let Some(m) = matches.iter().find(|m| rules.rules()[m.rule].id == rule) {
                assert!(
                    !m.evidence.is_empty() && m.evidence.iter().all(|e| !e.test.is_empty()),
                    "{rule}: {:?}",
                    m.evidence
                );
            }
        } else {
            negatives.insert(rule.to_owned());
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    let all: BTreeSet<String> = rules.rules().iter().map(|r| r.id.clone()).collect();
    assert_eq!(positives, all, "rules without a positive fixture");
    assert_eq!(negatives, all, "rules without a negative fixture");
}

#[test]
fn rules_carry_metadata() {
    for rule in every_rule() {
        assert!(
            rule.id.starts_with("aws-") && !rule.title.is_empty(),
            "{}",
            rule.id
        );
        if rule.id != "aws-suspicious-user-agent" {
            assert!(
                !rule.mitre.is_empty(),
                "{} has no ATT&CK reference",
                rule.id
            );
        }
        for mitre in &rule.mitre {
            assert!(
                mitre.tactic.starts_with("TA") && mitre.technique.starts_with('T'),
                "{}: {mitre:?}",
                rule.id
            );
        }
    }
    let tampering = builtin_rules()
        .into_iter()
        .find(|r| r.id == "aws-cloudtrail-tampering")
        .unwrap();
    let versions: Vec<(&str, &str)> = tampering
        .mitre
        .iter()
        .map(|m| (m.technique.as_str(), m.attack_version.as_str()))
        .collect();
    assert_eq!(versions, [("T1562.008", "18"), ("T1685.002", "19")]);
}

#[test]
fn most_rules_are_indexed_by_event_name() {
    let rules = RuleSet::new(builtin_rules()).unwrap();
    // Only these name no event: the user-agent rules, the VPC endpoint rule, root activity and root keys,
    // instance credentials used off the instance, the enumeration and permission-error bursts, and
    // workload-identity writes (which test the typed `onBehalfOf.subjectType` first, absent from most
    // records). The baseline rules, which test every call, are not in the pack (`baseline_rules`).
    assert_eq!(rules.unindexed(), 11);
    assert!(
        RuleSet::new(baseline_rules()).unwrap().unindexed() == baseline_rules().len(),
        "the baseline rules test every call a principal makes itself"
    );
}
