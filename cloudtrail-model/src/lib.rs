//! Typed, lossless, zero-copy models of AWS CloudTrail records.
//!
//! # Brief overview
//!
//! [`Event`] is one CloudTrail record of any kind: management, data and network activity events, console
//! sign-ins, AWS service events, Insights and aggregated events. Every member documented through
//! `eventVersion` 1.11 is typed; [`UserIdentity`] covers every identity type, including IAM Identity Center
//! users (`onBehalfOf`, `credentialId`) in both their pre-2025 and current shapes and the trusted identity
//! propagation members of 2026 ([`OnBehalfOf`]: `subject`, `subjectType`, `issuer`,
//! `identityCenterInstanceArn`, `federatedProviderArn`, also on `AssumedRole` sessions), and
//! [`UserIdentity::kind`] gives a view per type to `match` on.
//!
//! Three promises shape the types:
//!
//! - **Lossless.** Serialising a parsed record gives a JSON value equal to its input: members the model does
//!   not know, at any level, are kept in each object's `other` list, and values keep their written form
//!   (`"True"` stays a string, `"AWSServiceEvent"` keeps its spelling).
//! - **Lenient.** Real records and their exports break the documentation (ODDITIES in the project's corpus
//!   notes): booleans as strings, times in half a dozen formats, objects as JSON strings. A value that does
//!   not fit its type never fails the record: it is kept and reported by [`Event::anomalies`].
//! - **Fast.** [`Event::from_json`] borrows strings from its input and keeps the open-ended payloads
//!   (`requestParameters`, `responseElements`, ...) as raw JSON ([`RawJson`]) parsed only on demand, in one
//!   pass with no intermediate `serde_json::Value`. [`Event::into_owned`] makes a record to keep.
//!
//! On top of the members sit the derived views a hunter needs, each documented with its rule:
//! [`Event::acting_principal`] (the entity id), [`Event::outcome`] (success, failure, denied),
//! [`Arn`], [`UserAgent`] (client, AI assistant marker, offensive distributions), [`SourceAddress`],
//! [`Event::event_name_base`] and [`Event::lookalike`].
//!
//! # Example
//!
//! ```
//! use cloudtrail_model::{Event, IdentityKind, Outcome, Principal, UserAgent};
//!
//! let json = r#"{
//!   "eventVersion": "1.10", "eventTime": "2024-06-01T12:00:00Z",
//!   "eventSource": "iam.amazonaws.com", "eventName": "CreateAccessKey",
//!   "userIdentity": {"type": "AssumedRole", "accountId": "111122223333",
//!     "arn": "arn:aws:sts::111122223333:assumed-role/Admin/mallory",
//!     "sessionContext": {"attributes": {"mfaAuthenticated": "false"}}},
//!   "userAgent": "aws-cli/2.36.19 exec-env/AmazonQ-For-CLI Version/2.19.2",
//!   "errorCode": "AccessDenied", "requestParameters": {"userName": "backdoor"},
//!   "p_log_type": "AWS.CloudTrail"
//! }"#;
//! let event = Event::from_json(json)?;
//!
//! assert_eq!(event.event_name(), Some("CreateAccessKey"));
//! assert_eq!(event.outcome(), Outcome::Denied);
//! assert_eq!(event.acting_principal(), Principal::Role("arn:aws:sts::111122223333:assumed-role/Admin"));
//! assert!(UserAgent::parse(event.user_agent().unwrap_or("")).ai_assistant.is_some());
//! if let Some(IdentityKind::AssumedRole { session_name, .. }) = event.user_identity.as_ref().map(|i| i.kind()) {
//!     assert_eq!(session_name, Some("mallory"));
//! }
//! assert_eq!(event.request_parameters.as_ref().and_then(|p| p.member_str("userName")).as_deref(), Some("backdoor"));
//!
//! // Nothing was lost, not even the exporter's own member.
//! let again = serde_json::to_value(&event)?;
//! assert_eq!(again, serde_json::from_str::<serde_json::Value>(json)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Projection
//!
//! A consumer that reads a few members of every record names them in a [`Projection`] (`eventName`,
//! `userIdentity`, or paths such as `userIdentity.arn`, which keep their top-level member), and a
//! projected read ([`Event::from_json_projected`], or the [`ProjectedEvent`] seed inside your own serde
//! code) parses those members and reads past the others without building them. The skip is not a
//! shortcut: it checks each skipped member as its parse would (string escapes, numbers, nesting depth),
//! so a projected read fails exactly when the whole parse fails, with the same error at the same byte
//! (tests/projection.rs compares the two over the corpus, damaged included). The record is the same
//! [`Event`] type, with the members not asked for absent, and it cannot pass for a whole one:
//! [`Event::projection`] says what it holds, [`Event::is_whole`] is false and serialising it is an
//! error.
//!
//! ```
//! use cloudtrail_model::{Event, Projection};
//!
//! let json = r#"{"eventName":"GetObject","userIdentity":{"type":"AssumedRole"},"requestParameters":{"key":"k"}}"#;
//! let projection = Projection::of(["eventName", "userIdentity.type"]);
//! let event = Event::from_json_projected(json, &projection)?;
//! assert_eq!(event.event_name(), Some("GetObject"));
//! assert_eq!(event.identity_type().map(|t| t.as_str().to_owned()).as_deref(), Some("AssumedRole"));
//! assert!(event.request_parameters.is_none());
//! assert_eq!(event.projection(), Some(&projection));
//! assert!(serde_json::to_value(&event).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Derived views read the members their documentation names: [`Event::event_time`] needs `eventTime`
//! and, for aggregated events, `timeWindow`; [`Event::lookalike`] needs [`Lookalike::MEMBERS`]. A view
//! over a member the projection does not keep sees it absent.
//!
//! # Duplicated keys
//!
//! JSON allows an object to repeat a key; records crafted to do so must not cost more than their size.
//! The rule is serde_json's, so that the round trip stays lossless: a modelled member given several
//! times keeps its **last** value (typed, or kept in `other` when it does not fit); an unknown member
//! given several times is kept every time in `other`, in input order, and written back so, so that a
//! reader of the output takes the last value as it would have from the input. Resolving duplicates is
//! one pass over the object's members, whatever their number (see the figures under Performance).
//!
//! # Aggregated events
//!
//! A trail can summarise its data events into 5-minute records (`eventCategory: "Aggregated"`,
//! `eventType: "AwsAggregatedEvent"`): no `eventTime`, `eventID` or `userIdentity`, but `eventId` (so
//! spelt), `accountId`, `timeWindow` and `summary` ([`TimeWindow`], [`AggregatedSummary`]). The model
//! types them like any member and gives them what every record needs:
//!
//! - [`Event::aggregation`] is the typed view (window, primary dimension, counts);
//! - [`Event::event_time`] is the window start (a record's own `eventTime` always wins);
//! - [`Event::record_id`] is `eventID` or `eventId`, and [`Event::label`] names a record in messages by
//!   kind and id (`AwsAggregatedEvent 62759c1a-...`) instead of a missing `eventID`;
//! - [`Event::account_id`] falls back to the receiving `accountId`.
//!
//! What the project's programs do with them, on purpose:
//!
//! - `stats` counts an aggregated event as one record (it is one), under its `eventSource`, with
//!   `(aggregated)` for its absent `eventName`, and its window start in the time range. It does not add
//!   the summarised counts to the event-name counts: the summaries overlap the data events a trail may
//!   also deliver, and their statistics are top values, not totals of every dimension.
//! - `hunt` gives them to the rules like any record. The built-in rules test `eventName`, `errorCode` and
//!   identities, which aggregated events lack, so none fires on one; a rule of your own can select them
//!   (`eventType: AwsAggregatedEvent`) and test the summary by path
//!   (`summary.primaryDimension.statistics.name`). Their entity is `unknown` ([`Event::acting_principal`]
//!   finds no identity and no source address) and their time, for correlation windows, is the window start.
//! - [`Event::outcome`] reads `success` (there is no error code); it says nothing about the summarised calls.
//!
//! # Deserialising from other sources
//!
//! `Event<'a>` implements `serde::Deserialize<'a>` and can be a member of your own borrowed types, but the
//! raw payloads borrow from the input, so it deserialises from in-memory text: `serde_json::from_str`,
//! `from_slice`, or a `serde_json::Deserializer` over them. Read an `io::Read` into a buffer first, as the
//! `cloudtrail-reader` crate does. Two serde pitfalls apply to any type holding raw JSON and so to this one:
//! it cannot sit inside `#[serde(flatten)]`, internally tagged or untagged enums (serde buffers those into
//! its own value type, which cannot hold raw JSON).
//!
//! # Map
//!
//! | module | holds |
//! |---|---|
//! | `event` | [`Event`], [`RecordLabel`], [`strip_api_version`] |
//! | `identity` | [`UserIdentity`], [`SessionContext`] and its parts, [`OnBehalfOf`], [`InScopeOf`], [`IdentityKind`], [`IdentityCenterUser`] |
//! | `details` | [`Resource`], [`TlsDetails`], [`Addendum`] |
//! | `insight` | [`InsightDetails`] and its parts |
//! | `aggregated` | [`Aggregation`], [`TimeWindow`], [`AggregatedSummary`], [`DimensionStatistics`], [`DimensionValue`] |
//! | `kinds` | the open enumerations [`EventType`], [`EventCategory`], [`IdentityType`], [`SubjectType`] |
//! | `flag`, `time` | [`Flag`] (a boolean as written), [`Timestamp`] and [`parse_time`] |
//! | `json` | [`RawJson`], [`Members`], [`IntoOwned`] |
//! | `projection` | [`Projection`], [`ProjectedEvent`] |
//! | `principal`, `outcome`, `source`, `arn`, `user_agent` | the derived views |
//! | [`summary`] | [`summary::Summary`]: per-principal and whole-input summaries in bounded memory, mergeable across threads |
//! | `anomaly`, `lookalike`, `error` | [`Anomaly`], [`Lookalike`], [`ParseError`] |
//!
//! # Performance
//!
//! `cargo bench -p benches --bench model` (criterion) over the 708 real records of the project corpus
//! (about 1.2 KB each), one core of the project's 2-core machine (Rust 1.95, release profile):
//!
//! | parse | records/s | bytes/s |
//! |---|---:|---:|
//! | `Event::from_json` (borrowed) | 721 K | 815 MiB/s |
//! | borrowed + `entity_id`, `outcome`, `event_time` | 690 K | 777 MiB/s |
//! | `Event::from_json(..).into_owned()` | 509 K | |
//! | `serde_json::Value` (baseline) | 311 K | |
//!
//! Every member is typed and nothing is lost, yet a borrowed record parses 2.3 times as fast as a
//! `serde_json::Value`. Parsing from `&str` skips serde_json's per-string UTF-8 check ([`Event::from_slice`]
//! checks the whole slice once instead), and the large, rarely present members (`userIdentity`,
//! `insightDetails`, `addendum`) are boxed so the record stays small to move.
//!
//! A hostile record of duplicated keys (half distinct unknown members, half alternating unfit and typed
//! `eventName`s; the same bench, group `model/duplicate_keys_*`), medians on the 2-core machine while
//! other builds loaded it (load average 11-14, so compare within the run):
//!
//! | record | `Event::from_json` | `serde_json::Value` |
//! |---|---:|---:|
//! | 1 MB | 15 ms | 69 ms |
//! | 10 MB | 217 ms | 1.01 s |
//!
//! Ten times the size costs 14.5 times the time for both parsers alike (memory, not the algorithm:
//! duplicate resolution is one pass per object); before that pass, each duplicate searched every
//! earlier member and the 1 MB record took 2.7 s.
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod aggregated;
mod anomaly;
mod arn;
mod details;
mod error;
mod event;
mod flag;
mod identity;
mod insight;
mod json;
mod kinds;
mod lookalike;
mod outcome;
mod principal;
mod projection;
mod skip;
mod source;
pub mod summary;
mod time;
mod user_agent;

