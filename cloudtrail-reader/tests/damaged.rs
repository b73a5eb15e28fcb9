//! Damaged inputs with exact counts: in JSON Lines, concatenated JSON and EventBridge envelope streams a
//! damaged value costs that value only, and reading goes on at the next line that starts an object; a
//! damaged element of a document read whole (a plain array, a `{"Records":[...]}` file) ends the input
//! after the elements before it. Found = delivered + reported throughout.

use std::path::{Path, PathBuf};

use cloudtrail_reader::{ReaderOptions, Source};
use proptest::prelude::*;

mod common;
use common::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/damaged")
        .join(name)
}

/// The indexes of the delivered records, in order.
fn indexes(outcome: &Outcome) -> Vec<u64> {
    outcome.delivered.iter().map(|d| d.1).collect()
}

fn jsonl(lines: &[String]) -> String {
    lines.iter().map(|line| format!("{line}\n")).collect()
}

#[test]
fn a_cut_line_in_fifty_costs_that_line_only() {
    let mut lines: Vec<String> = (0..50).map(record).collect();
    lines[25] = r#"{"eventName": "broken", "#.to_owned();
    let text = jsonl(&lines);
    for (name, data) in [
        ("fifty.jsonl", text.clone().into_bytes()),
        ("fifty.jsonl.gz", gzip(text.as_bytes())),
    ] {
        let outcome = read(&[bytes(name, data)]);
        let expected: Vec<String> = (0..50)
            .filter(|&i| i != 25)
            .map(|i| format!("id-{i:04}"))
            .collect();
        assert_eq!(ids(&outcome), expected, "{name}");
        assert_eq!(outcome.kinds, ["damaged_value"], "{name}");
        assert_eq!(outcome.stats.records_delivered, 49);
        assert_eq!(outcome.stats.records_reported, 1);
        assert_eq!(outcome.stats.records_read(), 50);
        assert_eq!(outcome.stats.inputs_failed, 0);
        // The parser sees the damage at the next line's `{` (where a member name should be), and the
        // error names the cut record.
        let at = text.find(&record(26)).unwrap();
        assert!(
            outcome.errors[0].starts_with(&format!("{name}: record 25 at byte {at}: invalid JSON")),
            "{}",
            outcome.errors[0]
        );
        // The records after it keep their place in the input.
        assert_eq!(outcome.delivered[25].1, 26);
    }
}

#[test]
fn several_damaged_lines_cost_one_each_and_a_cut_last_line_ends_the_input() {
    let mut lines: Vec<String> = (0..10).map(record).collect();
    lines[0] = "not json at all".to_owned();
    lines[4] = "42".to_owned();
    lines[5] = r#"{"eventName":"X","eventID":"id-0005",}"#.to_owned();
    lines[9] = lines[9][..40].to_owned();
    let mut text = jsonl(&lines);
    text.pop(); // the input ends inside the last record
    let outcome = read(&[bytes("several.jsonl", text)]);
    assert_eq!(indexes(&outcome), [1, 2, 3, 6, 7, 8]);
    assert_eq!(
        outcome.kinds,
        ["damaged_value", "damaged_value", "damaged_value", "json"]
    );
    assert!(
        outcome.errors[1].contains("record 4 at byte")
            && outcome.errors[1].contains("a top-level number"),
        "{}",
        outcome.errors[1]
    );
    assert!(
        outcome.errors[3].starts_with("several.jsonl: record 9 at byte"),
        "{}",
        outcome.errors[3]
    );
    assert_eq!(outcome.stats.records_delivered, 6);
    assert_eq!(outcome.stats.records_reported, 4);
    // Only the cut at the end ends the input.
    assert_eq!(outcome.stats.inputs_failed, 1);
}

