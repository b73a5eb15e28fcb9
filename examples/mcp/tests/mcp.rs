//! The `mcp` example as a client sees it: the built binary is started, spoken to over its stdin and
//! stdout (initialize, the initialized notification, tools/list, tools/call of every tool), and its
//! answers on the bundled sample are checked against counts made here without the server. Errors come
//! back as tool errors and the server keeps answering after them.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use cloudtrail_detect::{RuleSet, builtin_rules};
use cloudtrail_reader::{Reader, Source};
use serde_json::{Value, json};

#[path = "../../tests/support/mod.rs"]
#[allow(dead_code)]
mod support;

fn sample() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../data").to_owned()
}

fn logs() -> PathBuf {
    PathBuf::from(sample()).join("AWSLogs")
}

/// The server, started from the example binary `cargo test -p mcp-example` builds beside this test.
struct Client {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    next_id: u64,
}

impl Client {
    fn start(args: &[&str]) -> Client {
        let mut child = support::example("mcp")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            lines,
            next_id: 1,
        }
    }

    fn send(&mut self, message: &Value) {
        writeln!(self.stdin, "{message}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends a request and waits (at most two minutes) for the response with its id.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(120))
                .unwrap_or_else(|_| panic!("no response to {method} (id {id})"));
            let message: Value = serde_json::from_str(&line)
                .unwrap_or_else(|error| panic!("not JSON on stdout ({error}): {line}"));
            assert_eq!(message["jsonrpc"], "2.0", "{line}");
            if message["id"] == json!(id) {
                return message;
            }
        }
    }

    /// A tools/call: `Ok(structured result)` or `Err(the error text)` when the result is a tool error.
    fn call(&mut self, tool: &str, arguments: Value) -> Result<Value, String> {
        let response = self.request("tools/call", json!({"name": tool, "arguments": arguments}));
        let result = &response["result"];
        assert!(result.is_object(), "tools/call {tool} answered {response}");
        let text = result["content"][0]["text"].as_str().unwrap().to_owned();
        if result["isError"] == json!(true) {
            return Err(text);
        }
        // The structured result and its text form say the same.
        let structured = result["structuredContent"].clone();
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), structured);
        Ok(structured)
    }

    fn handshake(&mut self) -> Value {
        let response = self.request(
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "mcp-test", "version": "1"}
            }),
        );
        self.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        response
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One record's fields, read without the server.
struct Record {
    entity: String,
    event_name: Option<String>,
    time: Option<String>,
}

fn records() -> Vec<Record> {
    let records = Mutex::new(Vec::new());
    Reader::default()
        .for_each(
            &[Source::Path(logs())],
            |event, _| {
                records.lock().unwrap().push(Record {
                    entity: event.entity_id().into_owned(),
                    event_name: event.event_name().map(str::to_owned),
                    time: event
                        .event_time()
                        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                });
            },
            |error| panic!("the sample reads cleanly: {error}"),
        )
        .unwrap();
    records.into_inner().unwrap()
}

/// (rule id, entity) of every finding of the built-in pack, found here without the server.
fn independent_findings() -> BTreeSet<(String, String)> {
    support::pack_findings(&logs())
        .1
        .into_iter()
        .map(|f| (f.rule_id, f.entity))
        .collect()
}

#[test]
fn handshake_lists_the_four_tools_with_schemas() {
    let mut client = Client::start(&[]);
    let init = client.handshake();
    assert_eq!(init["result"]["serverInfo"]["name"], "cloudtrail", "{init}");
    assert!(
        init["result"]["capabilities"]["tools"].is_object(),
        "{init}"
    );
    let list = client.request("tools/list", json!({}));
    let tools = list["result"]["tools"].as_array().unwrap();
    let names: BTreeSet<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "hunt",
            "list_rules",
            "search_records",
            "summarise_principal"
        ])
    );
    for tool in tools {
        let schema = &tool["inputSchema"];
        assert_eq!(schema["type"], "object", "{tool}");
        assert!(!tool["description"].as_str().unwrap().is_empty());
        assert_eq!(tool["outputSchema"]["type"], "object", "{tool}");
    }
    let hunt = tools.iter().find(|t| t["name"] == "hunt").unwrap();
    assert_eq!(hunt["inputSchema"]["required"], json!(["paths"]));
}

