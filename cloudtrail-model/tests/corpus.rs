//! Every record of the project corpus (tests/data/corpus, real CloudTrail from public sources; provenance in
//! tests/data/corpus/SOURCES.md) parses and serialises back to JSON equal to its input.

mod common;

use std::fs;

use cloudtrail_model::{Event, Lookalike};
use common::{corpus_dir, corpus_files, records};
use serde_json::Value;

fn assert_round_trip(file: &str, index: usize, text: &str) -> Event<'static> {
    let event = Event::from_json(text).unwrap_or_else(|e| panic!("{file}:{index}: {e}"));
    let expected: Value = serde_json::from_str(text).unwrap();
    let actual = serde_json::to_value(&event).unwrap();
    assert_eq!(
        actual, expected,
        "{file}:{index}: borrowed round trip differs"
    );
    let owned = event.into_owned();
    assert_eq!(
        serde_json::to_value(&owned).unwrap(),
        expected,
        "{file}:{index}: owned round trip differs"
    );
    // Serialising to text and parsing again gives the same record.
    let again = serde_json::to_string(&owned).unwrap();
    let reparsed = Event::from_json(&again).unwrap().into_owned();
    assert_eq!(reparsed, owned, "{file}:{index}: reparse differs");
    owned
}

#[test]
fn every_corpus_record_parses_and_round_trips() {
    let mut total = 0;
    for file in corpus_files() {
        for (index, text) in records(&file).iter().enumerate() {
            assert_round_trip(&file, index, text);
            total += 1;
        }
    }
    // 708 records in the plain files, 476 Panther test events (panther_expectations.jsonl, Panther keys
    // kept) and 26 EventBridge envelope details.
    assert_eq!(
        total,
        708 + 476 + 26,
        "corpus size changed: update this count deliberately"
    );
}

#[test]
fn the_lookalikes_parse_but_are_recognised() {
    let dir = corpus_dir().join("negative");
    let mut seen = Vec::new();
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        for line in fs::read_to_string(&path)
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty())
        {
            let event = Event::from_json(line).unwrap();
            seen.push(event.lookalike());
            assert_eq!(
                serde_json::to_value(&event).unwrap(),
                serde_json::from_str::<Value>(line).unwrap()
            );
        }
    }
    assert_eq!(
        seen.iter()
            .filter(|l| **l == Some(Lookalike::AlibabaActionTrail))
            .count(),
        4
    );
    assert_eq!(
        seen.iter()
            .filter(|l| **l == Some(Lookalike::S3EventNotification))
            .count(),
        1
    );
    for file in corpus_files() {
        for (index, text) in records(&file).iter().enumerate() {
            let event = Event::from_json(text).unwrap();
            assert_eq!(
                event.lookalike(),
                None,
                "{file}:{index} taken for a lookalike"
            );
        }
    }
}

#[test]
fn placeholders_parse_and_report_their_oddities() {
    let records = records("streamalert-placeholders.jsonl");
    assert_eq!(records.len(), 53);
    let mut unreadable_times = 0;
    for text in &records {
        let event = Event::from_json(text).unwrap();
        if event.event_time.is_some() && event.event_time().is_none() {
            unreadable_times += 1;
            assert!(
                event.anomalies().iter().any(|a| a.path == "eventTime"),
                "{text}"
            );
        }
    }
    // 13 placeholder records write `"eventTime": "..."` and one `"eventTime": "eventTime"`.
    assert_eq!(unreadable_times, 14);
}

#[test]
fn digests_are_objects_but_not_records() {
    for entry in fs::read_dir(corpus_dir().join("digests")).unwrap() {
        let text = fs::read_to_string(entry.unwrap().path()).unwrap();
        let event = Event::from_json(&text).unwrap();
        // A digest has none of a record's members: everything lands in `other`.
        assert!(event.event_time.is_none() && event.event_name.is_none());
        assert!(event.other.iter().any(|(key, _)| key == "digestStartTime"));
    }
}

#[test]
fn raw_and_export_oddities_are_kept_and_reported() {
    let mut paths = std::collections::BTreeSet::new();
    for file in corpus_files() {
        for text in records(&file) {
            for anomaly in Event::from_json(&text).unwrap().anomalies() {
                paths.insert(format!(
                    "{}: {:?}",
                    anomaly.path.split('[').next().unwrap(),
                    std::mem::discriminant(&anomaly.kind)
                ));
            }
        }
    }
    let text = paths.into_iter().collect::<Vec<_>>().join("\n");
    // Documented in ODDITIES.md: non-ISO and placeholder times, booleans as strings, JSON-as-string
    // payloads, the docs' spellings of eventType.
    for expected in [
        "eventTime",
        "readOnly",
        "requestParameters",
        "eventType",
        "resources",
        "userIdentity.sessionContext.attributes.mfaAuthenticated",
    ] {
        assert!(text.contains(expected), "no anomaly at {expected}:\n{text}");
    }
}
