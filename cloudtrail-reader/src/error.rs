//! [`ReadError`]: what went wrong reading an input, and where.

use std::io;

use cloudtrail_model::{Lookalike, ParseError};

/// Why reading failed, with where: the input (a path or `-` for stdin), and for errors inside the content
/// the 0-based record index and byte offset in the decompressed stream.
///
/// Reading goes on after an error (under [`crate::ErrorPolicy::SkipAndReport`]): errors inside a record
/// lose that record only; errors that damage the stream (bad gzip, invalid JSON) end that input after
/// every complete record before the damage was delivered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The input could not be opened or read.
    #[error("{input}: cannot read: {error}")]
    Io {
        /// The input.
        input: String,
        /// The cause.
        #[source]
        error: io::Error,
    },
    /// A gzip member is corrupt or cut short (invalid deflate data, a CRC-32 or length that does not
    /// match, the input ending inside it). None of that member's content is delivered, since it could
    /// not be checked; the members before it were.
    #[error(
        "{input}: corrupt gzip after {offset} decompressed bytes (before record {record_index}): {error}"
    )]
    Gzip {
        /// The input.
        input: String,
        /// Records in the members before the damaged one.
        record_index: u64,
        /// Decompressed bytes of the members before the damaged one.
        offset: u64,
        /// The decoder's error, with how many bytes the damaged member inflated to.
        #[source]
        error: io::Error,
    },
    /// A document read whole (a `{"Records":[...]}` file, a plain array) inflates to more than the
    /// configured cap (a defence against gzip bombs, and the bound on what a worker holds): the records
    /// before the cap were delivered, the rest of the input is not read.
    #[error("{input}: decompressed size exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The input.
        input: String,
        /// The limit, [`crate::ReaderOptions::max_decompressed_bytes`].
        limit: u64,
    },
    /// The input is empty (or only white space) after decompression.
    #[error("{input}: empty input")]
    Empty {
        /// The input.
        input: String,
    },
    /// The content is not UTF-8.
    #[error("{input}: invalid UTF-8 at byte {offset} (record {record_index})")]
    Utf8 {
        /// The input.
        input: String,
        /// The record the bad byte is in.
        record_index: u64,
        /// Offset of the first invalid byte.
        offset: u64,
    },
    /// The content is not valid JSON (or is cut short), or nests deeper than the parser allows.
    #[error("{input}: record {record_index} at byte {offset}: invalid JSON: {error}")]
    Json {
        /// The input.
        input: String,
        /// The record being read when the error happened.
        record_index: u64,
        /// Offset of the error.
        offset: u64,
        /// The parser's error.
        #[source]
        error: serde_json::Error,
    },
    /// A top-level value of JSON Lines or concatenated JSON (a record, an envelope, a container) is
    /// damaged: invalid JSON or UTF-8, or not an object. That value is lost alone; reading went on at the next line that
    /// starts an object.
    #[error(
        "{input}: record {record_index} at byte {offset}: {damage}; read on from the next line that starts an object"
    )]
    DamagedValue {
        /// The input.
        input: String,
        /// The index the damaged value had.
        record_index: u64,
        /// Offset of the damage.
        offset: u64,
        /// What is wrong with it.
        #[source]
        damage: ValueDamage,
    },
    /// A record is larger than the configured cap.
    #[error(
        "{input}: record {record_index} at byte {offset} is {size} bytes, over the limit of {limit}"
    )]
    RecordTooLarge {
        /// The input.
        input: String,
        /// The record.
        record_index: u64,
        /// Offset of the record.
        offset: u64,
        /// Its size.
        size: u64,
        /// The limit, [`crate::ReaderOptions::max_record_bytes`].
        limit: u64,
    },
    /// A top-level value of JSON Lines or concatenated JSON goes on past
    /// [`crate::ReaderOptions::max_record_bytes`] without ending (an endless line, or a value left open):
    /// it is lost, and reading goes on at the next line that starts an object.
    #[error(
        "{input}: record {record_index} at byte {offset} (line {line}): a value runs on past {limit} bytes without ending; read on from the next line that starts an object"
    )]
    ValueTooLong {
        /// The input.
        input: String,
        /// The index the value had.
        record_index: u64,
        /// Offset of the value's first byte.
        offset: u64,
        /// The 1-based line the value starts on.
        line: u64,
        /// The limit, [`crate::ReaderOptions::max_record_bytes`].
        limit: u64,
    },
    /// An item is not a CloudTrail record (not a JSON object).
    #[error("{input}: record {record_index} at byte {offset}: {error}")]
    NotARecord {
        /// The input.
        input: String,
        /// The record.
        record_index: u64,
        /// Offset of the record.
        offset: u64,
        /// Why.
        #[source]
        error: ParseError,
    },
    /// A record-shaped object that comes from another source (S3 Event Notifications, Alibaba ActionTrail).
    #[error("{input}: record {record_index} at byte {offset} is {lookalike}")]
    NotCloudTrail {
        /// The input.
        input: String,
        /// The record.
        record_index: u64,
        /// Offset of the record.
        offset: u64,
        /// What it is instead.
        lookalike: Lookalike,
    },
    /// A record nests arrays and objects deeper than the reader allows (128 levels).
    #[error("{input}: record {record_index} at byte {offset} nests deeper than {limit} levels")]
    TooDeep {
        /// The input.
        input: String,
        /// The record.
        record_index: u64,
        /// Offset of the record.
        offset: u64,
        /// The limit.
        limit: u64,
    },
    /// An object with none of a record's members (`eventVersion`, `eventTime`, `eventName`, `eventSource`,
    /// `eventID`, `userIdentity`): for example a JSON file whose `Records` array is missing.
    #[error(
        "{input}: record {record_index} at byte {offset} has no CloudTrail members (no \"Records\" array?)"
    )]
    NoRecordMembers {
        /// The input.
        input: String,
        /// The record.
        record_index: u64,
        /// Offset of the record.
        offset: u64,
    },
}

