//! The state file's primitives: little-endian integers, length-prefixed strings and times, written to a
//! buffer and read back with every length checked against the bytes that remain and its bound.

use chrono::{DateTime, Utc};

use super::StateError;

/// Bytes one encoded time takes (seconds, then nanoseconds).
pub(super) const TIME: usize = 12;

/// Writes the body of a state file.
#[derive(Default)]
pub(super) struct Encoder {
    pub(super) bytes: Vec<u8>,
    /// Set when a length did not fit the format's 32 bits (the body is then refused, not written).
    pub(super) overflowed: bool,
}

impl Encoder {
    pub(super) fn u8(&mut self, value: u8) {
        self.bytes.push(value);
    }

    pub(super) fn u32(&mut self, value: u32) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    pub(super) fn u64(&mut self, value: u64) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    /// A count or length, as 32 bits.
    pub(super) fn len(&mut self, len: usize) {
        let value = u32::try_from(len).unwrap_or_else(|_| {
            self.overflowed = true;
            u32::MAX
        });
        self.u32(value);
    }

    /// Reserves a count written later with [`Encoder::patch`]; returns where it is.
    pub(super) fn reserve(&mut self) -> usize {
        let at = self.bytes.len();
        self.u32(0);
        at
    }

    pub(super) fn patch(&mut self, at: usize, len: usize) {
        let value = u32::try_from(len).unwrap_or_else(|_| {
            self.overflowed = true;
            u32::MAX
        });
        if let Some(slot) = self.bytes.get_mut(at..at + 4) {
            slot.copy_from_slice(&value.to_le_bytes());
        }
    }

    pub(super) fn str(&mut self, text: &str) {
        self.len(text.len());
        self.bytes.extend_from_slice(text.as_bytes());
    }

    pub(super) fn opt_str(&mut self, text: Option<&str>) {
        match text {
            None => self.u8(0),
            Some(text) => {
                self.u8(1);
                self.str(text);
            }
        }
    }

    pub(super) fn time(&mut self, time: DateTime<Utc>) {
        self.bytes
            .extend_from_slice(&time.timestamp().to_le_bytes());
        self.u32(time.timestamp_subsec_nanos());
    }

    pub(super) fn opt_time(&mut self, time: Option<DateTime<Utc>>) {
        match time {
            None => self.u8(0),
            Some(time) => {
                self.u8(1);
                self.time(time);
            }
        }
    }
}

/// Reads the body of a state file. Offsets in errors are from the start of the file.
pub(super) struct Decoder<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Where the body starts in the file.
    base: usize,
}

impl<'a> Decoder<'a> {
    pub(super) fn new(bytes: &'a [u8], base: usize) -> Self {
        Decoder { bytes, at: 0, base }
    }

    /// Bytes not read yet.
    pub(super) fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    /// The file offset of the next byte.
    pub(super) fn offset(&self) -> u64 {
        (self.base + self.at) as u64
    }

    /// A damage report at `offset`.
    pub(super) fn damaged(&self, offset: u64, what: impl Into<String>) -> StateError {
        StateError::Damaged {
            offset,
            what: what.into(),
        }
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], StateError> {
        if self.remaining() < n {
            return Err(StateError::Truncated {
                offset: self.offset(),
                what: format!("{what} needs {n} bytes, {} remain", self.remaining()),
            });
        }
        let bytes = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], StateError> {
        let mut array = [0; N];
        array.copy_from_slice(self.take(N, what)?);
        Ok(array)
    }

    pub(super) fn u8(&mut self, what: &str) -> Result<u8, StateError> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(super) fn u32(&mut self, what: &str) -> Result<u32, StateError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    pub(super) fn u64(&mut self, what: &str) -> Result<u64, StateError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// A count of items of at least `least` bytes each, at most `bound`: a count the remaining bytes
    /// cannot hold is truncation, one past its bound damage; either way nothing is allocated for it.
    pub(super) fn count(
        &mut self,
        what: &str,
        least: usize,
        bound: usize,
    ) -> Result<usize, StateError> {
        let offset = self.offset();
        let count = self.u32(what)? as usize;
        if count > bound {
            return Err(self.damaged(
                offset,
                format!("{count} {what}, more than the bound {bound}"),
            ));
        }
        if count.saturating_mul(least.max(1)) > self.remaining() {
            return Err(StateError::Truncated {
                offset,
                what: format!(
                    "{count} {what} claimed, but only {} bytes remain",
                    self.remaining()
                ),
            });
        }
        Ok(count)
    }

    /// A presence tag: 0 or 1.
    pub(super) fn present(&mut self, what: &str) -> Result<bool, StateError> {
        let offset = self.offset();
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            tag => Err(self.damaged(offset, format!("{what}: presence tag {tag}, not 0 or 1"))),
        }
    }

    pub(super) fn str(&mut self, what: &str) -> Result<&'a str, StateError> {
        let len = self.count(what, 1, usize::MAX)?;
        let offset = self.offset();
        let bytes = self.take(len, what)?;
        std::str::from_utf8(bytes).map_err(|_| self.damaged(offset, format!("{what} is not UTF-8")))
    }

    pub(super) fn opt_str(&mut self, what: &str) -> Result<Option<&'a str>, StateError> {
        if self.present(what)? {
            self.str(what).map(Some)
        } else {
            Ok(None)
        }
    }

    pub(super) fn time(&mut self, what: &str) -> Result<DateTime<Utc>, StateError> {
        let offset = self.offset();
        let seconds = i64::from_le_bytes(self.array(what)?);
        let nanos = self.u32(what)?;
        DateTime::from_timestamp(seconds, nanos)
            .ok_or_else(|| self.damaged(offset, format!("{what} is not a valid time")))
    }

    pub(super) fn opt_time(&mut self, what: &str) -> Result<Option<DateTime<Utc>>, StateError> {
        if self.present(what)? {
            self.time(what).map(Some)
        } else {
            Ok(None)
        }
    }
}

/// A 64-bit checksum of the body, so that a damaged byte is found rather than loaded (it detects
/// accidents, not forgery: loading still checks every length and value).
pub(super) fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut hash = K ^ bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut array = [0; 8];
        array.copy_from_slice(word);
        hash = (hash ^ u64::from_le_bytes(array))
            .rotate_left(29)
            .wrapping_mul(K);
    }
    let mut last = [0; 8];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    hash = (hash ^ u64::from_le_bytes(last))
        .rotate_left(29)
        .wrapping_mul(K);
    hash ^ (hash >> 32)
}
