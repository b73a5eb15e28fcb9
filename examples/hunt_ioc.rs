//! `hunt --ioc FILE`: indicator lists (addresses and CIDR blocks, access key ids, ARNs, account ids,
//! user-agent substrings; plain or CSV, see `cloudtrail_detect::ioc`) become the `ioc-*` rules of the
//! engine, which run next to the others on every worker. Lines that are not indicators are reported
//! as `FILE:LINE: reason` and skipped; the rest of the list is used. A list that cannot be read, or that
//! has lines but not one indicator among them (the wrong file, another format), stops the run with
//! status 2: a hunt that silently used none of it would look clean.

use std::path::PathBuf;
use std::sync::Arc;

use cloudtrail_detect::ioc::{IocSet, rules};
use cloudtrail_detect::{Finding, Rule};
use serde_json::{Value, json};

use crate::common::{self, Status};

/// The `ioc-*` rules for the lists given (none without lists).
pub fn load(paths: &[PathBuf]) -> Result<Vec<Rule>, Status> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let mut set = IocSet::new();
    let mut skipped = 0;
    for path in paths {
        let before = set.len();
        let errors = match set.add_file(path) {
            Ok(errors) => errors,
            Err(error) => {
                common::note(format_args!("hunt: ioc: {error}"));
                return Err(Status::Trouble);
            }
        };
        for error in &errors {
            common::note(format_args!("hunt: ioc: {error}"));
        }
        skipped += errors.len();
        if set.len() == before && !errors.is_empty() {
            common::note(format_args!(
                "hunt: ioc: {}: not one line is an indicator ({} lines refused)",
                path.display(),
                errors.len()
            ));
            return Err(Status::Trouble);
        }
    }
    common::note(format_args!(
        "hunt: ioc: {} indicators loaded from {} lists, {skipped} lines skipped",
        set.len(),
        paths.len()
    ));
    Ok(rules(&Arc::new(set)))
}

/// The indicators a finding names, for its JSON line.
pub fn json(finding: &Finding) -> Option<Value> {
    let found: Vec<Value> = finding
        .explanation
        .iter()
        .filter_map(|e| {
            let i = e.indicator.as_deref()?;
            Some(json!({
                "value": i.value, "kind": i.kind, "list": i.list, "line": i.line, "note": i.note,
                "field": &*e.field, "matched": e.value,
            }))
        })
        .collect();
    (!found.is_empty()).then_some(Value::Array(found))
}

/// The indicators a finding names, for the table: `203.0.113.0/24 (address) from feed.txt line 3`.
pub fn line(finding: &Finding) -> Option<String> {
    let found: Vec<String> = finding
        .explanation
        .iter()
        .filter_map(|e| e.indicator.as_deref())
        .map(|i| {
            let note = i
                .note
                .as_deref()
                .map_or(String::new(), |n| format!(", {n}"));
            format!(
                "{} ({}) from {} line {}{note}",
                i.value, i.kind, i.list, i.line
            )
        })
        .collect();
    (!found.is_empty()).then(|| found.join("; "))
}
