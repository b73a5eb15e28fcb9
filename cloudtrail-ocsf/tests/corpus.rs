//! Every record of the project corpus (tests/data/corpus, a link to cloudtrail-model's: real CloudTrail
//! from public sources) maps to a record that validates against each supported OCSF release, or is
//! reported with its reason; none is lost. The negative/ lookalikes (not CloudTrail) are left out.

mod common;

use std::collections::BTreeMap;

use cloudtrail_model::Event;
use cloudtrail_ocsf::{Mapper, MappingOptions, OcsfClass, OcsfVersion, validate};

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
    let records = common::corpus_records();
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
