//! Inflate alone, per inflater: the gzip files of a generated tree (CloudTrail-sized, one member each) and
//! of a tree of tiny files (about 2 KB compressed), held in memory and inflated with zlib-rs through flate2
//! streaming in 256 KiB steps (the reader's path before whole-member inflate), zlib-rs in one call into a
//! buffer sized from the member's trailer (ISIZE), and libdeflate (`libdeflater`) likewise. MB/s of
//! inflated JSON, one thread.

use std::hint::black_box;
use std::path::Path;

use cloudtrail_synthetic::{GeneratorConfig, generate_tree};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flate2::{Decompress, FlushDecompress, Status};

/// The gzip files under `dir`, read into memory.
fn files(dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("the tree lists") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "gz") {
                out.push(std::fs::read(&path).expect("a file reads"));
            }
        }
    }
    out.sort();
    out
}

/// The inflated size a member's trailer states.
fn isize_of(member: &[u8]) -> usize {
    let tail: [u8; 4] = member[member.len() - 4..].try_into().expect("four bytes");
    u32::from_le_bytes(tail) as usize
}

fn zlib_rs_streaming(member: &[u8], out: &mut Vec<u8>) -> usize {
    let mut inflater = Decompress::new_gzip(15);
    let mut len = 0;
    loop {
        if out.len() - len < 64 << 10 {
            out.resize((out.len() * 2).max(256 << 10), 0);
        }
        let consumed = inflater.total_in() as usize;
        let before = inflater.total_out();
        let status = inflater
            .decompress(&member[consumed..], &mut out[len..], FlushDecompress::None)
            .expect("inflates");
        len += (inflater.total_out() - before) as usize;
        if status == Status::StreamEnd {
            return len;
        }
    }
}

fn zlib_rs_whole(member: &[u8], out: &mut Vec<u8>) -> usize {
    let size = isize_of(member);
    if out.len() < size + 1 {
        out.resize(size + 1, 0);
    }
    let mut inflater = Decompress::new_gzip(15);
    let status = inflater
        .decompress(member, &mut out[..size + 1], FlushDecompress::Finish)
        .expect("inflates");
    assert_eq!(status, Status::StreamEnd);
    inflater.total_out() as usize
}

fn libdeflate_whole(
    decompressor: &mut libdeflater::Decompressor,
    member: &[u8],
    out: &mut Vec<u8>,
) -> usize {
    let size = isize_of(member);
    if out.len() < size {
        out.resize(size, 0);
    }
    decompressor
        .gzip_decompress(member, &mut out[..size])
        .expect("inflates")
}

fn bench_tree(c: &mut Criterion, name: &str, config: GeneratorConfig) {
    let dir = std::env::temp_dir().join(format!(
        "cloudtrail-bench-inflate-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    generate_tree(&config, &dir, 0).expect("the bench tree can be written");
    let members = files(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let inflated: u64 = members.iter().map(|m| isize_of(m) as u64).sum();
    let mut out = Vec::new();
    let mut decompressor = libdeflater::Decompressor::new();
    for member in &members {
        let expected = isize_of(member);
        assert_eq!(zlib_rs_streaming(member, &mut out), expected);
        assert_eq!(zlib_rs_whole(member, &mut out), expected);
        assert_eq!(
            libdeflate_whole(&mut decompressor, member, &mut out),
            expected
        );
    }
    let mut group = c.benchmark_group(format!("inflate/{name}"));
    group.throughput(Throughput::Bytes(inflated));
    group.sample_size(20);
    group.bench_function("zlib-rs-streaming", |b| {
        b.iter(|| {
            for member in &members {
                black_box(zlib_rs_streaming(member, &mut out));
            }
        })
    });
    group.bench_function("zlib-rs-whole", |b| {
        b.iter(|| {
            for member in &members {
                black_box(zlib_rs_whole(member, &mut out));
            }
        })
    });
    group.bench_function("libdeflate-whole", |b| {
        b.iter(|| {
            for member in &members {
                black_box(libdeflate_whole(&mut decompressor, member, &mut out));
            }
        })
    });
    group.finish();
}

fn inflate(c: &mut Criterion) {
    bench_tree(
        c,
        "cloudtrail-files",
        GeneratorConfig {
            records: 30_000,
            ..GeneratorConfig::default()
        },
    );
    bench_tree(
        c,
        "tiny-files",
        GeneratorConfig {
            records: 20_000,
            min_records_per_file: 2,
            max_records_per_file: 6,
            ..GeneratorConfig::default()
        },
    );
}

criterion_group!(benches, inflate);
criterion_main!(benches);
