//! [`ParseError`]: why a text is not a CloudTrail record.

use crate::json::JsonKind;

/// Why a text could not be read as a record.
///
/// A record whose members have unexpected types is *not* an error: it parses, keeps those values, and
/// reports them through [`crate::Event::anomalies`]. Only text that is not a JSON object is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The text is valid JSON but not an object.
    #[error("not a CloudTrail record: expected a JSON object, found {found}")]
    NotAnObject {
        /// What was found instead.
        found: JsonKind,
    },
    /// The bytes are not UTF-8, so not JSON text.
    #[error("invalid UTF-8 at byte {offset}")]
    Utf8 {
        /// 0-based byte offset of the first invalid byte.
        offset: usize,
    },
    /// The text is not valid JSON (or is empty).
    #[error("invalid JSON at line {line}, column {column} (byte {offset}): {source}")]
    Json {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// 0-based byte offset of the error in the text given to the parser.
        offset: usize,
        /// The parser's description.
        #[source]
        source: serde_json::Error,
    },
}

impl ParseError {
    /// The byte offset of the error in the parsed text, when it is known.
    pub fn offset(&self) -> Option<usize> {
        match self {
            ParseError::Json { offset, .. } | ParseError::Utf8 { offset } => Some(*offset),
            ParseError::NotAnObject { .. } => Some(0),
        }
    }

    pub(crate) fn json(source: serde_json::Error, text: &[u8]) -> Self {
        let (line, column) = (source.line(), source.column());
        ParseError::Json {
            line,
            column,
            offset: byte_offset(text, line, column),
            source,
        }
    }
}

/// Converts serde_json's 1-based line and column (counted in bytes) to a byte offset.
fn byte_offset(text: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].iter().position(|&b| b == b'\n') {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    (start + column.saturating_sub(1)).min(text.len())
}
