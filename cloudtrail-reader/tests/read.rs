//! Every input format, every kind of bad input, conservation of counts and path pruning.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cloudtrail_reader::{DamagedGzip, ErrorPolicy, LayoutFilter, Reader, ReaderOptions, Source};

mod common;
use common::*;

#[test]
fn reads_every_format() {
    let text = container(5);
    let jsonl: String = (0..5).map(|i| record(i) + "\n").collect();
    let array = format!("[{}]", (0..5).map(record).collect::<Vec<_>>().join(",\n"));
    let multi_member = [gzip(container(2).as_bytes()), gzip(container(3).as_bytes())].concat();
    for (name, data, expected) in [
        ("container.json", text.clone().into_bytes(), 5),
        ("container.json.gz", gzip(text.as_bytes()), 5),
        (
            "pretty.json",
            serde_json::to_vec_pretty(&serde_json::from_str::<serde_json::Value>(&text).unwrap())
                .unwrap(),
            5,
        ),
        ("lines.jsonl", jsonl.clone().into_bytes(), 5),
        ("lines.jsonl.gz", gzip(jsonl.as_bytes()), 5),
        ("array.json", array.into_bytes(), 5),
        ("single.json", record(0).into_bytes(), 1),
        ("multi-member.gz", multi_member, 5),
        (
            "bom.json",
            [&[0xef, 0xbb, 0xbf][..], text.as_bytes()].concat(),
            5,
        ),
    ] {
        let outcome = read(&[bytes(name, data)]);
        assert_eq!(outcome.errors, Vec::<String>::new(), "{name}");
        assert_eq!(outcome.delivered.len(), expected, "{name}");
    }
}

#[test]
fn multi_member_gzip_keeps_order_across_members() {
    let first: Vec<String> = (0..2).map(record).collect();
    let second: Vec<String> = (2..5).map(record).collect();
    let data = [
        gzip(format!("{{\"Records\":[{}]}}\n", first.join(",")).as_bytes()),
        gzip(format!("{{\"Records\":[{}]}}", second.join(",")).as_bytes()),
    ]
    .concat();
    let outcome = read(&[bytes("m.gz", data)]);
    assert_eq!(ids(&outcome), expected_ids(5));
}

#[test]
fn reads_every_eventbridge_envelope_of_the_corpus() {
    let outcome = read(&[Source::Path(corpus("eventbridge-envelopes.jsonl"))]);
    assert_eq!(outcome.errors, Vec::<String>::new());
    assert_eq!(outcome.delivered.len(), 26);
}

#[test]
fn reads_every_record_of_the_corpus_files() {
    for (file, records) in [
        ("awsdocs-kms-developer-guide-2023.jsonl", 73),
        ("awsdocs-current-2024-2026.jsonl", 14),
        ("streamalert-placeholders.jsonl", 53),
    ] {
        let outcome = read(&[Source::Path(corpus(file))]);
        assert_eq!(outcome.errors, Vec::<String>::new(), "{file}");
        assert_eq!(outcome.delivered.len(), records, "{file}");
    }
    // One Panther test event is `{}`: reported, not delivered. Lowercased exports are records.
    let outcome = read(&[Source::Path(corpus("panther-analysis.jsonl"))]);
    assert_eq!(outcome.delivered.len(), 472);
    assert_eq!(outcome.kinds, ["no_record_members"]);
    assert!(
        outcome.errors[0].contains("record 443 at byte"),
        "{}",
        outcome.errors[0]
    );
}

#[test]
fn rejects_lookalikes_with_a_clear_error() {
    let outcome = read(&[Source::Path(corpus("negative"))]);
    assert!(outcome.delivered.is_empty());
    assert_eq!(outcome.kinds, vec!["not_cloudtrail"; 5]);
    assert!(
        outcome
            .errors
            .iter()
            .any(|e| e.contains("Alibaba Cloud ActionTrail")),
        "{:?}",
        outcome.errors
    );
    assert!(
        outcome
            .errors
            .iter()
            .any(|e| e.contains("S3 Event Notification")),
        "{:?}",
        outcome.errors
    );
    assert_eq!(outcome.stats.records_reported, 5);
}

