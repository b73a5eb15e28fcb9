//! `hunt --format ocsf`: one OCSF Detection Finding (class 2004) per line, at `--ocsf-version`
//! (`cloudtrail_ocsf::FindingMapper`; its docs say what goes where). Times are the event times of the
//! evidence (`time` is the last record's), never the clock. A finding OCSF cannot hold (no event time:
//! its records had none) is reported on stderr and counted; it still counts for `--fail-on`.

use std::collections::HashMap;

use cloudtrail_detect::{Finding, RuleSet};
use cloudtrail_ocsf::{FindingMapper, OcsfVersion};

use crate::common::{self, Out};

/// Writes the findings, and a note of those that could not be.
pub fn write(out: &mut Out, findings: &[Finding], rules: &RuleSet, version: OcsfVersion) {
    let by_id: HashMap<&str, &cloudtrail_detect::Rule> =
        rules.rules().iter().map(|r| (r.id.as_str(), r)).collect();
    let mapper = FindingMapper::new(version);
    let mut refused = 0;
    for finding in findings {
        match mapper.map(finding, by_id.get(finding.rule_id.as_str()).copied()) {
            Ok(json) => out.line(json),
            Err(error) => {
                refused += 1;
                common::note(format_args!("hunt: ocsf: {error}"));
            }
        }
    }
    if refused > 0 {
        common::note(format_args!(
            "hunt: ocsf: {refused} of {} findings not written (no event time)",
            findings.len()
        ));
    }
}
