//! The CloudTrail → OCSF sample pairs of ocsf/examples (tests/data/samples, provenance in
//! tests/data/README.md): each input maps exactly to its golden (tests/data/golden), the sample
//! output with its defects fixed, and every golden validates against its release.
//!
//! `UPDATE_GOLDEN=1 cargo test -p cloudtrail-ocsf --test golden` rewrites the goldens from the mapper;
//! review the diff against the samples (README.md lists each deliberate difference).

use std::fs;
use std::path::PathBuf;

use cloudtrail_model::Event;
use cloudtrail_ocsf::{Mapper, MappingOptions, OcsfVersion, validate};
use serde_json::Value;

fn testdata() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"))
}

/// The pairs with a CloudTrail input, and the release each targets.
const PAIRS: &[(&str, OcsfVersion)] = &[
    ("md_1.1.0_account_change", OcsfVersion::V1_1_0),
    ("md_1.1.0_api_activity", OcsfVersion::V1_1_0),
    ("md_1.1.0_authentication", OcsfVersion::V1_1_0),
    ("md_1.5.0_account_change", OcsfVersion::V1_5_0),
    ("md_1.5.0_api_activity", OcsfVersion::V1_5_0),
    ("md_1.5.0_authentication", OcsfVersion::V1_5_0),
    ("blobl_1.1.0_account_change", OcsfVersion::V1_1_0),
    ("blobl_1.1.0_api_activity", OcsfVersion::V1_1_0),
    ("blobl_1.1.0_authentication", OcsfVersion::V1_1_0),
];

fn mapped(name: &str, version: OcsfVersion) -> Value {
    let input = fs::read_to_string(testdata().join(format!("samples/{name}.cloudtrail.json")))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let event = Event::from_json(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
    Mapper::new(MappingOptions::for_version(version))
        .map(&event)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .to_json()
}

#[test]
fn every_sample_maps_to_its_golden() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for (name, version) in PAIRS {
        let actual = mapped(name, *version);
        let path = testdata().join(format!("golden/{name}.ocsf.json"));
        if update {
            let text = serde_json::to_string_pretty(&actual).unwrap() + "\n";
            fs::write(&path, text).unwrap();
        }
        let expected: Value = serde_json::from_str(
            &fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        )
        .unwrap();
        assert_eq!(actual, expected, "{name}: mapping differs from its golden");
    }
}

#[test]
fn every_golden_validates_against_its_release() {
    for (name, version) in PAIRS {
        let path = testdata().join(format!("golden/{name}.ocsf.json"));
        let golden: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        if let Err(error) = validate(&golden, *version) {
            panic!("{name}: {error}");
        }
    }
}

#[test]
fn the_samples_defects_are_caught_by_the_validator() {
    // VALIDATION_NOTES.txt lists what is wrong with the published outputs; the validator must see it.
    let cases: &[(&str, OcsfVersion, &str)] = &[
        (
            "blobl_1.1.0_api_activity",
            OcsfVersion::V1_1_0,
            "actor.idp.name: explicit null",
        ),
        (
            "blobl_1.1.0_authentication",
            OcsfVersion::V1_1_0,
            "session.expiration_time: explicit null",
        ),
        (
            "blobl_1.1.0_account_change",
            OcsfVersion::V1_1_0,
            "observables[0].type: type is \"User\", expected the caption \"User Name\"",
        ),
    ];
    for (name, version, expected) in cases {
        let path = testdata().join(format!("samples/{name}.ocsf.json"));
        let sample: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let error = validate(&sample, *version).expect_err(name);
        let text = error.to_string();
        assert!(text.contains(expected), "{name}: {text}");
    }
}

#[test]
fn the_rc2_sample_inputs_map_and_validate_at_every_release() {
    // Their outputs target OCSF 1.0.0-rc.2, which this crate does not produce; the inputs still must map.
    for kind in ["account_change", "api_activity", "authentication"] {
        let name = format!("md_1.0.0-rc.2_{kind}");
        for version in OcsfVersion::ALL {
            let record = mapped(&name, version);
            if let Err(error) = validate(&record, version) {
                panic!("{name} at {version}: {error}");
            }
        }
    }
}
