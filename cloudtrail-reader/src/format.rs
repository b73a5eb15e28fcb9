//! Finds the records in decompressed content, whatever its format, without building the whole document:
//! `{"Records":[...]}` files, JSON Lines (or concatenated JSON) of records, EventBridge envelopes, plain
//! JSON arrays; digest files are recognised and set aside.

use std::fmt;

use serde::Deserializer as _;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use cloudtrail_model::Event;

use crate::error::ReadError;

/// One record's text with where it is.
pub(crate) struct Span<'t> {
    pub(crate) text: &'t str,
    pub(crate) index: u64,
    pub(crate) offset: u64,
    /// The record, when the scan parsed it to find where it ends (the fast path); else the callback
    /// parses `text`, which the parser checked is one JSON value.
    pub(crate) event: Option<&'t Event<'t>>,
}

/// What the record callback tells the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Go on to the next record.
    Continue,
    /// Stop: no more records, no error for the interruption.
    Stop,
}

/// What scanning found besides the records.
#[derive(Debug, Default)]
pub(crate) struct Scanned {
    /// Records handed to the callback.
    pub(crate) records: u64,
    /// The content was a CloudTrail digest file.
    pub(crate) digest: bool,
    /// The error that ended the scan early, if any.
    pub(crate) damage: Option<ReadError>,
}

/// Scans `bytes` for records, calling `on_record` for each in order. `max_record` caps a record's size.
pub(crate) fn scan(
    input: &str,
    bytes: &[u8],
    max_record: u64,
    on_record: &mut dyn FnMut(Span<'_>) -> Flow,
) -> Scanned {
    scan_with(input, bytes, max_record, on_record, true)
}

/// [`scan`], with or without the fast path for containers (the tests compare the two).
fn scan_with(
    input: &str,
    bytes: &[u8],
    max_record: u64,
    on_record: &mut dyn FnMut(Span<'_>) -> Flow,
    fast: bool,
) -> Scanned {
    let (text, bad_utf8) = match std::str::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(error) => {
            let valid = error.valid_up_to();
            (
                std::str::from_utf8(&bytes[..valid]).unwrap_or_default(),
                Some(valid as u64),
            )
        }
    };
    let mut scanner = Scanner {
        input,
        base: text,
        max_record,
        on_record,
        stopped: false,
        recheck: !fast,
        skip: 0,
        scanned: Scanned::default(),
    };
    scanner.top_level(text);
    if let (Some(offset), false) = (bad_utf8, scanner.stopped) {
        // The cut at the bad byte is the damage, whatever the parser said about the text before it.
        scanner.scanned.damage = Some(ReadError::Utf8 {
            input: input.to_owned(),
            record_index: scanner.scanned.records,
            offset,
        });
    }
    scanner.scanned
}

struct Scanner<'s, 'f> {
    input: &'s str,
    /// The whole text, to turn slices into offsets.
    base: &'s str,
    max_record: u64,
    on_record: &'f mut dyn FnMut(Span<'_>) -> Flow,
    /// The caller asked to stop: no more records, no error for the interruption.
    stopped: bool,
    /// The fast path met something it does not handle (anything unusual or damaged), or is off.
    recheck: bool,
    /// Records already handed over by the fast path: a rescan counts them without handing them over.
    skip: u64,
    scanned: Scanned,
}

