//! Matching speed of `cloudtrail-detect`, matching only, on one core: records/s for the built-in pack, for
//! 1,000 generated rules, and for the 57 SigmaHQ CloudTrail rules compiled from Sigma against the same
//! rules written in Rust, over realistic records parsed beforehand; the built-in pack also over the
//! real-shape corpus. `DETECT_CPU_PASSES=N` measures records per CPU-second instead (see [`cpu_passes`]).

use std::hint::black_box;

use cloudtrail_detect::sigma::SigmaLoader;
use cloudtrail_detect::{Match, Rule, RuleSet, Severity, baseline_rules, builtin_rules, field};
use cloudtrail_model::Event;
use cloudtrail_synthetic::{GeneratorConfig, records};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// 1,000 rules in the shapes of real packs: most name events (of many services), some test payloads, and
/// a few name no event and look at every record.
fn generated_rules() -> Vec<Rule> {
    let verbs = [
        "Create", "Delete", "Update", "Put", "Attach", "Detach", "Modify", "Get", "List",
        "Describe",
    ];
    let nouns = [
        "User", "Role", "Policy", "Bucket", "Instance", "Key", "Secret", "Trail", "Function",
        "Snapshot",
    ];
    (0..1000)
        .map(|i| {
            let name = format!(
                "{}{}{}",
                verbs[i % 10],
                nouns[(i / 10) % 10],
                if i >= 100 {
                    format!("V{}", i / 100)
                } else {
                    String::new()
                }
            );
            let condition = match i % 20 {
                0 => field("userAgent").contains([format!("tool-{i}")]),
                1..=4 => field("eventName")
                    .equals([name])
                    .and(field("requestParameters.name").starts_with([format!("prod-{i}")])),
                _ => field("eventName")
                    .equals([name])
                    .and(field("errorCode").exists()),
            };
            Rule::new(&format!("generated-{i}"), "generated", condition).severity(Severity::Low)
        })
        .collect()
}

/// 20,000 generated records, with or without planted attacks.
fn texts(plant_attacks: bool) -> Vec<String> {
    let config = GeneratorConfig {
        records: 20_000,
        plant_attacks,
        ..GeneratorConfig::default()
    };
    records(&config).collect()
}

fn parse(texts: &[String]) -> Vec<Event<'_>> {
    texts
        .iter()
        .filter_map(|t| Event::from_json(t).ok())
        .collect()
}

/// The records of the real-shape corpus (cloudtrail-model's tests/data/corpus, JSON Lines, one record a
/// line; lines that are not records are skipped).
fn corpus_texts() -> Vec<String> {
    let folder = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../cloudtrail-model/tests/data/corpus"
    );
    let mut paths: Vec<_> = std::fs::read_dir(folder)
        .expect("corpus folder")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    paths.sort();
    paths
        .iter()
        .flat_map(|path| {
            let text = std::fs::read_to_string(path).expect("corpus file");
            text.lines().map(str::to_owned).collect::<Vec<_>>()
        })
        .filter(|line| Event::from_json(line).is_ok())
        .collect()
}

/// This process's user+system CPU time in seconds (`/proc/self/stat`, clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // Fields after the command name (which may hold spaces) start at state; utime and stime are the
    // 12th and 13th of those.
    let after = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    let ticks: f64 =
        fields[11].parse::<f64>().expect("utime") + fields[12].parse::<f64>().expect("stime");
    ticks / 100.0
}

