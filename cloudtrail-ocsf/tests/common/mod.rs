//! Helpers the tests share: the project corpus, and (feature `parquet`) rebuilding a record from a flat
//! row by the rule the `flat` module documents.
#![allow(dead_code)]

#[cfg(feature = "parquet")]
mod rebuild;

use std::fs;
use std::path::PathBuf;

use serde_json::value::RawValue;

#[cfg(feature = "parquet")]
#[allow(unused_imports)] // Not every test that includes this module rebuilds rows.
pub use rebuild::rebuild;

pub fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/corpus"))
}

/// Every record of the project corpus (`tests/data/corpus/*.jsonl`, not `negative/`), as (file:line, JSON
/// text): the line itself, or the record inside a Panther test (`event`) or an EventBridge envelope
/// (`detail`).
pub fn corpus_records() -> Vec<(String, String)> {
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
        for (line_number, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let record = match wrapper {
                Some(key) => {
                    let members: std::collections::BTreeMap<String, &RawValue> =
                        serde_json::from_str(line).unwrap();
                    members[key].get().to_owned()
                }
                None => line.to_owned(),
            };
            records.push((format!("{file}:{}", line_number + 1), record));
        }
    }
    records
}

/// The JSON text of every corpus record, without where it came from (see [`corpus_records`]).
pub fn corpus_texts() -> Vec<String> {
    corpus_records().into_iter().map(|(_, text)| text).collect()
}
