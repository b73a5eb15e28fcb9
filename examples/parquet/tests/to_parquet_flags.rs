//! `to_parquet` refuses nonsense at parse time with exit status 2 and a message naming the flag, and
//! refuses to double every row by writing a second time into the same directory without `--append`.
//! Runs the example binary `cargo test` builds next to this test (`target/<profile>/examples/`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;
use support::{binary, parquet_files};

fn run(args: &[&str]) -> Output {
    Command::new(binary()).args(args).output().unwrap()
}

fn input() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../data").to_owned()
}

fn refused(args: &[&str], mentions: &str) {
    let output = run(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(mentions), "{args:?}: {stderr}");
}

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("to-parquet-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn nonsense_flags_are_refused_with_status_2() {
    let out = out_dir("flags");
    let out = out.to_str().unwrap();
    let input = input();
    refused(&[&input, out, "--buffer-mib", "0"], "--buffer-mib");
    refused(&[&input, out, "--zstd-level", "0"], "--zstd-level");
    refused(&[&input, out, "--zstd-level", "23"], "--zstd-level");
    refused(
        &[&input, out, "--layout", "flat", "--ocsf-version", "1.5.0"],
        "--ocsf-version",
    );
    refused(
        &[
            &input,
            out,
            "--layout",
            "flat",
            "--security-lake-source",
            "x",
        ],
        "--security-lake-source",
    );
    refused(&["--compact", out, &input], "--compact");
    assert!(
        !Path::new(out).exists(),
        "nothing is written for a refused command"
    );
}

#[test]
fn a_second_run_into_the_same_directory_needs_append() {
    let out = out_dir("append");
    let out_text = out.to_str().unwrap();
    let input = input();
    let first = run(&[&input, out_text, "--layout", "flat", "--no-sync"]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let count = || parquet_files(&out).len();
    let files = count();
    assert!(files > 0);
    refused(&[&input, out_text, "--layout", "flat"], "--append");
    assert_eq!(count(), files);
    let again = run(&[
        &input,
        out_text,
        "--layout",
        "flat",
        "--no-sync",
        "--append",
    ]);
    assert_eq!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stderr).contains("appending"));
    assert_eq!(count(), 2 * files);
    let compacted = run(&["--compact", out_text]);
    assert_eq!(
        compacted.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&compacted.stderr)
    );
    assert!(count() <= files);
}
