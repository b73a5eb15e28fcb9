//! The examples' exit statuses (0 clean, 1 found, 2 usage error or unreadable input), the flag
//! combinations they refuse, a closed pipe, and terminal escapes in records: each checked by running the
//! example binaries `cargo test` builds beside this test.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

#[allow(dead_code)]
mod support;
use support::example;

fn run(name: &str, args: &[&str]) -> Output {
    example(name).args(args).output().unwrap()
}

fn status(output: &Output) -> i32 {
    output
        .status
        .code()
        .expect("the example was killed by a signal")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn sample() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/data").to_owned()
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    support::scratch("examples-exit", name)
}

/// A JSON Lines file of these records.
fn jsonl(dir: &Path, name: &str, lines: &[String]) -> String {
    let path = dir.join(name);
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    path.display().to_string()
}

fn record(event_name: &str, user: &str, agent: &str) -> String {
    serde_json::json!({
        "eventVersion": "1.11", "eventTime": "2024-05-01T10:00:00Z",
        "eventSource": "cloudtrail.amazonaws.com", "eventName": event_name, "eventID": format!("e-{event_name}"),
        "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.7", "userAgent": agent,
        "userIdentity": {"type": "IAMUser", "accountId": "111122223333", "userName": user,
            "arn": format!("arn:aws:iam::111122223333:user/{user}")},
        "requestParameters": {"name": "management-events"},
    })
    .to_string()
}

fn assert_status(output: &Output, expected: i32, what: &str) {
    assert_eq!(
        status(output),
        expected,
        "{what}: stdout {}\nstderr {}",
        stdout(output),
        stderr(output)
    );
}

#[test]
fn every_example_exits_2_on_an_input_that_cannot_be_read_at_all() {
    for name in ["hunt", "stats", "validate"] {
        let output = run(name, &["/nonexistent/cloudtrail"]);
        assert_status(&output, 2, name);
        // validate prints its findings, read errors included, on stdout; the others on stderr.
        let said = stdout(&output) + &stderr(&output);
        assert!(
            said.contains("/nonexistent/cloudtrail: cannot read"),
            "{name}: {said}"
        );
    }
}

#[test]
fn a_readable_input_beside_an_unreadable_one_still_exits_2() {
    let dir = scratch("mixed");
    let file = jsonl(
        &dir,
        "a.jsonl",
        &[record("ListBuckets", "alice", "aws-cli/2")],
    );
    for name in ["hunt", "stats", "validate"] {
        let output = run(name, &[&file, "/nonexistent/cloudtrail"]);
        assert_status(&output, 2, name);
    }
}

