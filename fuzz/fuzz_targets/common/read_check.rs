//! What the reader targets check on every read: no panic, every delivered record a slice of valid
//! JSON that round-trips through the model, and the counts conserved (read = delivered + reported).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cloudtrail_reader::{Reader, ReaderOptions, Source, Stats};

/// What one read delivered: the records' texts, the errors, and the counts.
pub fn read(data: &[u8]) -> (Vec<String>, u64, Stats) {
    let delivered = std::sync::Mutex::new(Vec::new());
    let errors = AtomicU64::new(0);
    let options = ReaderOptions::default()
        .with_threads(1)
        .with_max_decompressed_bytes(1 << 24);
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
                // serde_json's `Value` refuses numbers beyond f64's range, which records keep as
                // written (cloudtrail-model/tests/fuzz_regressions.rs): then the record's own round
                // trip is the check.
                match serde_json::from_str::<serde_json::Value>(info.text) {
                    Ok(expected) => {
                        assert_eq!(serde_json::to_value(event).expect("serialises"), expected)
                    }
                    Err(error) => {
                        assert!(
                            oracle_refusal(&error),
                            "a delivered record is valid JSON: {error}"
                        );
                        let text = serde_json::to_string(event).expect("serialises");
                        let again =
                            cloudtrail_model::Event::from_json(&text).expect("parses again");
                        assert_eq!(&again, event);
                    }
                }
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

/// What `serde_json::Value` refuses in a text the record model accepts as written (lossless): a number
/// beyond f64's range, a lone surrogate escape in a string it does not decode. Both are valid JSON per
/// RFC 8259's grammar (cloudtrail-model/tests/fuzz_regressions.rs).
fn oracle_refusal(error: &serde_json::Error) -> bool {
    let message = error.to_string();
    message.starts_with("number out of range")
        || message.starts_with("lone leading surrogate")
        // A leading surrogate followed by anything but a `\u` escape.
        || message.starts_with("unexpected end of hex escape")
}
