//! Finds where a JSON object or array ends without parsing it, 64 bytes at a time: strings and escapes
//! are tracked with bit masks (bit `i` of a mask is byte `i` of the block), so finding a record's text
//! costs a small fraction of parsing it. The JSON is not validated here: whoever reads the span parses it
//! and falls back to a validating scan when the span is not what it looks like.

/// Bytes classified at a time.
const BLOCK: usize = 64;

/// One bit set per byte of a word: `0x01` in each byte.
const LOW_BITS: u64 = 0x0101_0101_0101_0101;

/// Multiplying bytes of 0 or 1 by this gathers byte `k`'s bit into bit `56 + k`; no two products share a
/// bit, so nothing carries.
const GATHER: u64 = 0x0102_0408_1020_4080;

/// Where the quotes, backslashes and brackets of one block are.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Masks {
    quote: u64,
    backslash: u64,
    /// Opening and closing brackets alike: which is which is read from the byte, for the few there are.
    bracket: u64,
}

/// Class bits of a byte, one per thing the scan looks for.
const QUOTE: u8 = 1;
const BRACKET: u8 = 2;
const BACKSLASH: u8 = 4;

/// One bit per byte of `word` (bit `k` for byte `k`): whether the byte has `class` set.
fn gather(word: u64, class: u8) -> u64 {
    ((word >> class.trailing_zeros()) & LOW_BITS).wrapping_mul(GATHER) >> 56
}

fn classify(block: &[u8; BLOCK]) -> Masks {
    // One class byte per input byte: a branch-free loop the compiler turns into vector compares.
    let mut classes = [0u8; BLOCK];
    for (class, &byte) in classes.iter_mut().zip(block) {
        // `[`/`{` (0x5b/0x7b) and `]`/`}` (0x5d/0x7d) differ only in bit 5; no other byte folds onto them.
        let folded = byte | 0x20;
        *class = (u8::from(byte == b'"') * QUOTE)
            | (u8::from(folded == b'{' || folded == b'}') * BRACKET)
            | (u8::from(byte == b'\\') * BACKSLASH);
    }
    let (words, _) = classes.as_chunks::<8>();
    let mut masks = Masks::default();
    let mut any_backslash = 0;
    // Last word first, each shifting the earlier ones up: written this way the compiler keeps the
    // multiplications scalar (vectorised, 64-bit multiplies are emulated and three times slower).
    for word in words.iter().rev() {
        let word = u64::from_le_bytes(*word);
        masks.quote = (masks.quote << 8) | gather(word, QUOTE);
        masks.bracket = (masks.bracket << 8) | gather(word, BRACKET);
        any_backslash |= word;
    }
    // Backslashes are rare: most blocks skip their gathering.
    if any_backslash & (LOW_BITS * u64::from(BACKSLASH)) != 0 {
        for word in words.iter().rev() {
            let word = u64::from_le_bytes(*word);
            masks.backslash = (masks.backslash << 8) | gather(word, BACKSLASH);
        }
    }
    masks
}

/// Bit `i` is the XOR of bits `0..=i`: ones from an opening quote up to, not including, its closing one.
fn prefix_xor(mut bits: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        bits ^= bits << shift;
    }
    bits
}

/// The scan's state between blocks.
#[derive(Debug, Default)]
struct Scan {
    /// Brackets open, outside strings.
    depth: u64,
    /// All ones when the previous block ended inside a string.
    in_string: u64,
    /// The previous block ended with a backslash that escapes this block's first byte.
    escape_carry: bool,
    /// Opening brackets seen outside strings.
    opens: u64,
}

impl Scan {
    /// The bytes a backslash escapes (the byte after each backslash that is not itself escaped).
    /// Backslashes are rare in CloudTrail records, so this walks them one by one.
    fn escaped(&mut self, mut backslash: u64) -> u64 {
        let mut escaped = 0;
        if self.escape_carry {
            escaped |= 1;
            backslash &= !1;
        }
        self.escape_carry = false;
        while backslash != 0 {
            let at = backslash.trailing_zeros();
            backslash &= backslash - 1;
            if at == 63 {
                self.escape_carry = true;
            } else {
                escaped |= 1 << (at + 1);
                // An escaped backslash escapes nothing.
                backslash &= !(1 << (at + 1));
            }
        }
        escaped
    }

    /// Scans one block; returns the index one past the bracket that closes depth 1, if it is in the block.
    fn block(&mut self, block: &[u8; BLOCK]) -> Option<usize> {
        let masks = classify(block);
        let escaped = if masks.backslash == 0 && !self.escape_carry {
            0
        } else {
            self.escaped(masks.backslash)
        };
        let inside = prefix_xor(masks.quote & !escaped) ^ self.in_string;
        self.in_string = 0u64.wrapping_sub(inside >> 63);
        // A record has a bracket every 64 bytes or so: walking them costs less than counting bits.
        let mut brackets = masks.bracket & !inside;
        while brackets != 0 {
            let at = brackets.trailing_zeros() as usize;
            brackets &= brackets - 1;
            if block.get(at).is_some_and(|&byte| byte | 0x20 == b'{') {
                self.depth += 1;
                self.opens += 1;
            } else {
                self.depth = self.depth.saturating_sub(1);
                if self.depth == 0 {
                    return Some(at + 1);
                }
            }
        }
        None
    }
}