#[test]
fn validate_exits_0_on_the_sample_and_ignores_the_ground_truth_beside_its_logs() {
    let output = run("validate", &[&sample()]);
    assert_status(&output, 0, "validate");
    let out = stdout(&output);
    assert!(out.contains("failed=0 mismatched=0"), "{out}");
    assert!(out.contains("records=6168 ok=6168"), "{out}");
    assert!(
        stderr(&output).contains("AWSLogs only"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn validate_exits_1_on_a_bad_record() {
    let dir = scratch("validate-bad");
    let file = jsonl(
        &dir,
        "bad.jsonl",
        &[
            record("ListBuckets", "alice", "aws-cli/2"),
            "[1, 2]".to_owned(),
        ],
    );
    let output = run("validate", &[&file]);
    assert_status(&output, 1, "validate");
    assert!(
        stdout(&output).contains("ok=1 failed=1 mismatched=0"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_closed_pipe_ends_validate_quietly_with_status_0() {
    let dir = scratch("pipe");
    // Enough failure lines to outgrow any pipe buffer: objects that are not records, one failure each
    // (a first line that is an array would make the file one JSON document, a single failure).
    let lines: Vec<String> = (0..20_000).map(|i| format!(r#"{{"n":{i}}}"#)).collect();
    let file = jsonl(&dir, "many-bad.jsonl", &lines);
    let mut child = example("validate")
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then close our end, as `| head -c 1` does.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    let stderr = stderr(&output);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_status(&output, 0, "validate | head");
}

#[test]
fn stats_exits_0_with_bad_records_counted() {
    let dir = scratch("stats-bad");
    let file = jsonl(
        &dir,
        "bad.jsonl",
        &[
            record("ListBuckets", "alice", "aws-cli/2"),
            "[1]".to_owned(),
        ],
    );
    let output = run("stats", &[&file]);
    assert_status(&output, 0, "stats");
    assert!(
        stdout(&output).contains("records: 1  errors: 1"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn hunt_exit_status_follows_fail_on() {
    let dir = scratch("hunt-fail-on");
    // StopLogging is critical in the built-in pack; ListBuckets matches nothing.
    let quiet = jsonl(
        &dir,
        "quiet.jsonl",
        &[record("ListBuckets", "alice", "aws-cli/2")],
    );
    let loud = jsonl(
        &dir,
        "loud.jsonl",
        &[record("StopLogging", "mallory", "aws-cli/2")],
    );
    for (file, fail_on, expected) in [
        (&quiet, None, 0),
        (&quiet, Some("finding"), 0),
        (&loud, None, 0),
        (&loud, Some("none"), 0),
        (&loud, Some("finding"), 1),
        (&loud, Some("high"), 1),
        // The built-in pack rates StopLogging high: below critical.
        (&loud, Some("critical"), 0),
    ] {
        let mut args = vec![file.as_str(), "--format", "jsonl"];
        if let Some(level) = fail_on {
            args.extend(["--fail-on", level]);
        }
        let output = run("hunt", &args);
        assert_status(&output, expected, &format!("hunt {args:?}"));
    }
    let output = run("hunt", &[&loud, "--format", "jsonl"]);
    assert!(
        stdout(&output).contains("\"rule_id\":\"aws-cloudtrail-tampering\""),
        "{}",
        stdout(&output)
    );
}

#[test]
fn hunt_exits_2_without_rules_to_run() {
    let output = run("hunt", &["--no-builtin", "--rules", "/nonexistent/rules"]);
    assert_status(&output, 2, "hunt --rules /nonexistent");
    assert!(
        stderr(&output).contains("cannot read /nonexistent/rules"),
        "{}",
        stderr(&output)
    );

    let dir = scratch("hunt-no-rules");
    fs::write(dir.join("broken.yml"), "title: [unclosed\n").unwrap();
    let output = run(
        "hunt",
        &["--no-builtin", "--rules", &dir.display().to_string()],
    );
    assert_status(&output, 2, "hunt --rules <only broken rules>");
    assert!(
        stderr(&output).contains("no rule to run"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn refused_flag_combinations_exit_2_with_a_message() {
    let sample = sample();
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "hunt",
            &["--from", "2024-05-03", "--to", "2024-05-01"],
            "is after --to",
        ),
        (
            "stats",
            &[&sample, "--from", "2024-05-03", "--to", "2024-05-01"],
            "is after --to",
        ),
        (
            "validate",
            &[&sample, "--from", "2024-05-03", "--to", "2024-05-01"],
            "is after --to",
        ),
        ("hunt", &["--threads", "0"], "--threads"),
        ("stats", &[&sample, "--account", "12345"], "12 digits"),
        ("stats", &[&sample, "--region", ""], "a region is"),
        ("stats", &[&sample, "--top", "0"], "--top"),
        (
            "generate",
            &["/tmp/never-written", "--regions", ""],
            "a region is",
        ),
        (
            "generate",
            &["/tmp/never-written", "--regions", "us-east-1,"],
            "a region is",
        ),
        (
            "generate",
            &["/tmp/never-written", "--threads", "0"],
            "--threads",
        ),
        ("generate", &["/tmp/never-written", "--days", "0"], "--days"),
        (
            "generate",
            &[
                "/tmp/never-written",
                "--min-per-file",
                "10",
                "--max-per-file",
                "5",
            ],
            "is above --max-per-file",
        ),
        ("validate", &[], "required"),
    ];
    for (name, args, message) in cases {
        let output = run(name, args);
        assert_status(&output, 2, &format!("{name} {args:?}"));
        assert!(
            stderr(&output).contains(message),
            "{name} {args:?}: {}",
            stderr(&output)
        );
        assert!(!Path::new("/tmp/never-written").exists());
    }
}

#[test]
fn s3_paths_without_the_s3_feature_are_a_usage_error() {
    if cfg!(feature = "s3") {
        return; // built with S3: the path is read (and tested in cloudtrail-reader's S3 tests)
    }
    for name in ["hunt", "stats", "validate"] {
        let output = run(name, &["s3://bucket/prefix"]);
        assert_status(&output, 2, name);
        assert!(
            stderr(&output).contains("--features s3"),
            "{name}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn help_says_each_default_once_and_the_exit_statuses() {
    for name in ["hunt", "stats", "validate", "generate"] {
        let help = stdout(&run(name, &["--help"]));
        assert!(help.contains("Exit status: 0"), "{name}: {help}");
        assert_eq!(help.matches("one per core").count(), 1, "{name}: {help}");
        assert!(!help.contains("[default: 0]"), "{name}: {help}");
    }
    for name in ["hunt", "stats", "validate"] {
        assert!(
            stdout(&run(name, &["--help"])).contains("s3://bucket/prefix"),
            "{name}"
        );
    }
    let help = stdout(&run("generate", &["--help"]));
    assert!(help.contains("[default: us-east-1,eu-west-1]"), "{help}");
}

/// An intruder's user name and user agent holding terminal escapes (recolour, clear the screen, retitle
/// the window, reorder the line) reach no terminal raw.
#[test]
fn terminal_escapes_in_records_are_escaped_in_every_human_format() {
    let dir = scratch("escapes");
    let user = "mal\u{1b}[2Jlory\u{7}";
    let agent = "aws-cli/2 \u{1b}]0;owned\u{7}\u{202e}txt.exe";
    let file = jsonl(
        &dir,
        "escapes.jsonl",
        &[
            record("StopLogging", user, agent),
            record("Stop\u{1b}[31mLogging\u{9b}", user, agent),
        ],
    );
    let hunt = run("hunt", &[&file, "--format", "table"]);
    let stats = run("stats", &[&file]);
    let validate = run("validate", &[&file, "--anomalies"]);
    for (what, output) in [("hunt", &hunt), ("stats", &stats), ("validate", &validate)] {
        for stream in [&output.stdout, &output.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(
                !text.contains(['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}']),
                "{what}: a raw control character: {text:?}"
            );
        }
    }
    let table = stdout(&hunt);
    assert!(table.contains("user/mal\\u{1b}[2Jlory\\u{7}"), "{table}");
    let counts = stdout(&stats);
    assert!(counts.contains("Stop\\u{1b}[31mLogging\\u{9b}"), "{counts}");
    // JSON output escapes control characters its own way, and stays exact.
    let json = stdout(&run("hunt", &[&file, "--format", "jsonl"]));
    assert!(json.contains("mal\\u001b[2Jlory\\u0007"), "{json}");
}
