//! [`Fast`]: the hasher of the indicator tables. Their keys come from the lists (the operator's), so
//! the flooding defence of the standard hasher buys nothing there, and at several look-ups per record
//! its cost showed in the benchmark; records can only look keys up, never add them.

use std::hash::{BuildHasherDefault, Hasher};

/// A multiply-rotate hash over 8-byte words (the FxHash construction).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Fast(u64);

/// Builds [`Fast`] hashers.
pub(super) type BuildFast = BuildHasherDefault<Fast>;

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Fast {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for Fast {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }

    fn write_u32(&mut self, value: u32) {
        self.add(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }

    fn write_u128(&mut self, value: u128) {
        self.add(value as u64);
        self.add((value >> 64) as u64);
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
