//! Parquet output to S3 against a real S3-compatible server on loopback: `moto_server` (PyPI
//! `moto[server]`), started by the test itself, as the reader's S3 tests do. Files appear only when
//! complete (one conditional PUT, or a multipart upload for large files), and an existing key is
//! never replaced.
#![cfg(feature = "s3")]

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cloudtrail_model::Event;
use cloudtrail_ocsf::writer::{
    Destination, Layout, ParquetWriter, StorePrefix, WriteError, WriterOptions,
};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

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
        let port_text = port.to_string();
        let spawn = |program: &str, args: &[&str]| {
            Command::new(program)
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
        };
        let child = spawn("moto_server", &["-H", "127.0.0.1", "-p", &port_text])
            .or_else(|_| {
                spawn(
                    "python3",
                    &["-m", "moto.server", "-H", "127.0.0.1", "-p", &port_text],
                )
            })
            .unwrap_or_else(|e| {
                panic!("cannot start moto_server ({e}): pip install 'moto[server]'")
            });
        let mut moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!("moto_server exited ({status}): pip install 'moto[server]'");
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "moto_server did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    fn store(&self, bucket: &str) -> Arc<dyn ObjectStore> {
        let store = AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_access_key_id("test")
            .with_secret_access_key("test")
            .with_bucket_name(bucket)
            .build()
            .unwrap();
        Arc::new(store)
    }

    fn create_bucket(&self, bucket: &str) {
        let status = Command::new("curl")
            .args([
                "-s",
                "-f",
                "-X",
                "PUT",
                &format!("{}/{bucket}", self.endpoint),
            ])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "cannot create bucket {bucket}");
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A record of `day` whose `requestParameters` holds `noise` bytes that zstd cannot shrink much.
fn record(day: u32, i: usize, noise: usize) -> String {
    let mut state = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let text: String = (0..noise)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b"0123456789abcdefghijklmnopqrstuvwxyz"[(state % 36) as usize])
        })
        .collect();
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2024-05-0{day}T10:00:{:02}Z","eventSource":"s3.amazonaws.com",
        "eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","eventID":"e-{day}-{i}",
        "userIdentity":{{"type":"Root","accountId":"111122223333"}},"recipientAccountId":"111122223333",
        "requestParameters":{{"key":"{text}"}}}}"#,
        i % 60
    )
}

fn rows(store: &Arc<dyn ObjectStore>, runtime: &tokio::runtime::Runtime, key: &str) -> usize {
    let bytes = runtime
        .block_on(async { store.get(&Path::from(key)).await.unwrap().bytes().await })
        .unwrap();
    ParquetRecordBatchReaderBuilder::try_new(bytes)
        .unwrap()
        .build()
        .unwrap()
        .map(|batch| batch.unwrap().num_rows())
        .sum()
}

#[test]
fn writes_partitions_to_s3_never_replacing_an_object() {
    let moto = Moto::start();
    moto.create_bucket("lake");
    let store = moto.store("lake");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let prefix = StorePrefix::new(store.clone(), "s3://lake", "/tables/ct/").unwrap();
    let options = WriterOptions::to(Destination::ObjectStore(prefix.clone()))
        .with_file_prefix("run1")
        .with_max_file_bytes(256 << 20)
        .with_max_buffered_bytes(512 << 20);
    let mut writer = ParquetWriter::new(&Layout::Flat, options.clone(), 0);
    // Day 1 small (one PUT); day 2 about 12 MB compressed (a multipart upload).
    let texts: Vec<String> = (0..5)
        .map(|i| record(1, i, 20))
        .chain((0..2_000).map(|i| record(2, i, 7_000)))
        .collect();
    for text in &texts {
        writer.write(&Event::from_json(text).unwrap()).unwrap();
    }
    writer.finish().unwrap();
    assert_eq!(writer.stats().records_written(), texts.len() as u64);
    assert_eq!(writer.stats().files, 2);

    let mut keys: Vec<(String, u64)> = prefix.list().unwrap();
    keys.sort();
    let dir = "tables/ct/cloudtrail/region=us-east-1/accountId=111122223333/eventDay=2024050";
    assert_eq!(
        keys.iter().map(|(key, _)| key.as_str()).collect::<Vec<_>>(),
        [
            format!("{dir}1/run1-w0-00000.parquet"),
            format!("{dir}2/run1-w0-00001.parquet")
        ]
    );
    assert!(
        keys[1].1 > 8 << 20,
        "the second file is large enough for a multipart upload: {keys:?}"
    );
    assert_eq!(rows(&store, &runtime, &keys[0].0), 5);
    assert_eq!(rows(&store, &runtime, &keys[1].0), 2_000);

    // The same names again (a writer that reused a prefix): refused, the objects stay as they were.
    for (day, count, noise) in [(1, 3, 20), (2, 1_500, 7_000)] {
        let mut writer = ParquetWriter::new(&Layout::Flat, options.clone(), 0);
        if day == 2 {
            // Number the file as the first run numbered its day-2 file.
            let text = record(9, 0, 1);
            writer.write(&Event::from_json(&text).unwrap()).unwrap();
            writer.finish().unwrap();
        }
        for i in 0..count {
            writer
                .write(&Event::from_json(&record(day, i, noise)).unwrap())
                .unwrap();
        }
        let error = writer.finish().unwrap_err();
        assert!(matches!(error, WriteError::Store { .. }), "{error}");
        assert_eq!(writer.stats().write_errors, count as u64);
    }
    assert_eq!(rows(&store, &runtime, &keys[0].0), 5);
    assert_eq!(rows(&store, &runtime, &keys[1].0), 2_000);
}
