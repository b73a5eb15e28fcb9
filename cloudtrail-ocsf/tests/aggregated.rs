//! Aggregated events (five-minute summaries of data events) in both layouts: the flat layout keeps them
//! whole; OCSF refuses them with a reason that names the record kind.
#![cfg(feature = "parquet")]

mod common;

use cloudtrail_model::Event;
use cloudtrail_ocsf::flat::FlatBatchBuilder;
use cloudtrail_ocsf::{Mapper, MappingOptions};
use serde_json::Value;

fn fixtures() -> Vec<(String, String)> {
    [
        "aggregated-api-activity.json",
        "aggregated-resource-access.json",
    ]
    .iter()
    .map(|name| {
        let path = format!(
            "{}/tests/data/aggregated/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        (name.to_string(), std::fs::read_to_string(&path).unwrap())
    })
    .collect()
}

#[test]
fn the_flat_layout_keeps_aggregated_events_whole() {
    let records = fixtures();
    let events: Vec<Event<'_>> = records
        .iter()
        .map(|(_, t)| Event::from_json(t).unwrap())
        .collect();
    let mut builder = FlatBatchBuilder::new();
    for event in &events {
        builder.push(event).unwrap();
    }
    let batch = builder.finish().unwrap();
    for (row, (name, text)) in records.iter().enumerate() {
        let expected: Value = serde_json::from_str(text).unwrap();
        assert_eq!(common::rebuild(&batch, row), expected, "{name}");
        // The window and the summary are columns of their own, not leftovers.
        for column in ["eventId", "accountId", "timeWindow", "summary"] {
            let array = batch.column_by_name(column).unwrap();
            assert!(
                !arrow_array::Array::is_null(array.as_ref(), row),
                "{name}: {column}"
            );
        }
    }
}

#[test]
fn ocsf_refuses_aggregated_events_naming_the_kind() {
    let mapper = Mapper::new(MappingOptions::default());
    for (name, text) in fixtures() {
        let event = Event::from_json(&text).unwrap();
        let error = mapper.map(&event).unwrap_err();
        assert_eq!(error.reason(), "aggregated", "{name}");
        let message = error.to_string();
        assert!(message.contains("aggregated event"), "{name}: {message}");
        assert!(
            message.contains(event.record_id().unwrap()),
            "{name}: {message}"
        );
    }
}
