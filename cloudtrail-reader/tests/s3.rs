//! Reading `s3://` prefixes against a real S3-compatible server on loopback: `moto_server` (PyPI
//! `moto[server]`), started by the test itself. `./test.sh` (the README's test command) installs it.
#![cfg(feature = "s3")]

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cloudtrail_reader::{LayoutFilter, Reader, ReaderOptions, S3Options, Source};
use flate2::Compression;
use flate2::write::GzEncoder;

/// A moto server on a free loopback port, stopped when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Moto {
    fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let spawn = |program: &str, args: &[&str]| {
            Command::new(program)
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
        };
        let port_text = port.to_string();
        let child = spawn("moto_server", &["-H", "127.0.0.1", "-p", &port_text])
            .or_else(|_| {
                spawn(
                    "python3",
                    &["-m", "moto.server", "-H", "127.0.0.1", "-p", &port_text],
                )
            })
            .unwrap_or_else(|e| {
                panic!("cannot start moto_server ({e}; ./test.sh installs it): pip install 'moto[server]'")
            });
        let mut moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!(
                    "moto_server exited ({status}; ./test.sh installs it): pip install 'moto[server]'"
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "moto_server did not start in 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// Creates a bucket and uploads every file under `root`, keyed by its path relative to `root`.
    fn upload(&mut self, bucket: &str, root: &Path) {
        let script = r#"
import os, sys, boto3
endpoint, bucket, root = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
s3.create_bucket(Bucket=bucket)
for folder, _, files in os.walk(root):
    for name in files:
        path = os.path.join(folder, name)
        with open(path, "rb") as body:
            s3.put_object(Bucket=bucket, Key=os.path.relpath(path, root), Body=body.read())
"#;
        let status = Command::new("python3")
            .args(["-c", script, &self.endpoint, bucket, root.to_str().unwrap()])
            .status()
            .unwrap();
        assert!(status.success(), "upload to moto failed");
    }
}