#[test]
fn sets_digest_files_aside() {
    let outcome = read(&[Source::Path(corpus("digests"))]);
    assert!(
        outcome.delivered.is_empty() && outcome.errors.is_empty(),
        "{:?}",
        outcome.errors
    );
    assert_eq!(outcome.stats.digests_skipped, 2);
}

/// Two gzip members: records 0..5, then 5..10.
fn two_members() -> (Vec<u8>, usize) {
    let first: Vec<String> = (0..5).map(record).collect();
    let second: Vec<String> = (5..10).map(record).collect();
    let first = gzip(format!("{{\"Records\":[{}]}}", first.join(",")).as_bytes());
    let second = gzip(format!("{{\"Records\":[{}]}}", second.join(",")).as_bytes());
    let split = first.len();
    ([first, second].concat(), split)
}

/// Reads under [`DamagedGzip::DropMember`]: only members whose CRC-32 checks out are delivered.
fn read_checked(sources: &[Source]) -> Outcome {
    read_with(
        ReaderOptions::default().with_damaged_gzip(DamagedGzip::DropMember),
        sources,
    )
}

#[test]
fn truncated_gzip_delivers_what_came_before_then_one_error() {
    let data = gzip(container(200).as_bytes());
    let outcome = read(&[bytes("cut.gz", &data[..data.len() / 2])]);
    let delivered = ids(&outcome);
    assert!(
        !delivered.is_empty() && delivered.len() < 200,
        "{}",
        delivered.len()
    );
    assert_eq!(
        delivered,
        expected_ids(delivered.len()),
        "a prefix, in order"
    );
    assert_eq!(outcome.kinds, ["gzip"]);
    assert!(
        outcome.errors[0].starts_with("cut.gz: corrupt gzip after")
            && outcome.errors[0].contains("the input ends inside a gzip member")
            && outcome.errors[0].ends_with("could not be checked"),
        "{}",
        outcome.errors[0]
    );
    assert_eq!(outcome.stats.records_reported, 1);
    assert_eq!(outcome.stats.records_read(), delivered.len() as u64 + 1);
}

#[test]
fn bad_crc_is_reported_after_the_records() {
    let mut data = gzip(container(10).as_bytes());
    let crc = data.len() - 8;
    data[crc] ^= 0xff;
    let outcome = read(&[bytes("crc.gz", data)]);
    assert_eq!(ids(&outcome), expected_ids(10));
    assert_eq!(outcome.kinds, ["gzip"]);
    assert!(
        outcome.errors[0].contains("corrupt gzip member"),
        "{}",
        outcome.errors[0]
    );
}

#[test]
fn a_cut_gzip_member_delivers_nothing_when_only_checked_members_are_wanted() {
    let data = gzip(container(200).as_bytes());
    let outcome = read_checked(&[bytes("cut.gz", &data[..data.len() / 2])]);
    // What the first half inflates to cannot be checked against the CRC-32: none of it is delivered.
    assert!(outcome.delivered.is_empty(), "{:?}", ids(&outcome));
    assert_eq!(outcome.kinds, ["gzip"]);
    assert!(
        outcome.errors[0].starts_with(
            "cut.gz: corrupt gzip after 0 decompressed bytes (before record 0): the input ends inside a gzip member; the "
        ),
        "{}",
        outcome.errors[0]
    );
    assert!(
        outcome.errors[0].ends_with("bytes it inflated to were not checked and are not delivered"),
        "{}",
        outcome.errors[0]
    );
    assert_eq!(outcome.stats.records_reported, 1);
    assert_eq!(outcome.stats.inputs_failed, 1);
}

#[test]
fn a_cut_second_member_delivers_the_first_when_only_checked_members_are_wanted() {
    let (data, split) = two_members();
    let cut = split + (data.len() - split) / 2;
    let outcome = read_checked(&[bytes("cut2.gz", &data[..cut])]);
    assert_eq!(ids(&outcome), expected_ids(5));
    assert_eq!(outcome.kinds, ["gzip"]);
    assert!(
        outcome.errors[0].contains("(before record 5)"),
        "{}",
        outcome.errors[0]
    );
    assert_eq!(outcome.stats.records_read(), 6);
}

