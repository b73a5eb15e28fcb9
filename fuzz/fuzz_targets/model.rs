//! Feeds arbitrary bytes to the record parser: it must never panic, and whatever parses must serialise back
//! to JSON equal to the input (the model's lossless promise) and survive a second parse unchanged.
#![no_main]

use cloudtrail_model::Event;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(event) = Event::from_slice(data) else {
        return;
    };
    // serde_json's `Value` refuses numbers beyond f64's range, which the model keeps as written
    // (cloudtrail-model/tests/fuzz_regressions.rs); there the model's own round trip below is the check.
    match serde_json::from_slice::<serde_json::Value>(data) {
        Ok(expected) => {
            let actual = serde_json::to_value(&event).expect("a record always serialises");
            assert_eq!(actual, expected, "round trip differs");
        }
        Err(error) => assert!(
            oracle_refusal(&error),
            "parsed as a record, so valid JSON: {error}"
        ),
    }
    let _ = (
        event.anomalies(),
        event.outcome(),
        event.entity_id(),
        event.lookalike(),
    );
    let text = serde_json::to_string(&event).expect("a record always serialises");
    let again = Event::from_json(&text).expect("serialised record parses");
    assert_eq!(again.into_owned(), event.into_owned());
});

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
