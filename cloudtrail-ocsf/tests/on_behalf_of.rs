//! The 2026 `onBehalfOf` members (trusted identity propagation: `identityCenterInstanceArn`, `subject`,
//! `subjectType`, `issuer`, `federatedProviderArn`) in both layouts: the flat layout holds each in a typed
//! column, OCSF maps them where the release has a place (`actor.idp.uid`, `actor.idp.issuer` from 1.5.0)
//! and keeps the rest in `unmapped`. Fixtures and provenance: tests/data/on_behalf_of.
//!
//! `UPDATE_GOLDEN=1 cargo test -p cloudtrail-ocsf --test on_behalf_of` rewrites the goldens.

#[cfg(feature = "parquet")]
mod common;

use std::fs;
use std::path::PathBuf;

use cloudtrail_model::Event;
use cloudtrail_ocsf::{Mapper, MappingOptions, OcsfVersion, validate};
use serde_json::Value;

const FIXTURES: &[&str] = &[
    "on-behalf-of-identity-center-path",
    "on-behalf-of-federation-workload",
];

fn testdata() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"))
}

fn fixture(name: &str) -> String {
    let path = testdata().join(format!("on_behalf_of/{name}.json"));
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The fixture's `userIdentity.onBehalfOf` members, as written.
fn on_behalf_of(text: &str) -> serde_json::Map<String, Value> {
    let record: Value = serde_json::from_str(text).unwrap();
    record["userIdentity"]["onBehalfOf"]
        .as_object()
        .unwrap()
        .clone()
}

#[test]
fn ocsf_maps_each_fixture_to_its_golden_at_every_release() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for name in FIXTURES {
        let text = fixture(name);
        let event = Event::from_json(&text).unwrap();
        for version in OcsfVersion::ALL {
            let record = Mapper::new(MappingOptions::for_version(version))
                .map(&event)
                .unwrap_or_else(|e| panic!("{name} at {version}: {e}"));
            let json = record.to_json();
            if let Err(error) = validate(&json, version) {
                panic!("{name} at {version}: {error}");
            }
            let path = testdata().join(format!("golden/{name}_{version}.ocsf.json"));
            if update {
                fs::write(&path, serde_json::to_string_pretty(&json).unwrap() + "\n").unwrap();
            }
            let golden: Value = serde_json::from_str(
                &fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
            )
            .unwrap();
            assert_eq!(json, golden, "{name} at {version}: differs from its golden");
        }
    }
}

#[test]
fn every_on_behalf_of_member_is_mapped_or_kept_in_unmapped() {
    for name in FIXTURES {
        let text = fixture(name);
        let members = on_behalf_of(&text);
        let event = Event::from_json(&text).unwrap();
        for version in OcsfVersion::ALL {
            let record = Mapper::new(MappingOptions::for_version(version))
                .map(&event)
                .unwrap();
            let json = record.to_json();
            let idp = &json["actor"]["idp"];
            // The provider that vouched: the Identity Store, else the IAM SAML/OIDC provider.
            let provider = members
                .get("identityStoreArn")
                .or_else(|| members.get("federatedProviderArn"))
                .unwrap();
            assert_eq!(&idp["uid"], provider, "{name} at {version}: {json}");
            let issuer = &members["issuer"];
            let unmapped_issuer = record
                .unmapped()
                .get("userIdentity.onBehalfOf.issuer")
                .map(String::as_str);
            if version >= OcsfVersion::V1_5_0 {
                assert_eq!(&idp["issuer"], issuer, "{name} at {version}");
                assert_eq!(unmapped_issuer, None, "{name} at {version}");
            } else {
                assert!(idp.get("issuer").is_none(), "{name} at {version}: {json}");
                assert_eq!(unmapped_issuer, issuer.as_str(), "{name} at {version}");
            }
            // What OCSF has no attribute for stays, under its CloudTrail path.
            for member in ["identityCenterInstanceArn", "subject", "subjectType"] {
                let kept = record
                    .unmapped()
                    .get(&format!("userIdentity.onBehalfOf.{member}"))
                    .map(String::as_str);
                assert_eq!(
                    kept,
                    members.get(member).and_then(Value::as_str),
                    "{name} at {version}: {member}"
                );
            }
            // `userId` is the actor's alternate uid (AWS's choice for Identity Center users); without
            // one the session's `principalId` is.
            let record_json: Value = serde_json::from_str(&text).unwrap();
            let uid_alt = members
                .get("userId")
                .unwrap_or(&record_json["userIdentity"]["principalId"]);
            assert_eq!(
                &json["actor"]["user"]["uid_alt"], uid_alt,
                "{name} at {version}"
            );
        }
    }
}

#[cfg(feature = "parquet")]
#[test]
fn the_flat_layout_holds_every_member_in_a_typed_column() {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use cloudtrail_ocsf::flat::{FlatBatchBuilder, OTHER_COLUMN};

    let texts: Vec<String> = FIXTURES.iter().map(|name| fixture(name)).collect();
    let events: Vec<Event<'_>> = texts.iter().map(|t| Event::from_json(t).unwrap()).collect();
    let mut builder = FlatBatchBuilder::new();
    for event in &events {
        builder.push(event).unwrap();
    }
    let batch = builder.finish().unwrap();
    let identity = batch.column_by_name("userIdentity").unwrap().as_struct();
    let columns = identity.column_by_name("onBehalfOf").unwrap().as_struct();
    for (row, (name, text)) in FIXTURES.iter().zip(&texts).enumerate() {
        let expected: Value = serde_json::from_str(text).unwrap();
        assert_eq!(common::rebuild(&batch, row), expected, "{name}");
        assert!(
            batch.column_by_name(OTHER_COLUMN).unwrap().is_null(row),
            "{name}: a member needed _other"
        );
        for (member, value) in on_behalf_of(text) {
            let column = columns
                .column_by_name(&member)
                .unwrap_or_else(|| panic!("{name}: no column for onBehalfOf.{member}"))
                .as_string::<i32>();
            assert_eq!(Some(column.value(row)), value.as_str(), "{name}: {member}");
        }
    }
}
