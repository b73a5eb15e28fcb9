//! What the report package's tests share: the example binary and scratch directories.

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the example binary `cargo test -p report-example` builds beside the tests.
pub fn report(args: &[&str]) -> Output {
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(format!("report{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} is missing", path.display());
    Command::new(path).args(args).output().unwrap()
}

/// An empty directory of this test process's own.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("report-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