#[test]
fn a_member_with_a_bad_crc_delivers_nothing_when_only_checked_members_are_wanted() {
    let mut data = gzip(container(10).as_bytes());
    let crc = data.len() - 8;
    data[crc] ^= 0xff;
    let outcome = read_checked(&[bytes("crc.gz", data)]);
    assert!(outcome.delivered.is_empty(), "{:?}", ids(&outcome));
    assert_eq!(outcome.kinds, ["gzip"]);
    assert!(
        outcome.errors[0].contains("corrupt gzip member"),
        "{}",
        outcome.errors[0]
    );
    assert_eq!(outcome.stats.records_read(), 1);
}

#[test]
fn a_bad_crc_in_the_second_member_keeps_the_first_when_only_checked_members_are_wanted() {
    let (mut data, _) = two_members();
    let crc = data.len() - 8;
    data[crc] ^= 0xff;
    let outcome = read_checked(&[bytes("crc2.gz", data)]);
    assert_eq!(ids(&outcome), expected_ids(5));
    assert_eq!(outcome.kinds, ["gzip"]);
}

#[test]
fn bytes_after_the_last_member_that_are_not_gzip_are_reported() {
    let (data, _) = two_members();
    let data = [data, b"junk".to_vec()].concat();
    let outcome = read(&[bytes("junk.gz", data)]);
    assert_eq!(ids(&outcome), expected_ids(10));
    assert_eq!(outcome.kinds, ["gzip"]);
}

