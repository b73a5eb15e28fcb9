//! [`Stats`]: what was read, delivered, reported and skipped.

/// Counts for one read. Records are conserved: every record the reader found is either delivered or
/// reported, `records_read() == records_delivered + records_reported`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Inputs opened and read (including those that failed).
    pub inputs_read: u64,
    /// Inputs that ended with an error (unreadable, corrupt, not CloudTrail).
    pub inputs_failed: u64,
    /// Files not opened because the layout filter excludes them.
    pub files_pruned: u64,
    /// CloudTrail digest files recognised and set aside.
    pub digests_skipped: u64,
    /// Bytes of input as stored (compressed or not).
    pub bytes_read: u64,
    /// Bytes of content after decompression.
    pub bytes_decompressed: u64,
    /// Records handed to the caller.
    pub records_delivered: u64,
    /// Records lost to an error: bad records, and the record an input was cut short in.
    pub records_reported: u64,
    /// Errors reported, of every kind.
    pub errors: u64,
}

impl Stats {
    /// Records found: delivered plus reported.
    pub fn records_read(&self) -> u64 {
        self.records_delivered + self.records_reported
    }

    /// Adds another worker's counts to these.
    pub fn merge(&mut self, other: &Stats) {
        self.inputs_read += other.inputs_read;
        self.inputs_failed += other.inputs_failed;
        self.files_pruned += other.files_pruned;
        self.digests_skipped += other.digests_skipped;
        self.bytes_read += other.bytes_read;
        self.bytes_decompressed += other.bytes_decompressed;
        self.records_delivered += other.records_delivered;
        self.records_reported += other.records_reported;
        self.errors += other.errors;
    }
}
