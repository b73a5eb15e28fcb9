//! The flat layout holds every record whole: every corpus record and generated records go into a batch,
//! and each row rebuilt by the rule the `flat` module documents equals the input record as JSON.
#![cfg(feature = "parquet")]

mod common;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::TimestampMillisecondType;
use cloudtrail_model::Event;
use cloudtrail_ocsf::flat::{FlatBatchBuilder, OTHER_COLUMN, flat_schema};
use cloudtrail_synthetic::{GeneratorConfig, records};
use proptest::prelude::*;
use serde_json::Value;

/// Pushes every record into one builder and checks each row against its input.
fn assert_rows_rebuild(records: &[(String, String)]) -> arrow_array::RecordBatch {
    let events: Vec<Event<'_>> = records
        .iter()
        .map(|(place, text)| Event::from_json(text).unwrap_or_else(|e| panic!("{place}: {e}")))
        .collect();
    let mut builder = FlatBatchBuilder::new();
    for event in &events {
        builder.push(event).unwrap();
    }
    assert_eq!(builder.len(), records.len());
    let batch = builder.finish().unwrap();
    assert!(builder.is_empty());
    assert_eq!(batch.schema(), flat_schema());
    assert_eq!(batch.num_rows(), records.len());
    for (row, (place, text)) in records.iter().enumerate() {
        let expected: Value = serde_json::from_str(text).unwrap();
        let actual = common::rebuild(&batch, row);
        assert_eq!(
            actual, expected,
            "{place}: the flat row does not rebuild the record"
        );
    }
    batch
}

#[test]
fn every_corpus_record_rebuilds_from_its_row() {
    let records = common::corpus_records();
    // The model's corpus test counts the same records (708 plain, 476 Panther, 26 EventBridge).
    assert_eq!(records.len(), 1210);
    let batch = assert_rows_rebuild(&records);
    // Panther's test events and EventBridge envelopes are exports (odd time forms, lower-case keys, `p_`
    // members): many need `_other`. Few of the other records do (documentation samples with odd members).
    let other = batch.column_by_name(OTHER_COLUMN).unwrap();
    let is_export = |place: &str| place.starts_with("panther") || place.starts_with("eventbridge");
    let (mut raw, mut raw_with_other, mut export_with_other) = (0, 0, 0);
    for (row, (place, _)) in records.iter().enumerate() {
        match (is_export(place), other.is_valid(row)) {
            (false, has_other) => {
                raw += 1;
                raw_with_other += usize::from(has_other);
            }
            (true, has_other) => export_with_other += usize::from(has_other),
        }
    }
    assert!(export_with_other > 0, "no exported record needed _other");
    assert!(
        raw_with_other * 10 < raw,
        "{raw_with_other} of {raw} raw records needed _other"
    );
}

#[test]
fn typed_columns_hold_the_values() {
    let text = r#"{"eventVersion":"1.08","eventTime":"2024-05-01T12:00:00Z","eventName":"GetObject",
        "readOnly":true,"userIdentity":{"type":"AssumedRole","accountId":"012345678901",
        "sessionContext":{"attributes":{"mfaAuthenticated":"false","creationDate":"2024-05-01T11:00:00Z"}}},
        "requestParameters":{"bucketName":"b"},"responseElements":null,
        "resources":[{"ARN":"arn:aws:s3:::b","type":"AWS::S3::Bucket"}]}"#;
    let event = Event::from_json(text).unwrap();
    let mut builder = FlatBatchBuilder::new();
    builder.push(&event).unwrap();
    let batch = builder.finish().unwrap();
    let time = batch.column_by_name("eventTime").unwrap();
    assert_eq!(
        time.as_primitive::<TimestampMillisecondType>().value(0),
        1_714_564_800_000
    );
    let identity = batch.column_by_name("userIdentity").unwrap().as_struct();
    let account = identity
        .column_by_name("accountId")
        .unwrap()
        .as_string::<i32>();
    assert_eq!(account.value(0), "012345678901");
    let session = identity
        .column_by_name("sessionContext")
        .unwrap()
        .as_struct();
    let attributes = session.column_by_name("attributes").unwrap().as_struct();
    let mfa = attributes
        .column_by_name("mfaAuthenticated")
        .unwrap()
        .as_boolean();
    assert!(!mfa.value(0) && mfa.is_valid(0));
    let response = batch.column_by_name("responseElements").unwrap();
    assert_eq!(response.as_string::<i32>().value(0), "null");
    let request = batch.column_by_name("requestParameters").unwrap();
    assert_eq!(request.as_string::<i32>().value(0), r#"{"bucketName":"b"}"#);
    assert!(batch.column_by_name("errorCode").unwrap().is_null(0));
    assert!(batch.column_by_name(OTHER_COLUMN).unwrap().is_null(0));
    let resources = batch.column_by_name("resources").unwrap().as_list::<i32>();
    assert_eq!(resources.value(0).len(), 1);
}

#[test]
fn what_the_columns_cannot_hold_lands_in_other() {
    let records = [
        // Unknown members at the top and inside userIdentity; a flag as a string; a time with a space.
        r#"{"eventTime":"2024-05-01 12:00:00","readOnly":"true","newMember":{"a":1},
            "userIdentity":{"type":"IAMUser","surprise":[1,2],"sessionContext":{"attributes":{"mfaAuthenticated":true}}}}"#,
        // Values that do not fit their type, and a time that is no time.
        r#"{"eventTime":"redacted","userIdentity":"anonymous","resources":"none","managementEvent":1}"#,
        // Finer fractions than milliseconds; a resource with an extra member.
        r#"{"eventTime":"2024-10-10T12:55:43.023139433Z","resources":[{"ARN":"a","extra":true}]}"#,
        // Milliseconds are the column's own form.
        r#"{"eventTime":"2024-10-10T12:55:43.023Z","sessionCredentialFromConsole":"true"}"#,
    ];
    let records: Vec<(String, String)> = records
        .iter()
        .enumerate()
        .map(|(i, text)| (format!("case {i}"), (*text).to_owned()))
        .collect();
    let batch = assert_rows_rebuild(&records);
    let other = batch
        .column_by_name(OTHER_COLUMN)
        .unwrap()
        .as_string::<i32>();
    let other = |row: usize| -> Value { serde_json::from_str(other.value(row)).unwrap() };
    assert_eq!(other(0)["eventTime"], "2024-05-01 12:00:00");
    assert_eq!(other(0)["readOnly"], "true");
    assert_eq!(
        other(0)["userIdentity"]["surprise"],
        serde_json::json!([1, 2])
    );
    assert_eq!(
        other(0)["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"],
        true
    );
    assert_eq!(other(1)["userIdentity"], "anonymous");
    assert!(batch.column_by_name("userIdentity").unwrap().is_null(1));
    assert!(batch.column_by_name("eventTime").unwrap().is_null(1));
    assert_eq!(other(2)["resources"][0]["extra"], true);
    assert!(batch.column_by_name(OTHER_COLUMN).unwrap().is_null(3));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn generated_records_rebuild_from_their_rows(seed in any::<u64>(), count in 1u64..400) {
        let config = GeneratorConfig { records: count, seed, ..GeneratorConfig::default() };
        let records: Vec<(String, String)> = records(&config)
            .enumerate()
            .map(|(i, text)| (format!("seed {seed} record {i}"), text))
            .collect();
        prop_assert!(!records.is_empty());
        assert_rows_rebuild(&records);
    }
}
