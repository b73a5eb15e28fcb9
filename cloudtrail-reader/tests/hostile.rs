//! Hostile conditions: a panicking callback, trees with entries that cannot be read, and the bounds on
//! what a worker buffers.

use std::fs;
use std::path::{Path, PathBuf};

use cloudtrail_reader::{ErrorPolicy, Reader, ReaderOptions, Source};

mod common;
use common::*;

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("cloudtrail-hostile-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

#[test]
fn a_panic_in_the_fold_reaches_the_caller() {
    let sources: Vec<Source> = (0..6)
        .map(|i| bytes(&format!("{i}.json"), container(3)))
        .collect();
    let reader = Reader::new(ReaderOptions::default().with_threads(2));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        reader.fold(
            &sources,
            || (),
            |(), _, info| {
                if info.input == "3.json" && info.index == 1 {
                    panic!("the fold broke on 3.json");
                }
            },
            |error| panic!("no errors expected: {error}"),
        )
    }));
    let panic = result.expect_err("the panic must not be swallowed");
    assert_eq!(
        panic.downcast_ref::<&str>().copied(),
        Some("the fold broke on 3.json")
    );
}

#[test]
fn a_panic_in_the_error_callback_reaches_the_caller() {
    let reader = Reader::new(ReaderOptions::default().with_threads(2));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        reader.for_each(
            &[
                bytes("good.json", container(2)),
                bytes("bad.json", "{\"Records\":[1]}"),
            ],
            |_, _| {},
            |_| panic!("the error callback broke"),
        )
    }));
    assert!(result.is_err());
}

/// A tree with one good file before and after each bad entry, so that a listing that stops at the
/// bad entry misses the later files.
#[cfg(unix)]
#[test]
fn a_bad_entry_in_a_tree_is_reported_by_name_and_the_rest_is_read() {
    use std::os::unix::fs::symlink;

    let root = temp_dir("tree");
    write(&root.join("a/1.json"), &container(1));
    symlink(root.join("nowhere.json"), root.join("a/2-dangling.json")).unwrap();
    write(&root.join("a/3.json"), &container(1));
    // A link to itself: resolving it fails with "too many levels of symbolic links".
    fs::create_dir_all(root.join("b")).unwrap();
    symlink(root.join("b/self"), root.join("b/self")).unwrap();
    write(&root.join("b/z.json"), &container(1));
    // A link to an ancestor: a loop the walk must not follow forever.
    write(&root.join("c/1.json"), &container(1));
    symlink(&root, root.join("c/2-up")).unwrap();
    write(&root.join("c/3.json"), &container(1));
    // A FIFO: opening it would wait for a writer forever.
    fs::create_dir_all(root.join("d")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(root.join("d/1-fifo.json"))
        .status()
        .unwrap();
    assert!(made.success());
    write(&root.join("d/2.json"), &container(1));
    // A link to a file elsewhere is followed.
    let outside = temp_dir("outside");
    write(&outside.join("o.json"), &container(1));
    symlink(outside.join("o.json"), root.join("e-link.json")).unwrap();

    let outcome = read(&[Source::Path(root.clone())]);
    let files: Vec<&str> = outcome
        .delivered
        .iter()
        .map(|d| d.0.strip_prefix(root.to_str().unwrap()).unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "/a/1.json",
            "/a/3.json",
            "/b/z.json",
            "/c/1.json",
            "/c/3.json",
            "/d/2.json",
            "/e-link.json"
        ]
    );
    assert_eq!(
        outcome.kinds,
        ["io", "io", "io", "io"],
        "{:?}",
        outcome.errors
    );
    let named = |suffix: &str, what: &str| {
        let name = format!("{}{suffix}: cannot read: ", root.display());
        assert!(
            outcome
                .errors
                .iter()
                .any(|error| error.starts_with(&name) && error.contains(what)),
            "{suffix} {what}: {:?}",
            outcome.errors
        );
    };
    named("/a/2-dangling.json", "No such file");
    named("/b/self", "symbolic links");
    named("/c/2-up", "a symbolic link loop");
    named("/d/1-fifo.json", "not a regular file");
    assert_eq!(outcome.stats.inputs_failed, 4);

    // Fail-fast stops at the first bad entry, and names it.
    let error = Reader::new(ReaderOptions::default().with_policy(ErrorPolicy::FailFast))
        .for_each(&[Source::Path(root.clone())], |_, _| {}, |_| {})
        .unwrap_err();
    assert_eq!(
        error.input(),
        root.join("a/2-dangling.json").to_str().unwrap()
    );
    fs::remove_dir_all(&root).unwrap();
    fs::remove_dir_all(&outside).unwrap();
}
