//! Turns an input into its decompressed bytes: gzip (every member) or plain, under a size cap.

use std::io::{self, BufRead, Read};

/// Why decoding stopped early. The bytes decoded before it are kept in the buffer.
pub(crate) enum DecodeStop {
    /// The gzip stream is corrupt or truncated.
    Gzip(io::Error),
    /// Reading the input failed before any byte was decoded, or the input is not readable.
    Io(io::Error),
    /// More bytes than the cap; the buffer holds exactly the cap.
    TooLarge,
}

/// Reads all of `input` into `buffer` (cleared first), inflating gzip detected by its magic bytes, and at
/// most `limit` bytes of content.
pub(crate) fn decode(input: impl Read, buffer: &mut Vec<u8>, limit: u64) -> Result<(), DecodeStop> {
    buffer.clear();
    let mut input = io::BufReader::with_capacity(64 * 1024, input);
    let gzip = input
        .fill_buf()
        .map_err(DecodeStop::Io)?
        .starts_with(&[0x1f, 0x8b]);
    let result = if gzip {
        flate2::bufread::MultiGzDecoder::new(input)
            .take(limit.saturating_add(1))
            .read_to_end(buffer)
            .map_err(DecodeStop::Gzip)
    } else {
        input
            .take(limit.saturating_add(1))
            .read_to_end(buffer)
            .map_err(DecodeStop::Io)
    };
    result?;
    if buffer.len() as u64 > limit {
        buffer.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        return Err(DecodeStop::TooLarge);
    }
    Ok(())
}
