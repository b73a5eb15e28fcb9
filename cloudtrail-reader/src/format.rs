//! Finds the records in decompressed content, whatever its format, without building the whole document:
//! `{"Records":[...]}` files, JSON Lines (or concatenated JSON) of records, EventBridge envelopes, plain
//! JSON arrays; digest files are recognised and set aside.

use std::fmt;

use serde::Deserializer as _;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use cloudtrail_model::{Event, ProjectedEvent, Projection};

use crate::error::{ReadError, ValueDamage};

/// One record's text with where it is.
pub(crate) struct Span<'t> {
    pub(crate) text: &'t str,
    pub(crate) index: u64,
    pub(crate) offset: u64,
    /// The record, when the scan parsed it to find where it ends (the fast path); else the callback
    /// parses `text`, which the parser checked is one JSON value.
    pub(crate) event: Option<&'t Event<'t>>,
}

/// What the scan hands over, in order.
pub(crate) enum Found<'t> {
    /// A record to deliver (or to reject for what it holds).
    Record(Span<'t>),
    /// A top-level value lost to damage; the scan went on after it.
    Lost(ReadError),
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
    /// Records and lost values handed over, counted from the window's first index.
    pub(crate) records: u64,
    /// The content was a CloudTrail digest file.
    pub(crate) digest: bool,
    /// The error that ended the scan early, if any.
    pub(crate) damage: Option<ReadError>,
    /// For a window that is not the last: the bytes read through (whole values, lost ones included);
    /// the rest starts a value the window cuts short.
    pub(crate) consumed: usize,
    /// The window ended inside a lost value: the content up to the next line that starts a value is to
    /// be dropped ([`skip_to_next_value_line`]).
    pub(crate) skipping: bool,
}

/// Where a window of content sits in its input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    /// The offset of the window's first byte in the input's content.
    pub(crate) offset: u64,
    /// The index the window's first record gets.
    pub(crate) first_index: u64,
    /// No content follows the window.
    pub(crate) last: bool,
    /// The window is in the middle of a stream of top-level values (not the start of the content).
    pub(crate) within_values: bool,
}

impl Window {
    /// The whole content at once.
    #[cfg(test)]
    pub(crate) const WHOLE: Window = Window {
        offset: 0,
        first_index: 0,
        last: true,
        within_values: false,
    };
}

/// How content is read, from how it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Nothing but white space yet, or a first member name cut short.
    Undecided,
    /// One JSON document to read whole: a `{"Records":[...]}` file or a plain array.
    Document,
    /// Top-level values one after the other (JSON Lines, concatenated JSON, envelopes, a single record),
    /// read a window at a time.
    Values,
}

/// The shape of content that starts with `bytes`.
pub(crate) fn shape(bytes: &[u8]) -> Shape {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|byte| !matches!(byte, b' ' | b'\t' | b'\r' | b'\n'));
    let Some(start) = start else {
        return Shape::Undecided;
    };
    match bytes[start] {
        b'[' => Shape::Document,
        b'{' => {
            let rest = &bytes[start + 1..];
            let Some(quote) = rest
                .iter()
                .position(|byte| !matches!(byte, b' ' | b'\t' | b'\r' | b'\n'))
            else {
                return Shape::Undecided;
            };
            if rest[quote] != b'"' {
                return Shape::Values;
            }
            match memchr::memchr(b'"', &rest[quote + 1..]) {
                None => Shape::Undecided,
                Some(end) if &rest[quote + 1..quote + 1 + end] == b"Records" => Shape::Document,
                Some(_) => Shape::Values,
            }
        }
        _ => Shape::Values,
    }
}

/// Where reading resumes after damage in a stream of values: just after the next line feed that is
/// followed by `{` (a line that starts an object), at or after `from`.
pub(crate) fn skip_to_next_value_line(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    memchr::memmem::find(rest, b"\n{").map(|at| from + at + 1)
}

/// Scans `bytes`, a window of an input's content, for records, handing each to `on_item` in order.
/// `max_record` caps a record's size; records the scan parses itself are read under `projection`.
pub(crate) fn scan<'s>(
    input: &'s str,
    bytes: &'s [u8],
    window: Window,
    max_record: u64,
    projection: Option<&'s Projection>,
    on_item: &mut dyn FnMut(Found<'_>) -> Flow,
) -> Scanned {
    scan_with(input, bytes, window, max_record, projection, on_item, true)
}

