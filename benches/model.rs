//! Parsing speed of `cloudtrail-model`: records/s and bytes/s for borrowed and owned records, against
//! `serde_json::Value` as the baseline, over the real records of the project corpus
//! (cloudtrail-model/tests/data/corpus); whole against projected parses of those records (`Projection`);
//! and one hostile 10 MB record of duplicated keys, which must parse in time linear in its size.

use std::fs;
use std::hint::black_box;
use std::path::Path;

use cloudtrail_model::{Event, Projection};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The corpus's real CloudTrail records (not the placeholders, lookalikes or wrapped tests).
fn corpus_records() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cloudtrail-model/tests/data/corpus");
    let mut records = Vec::new();
    let mut names: Vec<_> = fs::read_dir(&dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    names.sort();
    for path in names {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !name.ends_with(".jsonl")
            || name.contains("placeholder")
            || name.contains("expectations")
            || name.contains("eventbridge")
        {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap_or_default();
        records.extend(text.lines().filter(|l| !l.is_empty()).map(str::to_owned));
    }
    records
}

fn parse(c: &mut Criterion) {
    let records = corpus_records();
    assert!(!records.is_empty(), "no corpus records found");
    let bytes: usize = records.iter().map(String::len).sum();

    let mut group = c.benchmark_group("model/records");
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("borrowed", |b| {
        b.iter(|| {
            for text in &records {
                black_box(Event::from_json(text).ok());
            }
        })
    });
    group.bench_function("owned", |b| {
        b.iter(|| {
            for text in &records {
                black_box(Event::from_json(text).map(Event::into_owned).ok());
            }
        })
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| {
            for text in &records {
                black_box(serde_json::from_str::<serde_json::Value>(text).ok());
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("model/bytes");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("borrowed", |b| {
        b.iter(|| {
            for text in &records {
                black_box(Event::from_json(text).ok());
            }
        })
    });
    group.bench_function("borrowed+views", |b| {
        b.iter(|| {
            for text in &records {
                if let Ok(event) = Event::from_json(text) {
                    black_box((event.entity_id(), event.outcome(), event.event_time()));
                }
            }
        })
    });
    group.finish();
}

fn projection(c: &mut Criterion) {
    let records = corpus_records();
    let bytes: usize = records.iter().map(String::len).sum();
    let three = Projection::of(["eventName", "eventSource", "userIdentity"]);
    let stats = Projection::of([
        "userIdentity",
        "eventSource",
        "eventName",
        "eventType",
        "eventCategory",
        "eventTime",
        "timeWindow",
    ]);
    let none = Projection::new();
    let mut group = c.benchmark_group("model/projection");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("whole", |b| {
        b.iter(|| {
            for text in &records {
                black_box(Event::from_json(text).ok());
            }
        })
    });
    for (name, projection) in [
        ("eventName_eventSource_userIdentity", &three),
        ("stats_members", &stats),
        ("nothing", &none),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                for text in &records {
                    black_box(Event::from_json_projected(text, projection).ok());
                }
            })
        });
    }
    group.finish();
}

/// A record of `target` bytes: half distinct unknown members, half alternations of an unfit and a typed
/// `eventName`, the shape whose duplicates once each searched every earlier member (a 1 MB record took
/// 2.7 s).
fn duplicated_keys(target: usize) -> String {
    let mut text = String::from("{");
    let mut i = 0;
    while text.len() < target / 2 {
        text.push_str(&format!("\"k{i}\":0,"));
        i += 1;
    }
    while text.len() < target {
        text.push_str(&format!("\"eventName\":{i},\"eventName\":\"n{i}\","));
        i += 1;
    }
    text.push_str("\"eventName\":\"last\"}");
    text
}

/// The same shape at 1 MB and 10 MB: linear parsing takes ten times as long for ten times the size.
fn hostile(c: &mut Criterion) {
    for megabytes in [1, 10] {
        let text = duplicated_keys(megabytes << 20);
        let mut group = c.benchmark_group(format!("model/duplicate_keys_{megabytes}MB"));
        group.sample_size(10);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("borrowed", |b| {
            b.iter(|| black_box(Event::from_json(&text).ok()))
        });
        group.bench_function("serde_json_value", |b| {
            b.iter(|| black_box(serde_json::from_str::<serde_json::Value>(&text).ok()))
        });
        group.finish();
    }
}

criterion_group!(benches, parse, projection, hostile);
criterion_main!(benches);
