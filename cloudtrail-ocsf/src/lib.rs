//! CloudTrail to OCSF, as Amazon Security Lake maps it, validated, and written as Parquet.
//!
//! [`Mapper::map`] turns one [`cloudtrail_model::Event`] into an [`OcsfEvent`] of one of the three classes
//! Security Lake uses for CloudTrail (API Activity 6003, Authentication 3002, Account Change 3001), at OCSF
//! 1.1.0 with the `cloud` and `datetime` profiles (Security Lake's "source version 2") or at 1.5.0 or 1.8.0.
//! [`validate`] checks any OCSF JSON record against the official schema of its release, embedded in the
//! crate. With the feature `detect` (which needs neither Arrow nor Parquet: `default-features = false,
//! features = ["detect"]`), [`FindingMapper`] writes the findings of `cloudtrail-detect` as OCSF
//! Detection Finding (class 2004), which the embedded schemas also hold. With the default `parquet` feature, [`OcsfBatchBuilder`] makes Arrow batches of one class, with
//! the fixed schema [`ocsf_arrow_schema`] gives.
//!
//! # Example
//!
//! ```
//! use cloudtrail_model::Event;
//! use cloudtrail_ocsf::{Mapper, MappingOptions, OcsfClass, OcsfVersion, validate};
//!
//! let json = r#"{"eventVersion": "1.08", "eventTime": "2024-06-01T12:00:00Z",
//!   "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "awsRegion": "us-east-1",
//!   "sourceIPAddress": "192.0.2.10", "eventType": "AwsConsoleSignIn", "eventID": "e-1",
//!   "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "accountId": "111122223333",
//!     "arn": "arn:aws:iam::111122223333:user/alice", "userName": "alice"},
//!   "responseElements": {"ConsoleLogin": "Failure"}, "errorMessage": "Failed authentication",
//!   "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/", "MFAUsed": "No",
//!     "MobileVersion": "No"},
//!   "recipientAccountId": "111122223333"}"#;
//! let event = Event::from_json(json)?;
//! let mapper = Mapper::new(MappingOptions::default()); // OCSF 1.1.0, Security Lake's class table
//! let record = mapper.map(&event)?;
//!
//! assert_eq!(record.class(), OcsfClass::Authentication);
//! assert_eq!(record.type_uid(), 300201); // Authentication: Logon
//! assert_eq!(record.status_id(), 2); // the sign-in says Failure (no errorCode on failed sign-ins)
//! assert_eq!(record.unmapped()["additionalEventData.MobileVersion"], "No");
//!
//! let json = record.to_json();
//! validate(&json, OcsfVersion::V1_1_0)?;
//! assert_eq!(json["is_mfa"], false);
//! println!("{}", serde_json::to_string_pretty(&json)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Mapping rules
//!
//! The attribute table is Security Lake's (`MAPPING.md` in this crate, from AWS's published CloudTrail
//! mappings); the rules a user meets are these.
//!
//! - **Class.** [`ClassTable`] maps (eventSource, eventName) pairs to Authentication or Account Change;
//!   every other pair is API Activity. [`ClassTable::security_lake`], the default, holds the sign-in events
//!   of `signin.amazonaws.com` (ConsoleLogin, CheckMfa, CredentialChallenge, CredentialVerification,
//!   UserAuthentication, ExternalIdPDirectoryLogin), `sts.amazonaws.com` `AssumeRole*`, and the user, role,
//!   group, policy, key, password and MFA mutations of `iam.amazonaws.com`. Pairs, not names: `CreateRole`
//!   elsewhere than IAM stays API Activity. Extend or override it through [`MappingOptions::classes`]
//!   ([`ClassTable::insert`], [`ClassTable::remove`]).
//! - **Activity.** API Activity takes `activity_id` from the **leading verb** of `eventName` (its first
//!   PascalCase word, after a `Batch` prefix): `Get`/`List`/`Describe`/... Read, `Create`/`Run`/`Allocate`/...
//!   Create, `Update`/`Put`/`Attach`/`Tag`/... Update, `Delete`/`Terminate`/`Release`/... Delete, else Read
//!   when `readOnly` is true, else Other (99). Never by substring: `ListPipelineRuns` is Read, `DeleteTags`
//!   Delete, `AllocateAddress` Create. Authentication: Logon for sign-ins and role assumption, Other for
//!   MFA and credential checks. Account Change: the verb and a table (`EnableMFADevice` MFA Factor Enable,
//!   `UpdateAccessKey` Enable or Disable by its `status`, ...). [`MappingOptions::activity_overrides`]
//!   sets the id of any event name. `type_uid` = `class_uid * 100 + activity_id`.
//! - **Status.** Failure (2) when the record has an `errorCode`, or when a sign-in's own outcome
//!   (`responseElements.<eventName>` or `serviceEventDetails.<eventName>`) says `Failure`; else Success (1).
//!   `severity_id` is 1 (Informational) for every record, as Security Lake writes it.
//! - **Source.** `sourceIPAddress` becomes `src_endpoint.ip` when it is an IPv4 or IPv6 address, otherwise
//!   `src_endpoint.domain` and `svc_name` (`ecs.amazonaws.com`, `AWS Internal`); `vpcEndpointId` is
//!   `src_endpoint.uid`.
//! - **unmapped.** Every member the mapping does not place is kept, flattened as Security Lake does:
//!   dotted paths as keys, `[]` marking arrays, array leaves joined with commas, scalars as text
//!   (`unmapped["userIdentity.sessionContext.sessionIssuer.userName"]`). `requestParameters` and
//!   `responseElements` go whole to `api.request.data` / `api.response.data` (JSON values here, JSON text in
//!   Arrow). Nothing is dropped and no attribute is an explicit `null`.
//! - **Releases.** 1.1.0 keeps `recipientAccountId` in `unmapped` as Security Lake does
//!   ([`MappingOptions::security_lake_exact`]); 1.5.0 and 1.8.0 put it in `cloud.account.uid`, use
//!   `actor.app_name` for the deprecated `actor.invoked_by` and `policies` for `policy`; 1.8.0 puts access
//!   keys in `actor.user.programmatic_credentials`. A string longer than the release allows (1.1.0:
//!   65,535 characters) stays in `unmapped`.
//! - **Reported, not mapped.** A record OCSF cannot hold is a [`MapError`] naming its `eventID` and the
//!   reason: no or unreadable `eventTime`, no `eventName`, an Insights event, an API call without a source
//!   address or an identifiable actor, an Authentication or Account Change without a target user.
//!
//! # Validation
//!
//! [`validate`] resolves the class from `class_uid` and checks required attributes (a profile's only when
//! `metadata.profiles` declares it), `at_least_one` / `just_one`, undefined and undeclared-profile
//! attributes, explicit nulls, types and their patterns and lengths, enums and their caption siblings,
//! and `type_uid`. Each [`Violation`] names the attribute path (`actor.user.uid`,
//! `observables[0].type_id`). The schemas are generated from the ocsf-schema release branches by
//! `schema/generate.py` (see `schema/README.md`).
//!
//! # Map
//!
//! | module | holds |
//! |---|---|
//! | `mapper` | [`Mapper`]; `identity`, `endpoint`, `resources`, `targets`: the parts of a record it places |
//! | `options`, `activity` | [`MappingOptions`], [`ClassTable`]; the activity verb tables |
//! | `record`, `unmapped` | [`OcsfEvent`] and the OCSF objects it is made of; the `unmapped` flattening |
//! | `error` | [`MapError`] |
//! | `validation` | [`validate`], [`ValidationError`], [`Violation`], [`Problem`]; the embedded schemas |
//! | `class`, `version` | [`OcsfClass`], [`OcsfVersion`] |
//! | `finding` (feature `detect`) | [`FindingMapper`]: `cloudtrail-detect` findings as Detection Finding (2004), validated like records |
//! | `columns`, `batch` (feature `parquet`) | [`ocsf_arrow_schema`], [`OcsfBatchBuilder`], [`OcsfArrowError`] |
//! | [`flat`], [`writer`] (feature `parquet`) | the flat CloudTrail layout; the Parquet writers |
//!
//! # Parquet
//!
//! [`writer::OcsfWriter`] maps records and writes OCSF, one class per file; [`writer::FlatWriter`] writes
//! the flat layout below; [`writer::ParquetWriter`] is either. One writer per thread:
//!
//! - **Paths.** `<out>/<api_activity | authentication | account_change | cloudtrail>/region=<awsRegion>/
//!   accountId=<recipientAccountId, else userIdentity.accountId>/eventDay=<UTC YYYYMMDD of eventTime>/
//!   <prefix>-w<worker>-<n>.parquet`, or with [`writer::WriterOptions::security_lake_source`] those of
//!   an Amazon Security Lake custom source, `<out>/ext/<source>/region=.../accountId=.../eventDay=.../
//!   <class>-<prefix>-...parquet`. A missing value is `__HIVE_DEFAULT_PARTITION__`, which Hive, Spark,
//!   Athena and DuckDB read as `NULL`; other values are percent-encoded outside `[A-Za-z0-9._-]`, so no
//!   record can write outside its directory. The prefix (`part-` and a random per-run token by default)
//!   and the worker number keep names unique across runs and threads. Read `accountId` as text (DuckDB:
//!   `hive_types = {'accountId': VARCHAR}`): as a number it loses leading zeros.
//! - **Destinations.** A directory, or (feature `s3`) a prefix in S3 or any `object_store` store
//!   ([`writer::Destination`], [`writer::StorePrefix`]). No file is ever replaced: local files are
//!   written under a temporary name opened with `create_new` (a planted file or symlink is an error,
//!   never followed), synced, then hard-linked to a name that must not exist; objects go up with a
//!   conditional PUT (`If-None-Match`), or as a multipart upload above 8 MiB, visible only once
//!   complete.
//! - **Files.** Rows sorted by time (`time`, or `eventTime`; rows without one first, the order declared in
//!   the footer), zstd (level 1 by default), pages cut at 768 KiB, row groups of at most 128 Ki rows and
//!   256 MiB, no dictionary on the nearly unique columns (ids, JSON text), min/max statistics per row
//!   group only on the columns readers filter by (`eventName`, `eventSource`, `awsRegion`, `errorCode`,
//!   `userIdentity.type`, ...; `class_uid`, `api.operation`, ... in OCSF) and per page on the time.
//! - **One file per partition.** The unit of work is a delivery partition: the objects CloudTrail
//!   delivered for one account, region and day. A writer keeps a partition open until told that the
//!   objects of the day after it are read ([`writer::ParquetWriter::close_through`]), so the records
//!   delivered after midnight join their day's file; a record for a day already closed waits apart and
//!   adds one file to its partition at the end of the run. Giving each account and region's days in
//!   order (what the `to_parquet` example does, from the paths) writes one file per partition and class
//!   per run, unless a partition passes [`writer::WriterOptions::max_file_bytes`]. A task that
//!   converts a single partition (a Lambda behind S3 notifications, a Spark or Ray task, a queue
//!   worker: see [`writer::ParquetWriter`] and `examples/partition_to_parquet.rs`) writes the same, plus
//!   a small file for the previous day's late records. A later run adds files; [`writer::compact`]
//!   merges a partition's files into one, sorted, and mends an interrupted compaction.
//! - **Memory.** A worker holds the partitions of two days at most, plus the late ones; a partition is
//!   written at 1 Mi rows or 64 MiB, and the largest whenever all together pass
//!   [`writer::WriterOptions::max_buffered_bytes`] (128 MiB per writer by default). The count includes
//!   what an empty builder holds (about 21 KiB flat, 38 KiB OCSF, measured), so memory does not grow with
//!   the number of partitions: thousands of one-row partitions (one record per distinct account, which
//!   an intruder can choose) stay within the budget.
//! - **Conservation.** [`writer::WriterStats`]: records given = records written per layout directory +
//!   mapping, append and write errors. A record-level error leaves the rest untouched; a file that cannot
//!   be written is an error naming its path, and its rows are counted as write errors.
//!
//! At organisation shape (`benches/compare.sh --only parquet`, its default tree of 347 delivery
//! partitions), both layouts write one file per partition directory and class when the caller gives a
//! writer every region of an account's days, as `to_parquet` does (1.00 flat and OCSF, 2026-12-03;
//! 1.20 and 1.33 when each worker took one region, since every region's objects hold global-service
//! events with `awsRegion` us-east-1); the times and memory against DuckDB are in the
//! [performance section of the project README](https://github.com/cloudtrail-rs/cloudtrail#performance).
//! The OCSF layout's columns are filled straight from the mapped records (a serde serialiser walking
//! the class's Arrow schema, no JSON text per row; until 2026-12-02 each row went through `arrow_json`).
//! The figures below are from before the partition design, on the project's older 28-partition tree.
//!
//! Measured with `benches/compare.sh --runs 3 --scaling` on a quiet 2-core Intel Xeon VM (24 GiB): the
//! `to_parquet` example, `--layout flat`, against DuckDB `COPY (SELECT unnest(Records) ...) TO ... (FORMAT
//! parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)` from `read_json` over the same 1,015 files (1,000,058
//! generated records, 149 MiB gzip; both outputs checked to hold every record, zstd), median of three:
//!
//! | threads | records | `to_parquet` | DuckDB | ratio | `to_parquet` peak RSS | DuckDB peak RSS |
//! |---:|---:|---:|---:|---:|---:|---:|
//! | 2 | 1,000,058 | 6.09 s | 13.76 s | 2.3x | 363 MiB | 821 MiB |
//! | 1 | 1,000,058 | 11.01 s | 25.18 s | 2.3x | 323 MiB | 463 MiB |
//! | 2 | 250,058 | 1.78 s | 4.89 s | 2.7x | 271 MiB | 807 MiB |
//!
//! Three times DuckDB's speed, the goal set for this writer, is not reached, and is out of reach of this
//! design. Measured again on
//! 2026-12-01 (the VM shared with busy neighbours: the same binary varied by up to 40% between runs),
//! the tools alternating, median of three, files synced:
//!
//! | threads | `to_parquet` | DuckDB | ratio | `stats` (read and parse only) | `stats` share of a third of DuckDB's time |
//! |---:|---:|---:|---:|---:|---:|
//! | 2 | 7.62 s / 354 MiB | 18.02 s / 821 MiB | 2.4x | 3.45 s | 57% |
//! | 1 | 14.38 s / 215 MiB | 32.50 s / 454 MiB | 2.3x | 6.85 s | 63% |
//!
//! (`benches/compare.sh --only parquet --runs 3 --scaling` in the same hour: 1.9x at 2 threads, 2.2x
//! at 1.) The budget of three times DuckDB's speed is a third of its time. Inflating and parsing every record into
//! `cloudtrail_model::Event`, which is all `stats` does, takes 57 to 63% of it, which leaves 2.6 s
//! (2 threads) or 4.0 s (1 thread) for filling the columns, sorting and encoding; that part takes 4.2
//! s and 7.5 s now, and the Parquet encoder with zstd is about half of it. Meeting the target would
//! take either that part about 40% cheaper with the parse as it is, or, with that part as it is, a
//! parse about 2.5x faster: as fast as serde_json merely validating the records (the 968 records of
//! one generated file, in a loop: 1,170 MB/s, against 470 MB/s parsed into `Event`), which a parser
//! that also fills columns cannot be. Either means leaving what this family is built on (serde_json
//! into the shared record model, parquet-rs's encoder) for a JSON-to-Arrow tokenizer and encoder of
//! our own. Peak RSS is under half of DuckDB's at both thread counts.
//!
//! Where the time goes (instruction counts under callgrind over 67,362 generated records, one thread,
//! and `perf` over the million): reading and parsing the records, what `stats` does, about half;
//! Parquet encoding about a quarter, half of it zstd (the JSON blobs and the random ids are most of the
//! 360 MB of pages before compression); appending to the Arrow builders about 8%; the sort's `take`
//! about 5%. Tried: building a partition's path only when it changes, a vectorised pass for each
//! column's longest value, dictionaries for the identity columns that repeat within a session (3%
//! fewer instructions together, kept); keeping emptied builders with their capacity for the next
//! partition (no faster, 60 to 100 MiB more memory: dropped); taking the sorted rows a few thousand at a
//! time instead of all at once (Parquet's page budget is per write call, so pages then passed their
//! limit: dropped). Merging ordered runs cannot replace the sort: a log file "is not an ordered stack
//! trace" of the calls (CloudTrail User Guide, *Understanding CloudTrail events*), and about half of the
//! neighbouring records of a generated file are out of order. What is left is the parse, shared with
//! every reader of the crate family, and the encoder.
//!
//! The OCSF layout (the default, OCSF 1.1.0) over the same tree, quiet, 2 threads, files synced: 21.8 s
//! and 395 MiB for the 1,000,058 records (928,597 API Activity, 71,455 Authentication, 6 Account
//! Change); mapping and building its rows through `arrow_json` was the cost (the columns are now built
//! directly). Since each partition's decoder reserves its tape for 64 rows instead of 1,024, peak RSS is 271 to 284 MiB instead of 389
//! to 393 MiB, with as many files (about 580); on the loaded machine of 2026-12-01, alternating, the
//! time was 20.4 to 22.1 s against 18.2 to 20.2 s before (the tape now grows as rows come; the
//! difference is within that machine's noise, but may be real).
//!
//! # Flat layout
//!
//! [`flat::flat_schema`]: one nullable column per top-level CloudTrail member, with CloudTrail's names and
//! in the order `cloudtrail_model::Event` declares them; `userIdentity`, `addendum` and `tlsDetails` as
//! structs (`userIdentity.sessionContext.attributes.mfaAuthenticated` and so on), `resources` as a list of
//! `{ARN, accountId, type}`, the open-ended blobs (`requestParameters`, `responseElements`,
//! `additionalEventData`, `serviceEventDetails`, ...) as JSON text exactly as written, `eventTime` as
//! `Timestamp(Millisecond, "UTC")`, yes/no members as `Boolean`. It is lossless: the `_other` column holds,
//! as a JSON object nested like the record, whatever the columns cannot (unknown members at any level,
//! values that do not fit their column's type, an `eventTime` not written `2024-05-01T12:00:00Z` or
//! `...00.250Z`, a flag written otherwise than its usual form), so a row plus `_other` gives back the
//! record. The [`flat`] module states the rules; [`flat::FlatBatchBuilder`] fills the columns from
//! borrowed records, without `serde_json::Value`.
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod activity;
#[cfg(feature = "parquet")]
mod batch;
mod class;
#[cfg(feature = "parquet")]
mod columns;
#[cfg(feature = "parquet")]
mod direct;
mod error;
#[cfg(feature = "detect")]
mod finding;
#[cfg(feature = "parquet")]
pub mod flat;
mod mapper;
mod options;
mod record;
mod unmapped;
mod validation;
mod version;
#[cfg(feature = "parquet")]
pub mod writer;

#[cfg(feature = "parquet")]
pub use batch::{OcsfArrowError, OcsfBatchBuilder};
pub use class::OcsfClass;
#[cfg(feature = "parquet")]
pub use columns::ocsf_arrow_schema;
pub use error::MapError;
#[cfg(feature = "detect")]
pub use finding::{DETECTION_FINDING, FindingMapError, FindingMapper};
pub use mapper::Mapper;
pub use options::{ClassTable, MappingOptions};
pub use record::OcsfEvent;
pub use validation::{Problem, ValidationError, Violation, validate};
pub use version::{OcsfVersion, UnknownVersion};

/// The crate README's examples (its page on the crate registry), compiled and run as doctests so they stay
/// true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
