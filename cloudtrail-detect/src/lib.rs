//! `cloudtrail-detect`: under construction.
#![deny(missing_docs)]
