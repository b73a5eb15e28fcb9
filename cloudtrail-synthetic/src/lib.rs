//! Deterministic synthetic CloudTrail data (being written).
