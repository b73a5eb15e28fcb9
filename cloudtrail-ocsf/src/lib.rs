//! CloudTrail to OCSF, as Amazon Security Lake maps it, validated, and written as Parquet.
//!
//! (Crate docs are written as the modules land: mapping, validation, Arrow, Parquet, flat layout.)
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod activity;
#[cfg(feature = "parquet")]
mod batch;
mod class;
#[cfg(feature = "parquet")]
mod columns;
mod error;
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
pub use mapper::Mapper;
pub use options::{ClassTable, MappingOptions};
pub use record::OcsfEvent;
pub use validation::{Problem, ValidationError, Violation, validate};
pub use version::{OcsfVersion, UnknownVersion};