#[test]
fn hunt_finds_what_the_pack_finds_and_bounds_it() {
    let mut client = Client::start(&[]);
    client.handshake();
    let all = client
        .call("hunt", json!({"paths": [sample()], "max_findings": 500}))
        .unwrap();
    let records = records();
    assert_eq!(all["records"], json!(records.len()));
    assert_eq!(all["errors"]["count"], 0);
    let findings = all["findings"].as_array().unwrap();
    let truth =
        std::fs::read_to_string(PathBuf::from(sample()).join("ground_truth.jsonl")).unwrap();
    let scenarios: BTreeSet<String> = truth
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["scenario"].to_string())
        .collect();
    assert!(
        findings.len() >= scenarios.len(),
        "the sample plants {} scenarios, each found",
        scenarios.len()
    );
    assert_eq!(all["findings_total"], json!(findings.len()));
    assert_eq!(all["truncated"], false);
    let returned: BTreeSet<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["entity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(returned, independent_findings());
    // Most severe first, and every finding's rule and ATT&CK ids are the pack's.
    let rank = |s: &Value| {
        ["info", "low", "medium", "high", "critical"]
            .iter()
            .position(|n| s == n)
            .unwrap()
    };
    let ranks: Vec<usize> = findings.iter().map(|f| rank(&f["severity"])).collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");
    let rules = RuleSet::new(builtin_rules()).unwrap();
    for finding in findings {
        let rule = rules
            .rules()
            .iter()
            .find(|r| r.id == finding["rule_id"].as_str().unwrap())
            .unwrap();
        let techniques: Vec<&str> = rule.mitre.iter().map(|m| m.technique.as_str()).collect();
        let returned: Vec<&str> = finding["attack"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["technique"].as_str().unwrap())
            .collect();
        assert_eq!(returned, techniques);
        // Every principal a finding names acted in the sample.
        let entity = finding["entity"].as_str().unwrap();
        assert!(finding["events"].as_u64().unwrap() >= 1);
        if entity.starts_with("arn:") {
            assert!(records.iter().any(|r| r.entity == entity), "{entity}");
        }
    }

    let bounded = client
        .call("hunt", json!({"paths": [sample()], "max_findings": 3}))
        .unwrap();
    assert_eq!(bounded["findings"].as_array().unwrap().len(), 3);
    assert_eq!(bounded["truncated"], true);
    assert_eq!(bounded["findings_total"], all["findings_total"]);
    assert_eq!(bounded["findings"].as_array().unwrap()[..], findings[..3]);

    let high = client
        .call(
            "hunt",
            json!({"paths": [sample()], "max_findings": 500, "min_severity": "high"}),
        )
        .unwrap();
    let expected = ranks.iter().filter(|&&r| r >= 3).count();
    assert_eq!(high["findings_total"], json!(expected));

    // A window before the sample holds no record to hunt.
    let before = client
        .call(
            "hunt",
            json!({"paths": [sample()], "to": "2000-01-01T00:00:00Z"}),
        )
        .unwrap();
    assert_eq!(before["records_hunted"], 0);
    assert_eq!(before["findings_total"], 0);
}

