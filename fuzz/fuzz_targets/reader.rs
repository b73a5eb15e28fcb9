//! Feeds arbitrary bytes (compressed or not) through the reader: it must never panic, every delivered
//! record must be a slice of valid JSON that round-trips, and the counts must add up. A plain
//! `{"Records":[...]}` input is read a second time behind an empty `"Records":[]` member, which the
//! reader's fast path for containers leaves to the validating parser: both must deliver the same
//! records and report the same number of errors.
#![no_main]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cloudtrail_reader::{Reader, ReaderOptions, Source};
use libfuzzer_sys::fuzz_target;

/// What one read delivered: the records' texts, the errors, and the counts.
fn read(data: &[u8]) -> (Vec<String>, u64, cloudtrail_reader::Stats) {
    let delivered = std::sync::Mutex::new(Vec::new());
    let errors = AtomicU64::new(0);
    let options = ReaderOptions::default().with_threads(1).with_max_decompressed_bytes(1 << 24);
    let source = Source::Bytes {
        name: "fuzz".to_owned(),
        data: Arc::from(data),
    };
    let stats = Reader::new(options)
        .for_each(
            &[source],
            |event, info| {
                delivered
                    .lock()
                    .expect("not poisoned")
                    .push(info.text.to_owned());
                let expected: serde_json::Value =
                    serde_json::from_str(info.text).expect("a delivered record is valid JSON");
                assert_eq!(serde_json::to_value(event).expect("serialises"), expected);
            },
            |_| {
                errors.fetch_add(1, Ordering::Relaxed);
            },
        )
        .expect("skip-and-report never fails the whole read");
    let delivered = delivered.into_inner().expect("not poisoned");
    assert_eq!(stats.records_delivered, delivered.len() as u64);
    assert_eq!(stats.errors, errors.load(Ordering::Relaxed));
    assert_eq!(
        stats.records_read(),
        stats.records_delivered + stats.records_reported
    );
    assert_eq!(stats.inputs_read, 1);
    (delivered, errors.load(Ordering::Relaxed), stats)
}

fuzz_target!(|data: &[u8]| {
    let (delivered, errors, stats) = read(data);
    const KEY: &[u8] = br#"{"Records":"#;
    if data.starts_with(KEY) {
        let validated = [
            br#"{"Records":[],"Records":"#.as_slice(),
            &data[KEY.len()..],
        ]
        .concat();
        let (again, errors_again, stats_again) = read(&validated);
        assert_eq!(delivered, again);
        assert_eq!(errors, errors_again);
        assert_eq!(stats.records_reported, stats_again.records_reported);
    }
});
