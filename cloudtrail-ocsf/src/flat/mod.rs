//! The flat CloudTrail layout: one column per top-level CloudTrail member, with CloudTrail's names, as
//! the Glue ETL job and the DuckDB recipes write it, but lossless.
//!
//! [`flat_schema`] lists the columns; [`FlatBatchBuilder`] fills them from borrowed records. The rules:
//!
//! - Strings, open enumerations (`eventType`, `userIdentity.type`, ...) and `creationDate` are `Utf8`,
//!   as written.
//! - The open-ended blobs (`requestParameters`, `responseElements`, `additionalEventData`,
//!   `serviceEventDetails`, `edgeDeviceDetails`, `eventContext`, `webIdFederationData.attributes`,
//!   `addendum.updatedFields`) are `Utf8` holding the JSON text exactly as in the input, spacing
//!   included; a JSON `null` is the text `null`, an absent member is SQL `NULL`. `insightDetails` is JSON
//!   text too, written again from the parsed record (same value, normalised spacing).
//! - `eventTime` is `Timestamp(Millisecond, "UTC")`. When the written text is not exactly what
//!   [`render_time`] gives for that instant (`2024-05-01T12:00:00Z`, or `.250Z` with milliseconds) — a
//!   space for `T`, an offset, finer fractions, the basic form, or not a time at all (the column is then
//!   `NULL`) — the text is also kept in `_other`.
//! - Yes/no members are `Boolean` holding their meaning (`true`/`false` in any letter case, as
//!   `cloudtrail_model::Flag::value` reads them); `NULL` when absent or neither. When the written form is
//!   not the member's usual one — a JSON boolean for `managementEvent` and `readOnly`, the strings
//!   `"true"`/`"false"` for `mfaAuthenticated`, `assumedRoot` and `sessionCredentialFromConsole` — it is
//!   also kept in `_other`.
//! - `resources` is a list of `{ARN, accountId, type}`; when an item has other members, the whole array
//!   as written is also kept in `_other`.
//! - `_other` ([`OTHER_COLUMN`]) is a JSON object, nested like the record, of everything the columns do
//!   not hold: members the model does not know and values that do not fit their member's type (a
//!   `userIdentity` that is a string, a `readOnly` that is a number), at every level, plus the copies
//!   above. It is `NULL` when there is nothing to keep, which is the case for almost every real record.
//!
//! So a record is rebuilt from its row by turning the row into JSON (structs as objects, `NULL` members
//! left out, `eventTime` through [`render_time`], blobs parsed, flags in their usual form) and merging
//! `_other` over it: objects member by member, any other value replacing. The result equals the input as
//! a JSON value (`tests/flat.rs` checks this for the whole corpus and for generated records).

mod builder;
mod columns;
mod other;
mod schema;

pub use builder::{FlatBatchBuilder, FlatError, render_time};
pub use schema::{OTHER_COLUMN, TIME_COLUMN, flat_schema};