/// The length of the object or array that `bytes` starts with (up to and including its closing bracket)
/// and how many brackets it opens outside strings, or `None` when `bytes` ends first. Only brackets
/// outside strings count; anything else is taken on trust (the caller parses the span).
pub(crate) fn container_len(bytes: &[u8]) -> Option<ContainerLen> {
    let mut scan = Scan::default();
    let (blocks, tail) = bytes.as_chunks::<BLOCK>();
    for (n, block) in blocks.iter().enumerate() {
        if let Some(end) = scan.block(block) {
            return Some(ContainerLen {
                len: n * BLOCK + end,
                opens: scan.opens,
            });
        }
    }
    // Spaces pad the last block: they are neither quotes nor brackets.
    let mut last = [b' '; BLOCK];
    last.get_mut(..tail.len())?.copy_from_slice(tail);
    let end = scan.block(&last)?;
    Some(ContainerLen {
        len: blocks.len() * BLOCK + end,
        opens: scan.opens,
    })
}

/// What [`container_len`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ContainerLen {
    /// Bytes up to and including the closing bracket.
    pub(crate) len: usize,
    /// Brackets opened outside strings (an upper bound of the nesting depth).
    pub(crate) opens: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same masks, one byte at a time.
    fn classify_slowly(block: &[u8; BLOCK]) -> Masks {
        let mut masks = Masks::default();
        for (i, &byte) in block.iter().enumerate() {
            let bit = 1u64 << i;
            match byte {
                b'"' => masks.quote |= bit,
                b'\\' => masks.backslash |= bit,
                b'{' | b'[' | b'}' | b']' => masks.bracket |= bit,
                _ => {}
            }
        }
        masks
    }

    /// The end of the container `bytes` starts with, one byte at a time: a backslash not itself escaped
    /// escapes the next byte, an unescaped quote opens or closes a string, brackets count outside strings.
    fn container_len_slowly(bytes: &[u8]) -> Option<usize> {
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        for (i, &byte) in bytes.iter().enumerate() {
            let was_escaped = escaped;
            escaped = byte == b'\\' && !was_escaped;
            match byte {
                b'"' if !was_escaped => in_string = !in_string,
                b'{' | b'[' if !in_string => depth += 1,
                b'}' | b']' if !in_string => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
        }
        None
    }

    #[test]
    fn classifies_every_byte_value_in_every_position() {
        for value in 0..=255u8 {
            for at in 0..BLOCK {
                let mut block = [b'a'; BLOCK];
                block[at] = value;
                block[(at + 17) % BLOCK] = b'"';
                assert_eq!(
                    classify(&block),
                    classify_slowly(&block),
                    "{value:#x} at {at}"
                );
            }
        }
    }

    #[test]
    fn ends_of_simple_containers() {
        let len = |text: &str| container_len(text.as_bytes()).map(|found| found.len);
        assert_eq!(len("{}"), Some(2));
        assert_eq!(len("[]"), Some(2));
        assert_eq!(len(r#"{"a":[1,{"b":2}]},{"c":3}"#), Some(17));
        assert_eq!(len(r#"{"a":"}"}"#), Some(9), "a bracket in a string");
        assert_eq!(len(r#"{"a":"\"}"}"#), Some(11), "an escaped quote");
        assert_eq!(len(r#"{"a":"\\"}"#), Some(10), "an escaped backslash");
        assert_eq!(len(r#"{"a":"\\\"}"}"#), Some(13), "both");
        assert_eq!(len(r#"{"a":"#), None, "cut short");
        assert_eq!(len(r#"{"a":"}"#), None, "cut inside a string");
    }

    #[test]
    fn counts_the_brackets_outside_strings() {
        let found = container_len(br#"{"a":[{"b":"[{"}],"c":{}}"#).map(|found| found.opens);
        assert_eq!(found, Some(4));
    }

    #[test]
    fn escapes_and_strings_that_cross_block_boundaries() {
        // A backslash as the last byte of a block, strings spanning several blocks, and runs of
        // backslashes of every length at every alignment.
        for pad in 0..BLOCK + 2 {
            for run in 0..6 {
                let text = format!(
                    r#"{{"k":"{}{}\"x","n":[{{}}],"s":"{}"}},{{}}"#,
                    "a".repeat(pad),
                    "\\\\".repeat(run),
                    "}".repeat(pad % 7)
                );
                assert_eq!(
                    container_len(text.as_bytes()).map(|found| found.len),
                    container_len_slowly(text.as_bytes()),
                    "{text}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_a_byte_at_a_time_scan(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["{", "}", "[", "]", "\"", "\\", "a", ",", ":", "\\\"", "é", " "]),
                0..400,
            )
        ) {
            let text = format!("{{{}", parts.concat());
            proptest::prop_assert_eq!(
                container_len(text.as_bytes()).map(|found| found.len),
                container_len_slowly(text.as_bytes())
            );
        }
    }
}