#[test]
fn invalid_json_names_the_record_and_offset() {
    let mut records: Vec<String> = (0..6).map(record).collect();
    records[3] = r#"{"eventVersion":"1.11","eventName":"Broken" "eventID":"x"}"#.to_owned();
    let text = format!("{{\"Records\":[{}]}}", records.join(","));
    let outcome = read(&[bytes("bad.json", text.clone())]);
    assert_eq!(ids(&outcome), expected_ids(3));
    assert_eq!(outcome.kinds, ["json"]);
    let at = text.find(r#" "eventID":"x""#).unwrap() + 1;
    assert!(
        outcome.errors[0].starts_with(&format!("bad.json: record 3 at byte {at}: invalid JSON")),
        "{}",
        outcome.errors[0]
    );
}

#[test]
fn invalid_utf8_is_located() {
    let text = container(4);
    let cut = text.find("id-0002").unwrap();
    let mut data = text.into_bytes();
    data[cut] = 0xff;
    let outcome = read(&[bytes("utf8.json", data)]);
    assert_eq!(ids(&outcome), expected_ids(2));
    assert_eq!(outcome.kinds, ["utf8"]);
    assert!(
        outcome.errors[0].contains(&format!("invalid UTF-8 at byte {cut} (record 2)")),
        "{}",
        outcome.errors[0]
    );
}

#[test]
fn a_record_that_is_not_an_object_loses_only_itself() {
    let text = format!("{{\"Records\":[{},5,{}]}}", record(0), record(2));
    let outcome = read(&[bytes("mixed.json", text)]);
    assert_eq!(ids(&outcome), ["id-0000", "id-0002"]);
    assert_eq!(outcome.kinds, ["not_a_record"]);
    assert!(
        outcome.errors[0].contains("record 1 at byte"),
        "{}",
        outcome.errors[0]
    );
    assert_eq!(outcome.stats.records_read(), 3);
}

#[test]
fn a_file_without_records_is_reported() {
    let outcome = read(&[bytes("norecords.json", r#"{"Items":[{"a":1}]}"#)]);
    assert!(outcome.delivered.is_empty());
    assert_eq!(outcome.kinds, ["no_record_members"]);
}

#[test]
fn damage_in_json_lines_is_located_and_loses_only_its_line() {
    let text = format!(
        "{}\n{}\n{{\"eventName\": nope}}\n{}\n",
        record(0),
        record(1),
        record(3)
    );
    let outcome = read(&[bytes("lines.jsonl", text.clone())]);
    assert_eq!(ids(&outcome), ["id-0000", "id-0001", "id-0003"]);
    assert_eq!(outcome.kinds, ["damaged_value"]);
    // The parser notices at the `o` of `nope` (it reads `n` as the start of `null`).
    let at = text.find("nope").unwrap() + 1;
    assert!(
        outcome.errors[0].starts_with(&format!("lines.jsonl: record 2 at byte {at}: invalid JSON")),
        "{}",
        outcome.errors[0]
    );
    assert_eq!(outcome.stats.records_read(), 4);
    assert_eq!(outcome.stats.inputs_failed, 0);
}

#[test]
fn empty_inputs_are_reported() {
    let outcome = read(&[
        bytes("empty.json", ""),
        bytes("blank.json", " \n "),
        bytes("empty.gz", gzip(b"")),
    ]);
    assert_eq!(outcome.kinds, ["empty", "empty", "empty"]);
    assert_eq!(outcome.stats.records_reported, 0);
}

#[test]
fn a_fifty_megabyte_string_is_refused_after_the_records_before_it() {
    let huge = format!(
        r#"{{"eventVersion":"1.11","eventName":"Big","userAgent":"{}"}}"#,
        "a".repeat(50 << 20)
    );
    let text = format!(
        "{{\"Records\":[{},{},{},{}]}}",
        record(0),
        record(1),
        huge,
        record(3)
    );
    let outcome = read(&[bytes("huge.json", text)]);
    assert_eq!(ids(&outcome), expected_ids(2));
    assert_eq!(outcome.kinds, ["record_too_large"]);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let text = format!(
        "{{\"Records\":[{},{{\"eventName\":\"Deep\",\"requestParameters\":{deep}}},{}]}}",
        record(0),
        record(2)
    );
    let outcome = read(&[bytes("deep.json", text)]);
    // The deep record is lost, alone; the others are delivered.
    assert_eq!(ids(&outcome), ["id-0000", "id-0002"]);
    assert_eq!(outcome.kinds, ["too_deep"]);
    assert!(
        outcome.errors[0].contains("record 1 at byte"),
        "{}",
        outcome.errors[0]
    );
    assert!(
        outcome.errors[0].ends_with("nests deeper than 128 levels"),
        "{}",
        outcome.errors[0]
    );
    // Deeply nested JSON as a whole input is an error too, and no stack overflow.
    let outcome = read(&[bytes("deeper.json", format!("{{\"Records\":{deep}}}"))]);
    assert!(outcome.delivered.is_empty());
    assert_eq!(outcome.errors.len(), 1, "{:?}", outcome.errors);
}

#[test]
fn the_decompressed_size_cap_stops_gzip_bombs() {
    let bomb = gzip(&vec![b' '; 64 << 20]);
    assert!(bomb.len() < 1 << 20);
    let options = ReaderOptions::default().with_max_decompressed_bytes(1 << 20);
    let outcome = read_with(options, &[bytes("bomb.gz", bomb)]);
    assert_eq!(outcome.kinds, ["too_large"]);
}

#[test]
fn an_unreadable_path_is_reported_and_the_rest_read() {
    let outcome = read(&[
        Source::Path("/no/such/file.json.gz".into()),
        bytes("ok.json", container(2)),
    ]);
    assert_eq!(outcome.kinds, ["io"]);
    assert_eq!(outcome.delivered.len(), 2);
}

#[test]
fn fail_fast_returns_the_first_error() {
    let options = ReaderOptions::default()
        .with_policy(ErrorPolicy::FailFast)
        .with_threads(1);
    let result = Reader::new(options).for_each(
        &[
            bytes("a.json", container(2)),
            bytes("b.json", "{\"Records\":[1]}"),
            bytes("c.json", container(2)),
        ],
        |_, _| {},
        |_| panic!("fail-fast reports through the result"),
    );
    let error = result.unwrap_err();
    assert_eq!(error.input(), "b.json");
    assert_eq!(error.record_index(), Some(0));
}

/// Writes `records` records in the S3 layout under `root`.
fn layout_file(
    root: &Path,
    account: &str,
    region: &str,
    date: (i32, u32, u32),
    content: &[u8],
) -> PathBuf {
    let dir = root.join(format!(
        "AWSLogs/{account}/CloudTrail/{region}/{:04}/{:02}/{:02}",
        date.0, date.1, date.2
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!(
        "{account}_CloudTrail_{region}_{:04}{:02}{:02}T0000Z_abc.json.gz",
        date.0, date.1, date.2
    ));
    std::fs::write(&path, content).unwrap();
    path
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cloudtrail-reader-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_layout_filter_never_opens_excluded_files() {
    let root = temp_dir("prune");
    let good = gzip(container(3).as_bytes());
    let corrupt = b"\x1f\x8bnot gzip at all";
    layout_file(&root, "111122223333", "us-east-1", (2024, 5, 1), &good);
    layout_file(&root, "111122223333", "us-east-1", (2024, 5, 2), &good);
    // Every excluded file is corrupt: opening one would report an error.
    layout_file(&root, "111122223333", "us-east-1", (2024, 4, 30), corrupt);
    layout_file(&root, "111122223333", "eu-west-1", (2024, 5, 1), corrupt);
    layout_file(&root, "444455556666", "us-east-1", (2024, 5, 1), corrupt);
    layout_file(&root, "111122223333", "us-east-1", (2023, 5, 1), corrupt);
    std::fs::write(root.join("stray.json"), corrupt).unwrap();
    let filter = LayoutFilter::default()
        .with_accounts(["111122223333"])
        .with_regions(["us-east-1"])
        .with_from(chrono::NaiveDate::from_ymd_opt(2024, 5, 1))
        .with_to(chrono::NaiveDate::from_ymd_opt(2024, 5, 31));
    let options = ReaderOptions::default().with_filter(filter);
    let outcome = read_with(options, &[Source::Path(root.clone())]);
    assert_eq!(outcome.errors, Vec::<String>::new());
    assert_eq!(outcome.delivered.len(), 6);
    assert_eq!(outcome.stats.inputs_read, 2);
    // Pruned: two directories (eu-west-1, 444455556666), one year directory (2023), one day (04/30) and the
    // stray file.
    assert_eq!(outcome.stats.files_pruned, 5);
    // Without the filter everything is opened, and the corrupt files are reported.
    let outcome = read(&[Source::Path(root.clone())]);
    assert_eq!(outcome.errors.len(), 5);
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn threads_change_nothing_but_speed() {
    let root = temp_dir("threads");
    for day in 1..=9 {
        layout_file(
            &root,
            "111122223333",
            "us-east-1",
            (2024, 5, day),
            &gzip(container(50 + day as usize).as_bytes()),
        );
    }
    let one = read_with(
        ReaderOptions::default().with_threads(1),
        &[Source::Path(root.clone())],
    );
    let four = read_with(
        ReaderOptions::default().with_threads(4),
        &[Source::Path(root.clone())],
    );
    assert_eq!(one.delivered, four.delivered);
    assert_eq!(one.stats, four.stats);
    // Within each input, records come in order with consecutive indices.
    let mut by_input: std::collections::BTreeMap<&str, Vec<u64>> = Default::default();
    for (input, index, _) in &four.delivered {
        by_input.entry(input).or_default().push(*index);
    }
    for indices in by_input.values() {
        assert_eq!(*indices, (0..indices.len() as u64).collect::<Vec<_>>());
    }
    // The sequential iterator sees the same records.
    let records: Vec<_> = Reader::default()
        .records(&[Source::Path(root.clone())])
        .unwrap()
        .collect();
    assert_eq!(records.len(), four.delivered.len());
    assert!(records.iter().all(Result::is_ok));
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn progress_reaches_the_total() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let hook = Arc::clone(&seen);
    let options =
        ReaderOptions::default().with_progress(Arc::new(move |p: &cloudtrail_reader::Progress| {
            hook.lock().unwrap().push(*p)
        }));
    let data = gzip(container(7).as_bytes());
    let size = data.len() as u64;
    read_with(options, &[bytes("a.gz", data.clone()), bytes("b.gz", data)]);
    let seen = seen.lock().unwrap();
    let last = seen.iter().max_by_key(|p| p.inputs_done).unwrap();
    assert_eq!(
        (
            last.inputs_done,
            last.inputs_total,
            last.bytes_done,
            last.bytes_total,
            last.records_done
        ),
        (2, 2, 2 * size, Some(2 * size), 14)
    );
}
