use cloudtrail_detect::{RuleSet, Severity, builtin_rules};
use cloudtrail_model::Event;
#[test]
fn corpus() {
    let rules = RuleSet::new(builtin_rules()).unwrap();
    let mut counts = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir("/work/shared/corpus").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "jsonl") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for (i, line) in std::fs::read_to_string(&path).unwrap().lines().enumerate() {
            let v: serde_json::Value = match serde_json::from_str(line) {
                Ok(v) => v,
                Err(_) => continue,
            };
            let (rec, tag) = if name == "panther_expectations.jsonl" {
                (
                    v["event"].clone(),
                    format!("{} {} {}", v["rule"], v["expected"], v["test_name"]),
                )
            } else {
                (v.clone(), String::new())
            };
            let text = rec.to_string();
            let Ok(ev) = Event::from_json(&text) else {
                continue;
            };
            let mut m = Vec::new();
            rules.matches(&ev, &mut m);
            for x in m {
                let id = &rules.rules()[x.rule].id;
                *counts.entry((id.clone(), x.severity)).or_insert(0) += 1;
                if x.severity >= Severity::High {
                    println!(
                        "HIGH {name}:{i} {id} {:?} {:?} | {tag}",
                        x.severity,
                        ev.event_name()
                    );
                }
            }
        }
    }
    for ((id, s), n) in counts {
        println!("COUNT {id} {s:?} {n}");
    }
}
