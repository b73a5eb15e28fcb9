//! The runnable programs of the project live in this package's examples (`hunt`, `stats`, `validate`,
//! `to_parquet`, `generate`); this library target only carries the top-level README's Rust examples, so
//! that `cargo test` compiles and runs them (this package is not published, so the README is in reach).

/// The top-level README's examples, compiled and run as doctests so they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