#[test]
fn invalid_utf8_in_a_line_costs_that_line_only() {
    let lines: Vec<String> = (0..5).map(record).collect();
    let text = jsonl(&lines);
    let at = text.find("id-0002").unwrap();
    let mut data = text.into_bytes();
    data[at] = 0xff;
    let outcome = read(&[bytes("utf8.jsonl", data)]);
    assert_eq!(indexes(&outcome), [0, 1, 3, 4]);
    assert_eq!(outcome.kinds, ["damaged_value"]);
    assert!(
        outcome.errors[0].starts_with(&format!("utf8.jsonl: record 2 at byte {at}: invalid UTF-8")),
        "{}",
        outcome.errors[0]
    );
    assert_eq!(outcome.stats.records_read(), 5);
}

#[test]
fn a_line_over_the_record_cap_costs_that_line_only() {
    let mut lines: Vec<String> = (0..5).map(record).collect();
    lines[1] = format!(
        r#"{{"eventVersion":"1.11","eventName":"Big","userAgent":"{}"}}"#,
        "a".repeat(4000)
    );
    let options = ReaderOptions::default().with_max_record_bytes(1000);
    let outcome = read_with(options, &[bytes("big.jsonl", jsonl(&lines))]);
    assert_eq!(indexes(&outcome), [0, 2, 3, 4]);
    assert_eq!(outcome.kinds, ["record_too_large"]);
    assert_eq!(outcome.stats.records_read(), 5);
}

#[test]
fn concatenated_values_on_one_line_cannot_be_resynchronised() {
    // With no line break after the damage there is no place to start again that could not be inside
    // the damaged value: the rest of the input is lost, as one reported value.
    let text = format!("{}{}{{\"eventName\" 1}}{}", record(0), record(1), record(3));
    let outcome = read(&[bytes("one-line.json", text)]);
    assert_eq!(indexes(&outcome), [0, 1]);
    assert_eq!(outcome.kinds, ["damaged_value"]);
    assert_eq!(outcome.stats.records_read(), 3);
}

#[test]
fn a_cut_line_of_real_records_costs_that_line_only() {
    let outcome = read(&[Source::Path(fixture("cut-line.jsonl"))]);
    assert_eq!(indexes(&outcome), [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]);
    assert_eq!(outcome.kinds, ["damaged_value"]);
    assert!(
        outcome.errors[0].contains("record 5 at byte"),
        "{}",
        outcome.errors[0]
    );
    assert_eq!(
        (
            outcome.stats.records_delivered,
            outcome.stats.records_reported
        ),
        (11, 1)
    );
}

#[test]
fn a_damaged_record_of_pretty_printed_concatenated_json_costs_that_record_only() {
    let outcome = read(&[Source::Path(fixture("concatenated-bad-record.json"))]);
    assert_eq!(indexes(&outcome), [0, 1, 2, 4, 5, 6, 7]);
    assert_eq!(outcome.kinds, ["damaged_value"]);
    assert_eq!(
        (
            outcome.stats.records_delivered,
            outcome.stats.records_reported
        ),
        (7, 1)
    );
}

#[test]
fn a_cut_eventbridge_envelope_costs_that_envelope_only() {
    let outcome = read(&[Source::Path(fixture("envelopes-cut.jsonl"))]);
    assert_eq!(indexes(&outcome), [0, 1, 3, 4, 5, 6, 7]);
    assert_eq!(outcome.kinds, ["damaged_value"]);
    assert!(
        outcome.errors[0].contains("record 2 at byte"),
        "{}",
        outcome.errors[0]
    );
    assert_eq!(
        (
            outcome.stats.records_delivered,
            outcome.stats.records_reported
        ),
        (7, 1)
    );
}

#[test]
fn a_damaged_element_of_a_plain_array_ends_the_input_after_the_elements_before_it() {
    // An array is one JSON value: once its brackets are broken, where its next element starts cannot be
    // told from a bracket inside a string, so guessing could deliver pieces of the damaged record.
    let outcome = read(&[Source::Path(fixture("array-bad-element.json"))]);
    assert_eq!(indexes(&outcome), [0, 1, 2]);
    assert_eq!(outcome.kinds, ["json"]);
    assert!(
        outcome.errors[0].contains("record 3 at byte"),
        "{}",
        outcome.errors[0]
    );
    assert_eq!(
        (
            outcome.stats.records_delivered,
            outcome.stats.records_reported,
            outcome.stats.inputs_failed
        ),
        (3, 1, 1)
    );
}