/// [`scan`], with or without the fast path for containers (the tests compare the two).
fn scan_with<'s>(
    input: &'s str,
    bytes: &'s [u8],
    window: Window,
    max_record: u64,
    projection: Option<&'s Projection>,
    on_item: &mut dyn FnMut(Found<'_>) -> Flow,
    fast: bool,
) -> Scanned {
    let mut scanner = Scanner {
        input,
        origin: bytes.as_ptr() as usize,
        window,
        max_record,
        projection,
        on_item,
        stopped: false,
        recheck: !fast,
        skip: 0,
        scanned: Scanned {
            records: window.first_index,
            ..Scanned::default()
        },
    };
    if window.within_values {
        scanner.stream_values(bytes, 0);
    } else {
        scanner.top_level(bytes);
    }
    scanner.scanned
}

/// The longest UTF-8 prefix of `bytes`, and where the first invalid byte is, if any, with whether the
/// bytes merely end inside a character.
fn utf8_prefix(bytes: &[u8]) -> (&str, Option<(usize, bool)>) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(error) => {
            let valid = error.valid_up_to();
            let text = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
            (text, Some((valid, error.error_len().is_none())))
        }
    }
}

/// How a run of top-level values ended.
enum ValuesEnd {
    /// Every value was whole.
    Whole,
    /// The callback stopped the scan.
    Stopped,
    /// The text ends inside the value that starts at `start`.
    CutShort {
        start: usize,
        error: serde_json::Error,
    },
    /// The value that starts at `start` is damaged; what it delivered before the damage is delivered.
    Damaged { start: usize, error: ReadError },
}

