//! Finds the records in decompressed content, whatever its format, without building the whole document:
//! `{"Records":[...]}` files, JSON Lines (or concatenated JSON) of records, EventBridge envelopes, plain
//! JSON arrays; digest files are recognised and set aside.

use std::fmt;

use serde::Deserializer as _;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::ReadError;

/// One record's text with where it is.
pub(crate) struct Span<'t> {
    pub(crate) text: &'t str,
    pub(crate) index: u64,
    pub(crate) offset: u64,
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
    on_record: &mut dyn FnMut(Span<'_>) -> bool,
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
    on_record: &'f mut dyn FnMut(Span<'_>) -> bool,
    /// The caller asked to stop: no more records, no error for the interruption.
    stopped: bool,
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
                // The common case: one container, streamed without a first pass over it; whatever
                // follows it (the next member of a multi-member gzip) is read as a stream.
                let mut de = serde_json::Deserializer::from_str(&text[start..]);
                let result = de.deserialize_map(ContainerVisitor { scanner: self });
                match result {
                    Ok(()) => self.stream_values(de.into_iter(), &text[start..]),
                    Err(error) => self.finish(Err(error), &text[start..]),
                }
            }
            _ => {
                let values = serde_json::Deserializer::from_str(&text[start..]).into_iter();
                self.stream_values(values, &text[start..]);
            }
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
                self.record(detail);
                return;
            }
        }
        self.record(raw);
    }

    /// Hands one record over; false when it is over the size cap or the caller stops (the scan then
    /// stops).
    fn record(&mut self, text: &'s str) -> bool {
        let offset = self.offset_of(text);
        let index = self.scanned.records;
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
        if !(self.on_record)(Span {
            text,
            index,
            offset,
        }) {
            self.stopped = true;
            return false;
        }
        true
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
            if !self.scanner.record(raw.get()) {
                // The size error or the stop is already recorded; end without a second error.
                return Err(de::Error::custom("record too large"));
            }
        }
        Ok(())
    }
}
