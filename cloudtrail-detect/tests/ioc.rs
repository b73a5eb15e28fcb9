//! IOC lists: reading plain and CSV lists (bad lines reported with file and line, the rest loaded) and
//! matching every member a list can name.

use cloudtrail_detect::ioc::{IndicatorKind, IocSet};
use cloudtrail_model::Event;

const RECORD: &str = r#"{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com",
  "eventName":"ListBuckets","sourceIPAddress":"203.0.113.77","userAgent":"[aws-cli/2.15.0 Python/3.11 Darwin/23.4.0]",
  "userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:i-0abc1234def567890",
  "arn":"arn:aws:sts::111122223333:assumed-role/web-server/i-0abc1234def567890","accountId":"111122223333",
  "accessKeyId":"ASIAXEXAMPLEKEY12345","sessionContext":{"sessionIssuer":{"type":"Role",
  "arn":"arn:aws:iam::111122223333:role/web-server","accountId":"111122223333"},"ec2RoleDelivery":"2.0"}}}"#;

fn hits(iocs: &IocSet, record: &str) -> Vec<(String, &'static str)> {
    let event = Event::from_json(record).unwrap();
    iocs.matches(&event)
        .iter()
        .map(|hit| (hit.indicator.value.clone(), hit.field))
        .collect()
}

#[test]
fn plain_lists_tell_each_kind_by_its_shape_and_report_the_rest() {
    let mut iocs = IocSet::new();
    let text = "\
# addresses seen in the intrusion
203.0.113.0/24   # the attacker's VPS range
2001:db8::/32
ASIAXEXAMPLEKEY12345
arn:aws:iam::111122223333:role/web-server
444455556666
user-agent: Darwin/23
192.0.2.300
not-an-indicator
ua:
";
    let errors = iocs.add_text("intrusion.txt", text);
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [8, 9, 10], "{errors:?}");
    assert!(errors.iter().all(|e| e.list == "intrusion.txt"));
    assert!(
        errors[1].to_string().starts_with("intrusion.txt:9: "),
        "{}",
        errors[1]
    );
    let kinds: Vec<IndicatorKind> = iocs.indicators().iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [
            IndicatorKind::Address,
            IndicatorKind::Address,
            IndicatorKind::AccessKey,
            IndicatorKind::Arn,
            IndicatorKind::Account,
            IndicatorKind::UserAgent
        ]
    );
    assert_eq!(
        iocs.indicators()[0].note.as_deref(),
        Some("the attacker's VPS range")
    );
    assert_eq!(iocs.indicators()[0].line, 2);

    assert_eq!(
        hits(&iocs, RECORD),
        [
            ("203.0.113.0/24".to_owned(), "sourceIPAddress"),
            (
                "ASIAXEXAMPLEKEY12345".to_owned(),
                "userIdentity.accessKeyId"
            ),
            (
                "arn:aws:iam::111122223333:role/web-server".to_owned(),
                "userIdentity.sessionContext.sessionIssuer.arn"
            ),
            ("Darwin/23".to_owned(), "userAgent"),
        ]
    );
}

