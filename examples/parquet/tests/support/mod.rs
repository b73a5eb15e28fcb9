//! What the tests of the `to_parquet` example share.

use std::path::{Path, PathBuf};

/// The example binary `cargo test` builds next to the test (`target/<profile>/examples/to_parquet`).
pub fn binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap();
    let path = profile_dir.join("examples").join("to_parquet");
    assert!(
        path.exists(),
        "{} is not built: run `cargo test -p examples-parquet`",
        path.display()
    );
    path
}

/// The Parquet files under `dir`, at any depth.
pub fn parquet_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "parquet") {
                found.push(path);
            }
        }
    }
    found
}