struct Scanner<'s, 'f> {
    input: &'s str,
    /// Where the window's bytes start in memory, to turn slices into offsets.
    origin: usize,
    window: Window,
    max_record: u64,
    /// What the fast path reads of each record; `None` for whole records.
    projection: Option<&'s Projection>,
    on_item: &'f mut dyn FnMut(Found<'_>) -> Flow,
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
        (part.as_ptr() as usize).saturating_sub(self.origin) as u64 + self.window.offset
    }

    fn top_level(&mut self, bytes: &'s [u8]) {
        let start = bytes.len()
            - bytes
                .strip_prefix(b"\xef\xbb\xbf")
                .unwrap_or(bytes)
                .trim_ascii_start()
                .len();
        if bytes.get(start).is_none() {
            self.scanned.damage = Some(ReadError::Empty {
                input: self.input.to_owned(),
            });
            return;
        }
        let (text, bad_utf8) = utf8_prefix(bytes);
        let binary = bad_utf8.is_some_and(|(bad, _)| bad == start);
        if shape(bytes) == Shape::Document || binary {
            // (Content that does not even start as text is not read on as values: it is reported once.)
            self.document(text, start);
        } else {
            self.stream_values(bytes, start);
            return;
        }
        if let (Some((valid, _)), false) = (bad_utf8, self.stopped) {
            // The cut at the bad byte is the damage, whatever the parser said about the text before it.
            self.scanned.damage = Some(ReadError::Utf8 {
                input: self.input.to_owned(),
                record_index: self.scanned.records,
                offset: self.window.offset + valid as u64,
            });
        }
    }

    /// A document read whole: a plain array, or a `{"Records":[...]}` container (then perhaps more
    /// values: the next member of a multi-member gzip).
    fn document(&mut self, text: &'s str, start: usize) {
        let Some(document) = text.get(start..) else {
            return;
        };
        if document.starts_with('[') {
            let mut de = serde_json::Deserializer::from_str(document);
            let result = de.deserialize_seq(RecordSeq { scanner: self });
            self.finish(result.and_then(|()| de.end()), document);
            return;
        }
        // The common case: one container. Its records are found by their brackets and parsed once.
        // (`recheck` set from the start means the fast path is off.)
        if !self.recheck {
            match self.fast_container(document) {
                // Anything after the container (the next member of a multi-member gzip, damage) is
                // read by the parser as before, so that it says what it says with the whole text in
                // view.
                Some(end) => {
                    let rest = document.get(end..).unwrap_or_default();
                    if rest.trim_matches([' ', '\t', '\r', '\n']).is_empty() {
                        return;
                    }
                }
                None if !self.recheck => return,
                None => {}
            }
        }
        // Read it all again with the validating parser, which finds and locates whatever the fast path
        // stopped at; the records it already handed over are counted, not repeated.
        self.recheck = false;
        self.skip = std::mem::take(&mut self.scanned.records);
        let mut de = serde_json::Deserializer::from_str(document);
        let result = de.deserialize_map(ContainerVisitor { scanner: self });
        match result {
            Ok(()) => {
                let end = start + de.into_iter::<IgnoredAny>().byte_offset();
                self.stream_values(text.as_bytes(), end);
            }
            Err(error) => self.finish(Err(error), document),
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
                let parsed = rest.and_then(|rest| parse_record(rest, self.projection));
                let (Some(rest), Some((event, end))) = (rest, parsed) else {
                    self.recheck = true;
                    return None;
                };
                // The parser stops at the record's end and says where that is.
                let Some(record) = rest.get(..end) else {
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

    /// Top-level values one after the other from `bytes[at..]`: JSON Lines, a single record, envelopes,
    /// digests, containers. A damaged value (invalid JSON or UTF-8) is lost alone: reading goes on at the
    /// next line that starts an object. The input ending inside a value is damage that ends it.
    fn stream_values(&mut self, bytes: &'s [u8], mut at: usize) {
        let last = self.window.last;
        loop {
            let rest = bytes.get(at..).unwrap_or_default();
            let (text, bad_utf8) = utf8_prefix(rest);
            let resume_after = match self.values_in(text) {
                ValuesEnd::Stopped => return,
                ValuesEnd::Whole => match bad_utf8 {
                    None => {
                        self.scanned.consumed = bytes.len();
                        return;
                    }
                    // Outside strings, JSON is ASCII: a bad byte there is junk, lost as a value.
                    Some((bad, _)) => {
                        if !self.lose_utf8(at + bad) {
                            return;
                        }
                        at + bad
                    }
                },
                ValuesEnd::CutShort { start, error } => match bad_utf8 {
                    Some((_, true)) | None if !last => {
                        // The window ends inside a value (or a character): the next one holds it.
                        self.scanned.consumed = at + start;
                        return;
                    }
                    Some((bad, _)) => {
                        if !self.lose_utf8(at + bad) {
                            return;
                        }
                        at + bad
                    }
                    None if skip_to_next_value_line(text.as_bytes(), start).is_some() => {
                        // A value left open reads on into the next lines (`{"a":` then a whole
                        // record) until the input ends: it is lost alone, the lines after it read.
                        // (Where the parser gave up, the end of the input, says nothing: the error
                        // names where the value starts.)
                        let offset = self.offset_of(&text[start..]);
                        let error = self.damaged_value(ValueDamage::Json(error), offset);
                        if !self.lose(error) {
                            return;
                        }
                        at + start
                    }
                    None => {
                        // The input ends inside this value: damage that ends the input.
                        let value = &text[start..];
                        if value.starts_with('{') && first_key(value) == Some("Records") {
                            // A container cut short: deliver what precedes the cut.
                            self.container(value);
                        } else {
                            let offset = self.offset_of(text)
                                + line_column_offset(text, error.line(), error.column());
                            self.json_damage(error, offset);
                        }
                        self.scanned.consumed = bytes.len();
                        return;
                    }
                },
                ValuesEnd::Damaged { start, error } => {
                    if !self.lose(error) {
                        return;
                    }
                    at + start
                }
            };
            match skip_to_next_value_line(bytes, resume_after) {
                Some(next) => at = next,
                None if last => {
                    self.scanned.consumed = bytes.len();
                    return;
                }
                None => {
                    // The lost value goes on past the window: drop what follows up to the next line
                    // that starts a value. A final line feed is kept, as it may begin that line.
                    self.scanned.consumed = bytes.len() - usize::from(bytes.ends_with(b"\n"));
                    self.scanned.skipping = true;
                    return;
                }
            }
        }
    }

    /// The values of `text`, until one is damaged or cut short.
    fn values_in(&mut self, text: &'s str) -> ValuesEnd {
        let mut values = serde_json::Deserializer::from_str(text).into_iter::<&RawValue>();
        loop {
            let before = values.byte_offset();
            let start = text.len()
                - text
                    .get(before..)
                    .unwrap_or_default()
                    .trim_ascii_start()
                    .len();
            match values.next() {
                None => return ValuesEnd::Whole,
                Some(Ok(raw)) => {
                    let raw = raw.get();
                    if !self.window.last
                        && values.byte_offset() == text.len()
                        && !raw.ends_with(['}', ']', '"'])
                    {
                        // A number or literal the window may cut short.
                        return ValuesEnd::CutShort {
                            start,
                            error: de::Error::custom("cut short"),
                        };
                    }
                    self.top_value(raw);
                    if self.stopped {
                        return ValuesEnd::Stopped;
                    }
                    let damage = match self.scanned.damage.take() {
                        // Not an object: as good as damage (a stray `"` before a record makes a
                        // string of its first bytes), so reading goes on at the next line.
                        Some(error @ ReadError::DamagedValue { .. }) => {
                            return ValuesEnd::Damaged { start, error };
                        }
                        other => other,
                    };
                    // A record over the size cap: whole, so the next value follows it.
                    if let Some(error) = damage
                        && !self.lose(error)
                    {
                        return ValuesEnd::Stopped;
                    }
                }
                Some(Err(error)) if error.is_eof() => return ValuesEnd::CutShort { start, error },
                Some(Err(error)) => {
                    let value = &text[start..];
                    if value.starts_with('{') && first_key(value) == Some("Records") {
                        // A damaged container: stream it to deliver what precedes the damage.
                        self.container(value);
                        if self.stopped {
                            return ValuesEnd::Stopped;
                        }
                    }
                    let error = match self.scanned.damage.take() {
                        Some(error) => error,
                        None => {
                            let offset = self.offset_of(text)
                                + line_column_offset(text, error.line(), error.column());
                            self.damaged_value(ValueDamage::Json(error), offset)
                        }
                    };
                    let error = match error {
                        ReadError::Json {
                            record_index,
                            offset,
                            error,
                            ..
                        } => ReadError::DamagedValue {
                            input: self.input.to_owned(),
                            record_index,
                            offset,
                            damage: ValueDamage::Json(error),
                        },
                        other => other,
                    };
                    return ValuesEnd::Damaged { start, error };
                }
            }
        }
    }

    fn damaged_value(&self, damage: ValueDamage, offset: u64) -> ReadError {
        ReadError::DamagedValue {
            input: self.input.to_owned(),
            record_index: self.scanned.records,
            offset,
            damage,
        }
    }

    /// Hands over the value holding the bad byte at `bad` (in the window) as lost.
    fn lose_utf8(&mut self, bad: usize) -> bool {
        let error = self.damaged_value(ValueDamage::Utf8, self.window.offset + bad as u64);
        self.lose(error)
    }

    /// Hands over a lost value; false when the caller stops.
    fn lose(&mut self, error: ReadError) -> bool {
        self.scanned.records += 1;
        match (self.on_item)(Found::Lost(error)) {
            Flow::Continue => true,
            Flow::Stop => {
                self.stopped = true;
                false
            }
        }
    }

    fn top_value(&mut self, raw: &'s str) {
        let offset = self.offset_of(raw);
        if !raw.starts_with('{') {
            let damage = ValueDamage::NotAnObject {
                found: kind_of(raw),
            };
            self.scanned.damage = Some(self.damaged_value(damage, offset));
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
        match (self.on_item)(Found::Record(Span {
            text,
            index,
            offset,
            event,
        })) {
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

/// Parses the record at the start of `text` (under `projection`, if any), and says where it ends;
/// `None` when it is not a whole, valid record.
fn parse_record<'s>(
    text: &'s str,
    projection: Option<&'s Projection>,
) -> Option<(Event<'s>, usize)> {
    match projection {
        None => {
            let mut records = serde_json::Deserializer::from_str(text).into_iter::<Event<'s>>();
            let event = records.next()?.ok()?;
            Some((event, records.byte_offset()))
        }
        Some(projection) => {
            let mut deserializer = serde_json::Deserializer::from_str(text);
            let event = ProjectedEvent(projection)
                .deserialize(&mut deserializer)
                .ok()?;
            Some((event, deserializer.into_iter::<IgnoredAny>().byte_offset()))
        }
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
        /// The values lost on the way, as errors.
        lost: Vec<String>,
        found: u64,
        damage: Option<String>,
    }

    /// The records the scan parsed itself (the fast path), and what was seen.
    fn scan_as_the_reader(text: &[u8], max_record: u64, fast: bool) -> (usize, Seen) {
        let mut records = Vec::new();
        let mut parsed_by_scan = 0;
        let mut lost = Vec::new();
        let mut on_record = |found: Found<'_>| {
            let span = match found {
                Found::Record(span) => span,
                Found::Lost(error) => {
                    lost.push(error.to_string());
                    return Flow::Continue;
                }
            };
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
        let scanned = scan_with(
            "t",
            text,
            Window::WHOLE,
            max_record,
            None,
            &mut on_record,
            fast,
        );
        let seen = Seen {
            records,
            lost,
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
