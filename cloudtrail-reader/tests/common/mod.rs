//! Helpers the reader's test files share: reading with every delivery and error collected, and
//! generated records.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cloudtrail_reader::{ReadError, Reader, ReaderOptions, Source, Stats};
use flate2::Compression;
use flate2::write::GzEncoder;

/// What a read delivered, in order per input, and the errors.
#[derive(Debug, Default)]
pub struct Outcome {
    /// (input, index, eventID or eventName) of every delivered record, sorted by input then index.
    pub delivered: Vec<(String, u64, String)>,
    pub errors: Vec<String>,
    pub kinds: Vec<&'static str>,
    pub stats: Stats,
}

pub fn kind(error: &ReadError) -> &'static str {
    match error {
        ReadError::Io { .. } => "io",
        ReadError::Gzip { .. } => "gzip",
        ReadError::TooLarge { .. } => "too_large",
        ReadError::Empty { .. } => "empty",
        ReadError::Utf8 { .. } => "utf8",
        ReadError::Json { .. } => "json",
        ReadError::DamagedValue { .. } => "damaged_value",
        ReadError::RecordTooLarge { .. } => "record_too_large",
        ReadError::ValueTooLong { .. } => "value_too_long",
        ReadError::NotARecord { .. } => "not_a_record",
        ReadError::NotCloudTrail { .. } => "not_cloudtrail",
        ReadError::NoRecordMembers { .. } => "no_record_members",
        ReadError::TooDeep { .. } => "too_deep",
        _ => "other",
    }
}

pub fn read_with(options: ReaderOptions, sources: &[Source]) -> Outcome {
    let delivered = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let stats = Reader::new(options)
        .for_each(
            sources,
            |event, info| {
                let id = event
                    .event_id()
                    .or(event.event_name())
                    .unwrap_or("?")
                    .to_owned();
                delivered
                    .lock()
                    .unwrap()
                    .push((info.input.to_owned(), info.index, id));
            },
            |error| {
                errors
                    .lock()
                    .unwrap()
                    .push((error.to_string(), kind(error)))
            },
        )
        .unwrap();
    let mut delivered = delivered.into_inner().unwrap();
    delivered.sort();
    let errors = errors.into_inner().unwrap();
    let outcome = Outcome {
        delivered,
        kinds: errors.iter().map(|e| e.1).collect(),
        errors: errors.into_iter().map(|e| e.0).collect(),
        stats,
    };
    assert_eq!(
        outcome.stats.records_delivered,
        outcome.delivered.len() as u64
    );
    assert_eq!(outcome.stats.errors, outcome.errors.len() as u64);
    outcome
}

pub fn read(sources: &[Source]) -> Outcome {
    read_with(ReaderOptions::default(), sources)
}

pub fn bytes(name: &str, data: impl Into<Vec<u8>>) -> Source {
    Source::Bytes {
        name: name.to_owned(),
        data: Arc::from(data.into()),
    }
}

pub fn record(i: usize) -> String {
    format!(
        r#"{{"eventVersion":"1.11","eventTime":"2024-05-01T00:00:{:02}Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"id-{i:04}","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/R/s"}}}}"#,
        i % 60
    )
}

pub fn container(n: usize) -> String {
    let records: Vec<String> = (0..n).map(record).collect();
    format!("{{\"Records\":[{}]}}", records.join(","))
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

pub fn ids(outcome: &Outcome) -> Vec<String> {
    outcome.delivered.iter().map(|d| d.2.clone()).collect()
}

pub fn expected_ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("id-{i:04}")).collect()
}

pub fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/corpus")
        .join(name)
}
