//! The project corpus (tests/data/corpus, real CloudTrail from public sources; provenance in
//! tests/data/corpus/SOURCES.md) as the integration tests read it.

#![allow(dead_code)] // each test binary uses its own part

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use serde_json::value::RawValue;

pub fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/corpus"))
}

/// The corpus's `.jsonl` files, by name, sorted.
pub fn corpus_files() -> Vec<String> {
    let mut files: Vec<String> = fs::read_dir(corpus_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".jsonl"))
        .collect();
    files.sort();
    files
}

/// The records of one corpus file as raw JSON text with their line numbers (from 1): the line itself,
/// or the record inside a Panther test (`event`) or an EventBridge envelope (`detail`).
pub fn numbered_records(file: &str) -> Vec<(usize, String)> {
    let text = fs::read_to_string(corpus_dir().join(file)).unwrap();
    let wrapper = match file {
        "panther_expectations.jsonl" => Some("event"),
        "eventbridge-envelopes.jsonl" => Some("detail"),
        _ => None,
    };
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            let record = match wrapper {
                Some(key) => {
                    let members: BTreeMap<String, &RawValue> = serde_json::from_str(line).unwrap();
                    members[key].get().to_owned()
                }
                None => line.to_owned(),
            };
            (index + 1, record)
        })
        .collect()
}

/// The records of one corpus file as raw JSON text (see [`numbered_records`]).
pub fn records(file: &str) -> Vec<String> {
    numbered_records(file)
        .into_iter()
        .map(|(_, record)| record)
        .collect()
}
