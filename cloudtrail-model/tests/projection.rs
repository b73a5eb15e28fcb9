//! A projected read agrees with the whole parse: over every record of the project corpus (real CloudTrail
//! from public sources; provenance in tests/data/corpus/SOURCES.md), for several projections and for
//! random ones, each member asked for equals the whole parse's, each member not asked for is absent, a
//! projected record refuses to serialise, and damaged records fail under a projection exactly when, and
//! with the same error as, the whole parse fails.

mod common;

use std::sync::OnceLock;

use cloudtrail_model::{Event, ParseError, ProjectedEvent, Projection};
use common::{corpus_files, numbered_records};
use proptest::prelude::*;
use serde::de::DeserializeSeed;

/// Every record of the corpus as raw JSON text (the record inside a Panther test or an EventBridge
/// envelope), with its file and line for messages.
fn corpus() -> &'static [(String, String)] {
    static CORPUS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        corpus_files()
            .iter()
            .flat_map(|file| {
                numbered_records(file)
                    .into_iter()
                    .map(move |(line, record)| (format!("{file}:{line}"), record))
            })
            .collect()
    })
}

/// Each modelled member of a record as JSON text, in `Event::FIELDS` order (`None` when absent). (Text,
/// not `Value`: a raw member may hold escapes a `Value` cannot, such as a lone surrogate.)
fn modelled(event: &Event<'_>) -> Vec<(&'static str, Option<String>)> {
    fn json<T: serde::Serialize>(value: &Option<T>) -> Option<String> {
        value
            .as_ref()
            .map(|value| serde_json::to_string(value).unwrap())
    }
    let members = vec![
        json(&event.event_version),
        json(&event.user_identity),
        json(&event.event_time),
        json(&event.event_source),
        json(&event.event_name),
        json(&event.aws_region),
        json(&event.source_ip_address),
        json(&event.user_agent),
        json(&event.error_code),
        json(&event.error_message),
        json(&event.request_parameters),
        json(&event.response_elements),
        json(&event.additional_event_data),
        json(&event.request_id),
        json(&event.event_id),
        json(&event.event_type),
        json(&event.api_version),
        json(&event.management_event),
        json(&event.read_only),
        json(&event.resources),
        json(&event.recipient_account_id),
        json(&event.service_event_details),
        json(&event.shared_event_id),
        json(&event.vpc_endpoint_id),
        json(&event.vpc_endpoint_account_id),
        json(&event.event_category),
        json(&event.addendum),
        json(&event.session_credential_from_console),
        json(&event.edge_device_details),
        json(&event.tls_details),
        json(&event.insight_details),
        json(&event.event_context),
        json(&event.aggregated_event_id),
        json(&event.aggregated_account_id),
        json(&event.time_window),
        json(&event.summary),
    ];
    assert_eq!(
        members.len(),
        Event::FIELDS.len(),
        "a modelled member is missing from this test"
    );
    Event::FIELDS.iter().copied().zip(members).collect()
}

/// The `other` list as (name, JSON text) pairs.
fn other(event: &Event<'_>) -> Vec<(String, String)> {
    event
        .other
        .iter()
        .map(|(key, value)| (key.to_string(), value.get().to_owned()))
        .collect()
}

