//! The 57 SigmaHQ CloudTrail rules (tests/data/sigma/rules, DRL 1.1): all load, and each fires on the
//! positive fixtures written from its own selection and on none of its negative ones.
#![cfg(feature = "sigma")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use cloudtrail_detect::RuleSet;
use cloudtrail_detect::sigma::SigmaLoader;
use cloudtrail_model::Event;

fn testdata(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/sigma")
        .join(path)
}

fn sigmahq() -> RuleSet {
    let mut loader = SigmaLoader::new();
    assert_eq!(loader.add_path(testdata("rules")), 57);
    let loaded = loader.compile();
    let failures: Vec<String> = loaded.failures.iter().map(ToString::to_string).collect();
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(loaded.rules.len(), 57);
    RuleSet::new(loaded.rules).unwrap()
}

#[test]
fn every_sigmahq_rule_loads_with_its_metadata() {
    let rules = sigmahq();
    for rule in rules.rules() {
        assert!(!rule.title.is_empty(), "{}", rule.id);
        assert_eq!(rule.id.len(), 36, "a SigmaHQ id is a UUID: {}", rule.id);
        assert!(rule.tags.iter().any(|t| t == "sigma"));
        assert!(
            rule.tags.iter().any(|t| t.starts_with("attack.")),
            "{}",
            rule.id
        );
        assert!(!rule.mitre.is_empty(), "{} has ATT&CK tags", rule.id);
    }
    // Every rule names its event names, so the index keeps each record to a few rules.
    // The five that are not: TruffleHog and root usage (by user agent and identity type), assumed-role
    // misuse, IMDS credentials (a regex on the ARN) and Lambda layers (an event-name prefix).
    assert_eq!(rules.unindexed(), 5);
}

#[test]
fn each_rule_fires_on_its_positives_and_not_on_its_negatives() {
    let rules = sigmahq();
    let ids: BTreeMap<&str, usize> = rules
        .rules()
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let text = std::fs::read_to_string(testdata("fixtures.jsonl")).unwrap();
    let mut seen: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut wrong = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let fixture: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = fixture["id"].as_str().unwrap();
        let expect = fixture["expect"].as_bool().unwrap();
        let record = serde_json::to_string(&fixture["record"]).unwrap();
        let event = Event::from_json(&record).unwrap();
        let mut matches = Vec::new();
        rules.matches(&event, &mut matches);
        let rule = *ids
            .get(id)
            .unwrap_or_else(|| panic!("fixture for unknown rule {id}"));
        let fired = matches.iter().any(|m| m.rule == rule);
        if fired != expect {
            wrong.push(format!(
                "{} ({}): expected {}, {}",
                fixture["rule"], fixture["note"], expect, fired
            ));
        }
        if fired {
            let m = matches.iter().find(|m| m.rule == rule).unwrap();
            assert!(!m.evidence.is_empty(), "{id}: a match explains itself");
        }
        let counts = seen.entry(id.to_owned()).or_default();
        if expect { counts.0 += 1 } else { counts.1 += 1 }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    let missing: BTreeSet<&str> = ids
        .keys()
        .filter(|id| !seen.get(**id).is_some_and(|(p, n)| *p > 0 && *n > 0))
        .copied()
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a positive and a negative fixture: {missing:?}"
    );
}