/// What is wrong with a damaged top-level value ([`ReadError::DamagedValue`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ValueDamage {
    /// It is not valid JSON.
    #[error("invalid JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// It holds bytes that are not UTF-8.
    #[error("invalid UTF-8")]
    Utf8,
    /// It is valid JSON, but not an object.
    #[error("a top-level {found} where a record was expected")]
    NotAnObject {
        /// What it is: `array`, `string`, `number`, `boolean` or `null`.
        found: &'static str,
    },
}

impl ReadError {
    /// The input the error is about.
    pub fn input(&self) -> &str {
        match self {
            ReadError::Io { input, .. }
            | ReadError::Gzip { input, .. }
            | ReadError::TooLarge { input, .. }
            | ReadError::Empty { input }
            | ReadError::Utf8 { input, .. }
            | ReadError::Json { input, .. }
            | ReadError::DamagedValue { input, .. }
            | ReadError::RecordTooLarge { input, .. }
            | ReadError::ValueTooLong { input, .. }
            | ReadError::NotARecord { input, .. }
            | ReadError::NotCloudTrail { input, .. }
            | ReadError::NoRecordMembers { input, .. }
            | ReadError::TooDeep { input, .. } => input,
        }
    }

    /// The index of the record the error is about, when it is about one.
    pub fn record_index(&self) -> Option<u64> {
        match self {
            ReadError::Gzip { record_index, .. }
            | ReadError::Utf8 { record_index, .. }
            | ReadError::Json { record_index, .. }
            | ReadError::DamagedValue { record_index, .. }
            | ReadError::RecordTooLarge { record_index, .. }
            | ReadError::ValueTooLong { record_index, .. }
            | ReadError::NotARecord { record_index, .. }
            | ReadError::NotCloudTrail { record_index, .. }
            | ReadError::NoRecordMembers { record_index, .. }
            | ReadError::TooDeep { record_index, .. } => Some(*record_index),
            _ => None,
        }
    }

    /// The byte offset in the decompressed content, when known.
    pub fn offset(&self) -> Option<u64> {
        match self {
            ReadError::Gzip { offset, .. }
            | ReadError::Utf8 { offset, .. }
            | ReadError::Json { offset, .. }
            | ReadError::DamagedValue { offset, .. }
            | ReadError::RecordTooLarge { offset, .. }
            | ReadError::ValueTooLong { offset, .. }
            | ReadError::NotARecord { offset, .. }
            | ReadError::NotCloudTrail { offset, .. }
            | ReadError::NoRecordMembers { offset, .. }
            | ReadError::TooDeep { offset, .. } => Some(*offset),
            _ => None,
        }
    }

    /// True when the error loses exactly one record (the rest of the input was read).
    pub fn is_record_error(&self) -> bool {
        matches!(
            self,
            ReadError::NotARecord { .. }
                | ReadError::DamagedValue { .. }
                | ReadError::ValueTooLong { .. }
                | ReadError::NotCloudTrail { .. }
                | ReadError::NoRecordMembers { .. }
                | ReadError::TooDeep { .. }
        )
    }
}
