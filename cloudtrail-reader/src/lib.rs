//! Streaming, parallel, bounded-memory readers for AWS CloudTrail logs.
//!
//! # Brief overview
//!
//! [`Reader`] reads [`Source`]s (files, directory trees in the S3 layout CloudTrail delivers to, standard
//! input, bytes in memory, and S3 prefixes with the `s3` feature) and hands every record to your code as a borrowed
//! [`cloudtrail_model::Event`], on all cores, with every bad input reported as a [`ReadError`] that says
//! where (input, record index, byte offset) and what.
//!
//! - [`Reader::fold`] runs one state per worker thread over the records (the fast path: no copies);
//!   [`Reader::for_each`] is the same without a state; [`Reader::records`] is a plain iterator of owned
//!   records and errors, in order, on the calling thread.
//! - Formats are recognised by content, never by file name: gzip by its magic bytes (every member of a
//!   multi-member stream), then `{"Records":[...]}` files, JSON Lines or concatenated JSON of records,
//!   EventBridge envelopes (the record is `detail`, whatever the `detail-type`), and plain JSON arrays.
//!   CloudTrail digest files are recognised and counted, not read as records; Insights records are
//!   delivered like any other (their `eventType` is `AwsCloudTrailInsight`). Lookalikes (S3 Event
//!   Notifications, Alibaba ActionTrail) and objects with no record members are reported, not delivered.
//! - Directory trees are filtered by account, region and delivery date from their paths
//!   ([`LayoutFilter`]) before any file is opened; excluded directories are not even listed. An entry
//!   that cannot be read (a dangling symbolic link, a directory that cannot be listed, a FIFO or device)
//!   is reported as [`ReadError::Io`] under its own path and the rest of the tree is read. Symbolic
//!   links are followed, as `find -L` does; a link to a directory being listed already (a loop) is
//!   reported and not followed.
//! - A panic in a callback (or anywhere on a worker) stops the other workers and is resumed on the
//!   calling thread: a read never returns `Ok` with a worker's records missing.
//! - [`ReaderOptions`] and [`LayoutFilter`] are built from `default()` with `with_*` methods, so that
//!   new options are not breaking changes.
//!
//! # Example
//!
//! ```
//! use cloudtrail_reader::{Reader, ReaderOptions, Source};
//!
//! let dir = std::env::temp_dir().join(format!("cloudtrail-reader-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! std::fs::write(dir.join("trail.json"), r#"{"Records":[
//!     {"eventVersion":"1.11","eventName":"ListBuckets","userIdentity":{"type":"Root"}},
//!     {"eventVersion":"1.11","eventName":"GetObject","userIdentity":{"type":"AssumedRole"}}]}"#)?;
//!
//! let reader = Reader::new(ReaderOptions::default());
//! let output = reader.fold(
//!     &[Source::Path(dir.clone())],
//!     || 0u64,                                              // one counter per worker
//!     |roots, event, _where| *roots += u64::from(event.identity_type().is_some_and(|t| t.as_str() == "Root")),
//!     |error| eprintln!("{error}"),
//! )?;
//! assert_eq!(output.states.iter().sum::<u64>(), 1);
//! assert_eq!(output.stats.records_delivered, 2);
//! std::fs::remove_dir_all(&dir)?;
//! Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Projection
//!
//! A consumer that reads a few members of every record says which ([`ReaderOptions::with_projection`],
//! a [`cloudtrail_model::Projection`] of member names or paths): each record is then parsed for those
//! members only and read past for the rest, and delivered as an `Event` whose other members are absent
//! and which says so ([`Event::projection`](cloudtrail_model::Event::projection), and serialising it is
//! an error). The full parse stays the default. Every byte is still checked as the full parse checks it,
//! so the counts, the records delivered and their places, and every error with its location are those
//! of a full read (a property test compares the two on damaged containers and JSON Lines). The reader
//! adds the members it reads itself to tell lookalikes
//! ([`Lookalike::MEMBERS`](cloudtrail_model::Lookalike::MEMBERS)), and reads a record whole to decide
//! when it has none of the members that make an object a record.
//!
//! ```
//! use cloudtrail_model::Projection;
//! use cloudtrail_reader::{Reader, ReaderOptions, Source};
//!
//! let records = br#"{"Records":[
//!     {"eventVersion":"1.11","eventName":"ListBuckets","userIdentity":{"type":"Root"},"requestParameters":{"a":1}},
//!     {"eventVersion":"1.11","eventName":"GetObject","userIdentity":{"type":"AssumedRole"}}]}"#;
//! let options = ReaderOptions::default().with_projection(Projection::of(["userIdentity.type"]));
//! let roots = Reader::new(options).fold(
//!     &[Source::Bytes { name: "trail.json".into(), data: records.to_vec().into() }],
//!     || 0u64,
//!     |roots, event, _where| {
//!         assert!(event.request_parameters.is_none() && event.event_name().is_none());
//!         *roots += u64::from(event.identity_type().is_some_and(|t| t.as_str() == "Root"));
//!     },
//!     |error| eprintln!("{error}"),
//! )?;
//! assert_eq!(roots.states.iter().sum::<u64>(), 1);
//! Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors and conservation
//!
//! Under [`ErrorPolicy::SkipAndReport`] (the default) each error goes to the error callback and reading
//! goes on; under [`ErrorPolicy::FailFast`] the first error ends the read and is returned. A bad record
//! (not an object, a lookalike, nesting deeper than 128 levels) loses that record only. What damage to
//! the content costs depends on its shape, decided on purpose for each:
//!
//! - **JSON Lines, concatenated JSON, EventBridge envelope streams** (top-level values one after the
//!   other): a damaged value (invalid JSON or UTF-8, a line cut short, a value that is not an object,
//!   a record over [`ReaderOptions::max_record_bytes`]) loses that value only, reported as
//!   [`ReadError::DamagedValue`] (or the error that names the cause); reading goes on at the next line
//!   that starts with `{`, so each line of JSON Lines costs at most itself. Values written one after the
//!   other on a single line have no such place to start again that could not be inside the damaged
//!   value: there the rest of the line is lost, as one reported value. Only the input ending inside
//!   its last value ends it with [`ReadError::Json`] (a cut file).
//! - **Documents read whole** (a `{"Records":[...]}` file, a plain JSON array): they are one JSON value,
//!   and once its brackets are broken where the next element starts cannot be told from a bracket
//!   inside a string; guessing could deliver pieces of the damaged record as records. So damage there
//!   ends the input: every complete record before it is delivered, then one error, then the next
//!   input. Content over [`ReaderOptions::max_decompressed_bytes`] ends the input the same way.
//!
//! Gzip damage (a member cut short, invalid deflate data, a CRC-32 or length that does not match) is
//! treated the same way by default ([`DamagedGzip::DeliverBeforeDamage`]): every complete record the
//! member inflated to before the damage is delivered, then one [`ReadError::Gzip`]. Gzip can only check a
//! member at its end, and corrupt deflate data does not always fail at the damaged byte: it can go on
//! inflating to plausible text, copies of earlier records included, before the check fails (a property
//! test found a one-byte change that read as 42 records of 40). The error after them says so, and a
//! record is never changed without an error. Where records that did not pass the check must not reach
//! detection at all, [`DamagedGzip::DropMember`] delivers a gzip member only once its CRC-32 and length
//! match: a cut CloudTrail file (one member, as CloudTrail writes them) then delivers nothing and is
//! reported, and the members before a damaged one are still delivered. Plain JSON has no checksum, and
//! its damage is located as above.
//!
//! [`Stats`] counts what happened, and records are conserved: found = delivered + reported (a lost
//! value, a damaged member or a cut input counts as one reported record; a lost line of JSON Lines keeps
//! its index, so the records after it keep theirs).
//!
//! # S3
//!
//! With the `s3` feature, [`Source::S3`] reads `s3://bucket/prefix` through `object_store`: the listing
//! goes through the same [`LayoutFilter`] as directory trees (keys it excludes are never fetched), and each
//! worker reads one object at a time, as a stream (see Bounds). Credentials, region and endpoint come from
//! [`ReaderOptions::s3`] ([`S3Options`], which lists exactly what is read and in which order), then from
//! the environment's `AWS_*` variables, then from the instance metadata service; profiles and SSO are not
//! read. An `http://` endpoint, wherever it is set, serves S3-compatible servers on a private network or
//! loopback. Errors say what S3 answered (its code and message, not its XML body) and, when no
//! credentials were found, where they were looked for. The tests run against a real
//! S3-compatible server (`moto_server`) on 127.0.0.1.
//!
//! # Bounds
//!
//! What one worker holds is bounded by the caps below, whatever the size of an input, of the tree, or
//! of the number of inputs; the whole read holds at most `threads` times that (measured by
//! `tests/bounds.rs` as the process's own peak resident memory).
//!
//! - **Streams of values** (JSON Lines, concatenated JSON, EventBridge envelopes; plain or gzip, from a
//!   file, stdin, memory or S3) are read a window at a time: about 1 MiB of content is added at a
//!   time, a window ends at the last line feed read, and the value a window cuts short is carried
//!   into the next. A stream of any size (a 10 GB JSON Lines file) is read to its end in about
//!   1 MiB plus the longest value, with no total cap. A value that runs on past
//!   [`ReaderOptions::max_record_bytes`] (default 8 MiB) without ending, such as one endless line, is
//!   lost alone as [`ReadError::ValueTooLong`], which names the input, record index, byte offset and
//!   line; its bytes are dropped up to the next line that starts an object, where reading goes on.
//!   The errors, the places they name, the resynchronisation and the counts are those of reading
//!   the content whole (a property test compares the two on arbitrary damaged streams), except that
//!   the line and column serde_json puts in a message of invalid JSON are counted from the start of
//!   the window; the byte offset is the input's.
//! - **Documents read whole** (a `{"Records":[...]}` file, a plain JSON array, and content whose start
//!   does not tell: only white space in its first 64 KiB) are held whole, up to
//!   [`ReaderOptions::max_decompressed_bytes`], default 256 MiB
//!   ([`ReaderOptions::DEFAULT_MAX_DECOMPRESSED_BYTES`]): CloudTrail delivers files of a few MB and
//!   rarely near 100 MB decompressed. Past the cap the records before it are delivered, then
//!   [`ReadError::TooLarge`] names the input, and the next input is read. The cap is also the
//!   defence against gzip bombs for documents; a bomb of JSON Lines costs time, not memory. The
//!   array is not streamed, on purpose: its records are parsed straight from the buffer, borrowed
//!   (the fast path below), and the files CloudTrail writes are far below the cap.
//! - Under [`DamagedGzip::DropMember`] gzip input is read whole under the same cap, since a member's
//!   records may only be delivered once its CRC-32 has been checked at its end.
//! - **S3 objects** are read as a stream of parts fetched as the reader asks for them: a stream of
//!   values is read in the same bounded memory whatever the object's size, and a document over the cap
//!   stops the download at the cap (its listed size is not checked up front, since a JSON Lines object
//!   of any size is read).
//! - **Buffers**: each worker reuses one content buffer and one buffer of compressed bytes (256 KiB,
//!   or the size of the largest small gzip input below). A content buffer that grew past 16 MiB for
//!   one input is released when that input is done, so between inputs a worker holds at most that
//!   much, not the most any input ever needed.
//! - **Whole members**: a stored gzip input (a file, bytes, an S3 object) of at most 1 MiB, what
//!   CloudTrail writes, is read whole and its member inflated in one call into a buffer sized from its
//!   trailer (ISIZE), when that states at most the smallest of the document cap, a stream's bound and
//!   16 MiB. With the default `libdeflate` feature libdeflate inflates it (1.2x to 1.6x zlib-rs's speed
//!   on CloudTrail files, `benches/inflate.rs`); without it, zlib-rs. The trailer is only a hint: an input
//!   that is not exactly one verified member ending at the input's end (a trailer that lies, several
//!   members, damage, bytes after it) is inflated again from its start by the streaming path, under
//!   the same caps and with the same errors. Standard input and large inputs always stream.
//! - [`Reader::records`] is the exception: it yields owned records in order on the calling thread,
//!   and collects one input's records before yielding them, so it holds an input's records at once.
//!   Use [`Reader::fold`] or [`Reader::for_each`] for inputs of unbounded size.

