//! Indicator matching (`cloudtrail_detect::ioc`), on one core, over realistic records parsed beforehand,
//! with 100,000 indicators of every kind loaded: the `IocSet` look-ups alone, the IOC rules in a
//! `RuleSet`, and the IOC rules next to the built-in pack (against the pack alone).

use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::Arc;

use cloudtrail_detect::ioc::{IocSet, rules as ioc_rules};
use cloudtrail_detect::{RuleSet, builtin_rules};
use cloudtrail_model::Event;
use cloudtrail_synthetic::{GeneratorConfig, records};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// A deterministic stream of numbers (xorshift), so every run loads the same lists.
struct Numbers(u64);

impl Numbers {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// 100,000 indicators as a threat feed mixes them: 40,000 addresses (34,000 single, 5,000 /24, 1,000
/// /16; a few IPv6), 25,000 access key ids, 20,000 ARNs, 10,000 account ids and 5,000 user-agent
/// substrings; plus the attacker's address and user agent of the generator's planted scenarios, so
/// that some records match.
fn feed() -> String {
    feed_with(5_000)
}

/// The feed with `user_agents` user-agent substrings (the rest of the 100,000 as access key ids).
fn feed_with(user_agents: usize) -> String {
    let mut n = Numbers(0x9e37_79b9_7f4a_7c15);
    let mut text = String::from("# generated feed\n203.0.113.200\nuser-agent: distrib#kali\n");
    for i in 0..40_000u32 {
        let a = n.next();
        let (o1, o2, o3, o4) = (a as u8, (a >> 8) as u8, (a >> 16) as u8, (a >> 24) as u8);
        let _ = match i % 40 {
            0..=4 => writeln!(text, "{o1}.{o2}.{o3}.0/24"),
            5 => writeln!(text, "{o1}.{o2}.0.0/16"),
            6 => writeln!(text, "2001:db8:{:x}::/48", a as u16),
            _ => writeln!(text, "{o1}.{o2}.{o3}.{o4}"),
        };
    }
    for _ in 0..25_000 + (5_000 - user_agents) {
        let _ = writeln!(text, "AKIA{:016X}", n.next());
    }
    for i in 0..20_000 {
        let _ = writeln!(
            text,
            "arn:aws:iam::{:012}:role/role-{i}",
            n.next() % 1_000_000_000_000
        );
    }
    for _ in 0..10_000 {
        let _ = writeln!(text, "{:012}", n.next() % 1_000_000_000_000);
    }
    for i in 0..user_agents {
        let _ = writeln!(text, "user-agent: scanner-{i:x}-{:08x}/", n.next() as u32);
    }
    text
}

fn iocs() -> Arc<IocSet> {
    let mut set = IocSet::new();
    let errors = set.add_text("feed.txt", &feed());
    assert!(errors.is_empty(), "{errors:?}");
    assert!(set.len() > 100_000);
    Arc::new(set)
}

fn matching(c: &mut Criterion) {
    let config = GeneratorConfig {
        records: 20_000,
        plant_attacks: true,
        ..GeneratorConfig::default()
    };
    let texts: Vec<String> = records(&config).collect();
    let events: Vec<Event<'_>> = texts
        .iter()
        .filter_map(|t| Event::from_json(t).ok())
        .collect();
    let iocs = iocs();
    let hits: usize = events.iter().map(|e| iocs.matches(e).len()).sum();
    assert!(hits > 0, "some records meet an indicator");

    let alone = RuleSet::new(ioc_rules(&iocs)).expect("valid rules");
    let pack = RuleSet::new(builtin_rules()).expect("valid rules");
    let mut both = builtin_rules();
    both.extend(ioc_rules(&iocs));
    let both = RuleSet::new(both).expect("valid rules");

    let mut group = c.benchmark_group("ioc/100k");
    group.throughput(Throughput::Elements(events.len() as u64));
    // The same number of indicators with 50 user-agent substrings, as real lists hold, for where the
    // time goes.
    let mut few_agents = IocSet::new();
    assert!(few_agents.add_text("feed.txt", &feed_with(50)).is_empty());
    group.bench_function("iocset-matches-50-user-agents", |b| {
        b.iter(|| {
            let mut found = 0;
            for event in &events {
                found += few_agents.matches(event).len();
            }
            black_box(found)
        })
    });
    group.bench_function("iocset-matches", |b| {
        b.iter(|| {
            let mut found = 0;
            for event in &events {
                found += iocs.matches(event).len();
            }
            black_box(found)
        })
    });
    for (name, rules) in [
        ("ioc-rules", &alone),
        ("builtin-pack", &pack),
        ("builtin-pack+ioc-rules", &both),
    ] {
        group.bench_function(name, |b| {
            let mut out = Vec::new();
            b.iter(|| {
                out.clear();
                for event in &events {
                    rules.matches(event, &mut out);
                }
                black_box(out.len())
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("ioc/load");
    let text = feed();
    group.throughput(Throughput::Elements(100_000));
    group.sample_size(10);
    group.bench_function("parse-and-index-100k", |b| {
        b.iter(|| {
            let mut set = IocSet::new();
            black_box(set.add_text("feed.txt", &text).len())
        })
    });
    group.finish();
}

criterion_group!(benches, matching);
criterion_main!(benches);
