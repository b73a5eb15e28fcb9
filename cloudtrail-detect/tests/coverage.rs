//! The Stratus Red Team coverage table, built from the pack itself: each Stratus AWS technique
//! (tests/data/stratus_aws_techniques.tsv), the built-in rules whose `stratus:` tags name it, their ATT&CK
//! ids, and the positive fixtures of those rules (tests/data/pack/*.jsonl).
//!
//! The test fails when a technique that leaves CloudTrail evidence has no rule, or none of its rules has a
//! positive fixture, when a rule names a technique the list does not know, and when the committed table
//! (COVERAGE.md, included in the crate docs) differs from the generated one. `UPDATE_GOLDEN=1` rewrites
//! COVERAGE.md.

use std::collections::{BTreeMap, BTreeSet};

use cloudtrail_detect::builtin_rules;

const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// One technique of the list.
struct Technique {
    id: String,
    name: String,
    evidence: String,
}

fn techniques() -> Vec<Technique> {
    let text =
        std::fs::read_to_string(format!("{DIR}/tests/data/stratus_aws_techniques.tsv")).unwrap();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    assert_eq!(
        lines
            .next()
            .unwrap()
            .split('\t')
            .take(3)
            .collect::<Vec<_>>(),
        ["technique", "name", "evidence"]
    );
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            assert!(cells.len() >= 3, "short line: {line}");
            assert!(
                ["management", "data", "none"].contains(&cells[2]),
                "{}: evidence {:?}",
                cells[0],
                cells[2]
            );
            Technique {
                id: cells[0].to_owned(),
                name: cells[1].to_owned(),
                evidence: cells[2].to_owned(),
            }
        })
        .collect()
}

/// Positive fixture names per rule id, as `<file stem>: <name>`.
fn positive_fixtures() -> BTreeMap<String, Vec<String>> {
    let dir = format!("{DIR}/tests/data/pack");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut positives: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in files {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        for line in std::fs::read_to_string(&file).unwrap().lines() {
            let fixture: serde_json::Value = serde_json::from_str(line).unwrap();
            if fixture["expected"].as_bool().unwrap() {
                positives
                    .entry(fixture["rule"].as_str().unwrap().to_owned())
                    .or_default()
                    .push(format!("{stem}: {}", fixture["name"].as_str().unwrap()));
            }
        }
    }
    positives
}

/// Text made safe for a markdown table cell (and for rustdoc, which renders the table).
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\|*_<>[]`#".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The table, and the techniques with evidence that no rule with a positive fixture covers.
fn table() -> (String, Vec<String>) {
    let techniques = techniques();
    let known: BTreeSet<&str> = techniques.iter().map(|t| t.id.as_str()).collect();
    let positives = positive_fixtures();
    let mut by_technique: BTreeMap<String, Vec<(String, Vec<String>)>> = BTreeMap::new();
    for rule in builtin_rules() {
        let attack: BTreeSet<String> = rule.mitre.iter().map(|m| m.technique.clone()).collect();
        for tag in &rule.tags {
            if let Some(technique) = tag.strip_prefix("stratus:") {
                assert!(
                    known.contains(technique),
                    "{} names {technique}, which is not in stratus_aws_techniques.tsv",
                    rule.id
                );
                by_technique
                    .entry(technique.to_owned())
                    .or_default()
                    .push((rule.id.clone(), attack.iter().cloned().collect()));
            }
        }
    }
    let mut missing = Vec::new();
    let mut rows = Vec::new();
    let with_evidence = techniques.iter().filter(|t| t.evidence != "none").count();
    for technique in &techniques {
        let rules = by_technique
            .get(&technique.id)
            .map_or(&[][..], Vec::as_slice);
        let fixtures: Vec<String> = rules
            .iter()
            .flat_map(|(id, _)| {
                positives
                    .get(id)
                    .into_iter()
                    .flatten()
                    .map(move |f| format!("{id} ({f})"))
            })
            .collect();
        if technique.evidence != "none" && fixtures.is_empty() {
            missing.push(technique.id.clone());
        }
        let attack: BTreeSet<&str> = rules
            .iter()
            .flat_map(|(_, ids)| ids.iter().map(String::as_str))
            .collect();
        let join = |items: Vec<String>| {
            if items.is_empty() {
                "none".to_owned()
            } else {
                items.join("; ")
            }
        };
        rows.push(format!(
            "| {} | {} | {} | {} | {} | {} |",
            cell(&technique.id),
            cell(&technique.name),
            technique.evidence,
            join(rules.iter().map(|(id, _)| cell(id)).collect()),
            join(attack.iter().map(|id| cell(id)).collect()),
            join(fixtures.iter().map(|f| cell(f)).collect()),
        ));
    }
    let mut out = String::new();
    out.push_str("# Stratus Red Team coverage\n\n");
    out.push_str(
        "Generated by `tests/coverage.rs` from the built-in rules' `stratus:` tags and ATT&CK ids and from \
         their positive fixtures (`tests/data/pack/`); the techniques and the CloudTrail evidence each leaves are \
         in `tests/data/stratus_aws_techniques.tsv` (Stratus Red Team, Apache-2.0). Evidence \"data\" means S3 \
         data events, logged only by trails that record them.\n\n",
    );
    out.push_str(&format!(
        "{} of {} techniques with CloudTrail evidence have a rule with a positive fixture.\n\n",
        with_evidence - missing.len(),
        with_evidence
    ));
    out.push_str("| Stratus technique | name | evidence | rules | ATT&CK | positive fixtures (rule, file: name) |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for row in rows {
        out.push_str(&row);
        out.push('\n');
    }
    (out, missing)
}

#[test]
fn every_stratus_technique_with_evidence_has_a_rule_and_the_table_is_current() {
    let (generated, missing) = table();
    let path = format!("{DIR}/COVERAGE.md");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        println!("{generated}");
    }
    assert!(
        committed == generated,
        "COVERAGE.md differs from the table the pack generates (printed above); rerun with UPDATE_GOLDEN=1 to update it"
    );
    assert!(
        missing.is_empty(),
        "{} Stratus techniques with CloudTrail evidence have no rule with a positive fixture:\n  {}",
        missing.len(),
        missing.join("\n  ")
    );
}
