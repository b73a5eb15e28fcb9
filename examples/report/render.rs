//! The report's HTML and markdown, and its timeline as inline SVG.
//!
//! The SVG is written here rather than with a plotting crate: a timeline of bars and marks needs no
//! axis layout engine, and this keeps the page free of embedded fonts and the build free of font
//! libraries. Every value from a record goes through [`html`] or [`markdown`].

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};
use cloudtrail_detect::{Finding, Severity};
use cloudtrail_model::summary::{PrincipalSummary, Summary, TopCounts};

use crate::top_list::listed;

/// What the report shows.
pub struct Report<'a> {
    /// The merged summary of every record read.
    pub summary: &'a Summary,
    /// The findings, most severe first.
    pub findings: &'a [Finding],
    /// Errors met in the input.
    pub errors: u64,
    /// Rows per table.
    pub top: usize,
}

/// Text escaped for HTML (element content and quoted attributes), control and bidi characters written
/// as visible `\u{..}` escapes.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Text escaped for a markdown table cell or line: markdown's punctuation backslash-escaped, `<` and
/// `>` as entities (no raw HTML), control and bidi characters as visible escapes.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if unsafe_char(c) => {
                let _ = write!(out, "\\\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

fn unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "-".to_owned(),
        |t| t.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

fn colour(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "#7b1fa2",
        Severity::High => "#c62828",
        Severity::Medium => "#ef6c00",
        Severity::Low => "#f9a825",
        _ => "#607d8b",
    }
}

const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

const STYLE: &str = "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}\
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}th{background:#eee}\
.num{text-align:right}code{word-break:break-all}section{margin-bottom:2em}";

