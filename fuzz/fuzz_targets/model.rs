//! Feeds arbitrary bytes to the record parser: it must never panic, and whatever parses must serialise back
//! to JSON equal to the input (the model's lossless promise) and survive a second parse unchanged.
#![no_main]

use cloudtrail_model::Event;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(event) = Event::from_slice(data) else {
        return;
    };
    let expected: serde_json::Value = serde_json::from_slice(data).expect("parsed as a record, so valid JSON");
    let actual = serde_json::to_value(&event).expect("a record always serialises");
    assert_eq!(actual, expected, "round trip differs");
    let _ = (event.anomalies(), event.outcome(), event.entity_id(), event.lookalike());
    let text = serde_json::to_string(&event).expect("a record always serialises");
    let again = Event::from_json(&text).expect("serialised record parses");
    assert_eq!(again.into_owned(), event.into_owned());
});
