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