/// `DETECT_CPU_PASSES=N cargo bench --bench detect`: instead of criterion, N passes of the built-in pack
/// over the generated records and over the corpus on one thread, printed as records per CPU-second
/// (user+system time), a figure that load from other processes does not skew the way wall time is.
/// The pack is also run with the baseline rules that `hunt --state` adds ([`baseline_rules`], which
/// test every call a principal makes), to show what they cost. `DETECT_CPU_ONLY=builtin-pack` (or
/// `with-baselines`) runs only that set, for a profiler.
fn cpu_passes(passes: usize) {
    let whole = RuleSet::new(builtin_rules()).expect("valid rules");
    let mut with: Vec<Rule> = builtin_rules();
    with.extend(baseline_rules());
    let with = RuleSet::new(with).expect("valid rules");
    // `DETECT_CPU_ONLY=builtin-pack` (or `with-baselines`) runs one set, for a profiler.
    let only = std::env::var("DETECT_CPU_ONLY").ok();
    let generated = texts(false);
    let corpus = corpus_texts();
    for (name, texts) in [("generated", &generated), ("corpus", &corpus)] {
        let events = parse(texts);
        for (pack, rules) in [("builtin-pack", &whole), ("with-baselines", &with)] {
            if only.as_deref().is_some_and(|only| only != pack) {
                continue;
            }
            let mut out = Vec::new();
            let start = cpu_seconds();
            for _ in 0..passes {
                out.clear();
                for event in &events {
                    rules.matches(event, &mut out);
                }
                black_box(out.len());
            }
            let spent = cpu_seconds() - start;
            let records = (events.len() * passes) as f64;
            let mut per_rule: std::collections::BTreeMap<usize, usize> = Default::default();
            for m in &out {
                *per_rule.entry(m.rule).or_default() += 1;
            }
            let mut busiest: Vec<(usize, usize)> = per_rule.into_iter().collect();
            busiest.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
            let busiest: Vec<String> = busiest
                .iter()
                .take(5)
                .map(|(rule, n)| format!("{} {n}", rules.rules()[*rule].id))
                .collect();
            println!(
                "{pack} {name}: {} records x {passes} passes, {spent:.2} CPU-s, {:.0} records per CPU-second; \
                 {} matches a pass, the most from {}",
                events.len(),
                records / spent,
                out.len(),
                busiest.join(", ")
            );
        }
    }
}

fn matching(c: &mut Criterion) {
    if let Some(passes) = std::env::var("DETECT_CPU_PASSES")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        cpu_passes(passes);
        std::process::exit(0);
    }
    let texts = texts(false);
    let events = parse(&texts);
    let builtin = RuleSet::new(builtin_rules()).expect("valid rules");
    let generated = RuleSet::new(generated_rules()).expect("valid rules");
    bench_sets(
        c,
        "detect/match",
        &[("builtin-pack", &builtin), ("1000-rules", &generated)],
        &events,
    );
    let corpus = corpus_texts();
    let corpus_events = parse(&corpus);
    bench_sets(
        c,
        "detect/match-corpus",
        &[("builtin-pack", &builtin)],
        &corpus_events,
    );
}

/// One benchmark per rule set: matching every event, on one core.
fn bench_sets(c: &mut Criterion, group: &str, sets: &[(&str, &RuleSet)], events: &[Event<'_>]) {
    let mut group = c.benchmark_group(group);
    group.throughput(Throughput::Elements(events.len() as u64));
    for (name, rules) in sets {
        group.bench_function(*name, |b| {
            let mut out = Vec::new();
            b.iter(|| {
                out.clear();
                for event in events {
                    rules.matches(event, &mut out);
                }
                black_box(out.len())
            })
        });
    }
    group.finish();
}

mod sigmahq_in_rust;

fn sigmahq_rules() -> Vec<Rule> {
    let mut loader = SigmaLoader::new();
    loader.add_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../cloudtrail-detect/tests/data/sigma/rules"
    ));
    let loaded = loader.compile();
    assert!(loaded.failures.is_empty(), "{:?}", loaded.failures);
    loaded.rules
}

/// (rule id, event id) of every match, to check that both forms of the rules agree before timing them.
fn matched(rules: &RuleSet, events: &[Event<'_>]) -> Vec<(String, String)> {
    let mut out: Vec<Match> = Vec::new();
    for event in events {
        rules.matches(event, &mut out);
    }
    let mut pairs: Vec<(String, String)> = out
        .into_iter()
        .map(|m| (rules.rules()[m.rule].id.clone(), m.event_id))
        .collect();
    pairs.sort();
    pairs
}

fn sigma_against_rust(c: &mut Criterion) {
    let texts = texts(true);
    let events = parse(&texts);
    let sigma = RuleSet::new(sigmahq_rules()).expect("valid rules");
    let rust = RuleSet::new(sigmahq_in_rust::rules()).expect("valid rules");
    let expected = matched(&sigma, &events);
    assert!(!expected.is_empty());
    assert_eq!(
        expected,
        matched(&rust, &events),
        "both forms match the same records"
    );
    bench_sets(
        c,
        "detect/sigmahq-57",
        &[("sigma", &sigma), ("rust", &rust)],
        &events,
    );
}

criterion_group!(benches, matching, sigma_against_rust);
criterion_main!(benches);
