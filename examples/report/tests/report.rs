//! The `report` example over the bundled sample: the page holds every section, its numbers equal an
//! independent count made here (records, findings per the same rule pack), findings and principals link
//! both ways, nothing reaches for the network, and values from records come out escaped in HTML and
//! markdown.

use std::path::{Path, PathBuf};

mod support;
use support::{report, scratch};

fn logs() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/AWSLogs"))
}

/// Records, and findings of the built-in pack, counted without the example.
fn independent_counts() -> (u64, usize, Vec<String>) {
    let (stats, findings) = support::pack_findings(&logs());
    let entities = findings.iter().map(|f| f.entity.clone()).collect();
    (stats.records_delivered, findings.len(), entities)
}

/// The text between `<tag ... id="id"...>` and the next `</tag>`.
fn element<'a>(page: &'a str, tag: &str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element with id {id}"));
    let open = page[start..].find('>').unwrap() + start + 1;
    let close = page[open..].find(&format!("</{tag}>")).unwrap() + open;
    &page[open..close]
}

fn attribute_values<'a>(page: &'a str, prefix: &str) -> Vec<&'a str> {
    page.match_indices(prefix)
        .map(|(i, _)| {
            let rest = &page[i + prefix.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn the_page_holds_every_section_and_the_right_numbers() {
    let (records, findings, entities) = independent_counts();
    assert!(findings > 10, "the sample has planted scenarios");
    let dir = scratch("sample");
    let out = dir.join("report.html");
    let md = dir.join("report.md");
    let run = report(&[
        logs().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--markdown",
        md.to_str().unwrap(),
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.trim_end().ends_with("</html>"));
    for section in ["overview", "timeline", "top", "findings", "principals"] {
        assert!(
            page.contains(&format!("<section id=\"{section}\">")),
            "{section}"
        );
    }
    assert_eq!(
        page.matches("<section").count(),
        page.matches("</section>").count()
    );
    assert_eq!(element(&page, "td", "records"), records.to_string());
    assert_eq!(element(&page, "td", "errors"), "0");
    assert_eq!(element(&page, "td", "findings-count"), findings.to_string());
    assert_eq!(
        page.matches("<div class=\"finding\" id=\"finding-").count(),
        findings
    );
    // One mark on the timeline per finding (each has a first record time).
    assert_eq!(page.matches("class=\"finding-mark\"").count(), findings);
    // The top tables are there, and AccessDenied, the planted scenarios' error, is counted.
    let errors = element(&page, "table", "top-error-codes");
    assert!(errors.contains("<code>AccessDenied</code>"), "{errors}");
    assert!(element(&page, "table", "top-event-names").contains("<tr><td>"));
    assert!(element(&page, "table", "top-source-addresses").contains("<tr><td>"));
    // ATT&CK ids with the findings.
    assert!(page.contains("T1078.004"), "root console login's technique");
    // Linked both ways: every link points at an anchor that exists, every principal section links to
    // a finding, and every principal in a finding that the summary keeps has its section.
    let anchors: std::collections::HashSet<&str> =
        attribute_values(&page, " id=\"").into_iter().collect();
    let links = attribute_values(&page, "href=\"#");
    assert!(links.iter().any(|l| l.starts_with("principal-")));
    for link in &links {
        assert!(anchors.contains(link), "dangling link #{link}");
    }
    let principal_sections = page.matches("<div class=\"principal\"").count();
    let mut distinct = entities.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(principal_sections, distinct.len());
    // Self-contained: nothing to fetch.
    for banned in ["<script", "src=\"http", "href=\"http", "@import", "url("] {
        assert!(!page.contains(banned), "{banned}");
    }
    let markdown = std::fs::read_to_string(&md).unwrap();
    assert!(markdown.contains(&format!("- Records: {records}\n")));
    assert!(markdown.contains(&format!("- Findings: {findings}\n")));
    assert_eq!(
        markdown
            .lines()
            .filter(|l| l.starts_with("| ") && l.contains("aws-"))
            .count(),
        findings
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn hostile(dir: &Path) -> PathBuf {
    // CreateUser triggers a built-in rule, so the hostile principal is in a finding and its section.
    let record = serde_json::json!({
        "eventVersion": "1.11", "eventTime": "2024-05-01T10:00:00Z",
        "eventSource": "iam.amazonaws.com", "eventName": "CreateUser", "eventID": "e-1",
        "awsRegion": "us-east-1", "sourceIPAddress": "<script>alert(2)</script>",
        "userAgent": "<script>alert(1)</script>\u{1b}]0;owned\u{7}\u{1b}[31m",
        "errorCode": "<img src=x onerror=alert(3)>\u{1b}[2J",
        "userIdentity": {"type": "IAMUser", "accountId": "111122223333",
            "arn": "arn:aws:iam::111122223333:user/<script>eve</script>\u{1b}[31m"},
        "requestParameters": {"userName": "<script>x</script>"},
    });
    let path = dir.join("hostile.jsonl");
    std::fs::write(&path, format!("{record}\n")).unwrap();
    path
}

#[test]
fn script_and_ansi_escapes_from_records_come_out_escaped() {
    let dir = scratch("hostile");
    let input = hostile(&dir);
    let out = dir.join("report.html");
    let md = dir.join("report.md");
    let run = report(&[
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--markdown",
        md.to_str().unwrap(),
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let page = std::fs::read_to_string(&out).unwrap();
    let markdown = std::fs::read_to_string(&md).unwrap();
    for text in [&page, &markdown] {
        assert!(!text.contains("<script"), "{text}");
        assert!(!text.contains("<img"), "{text}");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
    }
    assert!(
        page.contains("&lt;script&gt;eve&lt;/script&gt;\\u{1b}[31m"),
        "{page}"
    );
    assert!(
        page.contains("&lt;img src=x onerror=alert(3)&gt;"),
        "{page}"
    );
    assert!(
        page.contains("<div class=\"principal\""),
        "the hostile principal has its section"
    );
    assert!(
        markdown.contains("&lt;script&gt;eve&lt;/script&gt;"),
        "{markdown}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
