//! Turns an input into its decompressed bytes: gzip (every member) or plain, under a size cap.
//!
//! Gzip is inflated straight into the content buffer, a large input chunk per call, so the inflater
//! neither copies its output into its window on every small read nor has the buffer zeroed again for
//! each input. What a member that fails its check leaves in the buffer is the caller's choice
//! ([`DamagedGzip`]).

use std::io::{self, Read};

use flate2::{Decompress, FlushDecompress, Status};

use crate::options::DamagedGzip;

/// Compressed bytes read from the input at a time.
const CHUNK: usize = 256 * 1024;

/// The content buffer's first size; it grows by doubling and keeps its size from input to input.
const FIRST_CONTENT: usize = 64 << 10;

/// Why decoding stopped early. The bytes decoded before it are kept in the buffer.
pub(crate) enum DecodeStop {
    /// A gzip member could not be checked or failed its check: its deflate data is invalid, its CRC-32
    /// or length does not match what it inflated to, or the input ends (or fails to read) inside it.
    /// The content holds what the member inflated to before the damage under
    /// [`DamagedGzip::DeliverBeforeDamage`], and only the members before it under
    /// [`DamagedGzip::DropMember`].
    Gzip(io::Error),
    /// Reading the input failed before any byte was decoded, or the input is not readable.
    Io(io::Error),
    /// More bytes than the cap; the buffer holds exactly the cap.
    TooLarge,
}

/// A worker's buffers, reused from input to input.
#[derive(Debug, Default)]
pub(crate) struct Buffers {
    /// Compressed bytes, a chunk at a time.
    chunk: Vec<u8>,
    /// The decompressed content is `content[..len]`; the rest is room already zeroed for the next input.
    content: Vec<u8>,
    len: usize,
}

impl Buffers {
    /// The content of the last input decoded.
    pub(crate) fn content(&self) -> &[u8] {
        self.content.get(..self.len).unwrap_or_default()
    }
}

/// Makes room in `content` after its first `len` bytes, up to `cap` bytes in all (growing by doubling);
/// returns where the room ends, `len` when the content already holds `cap` bytes.
fn make_room(content: &mut Vec<u8>, len: usize, cap: usize) -> usize {
    if len >= content.len() && content.len() < cap {
        let grown = (content.len() * 2).clamp(FIRST_CONTENT, cap);
        content.resize(grown, 0);
    }
    content.len().min(cap).max(len)
}

/// Reads all of `input` into `buffers` (the previous content dropped), inflating gzip detected by its
/// magic bytes, and at most `limit` bytes of content; `damaged` says what a member that fails its check
/// leaves in the buffer.
pub(crate) fn decode(
    mut input: impl Read,
    buffers: &mut Buffers,
    limit: u64,
    damaged: DamagedGzip,
) -> Result<(), DecodeStop> {
    buffers.len = 0;
    if buffers.chunk.len() != CHUNK {
        buffers.chunk.resize(CHUNK, 0);
    }
    // One byte over the cap tells content over the cap from content exactly at it.
    let cap = usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX);
    let mut filled = 0;
    while filled < 2 {
        match input.read(buffers.chunk.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(DecodeStop::Io(error)),
        }
    }
    let result = if filled >= 2 && buffers.chunk.starts_with(&[0x1f, 0x8b]) {
        inflate(&mut input, buffers, filled, cap, damaged)
    } else {
        copy(&mut input, buffers, filled, cap)
    };
    result?;
    if buffers.len >= cap {
        buffers.len = cap - 1;
        return Err(DecodeStop::TooLarge);
    }
    Ok(())
}

