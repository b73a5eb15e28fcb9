//! Deterministic generator of realistic synthetic CloudTrail trees, for tests, benchmarks and samples.
//!
//! # Brief overview
//!
//! [`generate_tree`] writes `.json.gz` files of `{"Records":[...]}` in the S3 layout CloudTrail delivers to
//! (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<stamp>_<unique>.json.gz`),
//! 50 to 2,000 records a file, with the mix of a real account: role sessions, IAM users and AWS services
//! calling EC2, S3 (data events), STS, KMS, Lambda, IAM, DynamoDB and CloudWatch; some calls denied or
//! throttled; console sign-ins; KMS key rotations (service events with a `userIdentity` without `type`);
//! IAM Identity Center portal events (`IdentityCenterUser`); and VPC endpoint network activity. Records
//! average about 1.1 KB, like the public flaws.cloud dataset.
//!
//! With [`GeneratorConfig::plant_attacks`], the attack [`SCENARIOS`] are planted among them (defence
//! impairment, credential access, persistence, AI-assistant-driven writes, ...) and listed record by
//! record in `ground_truth.jsonl` beside the `AWSLogs` folder (point readers at `AWSLogs`, which holds
//! only CloudTrail files). Background traffic never calls the planted APIs
//! nor carries their markers, so the ground truth is exact.
//!
//! The same configuration writes the same bytes on every run, on any number of threads.
//!
//! # Example
//!
//! ```
//! use cloudtrail_synthetic::{GeneratorConfig, generate_tree};
//!
//! let dir = std::env::temp_dir().join(format!("cloudtrail-synthetic-doc-{}", std::process::id()));
//! let config = GeneratorConfig { records: 500, ..GeneratorConfig::default() };
//! let summary = generate_tree(&config, &dir, 0)?;
//! assert_eq!(summary.records, 500 + summary.planted);
//! assert!(dir.join("ground_truth.jsonl").exists());
//! std::fs::remove_dir_all(&dir)?;
//! Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Map
//!
//! | module | holds |
//! |---|---|
//! | `config` | [`GeneratorConfig`] |
//! | `tree` | [`generate_tree`], [`records`], [`TreeSummary`], [`GenerateError`] |
//! | `attack` | [`SCENARIOS`], [`PlantedEvent`] |
//! | `families` | the scenarios of the rule families beyond the notebook's (internal) |
//! | `record`, `actor` | background records and their callers (internal) |
//! | `rng` | [`Rng`], the deterministic random source |
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod actor;
mod attack;
mod config;
mod families;
mod record;
mod rng;
mod tree;

pub use attack::{PlantedEvent, SCENARIOS};
pub use config::GeneratorConfig;
pub use rng::Rng;
pub use tree::{GenerateError, TreeSummary, generate_tree, records};

/// The crate README's examples (its page on the crate registry), compiled and run as doctests so they stay
/// true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