#[test]
fn csv_lists_name_the_type_and_keep_the_other_columns_as_a_note() {
    let mut iocs = IocSet::new();
    let text = "value,type,description\n\
198.51.100.9,ip,C2 server\n\
444455556666,account,attacker account\n\
arn:aws:sts::111122223333:assumed-role/web-server/i-0abc1234def567890,arn,\n\
sqlmap,user_agent,scanner\n\
AKIA,access_key,too short\n\
x,colour,unknown type\n";
    let errors = iocs.add_text("feed.csv", text);
    assert_eq!(
        errors.iter().map(|e| e.line).collect::<Vec<_>>(),
        [6, 7],
        "{errors:?}"
    );
    assert!(errors[1].reason.contains("colour"));
    assert_eq!(iocs.len(), 4);
    assert_eq!(iocs.indicators()[0].note.as_deref(), Some("C2 server"));

    // The caller's account, not the account that received the call.
    let cross_account = r#"{"eventName":"AssumeRole","sourceIPAddress":"198.51.100.9","userAgent":"sqlmap/1.7-dev",
      "recipientAccountId":"111122223333","userIdentity":{"type":"AWSAccount","accountId":"444455556666"}}"#;
    assert_eq!(
        hits(&iocs, cross_account),
        [
            ("198.51.100.9".to_owned(), "sourceIPAddress"),
            ("444455556666".to_owned(), "userIdentity.accountId"),
            ("sqlmap".to_owned(), "userAgent"),
        ]
    );
    // One ARN hit per record: the session's own ARN.
    assert_eq!(
        hits(&iocs, RECORD),
        [(
            "arn:aws:sts::111122223333:assumed-role/web-server/i-0abc1234def567890".to_owned(),
            "userIdentity.arn"
        )]
    );
}

#[test]
fn csv_cells_in_quotes_may_hold_commas_and_quotes() {
    let mut iocs = IocSet::new();
    let text = "description,\"Type\",\"value\"\n\
\"C2, seen 2024-05 \"\"apt\"\"\",ip,198.51.100.9\n\
plain,\"user_agent\",\"sqlmap/1.7, dev\"\n\
\"not closed,ip,198.51.100.10\n";
    let errors = iocs.add_text("feed.csv", text);
    assert_eq!(
        errors.iter().map(|e| e.line).collect::<Vec<_>>(),
        [4],
        "{errors:?}"
    );
    assert!(errors[0].reason.contains("not closed"), "{}", errors[0]);
    let loaded: Vec<(&str, Option<&str>)> = iocs
        .indicators()
        .iter()
        .map(|i| (i.value.as_str(), i.note.as_deref()))
        .collect();
    assert_eq!(
        loaded,
        [
            ("198.51.100.9", Some("C2, seen 2024-05 \"apt\"")),
            ("sqlmap/1.7, dev", Some("plain"))
        ]
    );
}

#[test]
fn records_that_name_no_indicator_match_nothing() {
    let mut iocs = IocSet::new();
    assert!(
        iocs.add_text("x", "203.0.113.0/25\nuser-agent: kali\n")
            .is_empty()
    );
    // 203.0.113.77 is outside the /25; host names and "AWS Internal" are not addresses.
    for address in ["203.0.113.177", "ec2.amazonaws.com", "AWS Internal", ""] {
        let record = format!(
            r#"{{"eventName":"X","sourceIPAddress":"{address}","userAgent":"Boto3/1.34"}}"#
        );
        assert!(hits(&iocs, &record).is_empty(), "{address}");
    }
}

#[test]
fn a_hundred_thousand_indicators_load_and_match_by_look_up() {
    let mut text = String::new();
    for i in 0..50_000u32 {
        text.push_str(&format!("10.{}.{}.{}\n", i >> 16, (i >> 8) & 255, i & 255));
        text.push_str(&format!("AKIA{i:016}\n"));
    }
    let mut iocs = IocSet::new();
    assert!(iocs.add_text("big.txt", &text).is_empty());
    assert_eq!(iocs.len(), 100_000);
    let record = r#"{"eventName":"X","sourceIPAddress":"10.0.195.79","userIdentity":{"type":"IAMUser","accessKeyId":"AKIA0000000000049999"}}"#;
    assert_eq!(
        hits(&iocs, record),
        [
            ("10.0.195.79".to_owned(), "sourceIPAddress"),
            (
                "AKIA0000000000049999".to_owned(),
                "userIdentity.accessKeyId"
            ),
        ]
    );
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let error = IocSet::new()
        .add_file(std::path::Path::new("/nonexistent/iocs.txt"))
        .unwrap_err();
    assert!(
        error.to_string().contains("/nonexistent/iocs.txt"),
        "{error}"
    );
}

