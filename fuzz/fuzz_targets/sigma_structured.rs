//! Structure-aware Sigma loading: the fuzzer's bytes choose a rule file (anchors and aliases, nested
//! aliases, selections with modifiers, conditions with deep parentheses and `not`s), written as YAML and
//! loaded. Properties: no panic, no runaway memory (alias bombs and deep conditions must be refused by
//! the loader's bounds), every failure names the file, and compiled rules run on a record.
#![no_main]

use cloudtrail_detect::RuleSet;
use cloudtrail_detect::sigma::SigmaLoader;
use cloudtrail_model::Event;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

const FIELDS: &[&str] = &[
    "eventName",
    "eventSource",
    "userAgent",
    "sourceIPAddress",
    "errorCode",
    "userIdentity.type",
    "userIdentity.onBehalfOf.subjectType",
    "requestParameters",
    "requestParameters.bucketName",
    "requestParameters.bucketPolicy.Statement.Principal",
    "responseElements.ConsoleLogin",
    "summary.primaryDimension.statistics.name",
];

const MODIFIERS: &[&str] = &[
    "",
    "|contains",
    "|startswith",
    "|endswith",
    "|contains|all",
    "|re",
    "|re|i",
    "|cidr",
    "|exists",
    "|base64",
    "|base64offset|contains",
    "|cased",
    "|gt",
    "|lte",
    "|windash",
    "|expand",
];

const WORDS: &[&str] = &[
    "GetObject",
    "*",
    "?",
    "a",
    "ab",
    "s3.amazonaws.com",
    "10.0.0.0/8",
    "true",
    "1",
    "(a+)+$",
    "\\*",
    "AccessDenied",
    "workload",
    "",
    "x{1000}{1000}",
    "((((((((a))))))))",
];

/// A single-quoted YAML scalar (a quote is doubled).
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn value(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(if u.ratio(1, 4)? {
        let text: String = u.arbitrary()?;
        quoted(
            &text
                .chars()
                .filter(|c| !c.is_control())
                .take(64)
                .collect::<String>(),
        )
    } else {
        quoted(u.choose(WORDS)?)
    })
}

/// A condition over the selections `sel0..n`: nested parentheses, `not`, `and`/`or`, `1 of`/`all of`.
fn condition(u: &mut Unstructured<'_>, selections: usize, depth: usize) -> Result<String> {
    if depth == 0 || u.ratio(1, 3)? {
        return Ok(match u.int_in_range(0..=3)? {
            0 => "1 of sel*".to_owned(),
            1 => "all of them".to_owned(),
            2 => "nosuchselection".to_owned(),
            _ => format!("sel{}", u.int_in_range(0..=selections - 1)?),
        });
    }
    Ok(match u.int_in_range(0..=3)? {
        0 => format!("not {}", condition(u, selections, depth - 1)?),
        1 => format!("({})", condition(u, selections, depth - 1)?),
        2 => format!(
            "{} and {}",
            condition(u, selections, depth - 1)?,
            condition(u, selections, depth - 1)?
        ),
        _ => format!(
            "{} or {}",
            condition(u, selections, depth - 1)?,
            condition(u, selections, depth - 1)?
        ),
    })
}

fn rule_file(u: &mut Unstructured<'_>) -> Result<String> {
    let mut text = String::from(
        "title: fuzzed\nid: fuzzed\nlevel: high\nlogsource: {product: aws, service: cloudtrail}\n",
    );
    // Anchors: a list of values, then lists of aliases to earlier anchors (the alias-bomb shape).
    let anchors = u.int_in_range(0..=12)?;
    for a in 0..anchors {
        let width = u.int_in_range(1..=12)?;
        let items = (0..width)
            .map(|_| {
                if a > 0 && u.ratio(3, 4)? {
                    Ok(format!("*a{}", u.int_in_range(0..=a - 1)?))
                } else {
                    value(u)
                }
            })
            .collect::<Result<Vec<_>>>()?;
        text.push_str(&format!("x{a}: &a{a} [{}]\n", items.join(", ")));
    }
    text.push_str("detection:\n");
    let selections = u.int_in_range(1..=4)?;
    for s in 0..selections {
        text.push_str(&format!("    sel{s}:\n"));
        for _ in 0..u.int_in_range(1..=3)? {
            let field = u.choose(FIELDS)?;
            let modifier = u.choose(MODIFIERS)?;
            let rendered = if anchors > 0 && u.ratio(1, 3)? {
                format!("*a{}", u.int_in_range(0..=anchors - 1)?)
            } else if u.ratio(1, 3)? {
                format!("[{}, {}]", value(u)?, value(u)?)
            } else {
                value(u)?
            };
            text.push_str(&format!("        {field}{modifier}: {rendered}\n"));
        }
    }
    // Sometimes a condition far deeper than any rule needs.
    let condition = if u.ratio(1, 8)? {
        let depth = u.int_in_range(1..=5000)?;
        format!("{}sel0{}", "(".repeat(depth), ")".repeat(depth))
    } else {
        let depth = u.int_in_range(0..=12)?;
        condition(u, selections, depth)?
    };
    text.push_str(&format!("    condition: {condition}\n"));
    if u.ratio(1, 4)? {
        text.push_str("---\ntitle: corr\ncorrelation:\n    type: event_count\n    rules: [fuzzed]\n    group-by: [userIdentity.arn]\n    timespan: ");
        text.push_str(u.choose(&["5m", "1h", "20000000w", "0s", "x"])?);
        text.push_str("\n    condition: {gte: 2}\n");
    }
    Ok(text)
}

const RECORD: &str = r#"{"eventVersion":"1.11","eventTime":"2026-05-04T02:03:44Z","eventID":"e-1",
  "eventSource":"s3.amazonaws.com","eventName":"GetObject","userAgent":"aws-cli/2.15.0",
  "sourceIPAddress":"10.1.2.3","userIdentity":{"type":"AssumedRole",
  "arn":"arn:aws:sts::111122223333:assumed-role/R/s","onBehalfOf":{"subjectType":"workload"}},
  "requestParameters":{"bucketName":"ab","bucketPolicy":{"Statement":[{"Principal":{"AWS":"*"}}]}}}"#;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(text) = rule_file(&mut u) else {
        return;
    };
    let mut loader = SigmaLoader::new();
    let parsed = loader.add_str("fuzz.yml", &text);
    let loaded = loader.compile();
    assert!(loaded.rules.len() <= parsed);
    for failure in &loaded.failures {
        assert_eq!(failure.source.to_str(), Some("fuzz.yml"));
        assert!(!failure.to_string().is_empty());
    }
    if let Ok(rules) = RuleSet::new(loaded.rules) {
        let event = Event::from_json(RECORD).expect("the fixed record parses");
        let mut matches = Vec::new();
        rules.matches(&event, &mut matches);
        assert!(matches.iter().all(|m| m.rule < rules.rules().len()));
    }
});
