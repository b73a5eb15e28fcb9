//! OCSF Arrow batches: every corpus and sample record of each class, at each release, fits its class's
//! Arrow schema in arrow_json's strict mode (no member outside the schema), and the schema is the same
//! whatever a batch holds.
#![cfg(feature = "parquet")]

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, TimestampMillisecondType};
use cloudtrail_model::Event;
use cloudtrail_ocsf::{
    Mapper, MappingOptions, OcsfArrowError, OcsfBatchBuilder, OcsfClass, OcsfVersion,
    ocsf_arrow_schema,
};
use serde_json::value::RawValue;

fn testdata() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"))
}

/// The corpus records (as the corpus test reads them) and the sample inputs.
fn records() -> Vec<String> {
    let mut records = Vec::new();
    let mut files: Vec<PathBuf> = fs::read_dir(testdata().join("corpus"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for line in fs::read_to_string(&path).unwrap().lines() {
            if line.trim().is_empty() {
                continue;
            }
            let key = match name.as_str() {
                "panther_expectations.jsonl" => "event",
                "eventbridge-envelopes.jsonl" => "detail",
                _ => {
                    records.push(line.to_owned());
                    continue;
                }
            };
            let members: BTreeMap<String, &RawValue> = serde_json::from_str(line).unwrap();
            records.push(members[key].get().to_owned());
        }
    }
    for entry in fs::read_dir(testdata().join("samples")).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".cloudtrail.json") {
            records.push(fs::read_to_string(path).unwrap());
        }
    }
    // The 2026 `onBehalfOf` shapes, whose issuer fills `actor.idp.issuer` from 1.5.0.
    let mut shapes: Vec<PathBuf> = fs::read_dir(testdata().join("on_behalf_of"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    shapes.sort();
    assert_eq!(shapes.len(), 2, "{shapes:?}");
    for path in shapes {
        records.push(fs::read_to_string(path).unwrap());
    }
    records
}

#[test]
fn every_record_fits_its_class_schema_at_every_release() {
    let texts = records();
    let events: Vec<Event<'_>> = texts.iter().map(|t| Event::from_json(t).unwrap()).collect();
    for version in OcsfVersion::ALL {
        let mapper = Mapper::new(MappingOptions::for_version(version));
        let mut builders: BTreeMap<OcsfClass, OcsfBatchBuilder> = OcsfClass::ALL
            .into_iter()
            .map(|class| (class, OcsfBatchBuilder::new(class, version)))
            .collect();
        let mut times: BTreeMap<OcsfClass, Vec<i64>> = BTreeMap::new();
        for event in &events {
            let Ok(record) = mapper.map(event) else {
                continue;
            };
            let builder = builders.get_mut(&record.class()).unwrap();
            builder
                .push(&record)
                .unwrap_or_else(|e| panic!("{version}: {e}"));
            times.entry(record.class()).or_default().push(record.time());
        }
        for (class, builder) in &mut builders {
            let expected = times.remove(class).unwrap_or_default();
            assert!(!expected.is_empty(), "{class} at {version}: no records");
            assert_eq!(builder.len(), expected.len());
            let batch = builder.finish().unwrap();
            assert!(builder.is_empty());
            assert_eq!(batch.schema(), ocsf_arrow_schema(*class, version));
            assert_eq!(batch.num_rows(), expected.len());
            let column = batch.column_by_name("time").unwrap();
            let written: Vec<i64> = column.as_primitive::<Int64Type>().values().to_vec();
            assert_eq!(written, expected, "{class} at {version}: times");
            let time_dt = batch.column_by_name("time_dt").unwrap();
            let written_dt: Vec<i64> = time_dt
                .as_primitive::<TimestampMillisecondType>()
                .values()
                .to_vec();
            assert_eq!(written_dt, expected, "{class} at {version}: time_dt");
            // A reused builder gives an empty batch of the same schema.
            let empty = builder.finish().unwrap();
            assert_eq!(empty.num_rows(), 0);
            assert_eq!(empty.schema(), batch.schema());
        }
    }
}

#[test]
fn json_data_is_text_and_unmapped_a_map() {
    let text =
        fs::read_to_string(testdata().join("samples/md_1.1.0_account_change.cloudtrail.json"))
            .unwrap();
    let event = Event::from_json(&text).unwrap();
    let record = Mapper::new(MappingOptions::default()).map(&event).unwrap();
    let mut builder = OcsfBatchBuilder::new(OcsfClass::AccountChange, OcsfVersion::V1_1_0);
    builder.push(&record).unwrap();
    let batch = builder.finish().unwrap();
    let api = batch.column_by_name("api").unwrap().as_struct();
    let request = api.column_by_name("request").unwrap().as_struct();
    let data = request.column_by_name("data").unwrap().as_string::<i32>();
    let parsed: serde_json::Value = serde_json::from_str(data.value(0)).unwrap();
    assert_eq!(parsed, serde_json::json!({"userName": "test_user2"}));
    let unmapped = batch.column_by_name("unmapped").unwrap().as_map();
    let entries = unmapped.value(0);
    let keys = entries.column(0).as_string::<i32>();
    let values = entries.column(1).as_string::<i32>();
    let found: BTreeMap<&str, &str> = (0..keys.len())
        .map(|i| (keys.value(i), values.value(i)))
        .collect();
    assert_eq!(found.get("recipientAccountId"), Some(&"112233445566"));
    assert_eq!(found.len(), record.unmapped().len());
}

#[test]
fn a_record_of_another_class_or_release_is_refused() {
    let text = fs::read_to_string(testdata().join("samples/md_1.1.0_api_activity.cloudtrail.json"))
        .unwrap();
    let event = Event::from_json(&text).unwrap();
    let record = Mapper::new(MappingOptions::default()).map(&event).unwrap();
    let mut builder = OcsfBatchBuilder::new(OcsfClass::Authentication, OcsfVersion::V1_1_0);
    assert!(matches!(
        builder.push(&record),
        Err(OcsfArrowError::ClassMismatch { .. })
    ));
    let mut builder = OcsfBatchBuilder::new(OcsfClass::ApiActivity, OcsfVersion::V1_8_0);
    assert!(matches!(
        builder.push(&record),
        Err(OcsfArrowError::VersionMismatch { .. })
    ));
    assert!(builder.is_empty());
}
