//! Inputs the fuzz campaign found (fuzz/README.md), kept as tests. Each file in tests/data/fuzz is the
//! crashing input as libFuzzer wrote it.

use cloudtrail_model::Event;

fn input(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/fuzz/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `model` target, 2026-12-02: a number beyond f64's range (`46.05e111111111`) in an unknown member.
/// The record model keeps it as written (lossless), while `serde_json::Value`, the target's oracle,
/// refuses it ("number out of range"): the record must still serialise to its exact text and parse
/// again to the same record, and the target now checks that instead of panicking on the oracle.
#[test]
fn a_number_out_of_f64_range_is_kept_as_written() {
    let data = input("model-number-out-of-range.json");
    let event = Event::from_slice(&data).expect("valid JSON per RFC 8259: a record");
    assert!(serde_json::from_slice::<serde_json::Value>(&data).is_err());
    let text = serde_json::to_string(&event).unwrap();
    assert!(text.contains("46.05e111111111"), "{text}");
    assert!(text.contains("46.15e11111"), "{text}");
    let again = Event::from_json(&text).unwrap();
    assert_eq!(again.into_owned(), event.into_owned());
}

/// `model` target, 2026-12-02 (second round, 9.3 million executions): a lone surrogate escape
/// (`\udd8A`) in an unknown member's string. RFC 8259's grammar admits it; the record model keeps an
/// unknown member as written (lossless) and does not decode it, while `serde_json::Value`, the target's
/// oracle, decodes strings and refuses it ("lone leading surrogate"). The record must serialise to its
/// exact text and parse again to the same record; a typed member holding the same escape is refused,
/// as it cannot be decoded to text.
#[test]
fn a_lone_surrogate_in_an_unknown_member_is_kept_as_written() {
    let data = input("model-lone-surrogate.json");
    let event = Event::from_slice(&data).expect("valid JSON per RFC 8259's grammar: a record");
    let refused = serde_json::from_slice::<serde_json::Value>(&data).unwrap_err();
    assert!(refused.to_string().contains("surrogate"), "{refused}");
    let text = serde_json::to_string(&event).unwrap();
    assert!(text.contains(r"lt\udd8A"), "{text}");
    let again = Event::from_json(&text).unwrap();
    assert_eq!(again.into_owned(), event.into_owned());
    let typed = String::from_utf8(data)
        .unwrap()
        .replace("\"nt\"", "\"eventName\"");
    assert!(Event::from_json(&typed).is_err());
}

/// `model` target, 2026-12-02 (the rerun after the previous fix, 1.4 million executions): a leading
/// surrogate escape followed by a plain character (`\uda6bct`) in an unknown member, which
/// `serde_json::Value` refuses as "unexpected end of hex escape". The same case as the lone surrogate:
/// kept as written, round trip exact.
#[test]
fn an_unpaired_leading_surrogate_in_an_unknown_member_is_kept_as_written() {
    let data = input("model-lone-surrogate-unpaired.json");
    let event = Event::from_slice(&data).expect("valid JSON per RFC 8259's grammar: a record");
    let refused = serde_json::from_slice::<serde_json::Value>(&data).unwrap_err();
    assert!(refused.to_string().contains("hex escape"), "{refused}");
    let text = serde_json::to_string(&event).unwrap();
    assert!(text.contains(r"\uda6bct"), "{text}");
    let again = Event::from_json(&text).unwrap();
    assert_eq!(again.into_owned(), event.into_owned());
}
