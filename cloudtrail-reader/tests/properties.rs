//! Properties over damaged inputs: whatever the cut or the corrupted byte, the reader never panics,
//! delivers a prefix of the records in order, reports the damage once, and its counts add up.

use std::io::Write;
use std::sync::{Arc, Mutex};

use cloudtrail_reader::{Reader, ReaderOptions, Source, Stats};
use flate2::Compression;
use flate2::write::GzEncoder;
use proptest::prelude::*;

const RECORDS: usize = 40;

fn container() -> String {
    let records: Vec<String> = (0..RECORDS)
        .map(|i| format!(r#"{{"eventVersion":"1.11","eventName":"GetObject","eventID":"id-{i:04}","requestParameters":{{"bucketName":"b","key":"k{i}"}}}}"#))
        .collect();
    format!("{{\"Records\":[{}]}}", records.join(","))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn read(data: Vec<u8>) -> (Vec<String>, u64, Stats) {
    let ids = Mutex::new(Vec::new());
    let errors = Mutex::new(0u64);
    let source = Source::Bytes {
        name: "p".into(),
        data: Arc::from(data),
    };
    let stats = Reader::new(ReaderOptions {
        threads: 1,
        ..ReaderOptions::default()
    })
    .for_each(
        &[source],
        |event, _| {
            ids.lock()
                .unwrap()
                .push(event.event_id().unwrap_or("?").to_owned())
        },
        |_| *errors.lock().unwrap() += 1,
    )
    .unwrap();
    (
        ids.into_inner().unwrap(),
        errors.into_inner().unwrap(),
        stats,
    )
}

fn expected(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("id-{i:04}")).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn a_cut_plain_file_delivers_a_prefix_then_one_error(cut in 0usize..4000) {
        let text = container().into_bytes();
        let cut = cut % text.len();
        let (ids, errors, stats) = read(text[..cut].to_vec());
        prop_assert_eq!(&ids, &expected(ids.len()));
        prop_assert_eq!(errors, 1);
        prop_assert_eq!(stats.errors, 1);
        prop_assert_eq!(stats.records_delivered, ids.len() as u64);
        prop_assert!(stats.records_read() <= RECORDS as u64);
    }

    #[test]
    fn a_cut_gzip_file_delivers_a_prefix_then_one_error(cut in 0usize..4000) {
        let data = gzip(container().as_bytes());
        let cut = cut % data.len();
        let (ids, errors, stats) = read(data[..cut].to_vec());
        prop_assert_eq!(&ids, &expected(ids.len()));
        prop_assert_eq!(errors, 1);
        prop_assert_eq!(stats.records_delivered + stats.records_reported, stats.records_read());
    }

    #[test]
    fn a_corrupt_byte_never_panics_and_counts_add_up(at in 0usize..4000, byte in any::<u8>(), compressed in any::<bool>()) {
        let mut data = if compressed { gzip(container().as_bytes()) } else { container().into_bytes() };
        let at = at % data.len();
        data[at] = byte;
        let (ids, errors, stats) = read(data);
        prop_assert_eq!(stats.records_delivered, ids.len() as u64);
        prop_assert_eq!(stats.errors, errors);
        prop_assert!(stats.records_read() <= RECORDS as u64 + 1);
        // Without an error, every record came through.
        if errors == 0 {
            prop_assert_eq!(ids.len(), RECORDS);
        }
    }
}
