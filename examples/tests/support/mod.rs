//! What the example packages' tests share (examples, report-example and mcp-example include this file):
//! the example binaries `cargo test` builds beside the tests, scratch directories, and the built-in
//! pack's findings over a path counted without any example, to compare an example's output with.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use chrono::Duration;
use cloudtrail_detect::{Correlator, Finding, Match, RuleSet, builtin_rules};
use cloudtrail_reader::{Reader, Source, Stats};

/// The example binary `name`, which `cargo test -p <its package>` builds in `<target>/<profile>/examples`
/// (the tests run from `<target>/<profile>/deps`).
pub fn example(name: &str) -> Command {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("examples");
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run this test through `cargo test -p <package>`, which builds the examples",
        path.display()
    );
    Command::new(path)
}

/// An empty directory of this test process's own, `<prefix>-<name>-<pid>` under the temporary directory.
pub fn scratch(prefix: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{prefix}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The built-in pack's findings over `path`, read and correlated here in event-time order (no
/// lateness can drop a match), and what the reader counted.
pub fn pack_findings(path: &Path) -> (Stats, Vec<Finding>) {
    let rules = RuleSet::new(builtin_rules()).unwrap();
    let matches = Mutex::new(Vec::<Match>::new());
    let stats = Reader::default()
        .for_each(
            &[Source::Path(path.to_path_buf())],
            |event, _| {
                let mut found = Vec::new();
                rules.matches(event, &mut found);
                matches.lock().unwrap().extend(found);
            },
            |error| panic!("{error}"),
        )
        .unwrap();
    let mut matches = matches.into_inner().unwrap();
    matches.sort_by(|a, b| (a.time, &a.event_id, a.rule).cmp(&(b.time, &b.event_id, b.rule)));
    let mut correlator = Correlator::new(&rules, Duration::days(36_500));
    let mut findings = Vec::new();
    for m in matches {
        findings.extend(correlator.push(m).unwrap());
    }
    findings.extend(correlator.finish());
    (stats, findings)
}