/// A record of `user` from `address` at minute `minute`.
fn call(user: &str, address: &str, minute: u32, id: &str) -> String {
    serde_json::json!({
        "eventVersion": "1.08", "eventTime": format!("2024-05-01T10:{minute:02}:00Z"),
        "eventSource": "s3.amazonaws.com", "eventName": "ListBuckets", "eventID": id,
        "awsRegion": "eu-west-1", "sourceIPAddress": address, "userAgent": "aws-cli/2.15.0",
        "userIdentity": {"type": "IAMUser", "accountId": "111122223333",
            "arn": format!("arn:aws:iam::111122223333:user/{user}"), "userName": user},
    })
    .to_string()
}

fn findings(
    rules: &cloudtrail_detect::RuleSet,
    records: &[String],
) -> Vec<cloudtrail_detect::Finding> {
    let mut correlator = cloudtrail_detect::Correlator::new(rules, chrono::Duration::hours(1));
    for record in records {
        let event = Event::from_json(record).unwrap();
        let mut matches = Vec::new();
        rules.matches(&event, &mut matches);
        for m in matches {
            correlator.push(m).unwrap();
        }
    }
    correlator.finish()
}

#[test]
fn ioc_rules_make_one_finding_per_entity_and_indicator_naming_both() {
    use cloudtrail_detect::ioc::rules;
    use std::sync::Arc;

    let mut iocs = IocSet::new();
    let errors = iocs.add_text(
        "vps.txt",
        "# hosting ranges\n203.0.113.0/24\n198.51.100.7 # the C2\nAKIAIOSFODNN7EXAMPLE\n",
    );
    assert!(errors.is_empty(), "{errors:?}");
    let iocs = Arc::new(iocs);
    let rules = rules(&iocs);
    let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        ["ioc-address", "ioc-access-key"],
        "only the kinds loaded"
    );
    let rules = cloudtrail_detect::RuleSet::new(rules).unwrap();

    let records = [
        call("mallory", "203.0.113.9", 0, "e-1"),
        call("mallory", "203.0.113.10", 5, "e-2"), // same network: same finding
        call("mallory", "198.51.100.7", 6, "e-3"), // another indicator: its own finding
        call("alice", "192.0.2.1", 7, "e-4"),      // on no list
        call("bob", "198.51.100.7", 8, "e-5"),     // another entity
    ];
    let mut found = findings(&rules, &records);
    found.sort_by(|a, b| (&a.entity, &a.event_ids).cmp(&(&b.entity, &b.event_ids)));
    let summary: Vec<(&str, &str, Vec<&str>, &str, usize)> = found
        .iter()
        .map(|f| {
            let evidence = &f.explanation[0];
            let indicator = evidence
                .indicator
                .as_deref()
                .expect("the indicator is named");
            assert_eq!(indicator.list, "vps.txt");
            assert_eq!(&*evidence.field, "sourceIPAddress");
            assert!(
                evidence
                    .test
                    .contains(&format!("vps.txt line {}", indicator.line)),
                "{}",
                evidence.test
            );
            (
                f.rule_id.as_str(),
                f.entity.rsplit('/').next().unwrap(),
                f.event_ids.iter().map(String::as_str).collect(),
                indicator.value.as_str(),
                indicator.line,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("ioc-address", "bob", vec!["e-5"], "198.51.100.7", 3),
            (
                "ioc-address",
                "mallory",
                vec!["e-1", "e-2"],
                "203.0.113.0/24",
                2
            ),
            ("ioc-address", "mallory", vec!["e-3"], "198.51.100.7", 3),
        ]
    );
    assert_eq!(found[1].region.as_deref(), Some("eu-west-1"));
    // The indicator is part of the finding's JSON form.
    let json = serde_json::to_value(&found[0]).unwrap();
    assert_eq!(json["explanation"][0]["indicator"]["kind"], "address");
    assert_eq!(json["explanation"][0]["indicator"]["note"], "the C2");
}

