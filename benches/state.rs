//! Saving and loading a correlator's state for a million distinct principals (one core): a first-seen
//! rule holding every principal (1,000 accounts x 1,000 principals, the per-group and per-rule bounds
//! exactly) and a sliding threshold per principal (its latest 100,000 windows, the per-rule group bound),
//! plus the matches waiting for the watermark. Prints the encoded size, and the resident memory of the
//! state loaded in a fresh process (this binary run again with `STATE_BENCH_LOAD`, so that the churn of
//! building it is not counted), then measures `save_state` into memory and `load_state` from it.

use std::hint::black_box;

use chrono::{DateTime, Duration, TimeZone, Utc};
use cloudtrail_detect::{Correlator, Field, Match, Rule, RuleKind, RuleSet, StateOptions, field};
use cloudtrail_model::Event;
use criterion::{Criterion, criterion_group, criterion_main};

const PRINCIPALS: usize = 1_000_000;
const ACCOUNTS: usize = 1_000;
const LATENESS: Duration = Duration::minutes(15);

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn rules() -> RuleSet {
    let any = || field("eventName").exists();
    let rules = vec![
        Rule::new("new-principal", "principal new in its account", any()).kind(
            RuleKind::FirstSeen {
                group_by: vec![Field::parse("recipientAccountId")],
                field: Field::parse("userIdentity.arn"),
                // Learning the whole time: no findings, only the baseline.
                learning: Duration::days(30),
            },
        ),
        Rule::new("busy", "5 calls in a day", any()).threshold(5, Duration::days(1)),
    ];
    match RuleSet::new(rules) {
        Ok(rules) => rules,
        Err(error) => panic!("the bench rules are valid: {error}"),
    }
}

/// The matches of one record, one per rule.
fn templates(rules: &RuleSet) -> Vec<Match> {
    let text = r#"{"eventVersion":"1.11","eventTime":"2024-05-01T00:00:00Z","eventSource":"s3.amazonaws.com",
        "eventName":"ListBuckets","eventID":"e-0","recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser",
        "arn":"arn:aws:iam::111122223333:user/app","accountId":"111122223333"}}"#;
    let event = match Event::from_json(text) {
        Ok(event) => event,
        Err(error) => panic!("the template parses: {error}"),
    };
    let mut out = Vec::new();
    rules.matches(&event, &mut out);
    assert_eq!(out.len(), 2, "a match per rule");
    out
}

/// Resident memory of this process, in bytes (Linux; 0 elsewhere).
fn resident() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kib| kib * 1024)
}

/// A correlator holding the state of a million principals, ten calls a second.
fn build(rules: &RuleSet) -> Correlator<'_> {
    let templates = templates(rules);
    let mut correlator = Correlator::new(rules, LATENESS);
    for i in 0..PRINCIPALS {
        let account = format!("{:012}", 100_000_000_000 + i % ACCOUNTS);
        let arn = format!("arn:aws:iam::{account}:user/user-{i}");
        let time = Some(start() + Duration::milliseconds(i as i64 * 100));
        for (rule, template) in templates.iter().enumerate() {
            let mut m = template.clone();
            m.time = time;
            m.event_id = format!("e-{i:07}");
            m.entity.clone_from(&arn);
            m.arn = Some(arn.clone());
            m.account = Some(account.clone());
            if rule == 0 {
                m.group.clone_from(&account);
                m.value = Some(arn.clone());
            } else {
                m.group.clone_from(&arn);
            }
            black_box(correlator.push(m).map_or(0, |f| f.len()));
        }
    }
    correlator
}

/// In the child process: loads the state file, prints how much resident memory it added, and exits.
fn measure_load(path: &std::ffi::OsStr, rules: &RuleSet) -> ! {
    let before = resident();
    let loaded = Correlator::load_state_file(
        rules,
        LATENESS,
        std::path::Path::new(path),
        &StateOptions::default(),
    );
    let after = resident();
    match loaded {
        Ok((correlator, _)) => {
            black_box(correlator.state_size());
            println!("{}", after.saturating_sub(before));
            std::process::exit(0)
        }
        Err(error) => panic!("{error}"),
    }
}

/// The resident memory a loaded copy of `correlator`'s state takes, measured in a fresh process.
fn loaded_resident(correlator: &Correlator<'_>) -> Option<u64> {
    let path = std::env::temp_dir().join(format!("state-bench-{}.state", std::process::id()));
    correlator
        .save_state_file(&path, &StateOptions::default())
        .ok()?;
    let output = std::process::Command::new(std::env::current_exe().ok()?)
        .arg("--bench")
        .env("STATE_BENCH_LOAD", &path)
        .output()
        .ok();
    let _ = std::fs::remove_file(&path);
    String::from_utf8_lossy(&output?.stdout).trim().parse().ok()
}

fn bench(c: &mut Criterion) {
    let rules = rules();
    if let Some(path) = std::env::var_os("STATE_BENCH_LOAD") {
        measure_load(&path, &rules);
    }
    let correlator = build(&rules);
    let size = correlator.state_size();
    let mut state = Vec::new();
    let saved = match correlator.save_state(&mut state, &StateOptions::default()) {
        Ok(saved) => saved,
        Err(error) => panic!("the state saves: {error}"),
    };
    let memory = loaded_resident(&correlator).map_or("not measured".to_owned(), |bytes| {
        format!("{:.1} MB", bytes as f64 / 1e6)
    });
    eprintln!(
        "state: {} groups, {} entries, {} waiting; encoded {} bytes ({:.1} MB); resident when loaded \
         in a fresh process {memory}",
        size.groups,
        size.entries,
        size.pending,
        saved.bytes,
        saved.bytes as f64 / 1e6,
    );

    let mut group = c.benchmark_group("state");
    group.sample_size(10);
    group.bench_function("save 1M principals", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(state.len());
            black_box(
                correlator
                    .save_state(&mut out, &StateOptions::default())
                    .is_ok(),
            );
            out
        });
    });
    group.bench_function("load 1M principals", |b| {
        // The loaded correlator is dropped outside the time measured.
        b.iter_with_large_drop(|| {
            let loaded = Correlator::load_state(
                &rules,
                LATENESS,
                state.as_slice(),
                &StateOptions::default(),
            );
            match loaded {
                Ok((correlator, _)) => correlator,
                Err(error) => panic!("the state loads: {error}"),
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
