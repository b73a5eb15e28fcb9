//! Summaries: merging per-worker states equals one fold, the bounds hold on hostile input, and the counts
//! are the ones a person would count.

use cloudtrail_model::Event;
use cloudtrail_model::summary::{Summary, SummaryOptions};
use proptest::prelude::*;

fn record(principal: u8, name: u8, error: bool, minute: u32, key: u8, agent: u8) -> String {
    let agents = [
        "aws-cli/2.15.0 Python/3.11",
        "Boto3/1.34.0",
        "console.amazonaws.com",
        "Mozilla/5.0 (X11; Linux x86_64)",
    ];
    let error = if error {
        r#","errorCode":"AccessDenied""#
    } else {
        ""
    };
    format!(
        r#"{{"eventVersion":"1.11","eventTime":"2024-05-01T{:02}:{:02}:00Z","eventSource":"s3.amazonaws.com","eventName":"Name{name}","awsRegion":"eu-west-{}","sourceIPAddress":"203.0.113.{}","userAgent":"{}","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u{principal}","accountId":"111122223333","accessKeyId":"AKIA{key:016}"}}{error}}}"#,
        minute / 60 % 24,
        minute % 60,
        name % 3,
        principal,
        agents[agent as usize % agents.len()],
    )
}

fn fold(lines: &[String]) -> Summary {
    let mut summary = Summary::new(SummaryOptions::default());
    for line in lines {
        summary.add(&Event::from_json(line).unwrap());
    }
    summary
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Within the bounds, any split of the input into two workers' shares merges into the single fold.
    #[test]
    fn merged_halves_equal_one_fold(
        fields in proptest::collection::vec((0u8..20, 0u8..12, any::<bool>(), 0u32..3000, 0u8..4, 0u8..4), 0..200),
        split in 0usize..200,
    ) {
        let lines: Vec<String> = fields.iter().map(|f| record(f.0, f.1, f.2, f.3, f.4, f.5)).collect();
        let split = split.min(lines.len());
        let mut merged = fold(&lines[..split]);
        merged.merge(&fold(&lines[split..]));
        prop_assert_eq!(merged, fold(&lines));
    }
}

#[test]
fn a_million_distinct_principals_stay_within_the_bound() {
    let options = SummaryOptions::default()
        .principals(1_000)
        .values_per_principal(4)
        .top(10);
    let mut summary = Summary::new(options);
    let mut peak = 0;
    for i in 0..1_000_000u32 {
        let line = format!(
            r#"{{"eventTime":"2024-05-01T00:00:00Z","eventName":"E{i}","errorCode":"C{i}","sourceIPAddress":"10.{}.{}.{}","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/attacker-{i}"}}}}"#,
            i >> 16,
            (i >> 8) & 255,
            i & 255
        );
        summary.add(&Event::from_json(&line).unwrap());
        peak = peak.max(summary.principal_count());
    }
    assert!(peak <= 1_500, "{peak} principals kept");
    assert!(summary.event_names.len() <= 15 && summary.error_codes.len() <= 15);
    // Conservation: every record is in a kept principal or counted as dropped.
    let kept: u64 = summary.principals().iter().map(|(_, p)| p.events).sum();
    assert_eq!(kept + summary.principals_dropped, 1_000_000);
    assert_eq!(summary.records, 1_000_000);
    assert!(!summary.event_names.is_exact());
}

#[test]
fn hours_spread_over_millennia_stay_within_the_bound() {
    let mut summary = Summary::new(SummaryOptions::default().hours(100));
    for year in 1000..9000 {
        let line = format!(r#"{{"eventTime":"{year}-01-01T00:00:00Z","eventName":"E"}}"#);
        summary.add(&Event::from_json(&line).unwrap());
    }
    assert_eq!(summary.activity.hours().count(), 100);
    let kept: u64 = summary.activity.hours().map(|(_, c)| c.total()).sum();
    assert_eq!(kept + summary.activity.earlier.total(), 8_000);
    assert_eq!(
        summary
            .activity
            .hours()
            .next()
            .unwrap()
            .0
            .format("%Y")
            .to_string(),
        "8900"
    );
}

#[test]
fn counts_match_a_hand_count() {
    let lines = [
        // alice: a CLI read, a denied console-browser call, a console sign-in without MFA
        r#"{"eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","userAgent":"aws-cli/2.15.0","recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accessKeyId":"AKIAIOSFODNN7EXAMPLE"}}"#,
        r#"{"eventTime":"2024-05-01T10:30:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","userAgent":"Mozilla/5.0 (Macintosh)","errorCode":"AccessDenied","recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice"}}"#,
        r#"{"eventTime":"2024-05-01T11:10:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.2","userAgent":"Mozilla/5.0 (Macintosh)","recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice"},"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"}}"#,
        // a role session: the acting principal is the role, without the session name
        r#"{"eventTime":"2024-05-01T09:59:59Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"eu-west-1","sourceIPAddress":"ec2.amazonaws.com","userAgent":"Boto3/1.34.0","errorCode":"Client.InsufficientInstanceCapacity","recipientAccountId":"444455556666","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::444455556666:assumed-role/deployer/i-0abc","accountId":"444455556666"}}"#,
    ];
    let summary = fold(&lines.map(str::to_owned));
    assert_eq!(summary.records, 4);
    assert_eq!(
        summary.first_seen.unwrap().to_rfc3339(),
        "2024-05-01T09:59:59+00:00"
    );
    assert_eq!(
        summary.last_seen.unwrap().to_rfc3339(),
        "2024-05-01T11:10:00+00:00"
    );
    let hours: Vec<(String, u64, u64, u64)> = summary
        .activity
        .hours()
        .map(|(h, c)| (h.format("%H").to_string(), c.success, c.failure, c.denied))
        .collect();
    assert_eq!(
        hours,
        [
            ("09".into(), 0, 1, 0),
            ("10".into(), 1, 0, 1),
            ("11".into(), 1, 0, 0)
        ]
    );
    assert_eq!(
        summary.accounts.top(),
        [("111122223333", 3), ("444455556666", 1)]
    );
    assert_eq!(
        summary.error_codes.top(),
        [
            ("AccessDenied", 1),
            ("Client.InsufficientInstanceCapacity", 1)
        ]
    );

    let alice = summary
        .principal("arn:aws:iam::111122223333:user/alice")
        .unwrap();
    assert_eq!((alice.events, alice.denied, alice.failed), (3, 1, 0));
    assert_eq!(
        (
            alice.console_logins_with_mfa,
            alice.console_logins_without_mfa
        ),
        (0, 1)
    );
    assert_eq!(
        alice.source_addresses.top(),
        [("203.0.113.7", 2), ("198.51.100.2", 1)]
    );
    assert_eq!(alice.user_agents.top(), [("browser", 2), ("aws-cli", 1)]);
    assert_eq!(alice.refused_event_names.top(), [("CreateUser", 1)]);
    assert_eq!(alice.access_keys.top(), [("AKIAIOSFODNN7EXAMPLE", 1)]);
    let role = summary
        .principal("arn:aws:sts::444455556666:assumed-role/deployer")
        .unwrap();
    assert_eq!((role.events, role.failed), (1, 1));
    assert_eq!(role.user_agents.top(), [("sdk:Boto3", 1)]);
    assert_eq!(
        summary.principals()[0].0,
        "arn:aws:iam::111122223333:user/alice"
    );
}
