//! Throughput of `cloudtrail-reader`: MB/s of decompressed JSON (and records/s) through the parallel
//! reader over a generated tree of gzip files, at 1 thread and at all threads, parsing every record;
//! and at all threads, whole records against records projected to `eventName`, `eventSource` and
//! `userIdentity`.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use cloudtrail_model::Projection;
use cloudtrail_reader::{Reader, ReaderOptions, Source};
use cloudtrail_synthetic::{GeneratorConfig, generate_tree};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn tree() -> (PathBuf, u64, u64) {
    let dir = std::env::temp_dir().join(format!("cloudtrail-bench-reader-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = GeneratorConfig {
        records: 100_000,
        ..GeneratorConfig::default()
    };
    let summary = generate_tree(&config, &dir, 0).expect("the bench tree can be written");
    (dir, summary.bytes_json, summary.records)
}

fn read(c: &mut Criterion) {
    let (dir, json_bytes, records) = tree();
    let logs = [Source::Path(dir.join("AWSLogs"))];
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    for (label, unit) in [
        ("bytes", Throughput::Bytes(json_bytes)),
        ("records", Throughput::Elements(records)),
    ] {
        let mut group = c.benchmark_group(format!("reader/{label}"));
        group.throughput(unit);
        group.sample_size(10);
        for threads in [1, cores] {
            let reader = Reader::new(ReaderOptions::default().with_threads(threads));
            group.bench_function(format!("{threads}-threads"), |b| {
                b.iter(|| {
                    let seen = AtomicU64::new(0);
                    let stats = reader
                        .for_each(
                            &logs,
                            |event, _| {
                                black_box(event.event_name());
                                seen.fetch_add(1, Ordering::Relaxed);
                            },
                            |error| panic!("{error}"),
                        )
                        .expect("the tree reads");
                    assert_eq!(stats.records_delivered, records);
                })
            });
        }
        group.finish();
    }
    let mut group = c.benchmark_group("reader/projection");
    group.throughput(Throughput::Bytes(json_bytes));
    group.sample_size(10);
    let projection = Projection::of(["eventName", "eventSource", "userIdentity"]);
    for (name, options) in [
        ("whole", ReaderOptions::default()),
        (
            "projected_eventName_eventSource_userIdentity",
            ReaderOptions::default().with_projection(projection),
        ),
    ] {
        let reader = Reader::new(options.with_threads(cores));
        group.bench_function(format!("{cores}-threads-{name}"), |b| {
            b.iter(|| {
                let stats = reader
                    .for_each(
                        &logs,
                        |event, _| {
                            black_box((event.event_name(), event.user_identity.is_some()));
                        },
                        |error| panic!("{error}"),
                    )
                    .expect("the tree reads");
                assert_eq!(stats.records_delivered, records);
            })
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, read);
criterion_main!(benches);
