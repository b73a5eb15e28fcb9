//! [`GeneratorConfig`]: what to generate.

use chrono::{DateTime, TimeZone, Utc};

/// What [`crate::generate_tree`] writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratorConfig {
    /// Background records to write (planted attack records come on top).
    pub records: u64,
    /// The seed: the same seed writes the same tree.
    pub seed: u64,
    /// Account ids the files are spread over.
    pub accounts: Vec<String>,
    /// Regions the files are spread over.
    pub regions: Vec<String>,
    /// Delivery time of the first file.
    pub start: DateTime<Utc>,
    /// Days the deliveries span.
    pub days: u32,
    /// Fewest records in a file.
    pub min_records_per_file: usize,
    /// Most records in a file.
    pub max_records_per_file: usize,
    /// Whether to plant the attack scenarios of [`crate::SCENARIOS`].
    pub plant_attacks: bool,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        GeneratorConfig {
            records: 10_000,
            seed: 1,
            accounts: vec!["111122223333".into(), "444455556666".into()],
            regions: vec!["us-east-1".into(), "eu-west-1".into()],
            start: Utc
                .with_ymd_and_hms(2024, 5, 1, 0, 0, 0)
                .single()
                .unwrap_or_default(),
            days: 7,
            min_records_per_file: 50,
            max_records_per_file: 2000,
            plant_attacks: true,
        }
    }
}