impl Report<'_> {
    /// Principals that appear in a finding, in the summary's order (most active first), each with the
    /// anchor its section has.
    fn principal_anchors(&self) -> Vec<(&str, &PrincipalSummary, String)> {
        let wanted: std::collections::HashSet<&str> =
            self.findings.iter().map(|f| f.entity.as_str()).collect();
        self.summary
            .principals()
            .into_iter()
            .filter(|(entity, _)| wanted.contains(entity))
            .enumerate()
            .map(|(i, (entity, p))| (entity, p, format!("principal-{i}")))
            .collect()
    }

    /// The whole page.
    pub fn html(&self) -> String {
        let principals = self.principal_anchors();
        let anchor_of: HashMap<&str, &str> = principals
            .iter()
            .map(|(entity, _, anchor)| (*entity, anchor.as_str()))
            .collect();
        let s = self.summary;
        let mut page = String::new();
        let _ = write!(
            page,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
             <title>CloudTrail report</title><style>{STYLE}</style></head><body>\n<h1>CloudTrail report</h1>\n"
        );
        // Overview.
        let _ = write!(
            page,
            "<section id=\"overview\"><h2>Overview</h2><table>\
             <tr><th>Records</th><td class=\"num\" id=\"records\">{}</td></tr>\
             <tr><th>Errors in the input</th><td class=\"num\" id=\"errors\">{}</td></tr>\
             <tr><th>Findings</th><td class=\"num\" id=\"findings-count\">{}</td></tr>\
             <tr><th>Accounts</th><td id=\"accounts\">{}</td></tr>\
             <tr><th>Regions</th><td id=\"regions\">{}</td></tr>\
             <tr><th>Time range</th><td id=\"time-range\">{} .. {}</td></tr></table></section>",
            s.records,
            self.errors,
            self.findings.len(),
            html(&listed(&s.accounts, self.top)),
            html(&listed(&s.regions, self.top)),
            time(s.first_seen),
            time(s.last_seen),
        );
        // Timeline.
        page.push_str("\n<section id=\"timeline\"><h2>Activity timeline</h2>\n");
        page.push_str(&self.timeline_svg());
        page.push_str("</section>\n");
        // Top-N tables.
        page.push_str("<section id=\"top\"><h2>Top values</h2>\n");
        for (id, title, values) in [
            ("top-event-names", "Event names", &s.event_names),
            ("top-error-codes", "Error codes", &s.error_codes),
            (
                "top-source-addresses",
                "Source addresses",
                &s.source_addresses,
            ),
        ] {
            let _ = write!(
                page,
                "<h3>{title}</h3><table id=\"{id}\"><tr><th>Value</th><th>Records</th></tr>"
            );
            for (value, count) in values.top().into_iter().take(self.top) {
                let _ = write!(
                    page,
                    "<tr><td><code>{}</code></td><td class=\"num\">{count}</td></tr>",
                    html(value)
                );
            }
            page.push_str("</table>\n");
        }
        page.push_str("</section>\n");
        // Findings.
        page.push_str("<section id=\"findings\"><h2>Findings</h2>\n");
        for (i, f) in self.findings.iter().enumerate() {
            let mitre: Vec<String> = f
                .mitre
                .iter()
                .map(|m| format!("{} {} (v{})", m.tactic, m.technique, m.attack_version))
                .collect();
            let principal = match anchor_of.get(f.entity.as_str()) {
                Some(anchor) => {
                    format!("<a href=\"#{anchor}\"><code>{}</code></a>", html(&f.entity))
                }
                None => format!("<code>{}</code>", html(&f.entity)),
            };
            let _ = write!(
                page,
                "<div class=\"finding\" id=\"finding-{i}\"><h3 style=\"color:{}\">[{}] {}</h3>\
                 <table><tr><th>Rule</th><td><code>{}</code></td></tr>\
                 <tr><th>ATT&amp;CK</th><td>{}</td></tr>\
                 <tr><th>Principal</th><td>{principal}</td></tr>\
                 <tr><th>Account</th><td>{}</td></tr>\
                 <tr><th>Seen</th><td>{} .. {}</td></tr>\
                 <tr><th>Records</th><td class=\"num\">{}</td></tr>\
                 <tr><th>Why</th><td><ul>",
                colour(f.severity),
                f.severity,
                html(&f.title),
                html(&f.rule_id),
                html(&mitre.join(", ")),
                html(f.account.as_deref().unwrap_or("-")),
                time(f.first_seen),
                time(f.last_seen),
                f.events,
            );
            for evidence in &f.explanation {
                let _ = write!(
                    page,
                    "<li><code>{}</code> {}: <code>{}</code></li>",
                    html(&evidence.field),
                    html(&evidence.test),
                    html(&evidence.value)
                );
            }
            page.push_str("</ul></td></tr></table></div>\n");
        }
        page.push_str("</section>\n");
        // Principals.
        page.push_str("<section id=\"principals\"><h2>Principals in findings</h2>\n");
        for (entity, p, anchor) in &principals {
            let _ = write!(
                page,
                "<div class=\"principal\" id=\"{anchor}\"><h3><code>{}</code></h3><p>Findings: ",
                html(entity)
            );
            let links: Vec<String> = self
                .findings
                .iter()
                .enumerate()
                .filter(|(_, f)| f.entity == *entity)
                .map(|(i, f)| format!("<a href=\"#finding-{i}\">{}</a>", html(&f.rule_id)))
                .collect();
            page.push_str(&links.join(", "));
            let _ = write!(
                page,
                "</p><table><tr><th>Seen</th><td>{} .. {}</td></tr>\
                 <tr><th>Records</th><td class=\"num\">{}</td></tr>\
                 <tr><th>Denied</th><td class=\"num\">{}</td></tr>\
                 <tr><th>Failed</th><td class=\"num\">{}</td></tr>\
                 <tr><th>Console sign-ins</th><td>{} with MFA, {} without</td></tr>",
                time(p.first_seen),
                time(p.last_seen),
                p.events,
                p.denied,
                p.failed,
                p.console_logins_with_mfa,
                p.console_logins_without_mfa
            );
            for (title, values) in principal_fields(p) {
                let _ = write!(
                    page,
                    "<tr><th>{title}</th><td>{}</td></tr>",
                    html(&listed(values, self.top))
                );
            }
            page.push_str("</table></div>\n");
        }
        page.push_str("</section>\n</body></html>\n");
        page
    }

    /// Bars of records per hour (success, failure, denied stacked) and a mark per finding at its first
    /// record, one row per severity, each mark a link to its finding.
    fn timeline_svg(&self) -> String {
        const WIDTH: f64 = 1000.0;
        const BARS: f64 = 160.0;
        const ROW: f64 = 18.0;
        let hours: Vec<_> = self.summary.activity.hours().collect();
        let height = BARS + 30.0 + ROW * SEVERITIES.len() as f64;
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
             viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"records per hour and findings\">"
        );
        let (Some(first), Some(last)) = (hours.first(), hours.last()) else {
            svg.push_str("<text x=\"10\" y=\"20\">no records with an event time</text></svg>\n");
            return svg;
        };
        let start = first.0.timestamp() as f64;
        let span = (last.0.timestamp() as f64 + 3600.0 - start).max(3600.0);
        let left = 80.0;
        let plot = WIDTH - left - 10.0;
        let x = |t: f64| left + (t - start) / span * plot;
        let bar_width = (plot * 3600.0 / span).max(1.0);
        let peak = hours
            .iter()
            .map(|(_, c)| c.total())
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        for (hour, counts) in &hours {
            let mut y = BARS;
            for (value, fill) in [
                (counts.success, "#90caf9"),
                (counts.failure, "#ffb74d"),
                (counts.denied, "#e57373"),
            ] {
                if value == 0 {
                    continue;
                }
                let h = value as f64 / peak * (BARS - 10.0);
                y -= h;
                let _ = write!(
                    svg,
                    "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{bar_width:.1}\" height=\"{h:.1}\" fill=\"{fill}\"/>",
                    x(hour.timestamp() as f64)
                );
            }
        }
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"12\" font-size=\"11\">{} / h</text>\
             <line x1=\"{left}\" y1=\"{BARS}\" x2=\"{}\" y2=\"{BARS}\" stroke=\"#999\"/>\
             <text x=\"{left}\" y=\"{}\" font-size=\"11\">{}</text>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            peak,
            WIDTH - 10.0,
            BARS + 14.0,
            time(Some(first.0)),
            WIDTH - 10.0,
            BARS + 14.0,
            time(Some(last.0 + chrono::Duration::hours(1))),
        );
        for (row, severity) in SEVERITIES.iter().enumerate() {
            let y = BARS + 30.0 + ROW * row as f64;
            let _ = write!(
                svg,
                "<text x=\"0\" y=\"{:.1}\" font-size=\"11\">{severity}</text>",
                y + 4.0
            );
            for (i, f) in self.findings.iter().enumerate() {
                let Some(seen) = f.first_seen.filter(|_| f.severity == *severity) else {
                    continue;
                };
                let _ = write!(
                    svg,
                    "<a href=\"#finding-{i}\"><circle class=\"finding-mark\" cx=\"{:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"{}\"><title>{}</title></circle></a>",
                    x((seen.timestamp() as f64).clamp(start, start + span)),
                    colour(f.severity),
                    html(&format!("{} {} {}", f.severity, f.rule_id, f.entity)),
                );
            }
        }
        svg.push_str("</svg>\n");
        svg
    }

    /// A markdown summary: the overview, the top tables and the findings.
    pub fn markdown(&self) -> String {
        let s = self.summary;
        let mut text = String::from("# CloudTrail report\n\n");
        let _ = write!(
            text,
            "- Records: {}\n- Errors in the input: {}\n- Findings: {}\n- Accounts: {}\n- Regions: {}\n- Time range: {} .. {}\n\n",
            s.records,
            self.errors,
            self.findings.len(),
            markdown(&listed(&s.accounts, self.top)),
            markdown(&listed(&s.regions, self.top)),
            time(s.first_seen),
            time(s.last_seen)
        );
        for (title, values) in [
            ("Event names", &s.event_names),
            ("Error codes", &s.error_codes),
            ("Source addresses", &s.source_addresses),
        ] {
            let _ = write!(text, "## {title}\n\n| Value | Records |\n|---|---:|\n");
            for (value, count) in values.top().into_iter().take(self.top) {
                let _ = writeln!(text, "| {} | {count} |", markdown(value));
            }
            text.push('\n');
        }
        text.push_str("## Findings\n\n| Severity | Rule | ATT&CK | Principal | First seen | Records |\n|---|---|---|---|---|---:|\n");
        for f in self.findings {
            let mitre: Vec<&str> = f.mitre.iter().map(|m| m.technique.as_str()).collect();
            let _ = writeln!(
                text,
                "| {} | {} | {} | {} | {} | {} |",
                f.severity,
                markdown(&f.rule_id),
                markdown(&mitre.join(", ")),
                markdown(&f.entity),
                time(f.first_seen),
                f.events
            );
        }
        text
    }
}

fn principal_fields(p: &PrincipalSummary) -> [(&'static str, &TopCounts); 8] {
    [
        ("Event sources", &p.event_sources),
        ("Event names", &p.event_names),
        ("Refused calls", &p.refused_event_names),
        ("Regions", &p.regions),
        ("Source addresses", &p.source_addresses),
        ("User agents", &p.user_agents),
        ("Access keys", &p.access_keys),
        ("Accounts", &p.accounts),
    ]
}