/// Both reads of `text` fail alike, or both succeed and the projected record holds exactly the members
/// asked for, equal to the whole record's.
fn assert_agrees(at: &str, text: &str, projection: &Projection) -> Result<(), TestCaseError> {
    let whole = Event::from_json(text);
    let projected = Event::from_json_projected(text, projection);
    let (whole, projected) = match (whole, projected) {
        (Ok(whole), Ok(projected)) => (whole, projected),
        (Err(whole), Err(projected)) => {
            prop_assert_eq!(whole.to_string(), projected.to_string(), "{}", at);
            prop_assert_eq!(whole.offset(), projected.offset(), "{}", at);
            prop_assert_eq!(
                std::mem::discriminant(&whole),
                std::mem::discriminant(&projected),
                "{}",
                at
            );
            return Ok(());
        }
        (whole, projected) => {
            return Err(TestCaseError::fail(format!(
                "{at}: whole {:?}, projected {:?} ({projection:?})",
                whole.err(),
                projected.err()
            )));
        }
    };
    prop_assert!(whole.is_whole() && whole.projection().is_none());
    prop_assert!(!projected.is_whole(), "{}", at);
    prop_assert_eq!(projected.projection(), Some(projection));
    for ((name, whole), (_, projected)) in modelled(&whole).into_iter().zip(modelled(&projected)) {
        if projection.contains_member(name) {
            prop_assert_eq!(projected, whole, "{}: {} differs", at, name);
        } else {
            prop_assert_eq!(projected, None, "{}: {} was not asked for", at, name);
        }
    }
    let kept: Vec<_> = other(&whole)
        .into_iter()
        .filter(|(key, _)| projection.contains_member(key))
        .collect();
    prop_assert_eq!(other(&projected), kept, "{}: other", at);
    // A projected record is not written out as if whole, borrowed or owned.
    let refused = serde_json::to_string(&projected);
    prop_assert!(refused.is_err(), "{}: serialised a projected record", at);
    let owned = projected.into_owned();
    prop_assert_eq!(owned.projection(), Some(projection));
    prop_assert!(serde_json::to_value(&owned).is_err());
    Ok(())
}

/// The projections a consumer would use, from none to every modelled member.
fn projections() -> Vec<Projection> {
    vec![
        Projection::new(),
        Projection::of(["eventName", "eventSource", "userIdentity"]),
        // What `stats` reads.
        Projection::of([
            "userIdentity.type",
            "eventSource",
            "eventName",
            "eventTime",
            "eventType",
            "eventCategory",
            "timeWindow",
        ]),
        Projection::of([
            "userIdentity.sessionContext.sessionIssuer.arn",
            "sourceIPAddress",
        ]),
        Projection::of([
            "requestParameters.bucketName",
            "responseElements",
            "errorCode",
        ]),
        Projection::of([
            "resources[0].ARN",
            "tlsDetails",
            "insightDetails",
            "summary",
        ]),
        // Unknown members the corpus holds (Panther's keys), and one it does not.
        Projection::of(["p_log_type", "p_event_time", "not_a_member", "eventID"]),
        Projection::of(Event::FIELDS),
    ]
}

#[test]
fn projected_reads_of_every_corpus_record_hold_what_was_asked() {
    let corpus = corpus();
    assert!(corpus.len() >= 1200, "{} records", corpus.len());
    let mut unknown_kept = 0;
    for projection in projections() {
        for (at, text) in corpus {
            assert_agrees(at, text, &projection).unwrap();
            let event = Event::from_json_projected(text, &projection).unwrap();
            unknown_kept += event.other.len();
        }
    }
    // The Panther records' own members were kept when asked for: the test saw unknown members.
    assert!(unknown_kept > 0);
}

#[test]
fn every_modelled_member_is_the_whole_record() {
    // Asking for every modelled member and every unknown one a record has gives the whole record back.
    for (at, text) in corpus() {
        let whole = Event::from_json(text).unwrap();
        let projection = Projection::of(Event::FIELDS).union(&Projection::of(
            whole.other.iter().map(|(key, _)| key.as_ref()),
        ));
        let projected = Event::from_json_projected(text, &projection).unwrap();
        assert_eq!(modelled(&projected), modelled(&whole), "{at}");
        assert_eq!(other(&projected), other(&whole), "{at}");
        // Equal members, but not equal records: one says it is projected.
        assert_ne!(projected, whole, "{at}");
    }
}

