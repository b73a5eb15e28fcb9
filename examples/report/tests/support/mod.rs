//! What the report package's tests share: the example binary and scratch directories, through the
//! example packages' common test support (examples/tests/support).

use std::path::PathBuf;
use std::process::Output;

#[path = "../../../tests/support/mod.rs"]
#[allow(dead_code)]
mod common;
#[allow(unused_imports)]
pub use common::pack_findings;

/// Runs the example binary `cargo test -p report-example` builds beside the tests.
pub fn report(args: &[&str]) -> Output {
    common::example("report").args(args).output().unwrap()
}

/// An empty directory of this test process's own.
pub fn scratch(name: &str) -> PathBuf {
    common::scratch("report", name)
}
