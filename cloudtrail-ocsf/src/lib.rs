//! `cloudtrail-ocsf`: under construction.
#![deny(missing_docs)]
