//! Correlator cost under hostile volumes, one core: a million distinct entities through a single-record
//! rule and a threshold (eviction and expiry), and 400,000 reads of one secret within one window of a
//! distinct-value count. Each iteration makes its matches from one template (a clone and three strings per
//! match), which is part of the time measured.

use std::hint::black_box;

use chrono::{DateTime, Duration, TimeZone, Utc};
use cloudtrail_detect::{Correlator, Field, Match, Rule, RuleKind, RuleSet, field};
use cloudtrail_model::Event;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const ENTITIES: usize = 1_000_000;
const READS: usize = 400_000;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn rules() -> RuleSet {
    let read = || field("eventName").equals(["GetSecretValue"]);
    let rules = vec![
        Rule::new("single", "any read", read()),
        Rule::new("threshold", "5 reads in 10 minutes", read()).threshold(5, Duration::minutes(10)),
        Rule::new("distinct", "3 secrets in 10 minutes", read()).kind(RuleKind::ValueCount {
            group_by: Vec::new(),
            field: Field::parse("requestParameters.secretId"),
            window: Duration::minutes(10),
            count: 3,
            at_most: None,
        }),
    ];
    match RuleSet::new(rules) {
        Ok(rules) => rules,
        Err(error) => panic!("the bench rules are valid: {error}"),
    }
}

/// The matches of one read, one per rule.
fn templates(rules: &RuleSet) -> Vec<Match> {
    let text = r#"{"eventVersion":"1.11","eventTime":"2024-05-01T00:00:00Z","eventSource":"secretsmanager.amazonaws.com",
        "eventName":"GetSecretValue","eventID":"e-0","userIdentity":{"type":"IAMUser",
        "arn":"arn:aws:iam::111122223333:user/app","accountId":"111122223333"},"requestParameters":{"secretId":"db"}}"#;
    let event = match Event::from_json(text) {
        Ok(event) => event,
        Err(error) => panic!("the template parses: {error}"),
    };
    let mut out = Vec::new();
    rules.matches(&event, &mut out);
    out
}

fn run(rules: &RuleSet, matches: impl Iterator<Item = Match>) -> usize {
    let mut correlator = Correlator::new(rules, Duration::minutes(15));
    let mut findings = 0;
    for m in matches {
        findings += correlator.push(m).map_or(0, |f| f.len());
    }
    findings + correlator.finish().len()
}

fn bench(c: &mut Criterion) {
    let rules = rules();
    let templates = templates(&rules);
    let mut group = c.benchmark_group("correlate");
    group.sample_size(10);

    group.throughput(Throughput::Elements(ENTITIES as u64));
    group.bench_function("1M distinct entities, single + threshold", |b| {
        b.iter(|| {
            let matches = (0..ENTITIES).flat_map(|i| {
                templates[..2].iter().map(move |t| {
                    let mut m = t.clone();
                    m.group = format!("user-{i}");
                    m.entity = m.group.clone();
                    m.event_id = format!("e-{i}");
                    // Ten entities a second, so dedup periods and windows overlap for many of them.
                    m.time = Some(start() + Duration::milliseconds(i as i64 * 100));
                    m
                })
            });
            black_box(run(&rules, matches))
        })
    });

    group.throughput(Throughput::Elements(READS as u64));
    group.bench_function(
        "400K reads of one secret in one window, distinct count",
        |b| {
            b.iter(|| {
                let matches = (0..READS).map(|i| {
                    let mut m = templates[2].clone();
                    m.event_id = format!("e-{i}");
                    // 400,000 reads within 10 minutes: one every 1.5 ms.
                    m.time = Some(start() + Duration::microseconds(i as i64 * 1_500));
                    m
                });
                black_box(run(&rules, matches))
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
