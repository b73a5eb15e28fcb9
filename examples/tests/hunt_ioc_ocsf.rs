//! `hunt --ioc` and `hunt --format ocsf` over the bundled sample (examples/data): indicator hits are
//! findings naming the indicator, its kind, list and line, in every format; lines that are not
//! indicators are reported as FILE:LINE; OCSF Detection Findings validate at every release and carry
//! the evidence's event times and event ids. Runs the `hunt` binary `cargo test` builds beside this test.

use std::collections::HashSet;
use std::fs;
use std::path::PathBuf;
use std::process::Output;

use cloudtrail_ocsf::{OcsfVersion, validate};
use serde_json::Value;

#[allow(dead_code)]
mod support;

fn hunt(args: &[&str]) -> Output {
    support::example("hunt").args(args).output().unwrap()
}

fn data(name: &str) -> String {
    format!("{}/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn iocs() -> String {
    data("tests/data/iocs.txt")
}

fn lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("examples-ioc-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

/// The planted records' event ids.
fn planted() -> HashSet<String> {
    fs::read_to_string(data("data/ground_truth.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["event_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn indicator_hits_in_the_sample_are_findings_naming_indicator_and_list() {
    let output = hunt(&[
        &data("data"),
        "--ioc",
        &iocs(),
        "--no-builtin",
        "--format",
        "jsonl",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("hunt: ioc: 4 indicators loaded from 1 lists, 0 lines skipped"),
        "{}",
        stderr(&output)
    );
    let findings = lines(&output);
    let rules: HashSet<&str> = findings
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        HashSet::from(["ioc-address", "ioc-user-agent"]),
        "--no-builtin: only the lists"
    );
    let mallory = findings
        .iter()
        .find(|f| {
            f["rule_id"] == "ioc-address"
                && f["entity"]
                    .as_str()
                    .is_some_and(|e| e.ends_with(":user/mallory"))
        })
        .expect("the planted intruder's address is found");
    let indicator = &mallory["indicators"][0];
    assert_eq!(indicator["value"], "203.0.113.200");
    assert_eq!(indicator["kind"], "address");
    assert_eq!(indicator["line"], 4);
    assert_eq!(indicator["list"], iocs().as_str());
    assert_eq!(indicator["field"], "sourceIPAddress");
    // Its records are the planted scenario's.
    let planted = planted();
    let ids = mallory["event_ids"].as_array().unwrap();
    assert_eq!(ids.len(), 3);
    assert!(
        ids.iter().all(|id| planted.contains(id.as_str().unwrap())),
        "{ids:?}"
    );
    // Every address hit, and only those, is on the list's address.
    for f in findings.iter().filter(|f| f["rule_id"] == "ioc-address") {
        assert_eq!(f["explanation"][0]["value"], "203.0.113.200", "{f}");
    }
    let agent = findings
        .iter()
        .find(|f| f["rule_id"] == "ioc-user-agent")
        .unwrap();
    assert_eq!(agent["indicators"][0]["value"], "distrib#kali");
    assert!(
        agent["explanation"][0]["value"]
            .as_str()
            .unwrap()
            .contains("distrib#kali")
    );

    // The table names them too.
    let table = hunt(&[&data("data"), "--ioc", &iocs(), "--format", "table"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("[HIGH] ioc-address: Source address on an indicator list"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "indicator: 203.0.113.200 (address) from {} line 4",
            iocs()
        )),
        "{text}"
    );
}

#[test]
fn lines_that_are_not_indicators_are_reported_with_file_and_line_and_the_rest_runs() {
    let list = scratch(
        "mixed.txt",
        "# ok\n203.0.113.200\n192.0.2.300\nuser-agent:\nAKIA\ntype,value\n",
    );
    let output = hunt(&[
        &data("data"),
        "--ioc",
        list.to_str().unwrap(),
        "--no-builtin",
        "--format",
        "jsonl",
    ]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    for line in [3, 4, 5, 6] {
        assert!(
            err.contains(&format!("hunt: ioc: {}:{line}: ", list.display())),
            "line {line}: {err}"
        );
    }
    assert!(!err.contains(&format!("{}:2:", list.display())), "{err}");
    assert!(
        err.contains("1 indicators loaded from 1 lists, 4 lines skipped"),
        "{err}"
    );
    assert!(lines(&output).iter().any(|f| f["rule_id"] == "ioc-address"));

    // Not one indicator: the wrong file, status 2.
    let wrong = scratch("wrong.json", "{\"indicators\": [\"203.0.113.200\"]}\n");
    let output = hunt(&[&data("data"), "--ioc", wrong.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("not one line is an indicator"),
        "{}",
        stderr(&output)
    );
    // A list that does not exist: a usage error.
    let output = hunt(&["--ioc", "/nonexistent/iocs.txt"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("/nonexistent/iocs.txt"),
        "{}",
        stderr(&output)
    );
    // --no-builtin needs something to run.
    let output = hunt(&["--no-builtin"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--no-builtin needs --rules or --ioc"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn ocsf_findings_validate_at_every_release_with_event_times_and_ids() {
    let jsonl = lines(&hunt(&[
        &data("data"),
        "--ioc",
        &iocs(),
        "--format",
        "jsonl",
    ]));
    assert!(
        jsonl.len() > 20,
        "the pack and the lists find things in the sample"
    );
    let millis = |v: &Value| {
        v.as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
            .timestamp_millis()
    };
    let expected: HashSet<(String, i64, i64, Vec<String>)> = jsonl
        .iter()
        .map(|f| {
            let ids = f["event_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i.as_str().unwrap().to_owned())
                .collect();
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                millis(&f["first_seen"]),
                millis(&f["last_seen"]),
                ids,
            )
        })
        .collect();
    for version in OcsfVersion::ALL {
        let output = hunt(&[
            &data("data"),
            "--ioc",
            &iocs(),
            "--format",
            "ocsf",
            "--ocsf-version",
            version.as_str(),
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let findings = lines(&output);
        assert_eq!(
            findings.len(),
            jsonl.len(),
            "{version}: one Detection Finding per finding"
        );
        let mut seen = HashSet::new();
        for f in &findings {
            if let Err(error) = validate(f, version) {
                panic!("{version}: {error}\n{f:#}");
            }
            assert_eq!(f["class_uid"], 2004);
            let ids = f["finding_info"]["related_events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["uid"].as_str().unwrap().to_owned())
                .collect();
            seen.insert((
                f["finding_info"]["analytic"]["uid"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                f["start_time"].as_i64().unwrap(),
                f["time"].as_i64().unwrap(),
                ids,
            ));
        }
        assert_eq!(
            seen, expected,
            "{version}: the same findings, times and event ids as jsonl"
        );
        let ioc = findings
            .iter()
            .find(|f| f["finding_info"]["analytic"]["uid"] == "ioc-address")
            .unwrap();
        let indicator = &ioc["evidences"][0]["data"]["explanation"][0]["indicator"];
        assert_eq!(indicator["value"], "203.0.113.200");
        assert_eq!(indicator["list"], iocs().as_str());
    }
    let output = hunt(&["--format", "ocsf", "--ocsf-version", "1.3.0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unsupported OCSF version"),
        "{}",
        stderr(&output)
    );
}