#[test]
fn the_indicator_condition_combines_with_other_tests() {
    use cloudtrail_detect::ioc::indicator;
    use cloudtrail_detect::{Rule, RuleSet, field};
    use std::sync::Arc;

    let mut iocs = IocSet::new();
    iocs.add_text("agents.txt", "user-agent: AWS-CLI/2.15\n");
    let iocs = Arc::new(iocs);
    let rule = Rule::new(
        "listed-agent-lists-buckets",
        "x",
        field("eventName")
            .equals(["ListBuckets"])
            .and(indicator(&iocs, IndicatorKind::UserAgent)),
    );
    let rules = RuleSet::new(vec![rule]).unwrap();
    let mut other = call("alice", "192.0.2.1", 1, "e-2");
    other = other.replace("ListBuckets", "GetObject");
    let found = findings(&rules, &[call("alice", "192.0.2.1", 0, "e-1"), other]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].event_ids, ["e-1"]);
    let evidence = &found[0].explanation[1];
    assert_eq!(&*evidence.field, "userAgent");
    assert_eq!(
        evidence.value, "aws-cli/2.15.0",
        "the record's value, case kept"
    );
    assert_eq!(
        evidence.indicator.as_ref().map(|i| i.value.as_str()),
        Some("AWS-CLI/2.15")
    );
}

#[test]
fn an_open_ioc_finding_keeps_its_indicator_across_save_and_load() {
    use cloudtrail_detect::ioc::rules;
    use cloudtrail_detect::{Correlator, RuleSet, StateOptions};
    use std::sync::Arc;

    let mut iocs = IocSet::new();
    let errors = iocs.add_text(
        "vps.txt",
        "# hosting ranges\n203.0.113.0/24 # the VPS range\n198.51.100.7\n",
    );
    assert!(errors.is_empty(), "{errors:?}");
    let rules = RuleSet::new(rules(&Arc::new(iocs))).unwrap();
    let records = [
        call("mallory", "203.0.113.9", 0, "e-1"),
        call("mallory", "203.0.113.10", 5, "e-2"),
        call("mallory", "203.0.113.11", 20, "e-3"), // same finding, in the second run
    ];
    let push = |correlator: &mut Correlator<'_>, record: &String| {
        let event = Event::from_json(record).unwrap();
        let mut matches = Vec::new();
        rules.matches(&event, &mut matches);
        for m in matches {
            assert!(
                correlator.push(m).unwrap().is_empty(),
                "the finding stays open"
            );
        }
    };
    // No lateness: the first match is processed (the watermark is the lower median of recent times), so
    // the finding is open in a group, not only waiting.
    let mut first = Correlator::new(&rules, chrono::Duration::zero());
    push(&mut first, &records[0]);
    push(&mut first, &records[1]);
    let size = first.state_size();
    assert_eq!(size.groups, 1, "{size:?}");
    let mut state = Vec::new();
    first
        .save_state(&mut state, &StateOptions::default())
        .unwrap();
    drop(first);
    let (mut second, _) = Correlator::load_state(
        &rules,
        chrono::Duration::zero(),
        state.as_slice(),
        &StateOptions::default(),
    )
    .unwrap();
    push(&mut second, &records[2]);
    let found = second.finish();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].event_ids, ["e-1", "e-2", "e-3"]);
    let indicator = found[0].explanation[0]
        .indicator
        .as_deref()
        .expect("the indicator survives the state file");
    assert_eq!(
        (
            indicator.kind,
            indicator.value.as_str(),
            indicator.list.as_str(),
            indicator.line,
            indicator.note.as_deref()
        ),
        (
            IndicatorKind::Address,
            "203.0.113.0/24",
            "vps.txt",
            2,
            Some("the VPS range")
        )
    );
}
