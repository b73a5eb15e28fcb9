//! Speed of `cloudtrail-ocsf`, on one core, over realistic generated records parsed beforehand: records/s
//! for mapping to OCSF, for building flat-layout Arrow batches, and for writing flat Parquet files (sorted,
//! zstd, partitioned) into a temporary directory: one partition, as a real run's files hold tens of
//! thousands of records (with the generator's 28 partitions, 20,000 records make files too small to say
//! anything but the cost of opening one).

use std::hint::black_box;

use cloudtrail_model::Event;
use cloudtrail_ocsf::flat::FlatBatchBuilder;
use cloudtrail_ocsf::writer::{FlatWriter, WriterOptions};
use cloudtrail_ocsf::{Mapper, MappingOptions};
use cloudtrail_synthetic::{GeneratorConfig, records};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// 20,000 generated records (background traffic only) of one account, region and day.
fn texts() -> Vec<String> {
    let config = GeneratorConfig {
        records: 20_000,
        plant_attacks: false,
        accounts: vec!["111122223333".into()],
        regions: vec!["us-east-1".into()],
        days: 1,
        ..GeneratorConfig::default()
    };
    records(&config).collect()
}

fn parse(texts: &[String]) -> Vec<Event<'_>> {
    texts
        .iter()
        .map(|t| Event::from_json(t).expect("generated records parse"))
        .collect()
}

fn mapping(c: &mut Criterion) {
    let texts = texts();
    let events = parse(&texts);
    let mapper = Mapper::new(MappingOptions::default());
    let mut group = c.benchmark_group("ocsf/map");
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("ocsf-1.1.0", |b| {
        b.iter(|| {
            let mut mapped = 0usize;
            for event in &events {
                mapped += usize::from(mapper.map(event).is_ok());
            }
            black_box(mapped)
        })
    });
    group.finish();
}

fn flat(c: &mut Criterion) {
    let texts = texts();
    let events = parse(&texts);
    let mut group = c.benchmark_group("ocsf/flat");
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("arrow-batch", |b| {
        let mut builder = FlatBatchBuilder::new();
        b.iter(|| {
            for event in &events {
                builder.push(event).expect("generated records fit");
            }
            black_box(builder.finish().expect("a valid batch").num_rows())
        })
    });
    let dir = std::env::temp_dir().join(format!("cloudtrail-bench-ocsf-{}", std::process::id()));
    group.sample_size(10);
    group.bench_function("parquet-files", |b| {
        b.iter(|| {
            let _ = std::fs::remove_dir_all(&dir);
            let options = WriterOptions::new(&dir).with_sync(false);
            let mut writer = FlatWriter::new(options, 0);
            for event in &events {
                writer
                    .write(event)
                    .expect("the bench directory is writable");
            }
            writer.finish().expect("the bench directory is writable");
            black_box(writer.stats().files)
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, mapping, flat);
criterion_main!(benches);
