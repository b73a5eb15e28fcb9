//! CloudTrail to OCSF, as Amazon Security Lake maps it, validated, and written as Parquet.
//!
//! (Crate docs are written as the modules land: mapping, validation, Arrow, Parquet, flat layout.)
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod class;
mod version;

pub use class::OcsfClass;
pub use version::{OcsfVersion, UnknownVersion};
