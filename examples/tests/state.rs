//! `hunt --state`: the bundled sample hunted in two runs (by delivery date) with the state carried
//! between them finds what one run over all of it finds; a missing state file starts afresh, a bad one
//! is an error naming it. Runs the example binaries `cargo test` builds beside this test.

use std::fs;
use std::path::PathBuf;
use std::process::Output;

#[allow(dead_code)]
mod support;

fn hunt(args: &[&str]) -> Output {
    support::example("hunt").args(args).output().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    support::scratch("examples-state", name)
}

/// The findings a run printed, each as its JSON value, split into final and still open.
fn findings(output: &Output) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut closed = Vec::new();
    let mut open = Vec::new();
    for line in String::from_utf8(output.stdout.clone()).unwrap().lines() {
        let mut value: serde_json::Value = serde_json::from_str(line).unwrap();
        match value.as_object_mut().unwrap().remove("open") {
            Some(serde_json::Value::Bool(true)) => open.push(value),
            None => closed.push(value),
            Some(other) => panic!("open is {other}"),
        }
    }
    (closed, open)
}

fn sorted(mut values: Vec<serde_json::Value>) -> Vec<String> {
    let mut lines: Vec<String> = values.drain(..).map(|v| v.to_string()).collect();
    lines.sort();
    lines
}

#[test]
fn two_daily_runs_with_a_state_find_what_one_run_finds() {
    let dir = scratch("split");
    let state = dir.join("hunt.state");
    let state = state.to_str().unwrap();
    let (whole, none) = findings(&hunt(&["--format", "jsonl"]));
    assert!(
        none.is_empty() && whole.len() > 20,
        "{} findings",
        whole.len()
    );

    let first = hunt(&["--format", "jsonl", "--state", state, "--to", "2024-05-01"]);
    assert!(String::from_utf8_lossy(&first.stderr).contains("does not exist yet: starting afresh"));
    let (first_closed, first_open) = findings(&first);
    assert!(!first_open.is_empty(), "the first day leaves findings open");
    let second = hunt(&[
        "--format",
        "jsonl",
        "--state",
        state,
        "--from",
        "2024-05-02",
    ]);
    let (second_closed, second_open) = findings(&second);
    // What the first run closed, then everything the second run reports (closed, or open at the end of
    // the history, as a single run's end reports it) is what one run over both days finds.
    let mut split = first_closed;
    split.extend(second_closed);
    split.extend(second_open);
    assert_eq!(sorted(split), sorted(whole));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_state_file_is_an_error_naming_it() {
    let dir = scratch("bad");
    let state = dir.join("hunt.state");
    fs::write(&state, b"not a state").unwrap();
    let output = hunt(&["--format", "jsonl", "--state", state.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(state.to_str().unwrap()) && stderr.contains("not a correlator state"),
        "{stderr}"
    );
    assert_eq!(fs::read(&state).unwrap(), b"not a state", "left as it was");
    fs::remove_dir_all(&dir).unwrap();
}

/// A day's delivery: one CloudTrail file (not compressed) holding `records`, in the S3 layout under
/// `root`.
fn write_day(root: &std::path::Path, day: &str, records: &[serde_json::Value]) {
    let (y, rest) = day.split_at(4);
    let (m, d) = (&rest[1..3], &rest[4..6]);
    let dir = root.join(format!(
        "AWSLogs/123456789012/CloudTrail/us-east-1/{y}/{m}/{d}"
    ));
    fs::create_dir_all(&dir).unwrap();
    let body = serde_json::json!({ "Records": records }).to_string();
    let name = format!("123456789012_CloudTrail_us-east-1_{y}{m}{d}T2355Z_baseline.json");
    fs::write(dir.join(name), body).unwrap();
}

/// The AWS documentation's StartLogging record (an IAM user's CLI call from CloudShell, shared corpus
/// awsdocs-current-2024-2026.jsonl:0), at `time` with its own event id.
fn user_call(time: &str, id: &str) -> serde_json::Value {
    serde_json::json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "principalId": "EXAMPLE6E4XEGITWATV6R",
            "arn": "arn:aws:iam::123456789012:user/Mary_Major", "accountId": "123456789012",
            "accessKeyId": "AKIAIOSFODNN7EXAMPLE", "userName": "Mary_Major"},
        "eventTime": time, "eventSource": "cloudtrail.amazonaws.com", "eventName": "StartLogging",
        "awsRegion": "us-east-1", "sourceIPAddress": "192.0.2.0",
        "userAgent": "aws-cli/2.13.5 Python/3.11.4 Linux/4.14.255-314-253.539.amzn2.x86_64 exec-env/CloudShell exe/x86_64.amzn.2 prompt/off command/cloudtrail.start-logging",
        "requestParameters": {"name": "myTrail"}, "responseElements": null,
        "requestID": format!("req-{id}"), "eventID": id, "readOnly": false,
        "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "123456789012",
        "eventCategory": "Management"
    })
}

/// With `--state`, hunt runs the baseline rules: a user whose last call the state holds from a run two
/// months earlier is reported when it calls again; the same day hunted without a state is not.
#[test]
fn state_runs_the_baseline_rules_across_runs() {
    let dir = scratch("baselines");
    let _ = fs::remove_dir_all(&dir);
    let tree = dir.join("tree");
    write_day(
        &tree,
        "2024-01-02",
        &[user_call("2024-01-02T10:00:00Z", "b-1")],
    );
    write_day(
        &tree,
        "2024-03-05",
        &[user_call("2024-03-05T09:00:00Z", "b-2")],
    );
    let tree = tree.to_str().unwrap();
    let state = dir.join("hunt.state");
    let state = state.to_str().unwrap();
    let rule_ids = |output: &Output| -> Vec<String> {
        let (closed, open) = findings(output);
        let mut ids: Vec<String> = closed
            .iter()
            .chain(&open)
            .map(|f| f["rule_id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    let args = |day: &'static str| ["--format", "jsonl", "--from", day, "--to", day];
    let first = hunt(&[&[tree][..], &args("2024-01-02"), &["--state", state]].concat());
    assert!(rule_ids(&first).iter().all(|id| !id.contains("silence")));
    let second = hunt(&[&[tree][..], &args("2024-03-05"), &["--state", state]].concat());
    let found = rule_ids(&second);
    for rule in [
        "aws-principal-active-after-silence",
        "aws-access-key-active-after-silence",
    ] {
        assert!(found.iter().any(|id| id == rule), "{rule} in {found:?}");
    }
    let alone = hunt(&[&[tree][..], &args("2024-03-05")].concat());
    assert!(
        rule_ids(&alone).iter().all(|id| !id.contains("silence")),
        "without --state the baseline rules do not run"
    );
}