/// Corruptions of one line: cut it short, or put in one byte that may break it.
#[derive(Debug, Clone)]
enum Corruption {
    Cut(prop::sample::Index),
    Insert(prop::sample::Index, u8),
}

fn corruptions() -> impl Strategy<Value = Corruption> {
    prop_oneof![
        any::<prop::sample::Index>().prop_map(Corruption::Cut),
        (
            any::<prop::sample::Index>(),
            prop::sample::select(b"\"{[,:x \\\xff\x01".to_vec())
        )
            .prop_map(|(at, byte)| Corruption::Insert(at, byte)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn corrupting_one_line_of_json_lines_loses_exactly_that_line(
        n in 1usize..12,
        line in any::<prop::sample::Index>(),
        corruption in corruptions(),
        compressed in any::<bool>(),
    ) {
        let line = line.index(n);
        let mut lines: Vec<Vec<u8>> = (0..n).map(|i| record(i).into_bytes()).collect();
        let damaged = &mut lines[line];
        // An input whose very first byte is not text is reported once as a whole, not read as values
        // (the crate docs, Errors and conservation); `a_first_byte_that_is_not_text_...` tests that case.
        let binary_start = line == 0
            && matches!(&corruption, Corruption::Insert(at, byte) if at.index(damaged.len()) == 0 && *byte >= 0x80);
        prop_assume!(!binary_start);
        match corruption {
            // A strict prefix that is not empty: an object cut short.
            Corruption::Cut(at) => damaged.truncate(1 + at.index(damaged.len() - 1)),
            // Anywhere before the closing brace (after it, the record is whole and the byte is a
            // value of its own).
            Corruption::Insert(at, byte) => damaged.insert(at.index(damaged.len()), byte),
        }
        // Some corruptions leave the line a valid record (a letter put in a string): it is delivered.
        let still_valid = serde_json::from_slice::<serde_json::Value>(&lines[line])
            .is_ok_and(|value| value.is_object());
        let data: Vec<u8> = lines.iter().flat_map(|l| l.iter().copied().chain([b'\n'])).collect();
        let data = if compressed { gzip(&data) } else { data };
        let outcome = read(&[bytes("lines.jsonl", data)]);
        let others: Vec<u64> = indexes(&outcome).into_iter().filter(|&i| i != line as u64).collect();
        let expected: Vec<u64> = (0..n as u64).filter(|&i| i != line as u64).collect();
        prop_assert_eq!(others, expected);
        prop_assert_eq!(outcome.stats.records_read(), n as u64);
        prop_assert_eq!(outcome.stats.records_reported, u64::from(!still_valid));
        prop_assert_eq!(outcome.stats.errors, u64::from(!still_valid));
        if !still_valid {
            let error = &outcome.errors[0];
            prop_assert!(error.starts_with(&format!("lines.jsonl: record {line} at byte")), "{}", error);
        }
    }
}

/// The one corruption of a line that the property above leaves out: a byte that is not text at the very
/// start of the input makes the input binary, reported once as a whole with nothing delivered.
#[test]
fn a_first_byte_that_is_not_text_makes_the_input_binary_reported_once() {
    let mut data = vec![0xff];
    for i in 0..5 {
        data.extend(record(i).into_bytes());
        data.push(b'\n');
    }
    let outcome = read(&[bytes("lines.jsonl", data)]);
    assert!(indexes(&outcome).is_empty());
    assert_eq!(outcome.stats.errors, 1);
    assert!(
        outcome.errors[0].contains("invalid UTF-8 at byte 0"),
        "{}",
        outcome.errors[0]
    );
}