/// Plain content: the first `filled` bytes of the chunk, then the rest of the input.
fn copy(
    input: &mut impl Read,
    buffers: &mut Buffers,
    filled: usize,
    cap: usize,
) -> Result<(), DecodeStop> {
    let Buffers {
        chunk,
        content,
        len,
    } = buffers;
    let mut pending = chunk.get(..filled).unwrap_or_default();
    while !pending.is_empty() {
        let room = make_room(content, *len, cap);
        let Some(target) = content.get_mut(*len..room).filter(|room| !room.is_empty()) else {
            return Ok(());
        };
        let copied = target.len().min(pending.len());
        for (target, source) in target.iter_mut().zip(pending) {
            *target = *source;
        }
        *len += copied;
        pending = pending.get(copied..).unwrap_or_default();
    }
    loop {
        let room = make_room(content, *len, cap);
        let Some(room) = content.get_mut(*len..room).filter(|room| !room.is_empty()) else {
            return Ok(());
        };
        match input.read(room) {
            Ok(0) => return Ok(()),
            Ok(n) => *len += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(DecodeStop::Io(error)),
        }
    }
}

/// Gzip: every member in turn, the first `filled` bytes of the chunk already read.
fn inflate(
    input: &mut impl Read,
    buffers: &mut Buffers,
    filled: usize,
    cap: usize,
    damaged: DamagedGzip,
) -> Result<(), DecodeStop> {
    let Buffers {
        chunk,
        content,
        len,
    } = buffers;
    let stop = |len: &mut usize, verified: usize, kind: io::ErrorKind, what: &str| {
        unchecked(len, verified, damaged, kind, what)
    };
    let (mut start, mut end) = (0, filled);
    let mut inflater = Decompress::new_gzip(15);
    // Content of the members that passed their check, and whether a member has begun since.
    let mut verified = 0;
    let mut in_member = false;
    loop {
        if start == end {
            match input.read(chunk) {
                Ok(0) if in_member => {
                    return Err(stop(
                        len,
                        verified,
                        io::ErrorKind::UnexpectedEof,
                        "the input ends inside a gzip member",
                    ));
                }
                Ok(0) => return Ok(()),
                Ok(n) => (start, end) = (0, n),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    let what = format!("reading failed inside a gzip member: {error}");
                    return Err(stop(len, verified, error.kind(), &what));
                }
            }
            continue;
        }
        let room = make_room(content, *len, cap);
        let (Some(compressed), Some(output)) = (chunk.get(start..end), content.get_mut(*len..room))
        else {
            return Ok(());
        };
        if output.is_empty() {
            // The content is at the cap: `decode` reports it.
            return Ok(());
        }
        let (in_before, out_before) = (inflater.total_in(), inflater.total_out());
        let status = inflater.decompress(compressed, output, FlushDecompress::None);
        let consumed = usize::try_from(inflater.total_in() - in_before).unwrap_or(usize::MAX);
        let produced = usize::try_from(inflater.total_out() - out_before).unwrap_or(usize::MAX);
        start = start.saturating_add(consumed).min(end);
        *len = len.saturating_add(produced).min(room);
        in_member = true;
        match status {
            Ok(Status::StreamEnd) => {
                verified = *len;
                in_member = false;
                inflater = Decompress::new_gzip(15);
            }
            Ok(Status::Ok | Status::BufError) if consumed > 0 || produced > 0 => {}
            Ok(Status::Ok | Status::BufError) => {
                return Err(stop(
                    len,
                    verified,
                    io::ErrorKind::InvalidData,
                    "the inflater made no progress",
                ));
            }
            Err(error) => {
                let what = format!("corrupt gzip member: {error}");
                return Err(stop(len, verified, io::ErrorKind::InvalidData, &what));
            }
        }
    }
}

/// The error for a member that could not be checked; under [`DamagedGzip::DropMember`] its output is
/// dropped from the content too.
fn unchecked(
    len: &mut usize,
    verified: usize,
    damaged: DamagedGzip,
    kind: io::ErrorKind,
    what: &str,
) -> DecodeStop {
    let unverified = len.saturating_sub(verified);
    let what = match damaged {
        DamagedGzip::DeliverBeforeDamage => {
            format!("{what}; the {unverified} bytes it inflated to could not be checked")
        }
        DamagedGzip::DropMember => {
            *len = verified;
            format!(
                "{what}; the {unverified} bytes it inflated to were not checked and are not delivered"
            )
        }
    };
    DecodeStop::Gzip(io::Error::new(kind, what))
}