//! # Performance
//!
//! Side by side (`benches/compare.sh --runs 3 --scaling`, one million generated records in 1,015 files:
//! 149 MiB gzip, 1.29 GB JSON), counting records by `userIdentity.type` with the `stats` example against
//! DuckDB's `read_json(..., maximum_depth=2)` with `unnest`, median of three runs, on a quiet 2-core Intel
//! Xeon VM (24 GiB):
//!
//! | threads | records | `stats` | DuckDB | ratio | `stats` peak RSS | DuckDB peak RSS | inflate only (zcat) |
//! |---:|---:|---:|---:|---:|---:|---:|---:|
//! | 2 | 1,000,058 | 2.35 s | 6.86 s | 2.9x | 15 MiB | 159 MiB | 3.55 s |
//! | 1 | 1,000,058 | 4.58 s | 10.62 s | 2.3x | 15 MiB | 112 MiB | 6.41 s |
//! | 2 | 250,058 | 0.73 s | 2.31 s | 3.2x | 15 MiB | 161 MiB | 0.88 s |
//!
//! Memory does not grow with the tree, and reading and parsing every record takes less time than only
//! inflating the files with `zcat`. Interleaved runs of the code before and after the changes below, on
//! the same (then loaded) machine, put the change alone at 25% to 30% off `stats`.
//!
//! What changed, from `perf` on the million records:
//!
//! - A record of a `{"Records":[...]}` file was scanned twice: once by serde's `RawValue` to find its end
//!   in the array, once to parse it (a fifth of the time). Each record is now parsed straight from the
//!   array, serde_json's stream deserializer telling where it ends. Anything unusual (other members, an
//!   element that is not an object, damage, a record over the cap) makes the reader read the input
//!   again with the validating parser, which reports exactly what it always has; a property test
//!   compares the two on arbitrary valid and damaged documents. (A bit-mask bracket scanner, 64 bytes at
//!   a time in safe Rust without SIMD intrinsics, was tried first: at about 1.5 GB/s it cost as much as
//!   the pass it saved.)
//! - Gzip is inflated straight into the reused content buffer, 256 KiB of input per call: no copy into
//!   the inflater's window on every small read, no zeroing of the buffer again for each input.
//! - The nesting-depth bound counts brackets in byte-wide sums the compiler vectorises, instead of a
//!   `memchr2` search stopping at each bracket (4%); the parsed record (856 bytes) is borrowed, not
//!   moved.
//! - `stats` hashes the names it counts with a seeded multiply-rotate hasher instead of SipHash.
//!
//! Where the time goes now (1 thread): inflating with zlib-rs, CRC-32 included, about a quarter;
//! serde_json's string scanning for the typed parse about a fifth; building the typed record (model
//! code, moves of its large structs included) about a fifth; UTF-8 validation 1%, counting 3%.
//!
//! Criterion (`benches/reader.rs`, a generated tree of 100,000 records in `.json.gz` files, read from the
//! page cache), measured before these changes on the AMD machine: 363 MiB/s of decompressed JSON
//! through the parallel reader on 1 thread, 722 MiB/s on 2.
//!
//! Reading streams of values a window at a time (Bounds) leaves the path of `{"Records":[...]}` files
//! as it was (the same inflate loop into the same buffer; only the first 64 KiB are asked for first).
//! Measured on the 2-core Xeon VM while other builds kept its load average at 11 to 13, with builds of
//! the tree before and after this change taking turns on the same `reader/bytes` bench: criterion's
//! estimates swung with the load, 1 thread 353 to 483 ms before (median of 7 runs 380 ms) and 351 to
//! 627 ms after (median 478 ms), 2 threads median of 4 runs 444 ms before and 515 ms after; run at
//! the same moment side by side, so that both met the same load, they took 1.79 s and 1.75 s, then
//! 1.99 s and 1.99 s (before, after), and the user CPU time of whole bench runs was no higher after
//! (median 9.6 s against 10.4 s). A quiet machine should confirm it.
//!
//! # Map
//!
//! | module | holds |
//! |---|---|
//! | `reader` | [`Reader`], [`Source`], [`RecordInfo`], [`Output`], [`Records`], [`LocatedEvent`] |
//! | `options` | [`ReaderOptions`], [`ErrorPolicy`], [`DamagedGzip`], [`Progress`] |
//! | `layout` | [`LayoutPath`], [`LayoutFilter`] |
//! | `stats`, `error` | [`Stats`], [`ReadError`] |
//! | `decode`, `format` | gzip, decoding a part at a time; finding records in each format (internal) |
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod decode;
mod error;
mod format;
mod layout;
mod options;
mod reader;
#[cfg(feature = "s3")]
mod s3;
mod stats;

pub use error::{ReadError, ValueDamage};
pub use layout::{LayoutFilter, LayoutPath};
pub use options::{DamagedGzip, ErrorPolicy, Progress, ProgressHook, ReaderOptions, S3Options};
pub use reader::{InputDone, LocatedEvent, Output, Reader, RecordInfo, Records, Source};
pub use stats::Stats;

/// The crate README's examples (its page on the crate registry), compiled and run as doctests so they stay
/// true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