/// Damage that serde_json's skip lets through but a typed member's parse does not: a projected read
/// skipping such a member must still fail, as the whole parse does, and must not fail where the whole
/// parse keeps the value raw.
#[test]
fn skipped_members_are_checked_as_their_parse_checks_them() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let cases = [
        // A lone surrogate escape: an error in a typed string, kept in a raw member.
        (r#"{"eventName":"\ud800","eventSource":"s"}"#.to_owned(), false),
        (r#"{"requestParameters":{"a":"\ud800"},"eventSource":"s"}"#.to_owned(), true),
        (r#"{"userIdentity":{"arn":"\udc00"},"eventSource":"s"}"#.to_owned(), false),
        (r#"{"userIdentity":{"unknown":"\udc00"},"eventSource":"s"}"#.to_owned(), true),
        (r#"{"unknownMember":"\ud800","eventSource":"s"}"#.to_owned(), true),
        (r#"{"resources":[{"ARN":"\ud800"}],"eventSource":"s"}"#.to_owned(), false),
        (r#"{"userIdentity":{"sessionContext":{"attributes":{"x":"\ud800"}}},"eventSource":"s"}"#.to_owned(), true),
        // A number out of range: an error when read, not when skipped raw.
        (r#"{"eventName":1e400,"eventSource":"s"}"#.to_owned(), false),
        (r#"{"responseElements":1e400,"eventSource":"s"}"#.to_owned(), true),
        (r#"{"summary":{"x":[1e999]},"eventSource":"s"}"#.to_owned(), true),
        // Keys are decoded at every typed level.
        (r#"{"userIdentity":{"\ud800":1},"eventSource":"s"}"#.to_owned(), false),
        (r#"{"eventName":{"\ud800":1},"eventSource":"s"}"#.to_owned(), false),
        (r#"{"requestParameters":{"\ud800":1},"eventSource":"s"}"#.to_owned(), true),
        // Nesting past serde_json's limit: an error in a typed member, not in a raw one.
        (format!(r#"{{"eventName":{deep},"eventSource":"s"}}"#), false),
        (format!(r#"{{"requestParameters":{deep},"eventSource":"s"}}"#), true),
        // Plain syntax damage, anywhere.
        (r#"{"requestParameters":{"a":x},"eventSource":"s"}"#.to_owned(), false),
        (r#"{"unknownMember":[1,],"eventSource":"s"}"#.to_owned(), false),
        (r#"{"userIdentity":{"type":"Root"}"eventSource":"s"}"#.to_owned(), false),
        ("{\"eventName\":\"a\u{1}b\",\"eventSource\":\"s\"}".to_owned(), false),
    ];
    let projection = Projection::of(["eventSource"]);
    for (text, parses) in &cases {
        assert_eq!(Event::from_json(text).is_ok(), *parses, "{text}");
        assert_agrees(text, text, &projection).unwrap();
        assert_agrees(text, text, &Projection::new()).unwrap();
    }
}

#[test]
fn non_objects_and_trailing_text_fail_alike() {
    let projection = Projection::of(["eventName"]);
    for text in [
        "[1,2]",
        "\"x\"",
        "null",
        "",
        "  ",
        "{} {}",
        "{\"eventName\":\"a\"} x",
        "{",
    ] {
        let whole = Event::from_json(text).unwrap_err();
        let projected = Event::from_json_projected(text, &projection).unwrap_err();
        assert_eq!(whole.to_string(), projected.to_string(), "{text:?}");
        assert!(
            matches!(
                (&whole, &projected),
                (
                    ParseError::NotAnObject { .. },
                    ParseError::NotAnObject { .. }
                ) | (ParseError::Json { .. }, ParseError::Json { .. })
            ),
            "{text:?}"
        );
    }
    let whole = Event::from_slice(b"{\"eventName\":\"\xff\"}").unwrap_err();
    let projected =
        Event::from_slice_projected(b"{\"eventName\":\"\xff\"}", &projection).unwrap_err();
    assert_eq!(whole.to_string(), projected.to_string());
}

#[test]
fn projections_name_top_level_members() {
    let projection = Projection::of(["userIdentity.arn", "resources[0].ARN", "p_log_type"])
        .with_member("odd.name");
    assert!(projection.contains("userIdentity"));
    assert!(projection.contains("userIdentity.sessionContext"));
    assert!(projection.contains_member("resources"));
    assert!(projection.contains_member("odd.name"));
    assert!(
        !projection.contains("odd.name"),
        "a path stops at its first dot"
    );
    assert!(!projection.contains("eventName"));
    assert_eq!(
        projection.members().collect::<Vec<_>>(),
        ["userIdentity", "resources", "odd.name", "p_log_type"]
    );
    assert_eq!(projection.len(), 4);
    assert!(Projection::new().is_empty());
    // Order and repeats do not matter.
    assert_eq!(
        Projection::of(["eventName", "x", "eventName.y", "x"]),
        Projection::of(["x", "eventName"])
    );
    let text = r#"{"odd.name":1,"odd":2,"eventName":"E"}"#;
    let event = Event::from_json_projected(text, &projection).unwrap();
    assert_eq!(other(&event), [("odd.name".to_owned(), "1".to_owned())]);
    assert!(event.holds("userIdentity.arn"));
    assert!(!event.holds("eventName"));
    assert!(Event::from_json(text).unwrap().holds("eventName"));
}

#[test]
fn the_seed_reads_a_projected_record_from_a_stream() {
    let text = r#"{"eventName":"A","eventSource":"x"} {"eventName":"B","eventSource":"y"}"#;
    let projection = Projection::of(["eventName"]);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let first = ProjectedEvent(&projection)
        .deserialize(&mut deserializer)
        .unwrap();
    let second = ProjectedEvent(&projection)
        .deserialize(&mut deserializer)
        .unwrap();
    deserializer.end().unwrap();
    assert_eq!(
        (first.event_name(), second.event_name()),
        (Some("A"), Some("B"))
    );
    assert_eq!((first.event_source(), second.event_source()), (None, None));
}

/// Member names for random projections: every modelled one, unknown ones the corpus holds, paths.
fn names() -> Vec<String> {
    let mut names: Vec<String> = Event::FIELDS.iter().map(|name| name.to_string()).collect();
    names.extend(
        [
            "p_log_type",
            "p_any_ip_addresses",
            "x",
            "userIdentity.arn",
            "resources[0]",
        ]
        .map(String::from),
    );
    names
}

fn projection() -> impl Strategy<Value = Projection> {
    proptest::sample::subsequence(names(), 0..=names().len()).prop_map(Projection::of)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_projections_agree_with_the_whole_parse(
        record in any::<prop::sample::Index>(),
        projection in projection(),
    ) {
        let (at, text) = &corpus()[record.index(corpus().len())];
        assert_agrees(at, text, &projection)?;
    }

    #[test]
    fn damaged_records_fail_under_a_projection_exactly_when_whole(
        record in any::<prop::sample::Index>(),
        projection in projection(),
        at in any::<prop::sample::Index>(),
        damage in prop_oneof![
            Just(None),
            prop::sample::select(b"\"{}[],: x\\\x01d0e9-+.".to_vec()).prop_map(Some),
        ],
    ) {
        let (name, text) = &corpus()[record.index(corpus().len())];
        let mut bytes = text.clone().into_bytes();
        let at = at.index(bytes.len());
        match damage {
            None => bytes.truncate(at),
            Some(byte) => bytes[at] = byte,
        }
        // The corpus is ASCII outside strings; replacing part of a multi-byte character is bad UTF-8,
        // which both reads report alike too.
        let whole = Event::from_slice(&bytes).map(drop).map_err(|error| error.to_string());
        let projected = Event::from_slice_projected(&bytes, &projection)
            .map(drop)
            .map_err(|error| error.to_string());
        prop_assert_eq!(&whole, &projected, "{} damaged at {}", name, at);
        if let Ok(text) = std::str::from_utf8(&bytes) {
            assert_agrees(name, text, &projection)?;
        }
    }
}