impl Moto {
    /// Options that reach this server.
    fn options(&self) -> S3Options {
        S3Options::default()
            .with_endpoint(self.endpoint.clone())
            .with_region("us-east-1")
            .with_credentials("test", "test")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap()
}

fn container(prefix: &str, n: usize) -> String {
    let records: Vec<String> = (0..n)
        .map(|i| {
            format!(r#"{{"eventVersion":"1.11","eventName":"GetObject","eventID":"{prefix}-{i}"}}"#)
        })
        .collect();
    format!("{{\"Records\":[{}]}}", records.join(","))
}

fn write(root: &Path, key: &str, data: &[u8]) {
    let path = root.join(key);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, data).unwrap();
}

#[test]
fn lists_prunes_and_reads_a_bucket() {
    let root = std::env::temp_dir().join(format!("cloudtrail-reader-s3-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let base = "logs/AWSLogs/111122223333/CloudTrail";
    write(
        &root,
        &format!("{base}/us-east-1/2024/05/01/a.json.gz"),
        &gzip(&container("a", 3)),
    );
    write(
        &root,
        &format!("{base}/us-east-1/2024/05/02/b.json.gz"),
        &gzip(&container("b", 4)),
    );
    // Excluded by the filter below; corrupt, so fetching one would report an error.
    write(
        &root,
        &format!("{base}/eu-west-1/2024/05/01/c.json.gz"),
        b"\x1f\x8bcorrupt",
    );
    write(
        &root,
        &format!("{base}/us-east-1/2024/04/30/d.json.gz"),
        b"\x1f\x8bcorrupt",
    );
    let mut moto = Moto::start();
    moto.upload("trail", &root);

    let s3 = moto.options();
    let filter = LayoutFilter::default()
        .with_regions(["us-east-1"])
        .with_from(chrono::NaiveDate::from_ymd_opt(2024, 5, 1));
    let ids = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let options = ReaderOptions::default()
        .with_s3(s3.clone())
        .with_filter(filter);
    let stats = Reader::new(options)
        .for_each(
            &[Source::from_arg("s3://trail/logs/")],
            |event, info| {
                assert!(
                    info.input.starts_with("s3://trail/logs/AWSLogs/"),
                    "{}",
                    info.input
                );
                ids.lock()
                    .unwrap()
                    .push(event.event_id().unwrap().to_owned());
            },
            |error| errors.lock().unwrap().push(error.to_string()),
        )
        .unwrap();
    let mut ids = ids.into_inner().unwrap();
    ids.sort();
    assert_eq!(errors.into_inner().unwrap(), Vec::<String>::new());
    assert_eq!(ids, ["a-0", "a-1", "a-2", "b-0", "b-1", "b-2", "b-3"]);
    assert_eq!(stats.files_pruned, 2);
    assert_eq!(stats.inputs_read, 2);

    // Without the filter every object is fetched, and the corrupt ones are reported with their URL.
    let errors = Mutex::new(Vec::new());
    let stats = Reader::new(ReaderOptions::default().with_s3(s3))
        .for_each(
            &[Source::from_arg("s3://trail")],
            |_, _| {},
            |error| errors.lock().unwrap().push(error.to_string()),
        )
        .unwrap();
    assert_eq!(stats.records_delivered, 7);
    let errors = errors.into_inner().unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .all(|e| e.starts_with("s3://trail/logs/AWSLogs/")),
        "{errors:?}"
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn an_unreachable_endpoint_is_a_located_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = ReaderOptions::default().with_s3(
        S3Options::default()
            .with_endpoint(format!("http://127.0.0.1:{port}"))
            .with_region("us-east-1")
            .with_credentials("test", "test"),
    );
    let errors = Mutex::new(Vec::new());
    Reader::new(options)
        .for_each(
            &[Source::from_arg("s3://nowhere/x")],
            |_, _| {},
            |error| errors.lock().unwrap().push(error.to_string()),
        )
        .unwrap();
    let errors = errors.into_inner().unwrap();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("s3://nowhere/x: cannot read"),
        "{errors:?}"
    );
}

#[test]
fn an_object_over_the_cap_is_a_located_error_and_json_lines_objects_stream() {
    let root =
        std::env::temp_dir().join(format!("cloudtrail-reader-s3-big-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    // A 2 MiB `{"Records":[...]}` object against a 1 MiB cap, then a small one; and 3 MiB of JSON Lines,
    // which is not held whole and so is read to its end.
    let big = container("big", 50_000);
    assert!(big.len() > 2 << 20, "{}", big.len());
    write(&root, "t/1-big.json", big.as_bytes());
    write(&root, "t/2-next.json.gz", &gzip(&container("next", 2)));
    let lines: Vec<String> = (0..50_000)
        .map(|i| {
            format!(r#"{{"eventVersion":"1.11","eventName":"GetObject","eventID":"line-{i}"}}"#)
        })
        .collect();
    let lines = lines.join("\n");
    assert!(lines.len() > 3 << 20, "{}", lines.len());
    write(&root, "t/3-lines.jsonl", lines.as_bytes());
    let mut moto = Moto::start();
    moto.upload("big", &root);

    let options = ReaderOptions::default()
        .with_s3(moto.options())
        .with_threads(1)
        .with_max_decompressed_bytes(1 << 20);
    let ids = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let stats = Reader::new(options)
        .for_each(
            &[Source::from_arg("s3://big/t/")],
            |event, _| {
                ids.lock()
                    .unwrap()
                    .push(event.event_id().unwrap().to_owned());
            },
            |error| errors.lock().unwrap().push(error.to_string()),
        )
        .unwrap();
    let errors = errors.into_inner().unwrap();
    assert_eq!(
        errors,
        ["s3://big/t/1-big.json: decompressed size exceeds the limit of 1048576 bytes"]
    );
    let ids = ids.into_inner().unwrap();
    let before_cap = ids.iter().filter(|id| id.starts_with("big-")).count();
    assert!(before_cap > 0 && before_cap < 50_000, "{before_cap}");
    assert_eq!(ids.iter().filter(|id| id.starts_with("next-")).count(), 2);
    assert_eq!(
        ids.iter().filter(|id| id.starts_with("line-")).count(),
        50_000
    );
    assert_eq!(stats.inputs_read, 3);
    assert_eq!(stats.inputs_failed, 1);
    std::fs::remove_dir_all(&root).unwrap();
}
