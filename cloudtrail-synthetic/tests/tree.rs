//! The generated tree: deterministic, in the S3 layout, realistic in size and shape, with exact ground
//! truth.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use cloudtrail_model::UserAgent;
use cloudtrail_reader::{LayoutPath, Reader, Source};
use cloudtrail_synthetic::{GeneratorConfig, SCENARIOS, generate_tree};

/// What the test keeps of each record: id, name, time as written, entity, and whether its user agent
/// carries an offensive-distribution or an AI-assistant marker, and whether it failed.
type Seen = (String, String, String, String, Option<(bool, bool)>, bool);

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "cloudtrail-synthetic-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            out.insert(
                path.strip_prefix(dir).unwrap().to_owned(),
                std::fs::read(&path).unwrap(),
            );
        }
    }
    out
}

fn config() -> GeneratorConfig {
    GeneratorConfig {
        records: 15_000,
        min_records_per_file: 50,
        max_records_per_file: 800,
        ..GeneratorConfig::default()
    }
}

#[test]
fn the_same_seed_writes_the_same_bytes_on_any_number_of_threads() {
    let (a, b, c) = (temp_dir("a"), temp_dir("b"), temp_dir("c"));
    generate_tree(&config(), &a, 1).unwrap();
    generate_tree(&config(), &b, 3).unwrap();
    generate_tree(
        &GeneratorConfig {
            seed: 2,
            ..config()
        },
        &c,
        0,
    )
    .unwrap();
    let (fa, fb, fc) = (files(&a), files(&b), files(&c));
    assert!(fa == fb, "same seed, different bytes");
    assert!(fa != fc, "different seeds, same bytes");
    for dir in [a, b, c] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn the_tree_is_realistic_and_the_ground_truth_exact() {
    let dir = temp_dir("tree");
    let summary = generate_tree(&config(), &dir, 0).unwrap();
    let tree = files(&dir);
    let gz: Vec<&PathBuf> = tree
        .keys()
        .filter(|p| p.extension().is_some_and(|e| e == "gz"))
        .collect();
    assert_eq!(gz.len() as u64, summary.files);
    for path in &gz {
        let text = path.to_str().unwrap();
        let layout = LayoutPath::parse(text).unwrap_or_else(|| panic!("not in the layout: {text}"));
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(
            name.starts_with(&format!("{}_CloudTrail_{}_", layout.account, layout.region)),
            "{name}"
        );
    }
    let average = summary.bytes_json as f64 / summary.records as f64;
    assert!(
        (800.0..1500.0).contains(&average),
        "average record {average} bytes"
    );

    // Read it all back with the project's reader: every record parses, no error, file sizes within bounds.
    let seen = Mutex::new(Vec::new());
    let per_file = Mutex::new(BTreeMap::<String, Vec<String>>::new());
    let stats = Reader::default()
        .for_each(
            &[Source::Path(dir.join("AWSLogs"))],
            |event, info| {
                per_file
                    .lock()
                    .unwrap()
                    .entry(info.input.to_owned())
                    .or_default()
                    .push(event.event_id().unwrap().to_owned());
                let user_agent = event.user_agent().map(UserAgent::parse);
                seen.lock().unwrap().push((
                    event.event_id().unwrap().to_owned(),
                    event.event_name().unwrap().to_owned(),
                    event.event_time.as_ref().unwrap().as_str().to_owned(),
                    event.entity_id().into_owned(),
                    user_agent.map(|ua| {
                        (
                            ua.offensive_distribution.is_some(),
                            ua.ai_assistant.is_some(),
                        )
                    }),
                    event.error_code().is_some(),
                ));
            },
            |error| panic!("{error}"),
        )
        .unwrap();
    assert_eq!(stats.records_delivered, summary.records);
    let seen = seen.into_inner().unwrap();
    let ids: BTreeSet<&str> = seen.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(ids.len(), seen.len(), "event ids are unique");
    assert!(
        seen.iter().all(|s| s.2.len() == 20 && s.2.ends_with('Z')),
        "raw-log time format"
    );

    let truth_text = String::from_utf8(tree[&PathBuf::from("ground_truth.jsonl")].clone()).unwrap();
    let truth: Vec<serde_json::Value> = truth_text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(truth.len() as u64, summary.planted);
    let scenarios: BTreeSet<&str> = truth
        .iter()
        .map(|t| t["scenario"].as_str().unwrap())
        .collect();
    assert_eq!(scenarios.len(), SCENARIOS.len(), "every scenario planted");
    let by_id: BTreeMap<&str, &Seen> = seen.iter().map(|s| (s.0.as_str(), s)).collect();
    let planted: BTreeSet<&str> = truth
        .iter()
        .map(|t| t["event_id"].as_str().unwrap())
        .collect();
    for t in &truth {
        let record = by_id
            .get(t["event_id"].as_str().unwrap())
            .expect("planted record is in the tree");
        assert_eq!(record.1, t["event_name"].as_str().unwrap());
        assert_eq!(
            record.3,
            t["entity"].as_str().unwrap(),
            "entity of {}",
            record.1
        );
    }
    // Files hold 1 to 800 background records, plus the planted ones of the scenarios placed in them.
    for (file, ids) in per_file.into_inner().unwrap() {
        let background = ids
            .iter()
            .filter(|id| !planted.contains(id.as_str()))
            .count();
        assert!((1..=800).contains(&background), "{file}: {background}");
    }
    // Background traffic never looks like the attacks.
    let attack_names: BTreeSet<&str> = truth
        .iter()
        .map(|t| t["event_name"].as_str().unwrap())
        .collect();
    let shared_names = [
        "GetCallerIdentity",
        "ListBuckets",
        "DescribeInstances",
        "ConsoleLogin",
        "AssumeRole",
        "RunInstances",
        "GetObject",
        "CreateRole",
        "CredentialVerification",
        "DescribeSecurityGroups",
        "ListRoles",
        "ListObjects",
        "PutObject",
    ];
    for record in seen.iter().filter(|s| !planted.contains(s.0.as_str())) {
        assert_eq!(
            record.4.map(|ua| ua.0 || ua.1),
            record.4.map(|_| false),
            "background user agent marked: {:?}",
            record
        );
        if record.1 == "AssumeRole" {
            assert!(!record.5, "background AssumeRole failed: {record:?}");
        }
        if attack_names.contains(record.1.as_str()) {
            assert!(
                shared_names.contains(&record.1.as_str()),
                "background calls {}",
                record.1
            );
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}
