//! The `summary` example over the bundled sample: its per-principal numbers equal an independent count
//! made here over the same records, its filters keep what they say, and values from records reach the
//! terminal escaped.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Output;

use cloudtrail_model::Outcome;
use cloudtrail_reader::{Reader, ReaderOptions, Source};
use serde_json::Value;

#[allow(dead_code)]
mod support;

fn summary(args: &[&str]) -> Output {
    support::example("summary").args(args).output().unwrap()
}

fn logs() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/AWSLogs"))
}

/// Per entity: (events, denied, failed, ConsoleLogin count).
type Counts = (u64, u64, u64, u64);

/// Per entity id, counted without the summary module.
fn independent_counts() -> (u64, HashMap<String, Counts>) {
    let output = Reader::new(ReaderOptions::default())
        .fold(
            &[Source::Path(logs())],
            HashMap::<String, Counts>::new,
            |counts, event, _| {
                let entry = counts.entry(event.entity_id().into_owned()).or_default();
                entry.0 += 1;
                match event.outcome() {
                    Outcome::Denied => entry.1 += 1,
                    Outcome::Failure => entry.2 += 1,
                    _ => {}
                }
                if event.event_name() == Some("ConsoleLogin") {
                    entry.3 += 1;
                }
            },
            |error| panic!("the sample reads cleanly: {error}"),
        )
        .unwrap();
    let mut all = HashMap::<String, Counts>::new();
    for state in output.states {
        for (entity, (e, d, f, c)) in state {
            let entry = all.entry(entity).or_default();
            entry.0 += e;
            entry.1 += d;
            entry.2 += f;
            entry.3 += c;
        }
    }
    (output.stats.records_delivered, all)
}

fn jsonl(output: &Output) -> Vec<Value> {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn per_principal_numbers_match_an_independent_count_of_the_sample() {
    let (records, expected) = independent_counts();
    assert!(records > 100, "the sample holds {records} records");
    let lines = jsonl(&summary(&[logs().to_str().unwrap(), "--format", "jsonl"]));
    let (input, principals) = lines.split_last().unwrap();
    assert_eq!(input["kind"], "input");
    assert_eq!(input["records"], records);
    assert_eq!(input["errors"], 0);
    assert_eq!(principals.len(), expected.len());
    for line in principals {
        assert_eq!(line["kind"], "principal");
        let entity = line["principal"].as_str().unwrap();
        let (events, denied, failed, logins) = expected[entity];
        assert_eq!(line["events"], events, "{entity}");
        assert_eq!(line["denied"], denied, "{entity}");
        assert_eq!(line["failed"], failed, "{entity}");
        let counted_logins = line["console_logins_with_mfa"].as_u64().unwrap()
            + line["console_logins_without_mfa"].as_u64().unwrap();
        assert!(counted_logins <= logins, "{entity}");
    }
    // Most active first.
    let events: Vec<u64> = principals
        .iter()
        .map(|l| l["events"].as_u64().unwrap())
        .collect();
    assert!(events.windows(2).all(|w| w[0] >= w[1]));
}

#[test]
fn the_principal_filter_keeps_only_matching_principals() {
    let (_, expected) = independent_counts();
    let lines = jsonl(&summary(&[
        logs().to_str().unwrap(),
        "--format",
        "jsonl",
        "--principal",
        "user/mallory",
    ]));
    let (input, principals) = lines.split_last().unwrap();
    let wanted: Vec<(&String, &Counts)> = expected
        .iter()
        .filter(|(entity, _)| entity.contains("user/mallory"))
        .collect();
    assert!(!wanted.is_empty());
    assert_eq!(principals.len(), wanted.len());
    let total: u64 = wanted.iter().map(|(_, c)| c.0).sum();
    assert_eq!(input["records"], total);
    for line in principals {
        assert!(line["principal"].as_str().unwrap().contains("user/mallory"));
    }
}

#[test]
fn a_user_agent_with_script_and_ansi_escapes_is_escaped_on_the_terminal() {
    let dir = std::env::temp_dir().join(format!("examples-summary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("hostile.jsonl");
    let record = serde_json::json!({
        "eventVersion": "1.11", "eventTime": "2024-05-01T10:00:00Z",
        "eventSource": "s3.amazonaws.com", "eventName": "ListBuckets\u{1b}[2J", "eventID": "e-1",
        "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.7",
        "userAgent": "<script>alert(1)</script>\u{1b}]0;owned\u{7}",
        "userIdentity": {"type": "IAMUser", "accountId": "111122223333",
            "arn": "arn:aws:iam::111122223333:user/eve\u{1b}[31m"},
    });
    std::fs::write(&file, format!("{record}\n")).unwrap();
    let output = summary(&[file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text}"
    );
    assert!(text.contains("user/eve\\u{1b}[31m"), "{text}");
    assert!(text.contains("ListBuckets\\u{1b}[2J"), "{text}");
    let jsonl = summary(&[file.to_str().unwrap(), "--format", "jsonl"]);
    let text = String::from_utf8(jsonl.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("\\u001b[31m"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
