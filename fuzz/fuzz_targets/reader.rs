//! Feeds arbitrary bytes (compressed or not) through the reader: it must never panic, every delivered
//! record must be a slice of valid JSON that round-trips, and the counts must add up.
#![no_main]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cloudtrail_reader::{Reader, ReaderOptions, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let delivered = AtomicU64::new(0);
    let errors = AtomicU64::new(0);
    let options = ReaderOptions {
        threads: 1,
        max_decompressed_bytes: 1 << 24,
        ..ReaderOptions::default()
    };
    let source = Source::Bytes {
        name: "fuzz".to_owned(),
        data: Arc::from(data),
    };
    let stats = Reader::new(options)
        .for_each(
            &[source],
            |event, info| {
                delivered.fetch_add(1, Ordering::Relaxed);
                let expected: serde_json::Value =
                    serde_json::from_str(info.text).expect("a delivered record is valid JSON");
                assert_eq!(serde_json::to_value(event).expect("serialises"), expected);
            },
            |_| {
                errors.fetch_add(1, Ordering::Relaxed);
            },
        )
        .expect("skip-and-report never fails the whole read");
    assert_eq!(stats.records_delivered, delivered.load(Ordering::Relaxed));
    assert_eq!(stats.errors, errors.load(Ordering::Relaxed));
    assert_eq!(stats.records_read(), stats.records_delivered + stats.records_reported);
    assert_eq!(stats.inputs_read, 1);
});
