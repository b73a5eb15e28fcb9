//! Every record of the project corpus (testdata/corpus, real CloudTrail from public sources) maps to a
//! record that validates against each supported OCSF release, or is reported with its reason; none is
//! lost. The negative/ lookalikes (not CloudTrail) are left out.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use cloudtrail_model::Event;
use cloudtrail_ocsf::{Mapper, MappingOptions, OcsfClass, OcsfVersion, validate};
use serde_json::value::RawValue;

fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/corpus"))
}

/// Every record as JSON text: a line, or the record inside a Panther test (`event`) or an EventBridge
/// envelope (`detail`), as the model's corpus test reads them.
fn corpus() -> Vec<(String, String)> {
    let mut files: Vec<String> = fs::read_dir(corpus_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".jsonl"))
        .collect();
    files.sort();
    let mut records = Vec::new();
    for file in files {
        let text = fs::read_to_string(corpus_dir().join(&file)).unwrap();
        let wrapper = match file.as_str() {
            "panther_expectations.jsonl" => Some("event"),
            "eventbridge-envelopes.jsonl" => Some("detail"),
            _ => None,
        };
        for (index, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
            let record = match wrapper {
                Some(key) => {
                    let members: BTreeMap<String, &RawValue> = serde_json::from_str(line).unwrap();
                    members[key].get().to_owned()
                }
                None => line.to_owned(),
            };
            records.push((format!("{file}:{index}"), record));
        }
    }
    records
}

/// What happened to the corpus at one release.
#[derive(Debug, Default, PartialEq)]
struct Outcome {
    mapped: BTreeMap<OcsfClass, usize>,
    reported: BTreeMap<&'static str, usize>,
}

fn run(version: OcsfVersion, records: &[(String, String)]) -> Outcome {
    let mapper = Mapper::new(MappingOptions::for_version(version));
    let mut outcome = Outcome::default();
    let mut invalid = Vec::new();
    for (place, text) in records {
        let event = Event::from_json(text).unwrap_or_else(|e| panic!("{place}: {e}"));
        match mapper.map(&event) {
            Ok(record) => {
                *outcome.mapped.entry(record.class()).or_default() += 1;
                if let Err(error) = validate(&record.to_json(), version) {
                    invalid.push(format!("{place}: {error}"));
                }
            }
            Err(error) => {
                // A reason names the record it is about.
                assert!(error.to_string().contains("record"), "{place}: {error}");
                *outcome.reported.entry(error.reason()).or_default() += 1;
            }
        }
    }
    assert!(
        invalid.is_empty(),
        "{} of {} records invalid at {version}:\n{}",
        invalid.len(),
        records.len(),
        invalid[..invalid.len().min(25)].join("\n")
    );
    outcome
}

#[test]
fn every_corpus_record_validates_at_every_release_or_is_reported() {
    let records = corpus();
    assert_eq!(records.len(), 708 + 476 + 26, "corpus size changed");
    let mut outcomes = Vec::new();
    for version in OcsfVersion::ALL {
        let outcome = run(version, &records);
        let mapped: usize = outcome.mapped.values().sum();
        let reported: usize = outcome.reported.values().sum();
        assert_eq!(mapped + reported, records.len(), "{version}: records lost");
        outcomes.push(outcome);
    }
    // The class and the reasons do not depend on the release.
    assert!(
        outcomes.windows(2).all(|pair| pair[0] == pair[1]),
        "{outcomes:?}"
    );
    // Counted deliberately: update when the corpus or the mapping changes. Reported records are those
    // OCSF cannot hold: no or unreadable eventTime (Panther fixtures, placeholders), no eventName,
    // Insights, API calls with no source address or no identifiable actor.
    let expected = Outcome {
        mapped: BTreeMap::from([
            (OcsfClass::AccountChange, 103),
            (OcsfClass::Authentication, 118),
            (OcsfClass::ApiActivity, 873),
        ]),
        reported: BTreeMap::from([
            ("bad_event_time", 28),
            ("insight", 5),
            ("missing_actor", 5),
            ("missing_event_name", 20),
            ("missing_event_time", 35),
            ("missing_source", 23),
        ]),
    };
    assert_eq!(outcomes[0], expected);
}