pub use aggregated::{
    AggregatedSummary, Aggregation, DimensionStatistics, DimensionValue, TimeWindow,
};
pub use anomaly::{Anomaly, AnomalyKind};
pub use arn::{Arn, ArnError};
pub use details::{Addendum, Resource, TlsDetails};
pub use error::ParseError;
pub use event::{Event, RecordLabel, strip_api_version};
pub use flag::Flag;
pub use identity::{
    IdentityCenterUser, IdentityKind, InScopeOf, OnBehalfOf, SessionAttributes, SessionContext,
    SessionIssuer, UserIdentity, WebIdFederationData,
};
pub use insight::{
    AttributionValue, InsightAttribution, InsightAverage, InsightContext, InsightDetails,
    InsightStatistics,
};
pub use json::{IntoOwned, JsonKind, Members, RawJson};
pub use kinds::{EventCategory, EventType, IdentityType, SubjectType};
pub use lookalike::Lookalike;
pub use outcome::{Outcome, is_denied_code};
pub use principal::Principal;
pub use projection::{ProjectedEvent, Projection};
pub use source::SourceAddress;
pub use time::{Timestamp, parse_time};
pub use user_agent::{AiAssistant, Client, OffensiveDistribution, Os, UserAgent};

/// The crate README's examples (its page on the crate registry), compiled and run as doctests so they stay
/// true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// A record that owns its data, for keeping beyond the input buffer.
pub type OwnedEvent = Event<'static>;