#[test]
fn list_rules_is_the_pack_filtered() {
    let mut client = Client::start(&[]);
    client.handshake();
    let rules = RuleSet::new(builtin_rules()).unwrap();
    let all = client.call("list_rules", json!({})).unwrap();
    assert_eq!(all["total"], json!(rules.rules().len()));
    let reported = rules.rules().iter().filter(|r| r.report).count();
    assert_eq!(all["rules"].as_array().unwrap().len(), reported);

    let filtered = client
        .call("list_rules", json!({"filter": "t1562.008"}))
        .unwrap();
    let ids: BTreeSet<&str> = filtered["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let expected: BTreeSet<&str> = rules
        .rules()
        .iter()
        .filter(|r| r.report && r.mitre.iter().any(|m| m.technique == "T1562.008"))
        .map(|r| r.id.as_str())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(ids, expected);
}

#[test]
fn summarise_and_search_count_what_is_there() {
    let mut client = Client::start(&[]);
    client.handshake();
    let records = records();
    let principal = "assumed-role/ci-deployer";
    let summary = client
        .call(
            "summarise_principal",
            json!({"paths": [sample()], "principal": principal}),
        )
        .unwrap();
    let principals = summary["principals"].as_array().unwrap();
    assert!(!principals.is_empty());
    let returned: u64 = principals
        .iter()
        .map(|p| p["events"].as_u64().unwrap())
        .sum();
    let counted = records
        .iter()
        .filter(|r| r.entity.contains(principal))
        .count();
    assert_eq!(summary["truncated"], false);
    assert_eq!(returned, counted as u64);
    for p in principals {
        assert!(p["principal"].as_str().unwrap().contains(principal));
        let names: u64 = p["event_names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["count"].as_u64().unwrap())
            .sum();
        assert!(names <= p["events"].as_u64().unwrap());
    }

    let search = client
        .call(
            "search_records",
            json!({"paths": [sample()], "event_name": "ConsoleLogin", "limit": 5}),
        )
        .unwrap();
    let logins: Vec<&Record> = records
        .iter()
        .filter(|r| r.event_name.as_deref() == Some("ConsoleLogin"))
        .collect();
    assert!(
        logins.len() > 5,
        "the sample holds more sign-ins than the limit"
    );
    assert_eq!(search["matched"], json!(logins.len()));
    assert_eq!(search["truncated"], true);
    let found = search["records_found"].as_array().unwrap();
    assert_eq!(found.len(), 5);
    assert!(found.iter().all(|r| r["event_name"] == "ConsoleLogin"));
    // The earliest five, in order.
    let mut times: Vec<&str> = logins.iter().filter_map(|r| r.time.as_deref()).collect();
    times.sort_unstable();
    let returned: Vec<&str> = found
        .iter()
        .map(|r| r["event_time"].as_str().unwrap())
        .collect();
    assert_eq!(returned, times[..5]);
}

#[test]
fn errors_are_tool_errors_and_the_server_goes_on() {
    let mut client = Client::start(&["--root", &sample()]);
    client.handshake();
    let missing = client
        .call("hunt", json!({"paths": ["/no/such/trail"]}))
        .unwrap_err();
    assert!(
        missing.contains("/no/such/trail: path not found"),
        "{missing}"
    );
    let outside = client.call("hunt", json!({"paths": ["/"]})).unwrap_err();
    assert!(outside.contains("outside the directories"), "{outside}");
    let stdin = client
        .call("search_records", json!({"paths": ["-"]}))
        .unwrap_err();
    assert!(stdin.contains("standard input"), "{stdin}");
    let time = client
        .call("hunt", json!({"paths": [sample()], "from": "yesterday"}))
        .unwrap_err();
    assert!(time.contains("from") && time.contains("RFC 3339"), "{time}");
    let limit = client
        .call(
            "search_records",
            json!({"paths": [sample()], "limit": 100000}),
        )
        .unwrap_err();
    assert!(limit.contains("limit: between 1 and 200"), "{limit}");
    // Arguments that do not fit the schema are refused, and the server still answers.
    let wrong = client.request(
        "tools/call",
        json!({"name": "hunt", "arguments": {"paths": "not a list"}}),
    );
    assert!(
        wrong.get("error").is_some() || wrong["result"]["isError"] == json!(true),
        "{wrong}"
    );
    let rules = client
        .call("list_rules", json!({"filter": "cloudtrail"}))
        .unwrap();
    assert!(!rules["rules"].as_array().unwrap().is_empty());
}
