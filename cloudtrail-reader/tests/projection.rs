//! A projected read ([`ReaderOptions::with_projection`]) gives what a whole read gives: the same counts
//! (read = delivered + reported), the same records at the same places, the same errors with the same
//! locations, over the corpus tree (lookalikes and digests included), the damaged fixtures, and
//! containers and JSON Lines damaged at random; and each record it delivers holds the members asked for,
//! equal to the whole read's, and no other.

use std::path::Path;
use std::sync::Mutex;

use cloudtrail_model::{Event, Lookalike, Projection};
use cloudtrail_reader::{ReadError, Reader, ReaderOptions, Source, Stats};
use proptest::prelude::*;

mod common;
use common::*;

/// A delivered record: input, index, offset, its members as JSON text in [`NAMES`] order, and its unknown
/// members as `name=value`.
type Delivered = (String, u64, u64, Vec<Option<String>>, Vec<String>);

/// Everything a read hands over, in a comparable form.
#[derive(Debug, PartialEq)]
struct Seen {
    /// The records, sorted.
    records: Vec<Delivered>,
    /// The errors as messages (input, record index, byte offset, cause) and kinds, in order per input.
    errors: Vec<(String, &'static str)>,
    stats: Stats,
}

/// The members a record holds, by name (text, not `Value`: a raw member may hold what a `Value` cannot).
fn members(event: &Event<'_>) -> Vec<Option<String>> {
    fn json<T: serde::Serialize>(value: &Option<T>) -> Option<String> {
        value
            .as_ref()
            .map(|value| serde_json::to_string(value).unwrap())
    }
    vec![
        json(&event.event_version),
        json(&event.user_identity),
        json(&event.event_time),
        json(&event.event_source),
        json(&event.event_name),
        json(&event.request_parameters),
        json(&event.event_id),
        json(&event.event_type),
        json(&event.resources),
        json(&event.recipient_account_id),
    ]
}

/// The names `members` reads, in its order.
const NAMES: &[&str] = &[
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "requestParameters",
    "eventID",
    "eventType",
    "resources",
    "recipientAccountId",
];

fn read_seen(options: ReaderOptions, sources: &[Source]) -> Seen {
    let records = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let projection = options.projection.clone();
    let stats = Reader::new(options.with_threads(2))
        .for_each(
            sources,
            |event, info| {
                assert_eq!(event.is_whole(), projection.is_none());
                let other = event
                    .other
                    .iter()
                    .map(|(key, value)| format!("{key}={}", value.get()))
                    .collect();
                records.lock().unwrap().push((
                    info.input.to_owned(),
                    info.index,
                    info.offset,
                    members(event),
                    other,
                ));
            },
            |error: &ReadError| {
                errors
                    .lock()
                    .unwrap()
                    .push((error.to_string(), kind(error)))
            },
        )
        .unwrap();
    let mut records = records.into_inner().unwrap();
    records.sort();
    let mut errors = errors.into_inner().unwrap();
    // Workers interleave inputs; within one input the order is kept (the message starts with its name).
    errors.sort_by(|a, b| {
        let input = |message: &str| message.split(": ").next().unwrap_or("").to_owned();
        input(&a.0).cmp(&input(&b.0))
    });
    Seen {
        records,
        errors,
        stats,
    }
}

/// Reads `sources` whole and under `projection`, and checks that they agree: same counts, errors and
/// places; each projected record's members are the whole record's where asked for (or read by the reader
/// itself, [`Lookalike::MEMBERS`]) and absent elsewhere.
fn assert_agrees(sources: &[Source], projection: &Projection) -> Result<Seen, TestCaseError> {
    let whole = read_seen(ReaderOptions::default(), sources);
    let projected = read_seen(
        ReaderOptions::default().with_projection(projection.clone()),
        sources,
    );
    prop_assert_eq!(&projected.stats, &whole.stats);
    prop_assert_eq!(
        whole.stats.records_read(),
        whole.stats.records_delivered + whole.stats.records_reported
    );
    prop_assert_eq!(&projected.errors, &whole.errors);
    prop_assert_eq!(projected.records.len(), whole.records.len());
    let kept = projection
        .clone()
        .union(&Projection::of(Lookalike::MEMBERS));
    for (whole, projected) in whole.records.iter().zip(&projected.records) {
        prop_assert_eq!(
            (&projected.0, projected.1, projected.2),
            (&whole.0, whole.1, whole.2)
        );
        for ((name, whole_member), projected_member) in NAMES.iter().zip(&whole.3).zip(&projected.3)
        {
            if kept.contains_member(name) {
                prop_assert_eq!(
                    projected_member,
                    whole_member,
                    "{} {} {}",
                    whole.0,
                    whole.1,
                    name
                );
            } else {
                prop_assert_eq!(projected_member, &None, "{} {} {}", whole.0, whole.1, name);
            }
        }
        let other: Vec<&String> = whole
            .4
            .iter()
            .filter(|member| {
                let name = member.split('=').next().unwrap_or("");
                kept.contains_member(name)
            })
            .collect();
        prop_assert_eq!(projected.4.iter().collect::<Vec<_>>(), other);
    }
    Ok(whole)
}

fn stats_projection() -> Projection {
    Projection::of(["userIdentity.type", "eventSource", "eventName", "eventTime"])
}

#[test]
fn the_corpus_tree_reads_alike_projected() {
    let tree = Source::Path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus"));
    for projection in [
        Projection::new(),
        stats_projection(),
        Projection::of(["requestParameters", "resources", "p_log_type"]),
    ] {
        let whole = assert_agrees(std::slice::from_ref(&tree), &projection).unwrap();
        // The tree holds what makes the comparison worth making: lookalikes rejected, digests set aside.
        assert!(whole.stats.records_delivered > 700, "{:?}", whole.stats);
        assert!(
            whole.errors.iter().any(|e| e.1 == "not_cloudtrail"),
            "{:?}",
            whole.errors
        );
        assert!(whole.stats.digests_skipped > 0);
    }
}

#[test]
fn the_damaged_fixtures_read_alike_projected() {
    let tree = Source::Path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/damaged"));
    let whole = assert_agrees(std::slice::from_ref(&tree), &stats_projection()).unwrap();
    assert!(whole.stats.records_reported > 0, "{:?}", whole.stats);
}

/// Records the reader must judge alike whatever the projection: members in a skipped member's place
/// that only a typed parse rejects, records that have only members outside the projection, lookalikes.
#[test]
fn what_the_reader_judges_is_judged_alike() {
    let lines = [
        record(0),
        // A lone surrogate in a typed member the projection skips: not a record, either way.
        r#"{"eventVersion":"1.11","eventID":"id-0001","userAgent":"\ud800"}"#.to_owned(),
        // The same in a raw member: a record, either way.
        r#"{"eventVersion":"1.11","eventID":"id-0002","requestParameters":{"a":"\ud800"}}"#
            .to_owned(),
        // Only members the projection does not keep, one of them spelt in other letters.
        r#"{"eventTime":"2024-05-01T00:00:00Z"}"#.to_owned(),
        r#"{"EVENTNAME":"x"}"#.to_owned(),
        r#"{"unrelated":1}"#.to_owned(),
        // Lookalikes.
        r#"{"eventVersion":"2.1","eventSource":"aws:s3","s3":{}}"#.to_owned(),
        r#"{"eventVersion":"1","acsRegion":"cn-hangzhou","eventName":"x"}"#.to_owned(),
        record(8),
    ];
    let text: String = lines.iter().map(|line| format!("{line}\n")).collect();
    let container = format!("{{\"Records\":[{}]}}", lines.join(","));
    let projection = Projection::of(["eventName"]);
    for (name, data) in [
        ("lines.jsonl", text.clone().into_bytes()),
        ("lines.jsonl.gz", gzip(text.as_bytes())),
        ("container.json", container.clone().into_bytes()),
        ("container.json.gz", gzip(container.as_bytes())),
    ] {
        let whole = assert_agrees(&[bytes(name, data)], &projection).unwrap();
        let kinds: Vec<_> = whole.errors.iter().map(|e| e.1).collect();
        assert_eq!(
            kinds,
            [
                "not_a_record",
                "no_record_members",
                "not_cloudtrail",
                "not_cloudtrail"
            ],
            "{name}"
        );
        assert_eq!(whole.stats.records_delivered, 5, "{name}");
    }
}

/// Records of the generated kind with varied members, so that projections have something to skip.
fn varied(i: usize) -> String {
    let base = record(i);
    let extra = match i % 4 {
        0 => r#","requestParameters":{"bucketName":"b","key":"k\u00e9"}"#,
        1 => r#","resources":[{"ARN":"arn:aws:s3:::b","type":"AWS::S3::Bucket"}],"readOnly":true"#,
        2 => r#","userAgent":"aws-cli/2.15 \"quoted\"","errorCode":"AccessDenied""#,
        _ => r#","p_log_type":"AWS.CloudTrail","tlsDetails":{"tlsVersion":"TLSv1.3"}"#,
    };
    format!("{}{extra}}}", &base[..base.len() - 1])
}

fn projection() -> impl Strategy<Value = Projection> {
    let names: Vec<&str> = NAMES
        .iter()
        .copied()
        .chain(["p_log_type", "userAgent", "tlsDetails", "readOnly"])
        .collect();
    let len = names.len();
    proptest::sample::subsequence(names, 0..=len).prop_map(Projection::of)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn damaged_inputs_read_alike_projected(
        n in 1usize..10,
        container in any::<bool>(),
        compressed in any::<bool>(),
        at in any::<prop::sample::Index>(),
        damage in prop_oneof![
            Just(None),
            prop::sample::select(b"\"{}[],:x \\\xff\x01d".to_vec()).prop_map(Some),
        ],
        projection in projection(),
    ) {
        let records: Vec<String> = (0..n).map(varied).collect();
        let mut data = if container {
            format!("{{\"Records\":[{}]}}", records.join(",")).into_bytes()
        } else {
            records.iter().map(|r| format!("{r}\n")).collect::<String>().into_bytes()
        };
        let at = at.index(data.len());
        match damage {
            None => data.truncate(at),
            Some(byte) => data[at] = byte,
        }
        let data = if compressed { gzip(&data) } else { data };
        let name = if container { "records.json" } else { "records.jsonl" };
        assert_agrees(&[bytes(name, data)], &projection)?;
    }
}

#[test]
fn owned_records_keep_their_projection() {
    let text: String = (0..3).map(|i| format!("{}\n", varied(i))).collect();
    let sources = [bytes("owned.jsonl", text)];
    let projection = Projection::of(["eventName"]);
    let reader = Reader::new(ReaderOptions::default().with_projection(projection.clone()));
    let mut seen = 0;
    for item in reader.records(&sources).unwrap() {
        let located = item.unwrap();
        let kept = located.event.projection().unwrap();
        // What was asked for, and what the reader reads itself.
        assert!(kept.contains("eventName") && kept.contains("eventSource"));
        assert!(!kept.contains("userIdentity"));
        assert_eq!(located.event.event_name(), Some("GetObject"));
        assert!(located.event.user_identity.is_none() && located.event.event_id().is_none());
        assert!(serde_json::to_string(&located.event).is_err());
        seen += 1;
    }
    assert_eq!(seen, 3);
    // The default reads whole records, which serialise.
    let whole = Reader::new(ReaderOptions::default());
    for item in whole.records(&sources).unwrap() {
        let located = item.unwrap();
        assert!(located.event.is_whole());
        assert!(serde_json::to_string(&located.event).is_ok());
    }
}
