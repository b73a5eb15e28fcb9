//! Structure-aware reader fuzzing over CloudTrail's delivery format, gzip files of one or more members.
//! Seeded with real `.json.gz` deliveries, the mutator works on the members rather than on the
//! compressed bytes (where nearly every random change only breaks the deflate stream): it inflates the
//! members, lets libFuzzer's own mutator change the JSON inside one of them and deflates them again, or
//! damages the file as storage and transfer do: cuts it short, flips a compressed byte, duplicates,
//! drops or swaps members, corrupts a trailer's CRC-32 or length. The crossover splices the members of
//! two inputs. The target checks what `reader` checks (no panic, valid records, counts conserved) and one
//! more property: a file whose members are all intact reads exactly as its inflated content does.
#![no_main]

use std::io::{Read, Write};

use flate2::Compression;
use flate2::bufread::GzDecoder;
use flate2::write::GzEncoder;
use libfuzzer_sys::{fuzz_crossover, fuzz_mutator, fuzz_target, fuzzer_mutate};

#[path = "common/read_check.rs"]
mod read_check;
use read_check::read;

/// At most this many bytes of inflated content are kept per input, so that a mutation cannot turn a
/// small file into a bomb that only exercises the size cap.
const MAX_INFLATED: usize = 1 << 20;

/// The members of a gzip file, each inflated and checked (CRC-32 and length), when the whole input is
/// intact members and nothing else; `None` otherwise.
fn members(data: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut rest = data;
    let mut members = Vec::new();
    let mut inflated = 0;
    while !rest.is_empty() {
        if !rest.starts_with(&[0x1f, 0x8b]) {
            return None;
        }
        let mut decoder = GzDecoder::new(rest);
        let mut member = Vec::new();
        decoder
            .by_ref()
            .take((MAX_INFLATED - inflated) as u64 + 1)
            .read_to_end(&mut member)
            .ok()?;
        inflated += member.len();
        if inflated > MAX_INFLATED {
            return None;
        }
        rest = decoder.into_inner();
        members.push(member);
    }
    (!members.is_empty()).then_some(members)
}

fn deflate(member: &[u8], level: u32) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::new(level));
    encoder.write_all(member).expect("writing to a Vec");
    encoder.finish().expect("writing to a Vec")
}

/// A small deterministic generator seeded by libFuzzer.
struct Rng(u64);

impl Rng {
    fn new(seed: u32) -> Rng {
        Rng(u64::from(seed) ^ 0x9e37_79b9_7f4a_7c15)
    }

    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        if n == 0 { 0 } else { (self.0 % n as u64) as usize }
    }
}

/// One structural change to `data` (at most `max` bytes out), or `None` to leave it to libFuzzer.
fn mutate(data: &[u8], max: usize, rng: &mut Rng) -> Option<Vec<u8>> {
    let level = rng.below(10) as u32;
    match (members(data), rng.below(10)) {
        // Change the JSON inside one member.
        (Some(mut members), 0..=4) => {
            let which = rng.below(members.len());
            let member = &mut members[which];
            let len = member.len();
            member.resize((len + len / 4 + 64).min(MAX_INFLATED), 0);
            let room = member.len();
            let new_len = fuzzer_mutate(member, len.min(room), room);
            member.truncate(new_len);
            Some(members.iter().flat_map(|m| deflate(m, level)).collect())
        }
        // Duplicate, drop or swap members; split one member in two.
        (Some(mut members), 5) => {
            let which = rng.below(members.len());
            let other = rng.below(members.len());
            match rng.below(4) {
                0 => members.insert(which, members[which].clone()),
                1 if members.len() > 1 => {
                    members.remove(which);
                }
                2 if members.len() > 1 => members.swap(which, other),
                _ => {
                    let cut = rng.below(members[which].len() + 1);
                    let tail = members[which].split_off(cut);
                    members.insert(which + 1, tail);
                }
            }
            Some(members.iter().flat_map(|m| deflate(m, level)).collect())
        }
        // Cut the file short (a partial upload or download).
        (_, 6) if !data.is_empty() => Some(data[..rng.below(data.len())].to_vec()),
        // Flip one compressed byte.
        (_, 7) if !data.is_empty() => {
            let mut out = data.to_vec();
            let at = rng.below(out.len());
            out[at] ^= 1 << rng.below(8);
            Some(out)
        }
        // Corrupt the last trailer: CRC-32 or ISIZE.
        (_, 8) if data.len() >= 8 => {
            let mut out = data.to_vec();
            let at = out.len() - 1 - rng.below(8);
            out[at] = out[at].wrapping_add(1 + rng.below(255) as u8);
            Some(out)
        }
        _ => None,
    }
    .filter(|out| out.len() <= max)
}

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    let mut rng = Rng::new(seed);
    match mutate(&data[..size], max_size, &mut rng) {
        Some(out) => {
            data[..out.len()].copy_from_slice(&out);
            out.len()
        }
        None => fuzzer_mutate(data, size, max_size),
    }
});

fuzz_crossover!(|data1: &[u8], data2: &[u8], out: &mut [u8], seed: u32| {
    let mut rng = Rng::new(seed);
    // Members of the first input up to a point, then members of the second from a point.
    let spliced = match (members(data1), members(data2)) {
        (Some(first), Some(second)) => {
            let head = rng.below(first.len() + 1);
            let tail = rng.below(second.len() + 1);
            let level = rng.below(10) as u32;
            first[..head]
                .iter()
                .chain(&second[tail..])
                .flat_map(|m| deflate(m, level))
                .collect()
        }
        // Not both gzip: join raw prefixes, as a concatenation of damaged files would.
        _ => {
            let head = rng.below(data1.len() + 1);
            let tail = rng.below(data2.len() + 1);
            [&data1[..head], &data2[tail..]].concat()
        }
    };
    let len = spliced.len().min(out.len());
    out[..len].copy_from_slice(&spliced[..len]);
    len
});

fuzz_target!(|data: &[u8]| {
    let (delivered, errors, stats) = read(data);
    // Intact members read as their inflated content, unless that content is itself gzip (then the
    // plain read would inflate it once more).
    if let Some(members) = members(data) {
        let plain = members.concat();
        if !plain.starts_with(&[0x1f, 0x8b]) {
            let (plain_delivered, plain_errors, plain_stats) = read(&plain);
            assert_eq!(delivered, plain_delivered, "gzip and plain deliver different records");
            assert_eq!(errors, plain_errors);
            assert_eq!(stats.records_reported, plain_stats.records_reported);
        }
    }
});
