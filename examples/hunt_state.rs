//! `hunt --state FILE`: the correlator's state carried from one run to the next (see the README's "Daily
//! runs"). A missing file starts afresh (said on stderr); a file that cannot be read as a state is an
//! error naming it, never an empty start.

use std::path::Path;

use chrono::Duration;
use cloudtrail_detect::{Correlator, RuleSet, Saved, StateFileError, StateOptions};

/// The correlator to start from: the state in `path`, or a new one when there is no such file.
pub fn open<'r>(
    rules: &'r RuleSet,
    lateness: Duration,
    path: &Path,
) -> Result<Correlator<'r>, StateFileError> {
    match Correlator::load_state_file(rules, lateness, path, &StateOptions::default()) {
        Ok((correlator, loaded)) => {
            let size = correlator.state_size();
            crate::common::note(format_args!(
                "hunt: state {}: {} groups and {} waiting matches loaded{}{}{}",
                path.display(),
                size.groups,
                size.pending,
                listed("; dropped with rules no longer run", &loaded.dropped_rules),
                listed("; dropped as their kind changed", &loaded.changed_rules),
                if loaded.aged_out > 0 {
                    format!(
                        "; {} first-seen values past the age limit dropped",
                        loaded.aged_out
                    )
                } else {
                    String::new()
                },
            ));
            Ok(correlator)
        }
        Err(error) if error.is_not_found() => {
            crate::common::note(format_args!(
                "hunt: state {} does not exist yet: starting afresh",
                path.display()
            ));
            Ok(Correlator::new(rules, lateness))
        }
        Err(error) => Err(error),
    }
}

fn listed(what: &str, ids: &[String]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!("{what}: {}", ids.join(", "))
    }
}

/// The table's heading over the findings still open at the end of a run with `--state`.
pub const OPEN_HEADING: &str = "\nStill open at the end of this run (kept in the state; the run that closes them reports them again):";

/// Says on stderr what the state saved carries to the next run.
pub fn report(path: &Path, saved: &Saved) {
    crate::common::note(format_args!(
        "hunt: state {} saved: {} groups and {} waiting matches carried to the next run ({} bytes)",
        path.display(),
        saved.groups,
        saved.pending,
        saved.bytes
    ));
}

/// Saves the state to `path` (atomically) instead of finishing: what is still open carries over.
pub fn keep(correlator: &Correlator<'_>, path: &Path) -> Result<Saved, StateFileError> {
    correlator.save_state_file(path, &StateOptions::default())
}