impl<'s> Scanner<'s, '_> {
    fn offset_of(&self, part: &str) -> u64 {
        (part.as_ptr() as usize).saturating_sub(self.base.as_ptr() as usize) as u64
    }

    fn top_level(&mut self, text: &'s str) {
        let start = text.len()
            - text
                .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
                .len();
        match text.as_bytes().get(start) {
            None if self.base.is_empty() || text.trim().is_empty() => {
                if self.scanned.damage.is_none() {
                    self.scanned.damage = Some(ReadError::Empty {
                        input: self.input.to_owned(),
                    });
                }
            }
            Some(b'[') => {
                let mut de = serde_json::Deserializer::from_str(&text[start..]);
                let result = de.deserialize_seq(RecordSeq { scanner: self });
                self.finish(result.and_then(|()| de.end()), &text[start..]);
            }
            Some(b'{') if first_key(&text[start..]) == Some("Records") => {
                // The common case: one container. Its records are found by their brackets and parsed
                // once.
                let container = &text[start..];
                // (`recheck` set from the start means the fast path is off.)
                if !self.recheck {
                    match self.fast_container(container) {
                        // Anything after the container (the next member of a multi-member gzip,
                        // damage) is read by the parser as before, so that it says what it says
                        // with the whole text in view.
                        Some(end) => {
                            let rest = container.get(end..).unwrap_or_default();
                            if rest.trim_matches([' ', '\t', '\r', '\n']).is_empty() {
                                return;
                            }
                        }
                        None if !self.recheck => return,
                        None => {}
                    }
                }
                // Read it all again with the validating parser, which finds and locates whatever the
                // fast path stopped at; the records it already handed over are counted, not repeated.
                self.recheck = false;
                self.skip = std::mem::take(&mut self.scanned.records);
                let mut de = serde_json::Deserializer::from_str(container);
                let result = de.deserialize_map(ContainerVisitor { scanner: self });
                match result {
                    Ok(()) => self.stream_values(de.into_iter(), container),
                    Err(error) => self.finish(Err(error), container),
                }
            }
            _ => {
                let values = serde_json::Deserializer::from_str(&text[start..]).into_iter();
                self.stream_values(values, &text[start..]);
            }
        }
    }

    /// The fast path for a `{"Records":[...]}` container written the plain way (the `Records` member
    /// alone, its elements objects): each record is parsed straight from the array, the parser telling
    /// where it ends, so the array is scanned once rather than once to find each record and again to
    /// parse it. Returns where the container ends; `None` when the scan stopped (the caller) or must
    /// start again with the validating parser (`self.recheck`): anything unusual, damaged, cut short or
    /// over the size cap, which that parser reports exactly as it always has.
    fn fast_container(&mut self, text: &'s str) -> Option<usize> {
        let bytes = text.as_bytes();
        let mut at = 0;
        let skip_space = |at: &mut usize| {
            while bytes
                .get(*at)
                .is_some_and(|byte| matches!(byte, b' ' | b'\t' | b'\r' | b'\n'))
            {
                *at += 1;
            }
        };
        let expect = |at: &mut usize, what: &[u8]| {
            skip_space(at);
            let found = bytes.get(*at..).is_some_and(|rest| rest.starts_with(what));
            if found {
                *at += what.len();
            }
            found
        };
        let opening: [&[u8]; 4] = [b"{", b"\"Records\"", b":", b"["];
        if !opening.iter().all(|token| expect(&mut at, token)) {
            self.recheck = true;
            return None;
        }
        if !expect(&mut at, b"]") {
            loop {
                skip_space(&mut at);
                let rest = text.get(at..).filter(|rest| rest.starts_with('{'));
                let mut records = serde_json::Deserializer::from_str(rest.unwrap_or_default())
                    .into_iter::<Event<'s>>();
                let (Some(rest), Some(Ok(event))) = (rest, records.next()) else {
                    self.recheck = true;
                    return None;
                };
                // The parser stops at the record's end and says where that is.
                let Some(record) = rest.get(..records.byte_offset()) else {
                    self.recheck = true;
                    return None;
                };
                if !self.record(record, Some(&event)) {
                    return None;
                }
                at += record.len();
                if expect(&mut at, b"]") {
                    break;
                }
                if !expect(&mut at, b",") {
                    self.recheck = true;
                    return None;
                }
            }
        }
        if expect(&mut at, b"}") {
            Some(at)
        } else {
            // More members after the array, or damage: the parser sorts it out.
            self.recheck = true;
            None
        }
    }

    /// A `{"Records":[...]}` document, streamed record by record.
    fn container(&mut self, text: &'s str) {
        let mut de = serde_json::Deserializer::from_str(text);
        let result = de.deserialize_map(ContainerVisitor { scanner: self });
        self.finish(result.and_then(|()| de.end()), text);
    }

    /// Top-level values one after the other: JSON Lines, a single record, envelopes, digests, containers.
    fn stream_values(
        &mut self,
        mut values: serde_json::StreamDeserializer<'s, serde_json::de::StrRead<'s>, &'s RawValue>,
        text: &'s str,
    ) {
        loop {
            match values.next() {
                None => return,
                Some(Ok(raw)) => self.top_value(raw.get()),
                Some(Err(error)) => {
                    let at = values.byte_offset().min(text.len());
                    let rest = text[at..].trim_start();
                    if rest.starts_with('{') && first_key(rest) == Some("Records") {
                        // A damaged container: stream it to deliver what precedes the damage.
                        self.container(rest);
                    } else {
                        // serde_json counts lines and columns from the start of its whole input.
                        let offset = self.offset_of(text)
                            + line_column_offset(text, error.line(), error.column());
                        self.json_damage(error, offset);
                    }
                    return;
                }
            }
            if self.scanned.damage.is_some() || self.stopped {
                return;
            }
        }
    }

    fn top_value(&mut self, raw: &'s str) {
        let offset = self.offset_of(raw);
        if !raw.starts_with('{') {
            self.scanned.damage = Some(ReadError::UnknownContent {
                input: self.input.to_owned(),
                offset,
                reason: format!("a top-level {} where records were expected", kind_of(raw)),
            });
            return;
        }
        // Only objects that might be containers, envelopes or digests pay for a look at their members.
        let finder =
            |needle: &str| memchr::memmem::find(raw.as_bytes(), needle.as_bytes()).is_some();
        if (finder("\"Records\"") || finder("\"detail\"") || finder("\"digestStartTime\""))
            && let Ok(top) = serde_json::from_str::<TopMembers<'_>>(raw)
        {
            if top.records {
                self.container(raw);
                return;
            }
            if top.digest {
                self.scanned.digest = true;
                return;
            }
            if let Some(detail) = top.detail.filter(|_| top.envelope) {
                let detail = detail.get();
                self.record(detail, None);
                return;
            }
        }
        self.record(raw, None);
    }

    /// Hands one record over, parsed already or not; false when it is over the size cap, the caller
    /// stops or the fast path must give way (the scan then stops).
    fn record(&mut self, text: &'s str, event: Option<&Event<'s>>) -> bool {
        let offset = self.offset_of(text);
        let index = self.scanned.records;
        if index < self.skip {
            // Handed over before the rescan.
            self.scanned.records += 1;
            return true;
        }
        if text.len() as u64 > self.max_record && event.is_some() {
            // Reported by the validating parser, where it always was.
            self.recheck = true;
            return false;
        }
        if text.len() as u64 > self.max_record {
            self.scanned.damage = Some(ReadError::RecordTooLarge {
                input: self.input.to_owned(),
                record_index: index,
                offset,
                size: text.len() as u64,
                limit: self.max_record,
            });
            return false;
        }
        self.scanned.records += 1;
        match (self.on_record)(Span {
            text,
            index,
            offset,
            event,
        }) {
            Flow::Continue => true,
            Flow::Stop => {
                self.stopped = true;
                false
            }
        }
    }

    fn finish(&mut self, result: Result<(), serde_json::Error>, text: &str) {
        if let Err(error) = result
            && self.scanned.damage.is_none()
            && !self.stopped
        {
            let offset =
                self.offset_of(text) + line_column_offset(text, error.line(), error.column());
            self.json_damage(error, offset);
        }
    }

    fn json_damage(&mut self, error: serde_json::Error, offset: u64) {
        self.scanned.damage = Some(ReadError::Json {
            input: self.input.to_owned(),
            record_index: self.scanned.records,
            offset,
            error,
        });
    }
}

