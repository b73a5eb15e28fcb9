//! Feeds arbitrary bytes (compressed or not) through the reader: it must never panic, every delivered
//! record must be a slice of valid JSON that round-trips, and the counts must add up. A plain
//! `{"Records":[...]}` input is read a second time behind an empty `"Records":[]` member, which the
//! reader's fast path for containers leaves to the validating parser: both must deliver the same
//! records and report the same number of errors.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/read_check.rs"]
mod read_check;
use read_check::read;

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
