//! Golden tests: for one record of each identity type and each event type (tests/fixtures, provenance in
//! its README), what the model derives must equal the reviewed golden file in tests/golden.
//!
//! `UPDATE_GOLDEN=1 cargo test -p cloudtrail-model --test golden` rewrites the goldens; review the diff.

use std::fs;
use std::path::{Path, PathBuf};

use cloudtrail_model::{Event, UserAgent};
use serde_json::{Value, json};

fn dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name)
}

/// Everything the model derives from a record, as JSON to compare.
fn views(event: &Event<'_>) -> Value {
    let identity = event.user_identity.as_ref();
    json!({
        "event_type": event.event_type().map(|t| t.to_string()),
        "event_category": event.event_category().map(|c| c.to_string()),
        "event_time": event.event_time().map(|t| t.to_rfc3339()),
        "event_version": event.event_version(),
        "event_name_base": event.event_name_base(),
        "identity_kind": identity.map(|i| format!("{:?}", i.kind())),
        "identity_center_user": identity
            .and_then(|i| i.identity_center_user(event.event_source()))
            .map(|u| format!("{u:?}")),
        "mfa_authenticated": identity.and_then(|i| i.mfa_authenticated()),
        "acting_principal": format!("{:?}", event.acting_principal()),
        "entity_id": event.entity_id(),
        "outcome": event.outcome().as_str(),
        "account_id": event.account_id(),
        "read_only": event.read_only(),
        "source_address": event.source_address().map(|a| format!("{a:?}")),
        "user_agent": event.user_agent().map(|ua| {
            let ua = UserAgent::parse(ua);
            format!("{:?} / {:?} / {:?}", ua.client, ua.ai_assistant, ua.offensive_distribution)
        }),
        "anomalies": event.anomalies().iter().map(ToString::to_string).collect::<Vec<_>>(),
        "record_id": event.record_id(),
        "label": event.label().to_string(),
        "on_behalf_of": identity.and_then(|i| i.on_behalf_of.as_ref()).map(|o| json!({
            "subject_type": o.subject_type().map(|t| t.to_string()),
            "is_workload": o.is_workload(),
            "is_identity_center": o.is_identity_center(),
        })),
        "aggregation": event.aggregation().map(|a| json!({
            "id": a.id,
            "account_id": a.account_id,
            "window_start": a.window.and_then(|w| w.start()).map(|t| t.to_rfc3339()),
            "window_end": a.window.and_then(|w| w.end()).map(|t| t.to_rfc3339()),
            "window_size_seconds": a.window.and_then(|w| w.size()).map(|d| d.num_seconds()),
            "primary_dimension": a.primary_dimension(),
            "event_count": a.event_count(),
            "details": a.summary.and_then(|s| s.details.as_ref()).map(|details| details
                .iter()
                .map(|d| json!({"dimension": d.dimension, "counts": d.counts().collect::<Vec<_>>()}))
                .collect::<Vec<_>>()),
        })),
    })
}

#[test]
fn derived_views_match_the_goldens() {
    check_goldens(&dir("fixtures"), &dir("golden"), 23);
}

/// The 2026 shapes (aggregated events, `onBehalfOf` of trusted identity propagation), in this crate's own
/// fixture folder with their provenance in tests/data/README.md.
#[test]
fn derived_views_of_2026_shapes_match_the_goldens() {
    check_goldens(&dir("data"), &dir("data").join("golden"), 4);
}

/// Each fixture in `fixtures` round-trips and derives what its `<stem>.views.json` in `goldens` says.
fn check_goldens(fixtures: &Path, goldens: &Path, at_least: usize) {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut names: Vec<_> = fs::read_dir(fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    assert!(names.len() >= at_least, "fixtures missing: {}", names.len());
    let mut failures = Vec::new();
    for path in names {
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let text = fs::read_to_string(&path).unwrap();
        let event = Event::from_json(text.trim()).unwrap();
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            serde_json::from_str::<Value>(&text).unwrap(),
            "{stem}"
        );
        let actual = serde_json::to_string_pretty(&views(&event)).unwrap() + "\n";
        let golden = goldens.join(format!("{stem}.views.json"));
        if update {
            fs::create_dir_all(goldens).unwrap();
            fs::write(&golden, &actual).unwrap();
            continue;
        }
        let expected =
            fs::read_to_string(&golden).unwrap_or_else(|_| panic!("no golden for {stem}"));
        if expected != actual {
            failures.push(format!(
                "{stem}:\n--- golden\n{expected}\n+++ actual\n{actual}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