/// The first member name of an object, read without parsing the rest.
fn first_key(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('{')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let end = rest.find('"')?;
    Some(&rest[..end])
}

fn kind_of(raw: &str) -> &'static str {
    match raw.as_bytes().first() {
        Some(b'[') => "array",
        Some(b'"') => "string",
        Some(b't' | b'f') => "boolean",
        Some(b'n') => "null",
        _ => "number",
    }
}

/// Converts serde_json's 1-based line and byte column into an offset in `text`.
fn line_column_offset(text: &str, line: usize, column: usize) -> u64 {
    let mut start = 0usize;
    for _ in 1..line {
        match memchr::memchr(b'\n', &text.as_bytes()[start..]) {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    (start + column.saturating_sub(1)).min(text.len()) as u64
}

/// Which kind of top-level object this is, from its members.
struct TopMembers<'a> {
    records: bool,
    digest: bool,
    envelope: bool,
    detail: Option<&'a RawValue>,
}

impl<'de> serde::Deserialize<'de> for TopMembers<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = TopMembers<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut top = TopMembers {
                    records: false,
                    digest: false,
                    envelope: false,
                    detail: None,
                };
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "Records" => {
                            top.records = true;
                            map.next_value::<IgnoredAny>()?;
                        }
                        "digestStartTime" | "digestEndTime" | "logFiles" => {
                            top.digest = true;
                            map.next_value::<IgnoredAny>()?;
                        }
                        "detail-type" | "source" => {
                            top.envelope = true;
                            map.next_value::<IgnoredAny>()?;
                        }
                        "detail" => {
                            let detail: &RawValue = map.next_value()?;
                            top.detail = detail.get().starts_with('{').then_some(detail);
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(top)
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

struct ContainerVisitor<'a, 's, 'f> {
    scanner: &'a mut Scanner<'s, 'f>,
}

impl<'de: 's, 's> Visitor<'de> for ContainerVisitor<'_, 's, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a {"Records":[...]} object"#)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "Records" {
                map.next_value_seed(RecordSeq {
                    scanner: &mut *self.scanner,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct RecordSeq<'a, 's, 'f> {
    scanner: &'a mut Scanner<'s, 'f>,
}

impl<'de: 's, 's> DeserializeSeed<'de> for RecordSeq<'_, 's, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de: 's, 's> Visitor<'de> for RecordSeq<'_, 's, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            if !self.scanner.record(raw.get(), None) {
                // The size error or the stop is already recorded; end without a second error.
                return Err(de::Error::custom("record too large"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use cloudtrail_model::Event;
    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;

    /// What a scan handed over and how it ended, read the way the reader reads it.
    #[derive(Debug, PartialEq)]
    struct Seen {
        /// (index, offset, text, parsed) of each record; parsed means it parses, to the same record
        /// as the scan's when the scan parsed it.
        records: Vec<(u64, u64, String, bool)>,
        found: u64,
        damage: Option<String>,
    }

    /// The records the scan parsed itself (the fast path), and what was seen.
    fn scan_as_the_reader(text: &[u8], max_record: u64, fast: bool) -> (usize, Seen) {
        let mut records = Vec::new();
        let mut parsed_by_scan = 0;
        let mut on_record = |span: Span<'_>| {
            parsed_by_scan += usize::from(span.event.is_some());
            let again = Event::from_json(span.text);
            let parsed = match (span.event, again) {
                (Some(event), Ok(again)) => *event == again,
                (None, again) => again.is_ok(),
                (Some(_), Err(_)) => false,
            };
            records.push((span.index, span.offset, span.text.to_owned(), parsed));
            Flow::Continue
        };
        let scanned = scan_with("t", text, max_record, &mut on_record, fast);
        let seen = Seen {
            records,
            found: scanned.records,
            damage: scanned.damage.map(|damage| damage.to_string()),
        };
        (parsed_by_scan, seen)
    }

    fn both_ways(text: &[u8], max_record: u64) {
        let (_, fast) = scan_as_the_reader(text, max_record, true);
        let (none, validating) = scan_as_the_reader(text, max_record, false);
        assert_eq!(none, 0);
        assert_eq!(fast, validating, "{}", String::from_utf8_lossy(text));
    }

    #[test]
    fn the_fast_path_reads_plain_containers() {
        let text =
            br#"{"Records":[{"eventName":"A","x":"}]"}, {"eventName":"B","y":[{"z":"\""}]}]}"#;
        let (parsed_by_scan, seen) = scan_as_the_reader(text, 1 << 20, true);
        assert_eq!(parsed_by_scan, 2, "both records found on the fast path");
        assert_eq!(seen.records.len(), 2);
        assert_eq!(seen.records[1].2, r#"{"eventName":"B","y":[{"z":"\""}]}"#);
        assert_eq!(seen.damage, None);
        both_ways(text, 1 << 20);
    }

    #[test]
    fn the_fast_path_gives_way_to_the_parser_where_it_must() {
        for text in [
            r#"{"Records":[{"a":1},5,{"b":2}]}"#,
            r#"{"Records":[{"a":1},{"b":2},]}"#,
            r#"{"Records":[{"a":1} {"b":2}]}"#,
            r#"{"Records":[{"a":1},{"b" 2},{"c":3}]}"#,
            r#"{"Records":[{"a":1},{"b":2}],"Other":{}}"#,
            r#"{"Records":[{"a":1},{"b":2}]}{"Records":[{"c":3}]}"#,
            r#"{"Records":[{"a":1},{"b":2}]} x"#,
            r#"{"Records":[{"a":1},{"b":"#,
            r#"{"Records" : [ ] }"#,
            r#"{"Records":[{"a":1},{"b":"\u12"}]}"#,
            r#"{ "Records":[{"a":[}]}"#,
        ] {
            both_ways(text.as_bytes(), 1 << 20);
        }
        // A record over the cap, and a damaged one over the cap.
        both_ways(br#"{"Records":[{"a":1},{"b":"0123456789"},{"c":3}]}"#, 12);
        both_ways(br#"{"Records":[{"a":1},{"b":"0123456789" x},{"c":3}]}"#, 12);
    }

    /// JSON values with the characters the span finder cares about in strings and keys.
    fn values() -> impl Strategy<Value = Value> {
        let text = proptest::string::string_regex(r#"[a-z"\\{}\[\],:é\n ]{0,12}"#)
            .unwrap()
            .boxed();
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            text.clone().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec((text.clone(), inner), 0..5)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    /// Records: objects mostly, sometimes something else.
    fn documents() -> impl Strategy<Value = String> {
        let record = prop_oneof![
            8 => proptest::collection::vec(("[a-zA-Z]{1,10}", values()), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
            1 => values(),
        ];
        (proptest::collection::vec(record, 0..8), any::<bool>()).prop_map(|(records, pretty)| {
            let document = serde_json::json!({ "Records": records });
            if pretty {
                serde_json::to_string_pretty(&document).unwrap()
            } else {
                document.to_string()
            }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn the_fast_path_agrees_with_the_parser_on_valid_documents(document in documents()) {
            both_ways(document.as_bytes(), 1 << 20);
        }

        #[test]
        fn the_fast_path_agrees_with_the_parser_on_damaged_documents(
            document in documents(),
            at in any::<prop::sample::Index>(),
            damage in prop_oneof![
                Just(None),
                prop::sample::select(b"\"{}[],: x\\\xff".to_vec()).prop_map(Some),
            ],
        ) {
            let mut bytes = document.into_bytes();
            let at = at.index(bytes.len() + 1);
            match damage {
                None => bytes.truncate(at),
                Some(byte) if at < bytes.len() => bytes[at] = byte,
                Some(byte) => bytes.push(byte),
            }
            both_ways(&bytes, 1 << 20);
        }
    }
}
