//! One line for a [`TopCounts`]: shared by the summary and report examples.

use cloudtrail_model::summary::TopCounts;

/// `value (count), ...` of the kept values, most frequent first, `...` at the end when values were
/// left out, `-` when there are none. Unescaped: the caller escapes for its format.
pub fn listed(top: &TopCounts, limit: usize) -> String {
    let rows = top.top();
    let mut text = rows
        .iter()
        .take(limit)
        .map(|(value, count)| format!("{value} ({count})"))
        .collect::<Vec<_>>()
        .join(", ");
    if rows.len() > limit || top.dropped() > 0 {
        text.push_str(", ...");
    }
    if text.is_empty() {
        "-".to_owned()
    } else {
        text
    }
}
