//! [`FindingMapper`] (feature `detect`): the findings of `cloudtrail-detect` as OCSF Detection Finding
//! (class 2004, category Findings), at every release the crate supports. The class exists from OCSF 1.1.0
//! on (`events/findings/detection_finding.json`), and the embedded schemas hold it, so every finding can
//! be checked with [`validate`](crate::validate).

use chrono::{DateTime, SecondsFormat, Utc};
use cloudtrail_detect::ioc::{Indicator, IndicatorKind};
use cloudtrail_detect::{Finding, Mitre, Rule, RuleKind, Severity};
use serde_json::{Map, Value, json};

use crate::version::OcsfVersion;

/// `class_uid` of Detection Finding.
pub const DETECTION_FINDING: u32 = 2004;

/// A finding that cannot be written as a Detection Finding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FindingMapError {
    /// The finding has no event time (its records had none); OCSF requires `time`.
    #[error("finding of rule {rule_id} for {entity} has no event time (OCSF requires `time`)")]
    NoEventTime {
        /// The rule.
        rule_id: String,
        /// The finding's entity.
        entity: String,
    },
}

/// Turns findings of `cloudtrail-detect` into OCSF Detection Finding (class 2004) JSON at one release.
///
/// What goes where:
///
/// - **Times are event times**, never the clock at output: `time` is the finding's last evidence
///   ([`Finding::last_seen`]: a correlation is what it is once its last record is in, and a re-run over the
///   same records writes the same value), `start_time` / `finding_info.first_seen_time` the first,
///   `end_time` / `finding_info.last_seen_time` the last, each with its `_dt` form (profile `datetime`).
///   `finding_info.created_time` is left out: when the finding was made is a fact of the run, not of
///   the records. A finding without event time (its records had none) cannot be a Detection Finding,
///   whose `time` is required: [`FindingMapError::NoEventTime`].
/// - `finding_info`: `uid` (the rule id and a hash of the rule, entity, first and last time and event
///   ids: the same finding over the same records gets the same uid in every run), `title` (the rule's),
///   `desc` (the rule's description), `types` (what kind of detection: `Single record`, `Threshold`,
///   `Distinct values`, `Sequence`, `First seen`, `Indicator match`), `analytic` (the rule: `uid` its id,
///   `name` its title, `type_id` Rule, Statistical for counts, Behavioral for first-seen, Exact or
///   Partial Data Match for indicator lists from 1.5.0 on), `attacks` (one per ATT&CK reference:
///   `version`, `tactic.uid`, `technique.uid`, and `sub_technique.uid` for `T1234.001` ids),
///   `related_events` (one per evidence record: `uid` = its CloudTrail `eventID`, at most
///   `cloudtrail_detect::MAX_EVENT_IDS`) and, from 1.5.0, `related_events_count` (every record the finding
///   covers).
/// - `severity_id` from the rule's severity (info 1, low 2, medium 3, high 4, critical 5); `status_id` 1
///   (New); `activity_id` 1 (Create); `count` the records covered; `message` "title: entity".
/// - `evidences`: one, whose `data` holds the explanation (each condition that held, with the value seen
///   and, for an indicator, the indicator with its list and line).
/// - `cloud`: provider `AWS`, `region` and `account.uid` of the finding's first record (profile `cloud`).
/// - An indicator hit also gives `observables` (the record member and value: IP Address, Resource UID for
///   an ARN, from 1.5.0 HTTP User-Agent and User Credential ID) and, from 1.5.0, `osint` (profile
///   `osint`: the indicator, its kind, and `uid` = `list:line`).
/// - `metadata`: `product` (name `cloudtrail-detect`, vendor `cloudtrail-rs`, the version), `uid` (the
///   finding's), `profiles`, `version`. The entity (acting principal or group key) is kept in
///   `unmapped.entity`, as OCSF has no member for "who a correlation is about".
///
///
/// ```
/// use chrono::Duration;
/// use cloudtrail_detect::{Correlator, RuleSet, builtin_rules};
/// use cloudtrail_model::Event;
/// use cloudtrail_ocsf::{FindingMapper, OcsfVersion, validate};
///
/// let rules = RuleSet::new(builtin_rules())?;
/// let event = Event::from_json(r#"{"eventVersion":"1.11","eventTime":"2024-05-01T10:00:00Z",
///   "eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventID":"e-1","awsRegion":"eu-west-1",
///   "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/ci","accountId":"111122223333"},
///   "requestParameters":{"name":"management-events"}}"#)?;
/// let mut matches = Vec::new();
/// rules.matches(&event, &mut matches);
/// let mut correlator = Correlator::new(&rules, Duration::minutes(15));
/// for m in matches {
///     correlator.push(m)?;
/// }
/// let finding = &correlator.finish()[0];
/// let rule = rules.rules().iter().find(|r| r.id == finding.rule_id);
/// for version in OcsfVersion::ALL {
///     let json = FindingMapper::new(version).map(finding, rule)?;
///     validate(&json, version)?;
///     assert_eq!(json["finding_info"]["related_events"][0]["uid"], "e-1");
///     assert_eq!(json["time"], 1714557600000_i64); // the record's time, not the clock's
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct FindingMapper {
    version: OcsfVersion,
    product_version: String,
}

impl FindingMapper {
    /// A mapper to OCSF `version`, naming this crate family's version as the product's.
    pub fn new(version: OcsfVersion) -> FindingMapper {
        FindingMapper {
            version,
            product_version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    /// Sets `metadata.product.version` (an embedder's own product version).
    pub fn with_product_version(mut self, version: &str) -> FindingMapper {
        version.clone_into(&mut self.product_version);
        self
    }

    /// The release written.
    pub fn version(&self) -> OcsfVersion {
        self.version
    }

    /// `finding` as a Detection Finding; `rule` (the rule that made it, when known) adds its description
    /// and kind.
    pub fn map(&self, finding: &Finding, rule: Option<&Rule>) -> Result<Value, FindingMapError> {
        let (Some(first), Some(last)) = (finding.first_seen, finding.last_seen) else {
            return Err(FindingMapError::NoEventTime {
                rule_id: finding.rule_id.clone(),
                entity: finding.entity.clone(),
            });
        };
        let newer = self.version >= OcsfVersion::V1_5_0;
        let indicators: Vec<&Indicator> = finding
            .explanation
            .iter()
            .filter_map(|e| e.indicator.as_deref())
            .collect();
        let uid = finding_uid(finding);
        let (severity_id, severity) = severity(finding.severity);

        let mut info = Map::new();
        info.insert("uid".into(), json!(uid));
        info.insert("title".into(), json!(finding.title));
        if let Some(rule) = rule.filter(|r| !r.description.is_empty()) {
            info.insert("desc".into(), json!(rule.description));
        }
        let kind = detection_type(rule, !indicators.is_empty());
        if let Some(kind) = kind {
            info.insert("types".into(), json!([kind]));
        }
        let (type_id, type_name) = analytic_type(rule, &indicators, newer);
        info.insert(
            "analytic".into(),
            json!({"uid": finding.rule_id, "name": finding.title, "type_id": type_id, "type": type_name}),
        );
        let attacks: Vec<Value> = finding.mitre.iter().filter_map(attack).collect();
        if !attacks.is_empty() {
            info.insert("attacks".into(), Value::Array(attacks));
        }
        insert_time(&mut info, "first_seen_time", first);
        insert_time(&mut info, "last_seen_time", last);
        let related: Vec<Value> = finding
            .event_ids
            .iter()
            .filter(|id| !id.is_empty())
            .map(|id| json!({"uid": id}))
            .collect();
        if !related.is_empty() {
            info.insert("related_events".into(), Value::Array(related));
        }
        if newer {
            info.insert("related_events_count".into(), json!(clamp(finding.events)));
        }

        let mut profiles = vec!["cloud", "datetime"];
        let mut record = Map::new();
        record.insert("activity_id".into(), json!(1));
        record.insert("activity_name".into(), json!("Create"));
        record.insert("category_uid".into(), json!(2));
        record.insert("category_name".into(), json!("Findings"));
        record.insert("class_uid".into(), json!(DETECTION_FINDING));
        record.insert("class_name".into(), json!("Detection Finding"));
        record.insert("type_uid".into(), json!(DETECTION_FINDING * 100 + 1));
        record.insert("type_name".into(), json!("Detection Finding: Create"));
        record.insert("severity_id".into(), json!(severity_id));
        record.insert("severity".into(), json!(severity));
        record.insert("status_id".into(), json!(1));
        record.insert("status".into(), json!("New"));
        insert_time(&mut record, "time", last);
        insert_time(&mut record, "start_time", first);
        insert_time(&mut record, "end_time", last);
        record.insert("timezone_offset".into(), json!(0));
        record.insert("count".into(), json!(clamp(finding.events)));
        record.insert(
            "message".into(),
            json!(format!("{}: {}", finding.title, finding.entity)),
        );
        record.insert("finding_info".into(), Value::Object(info));
        let mut cloud = Map::new();
        cloud.insert("provider".into(), json!("AWS"));
        if let Some(region) = finding.region.as_deref().filter(|r| !r.is_empty()) {
            cloud.insert("region".into(), json!(region));
        }
        if let Some(account) = finding.account.as_deref().filter(|a| !a.is_empty()) {
            cloud.insert(
                "account".into(),
                json!({"uid": account, "type_id": 10, "type": "AWS Account"}),
            );
        }
        record.insert("cloud".into(), Value::Object(cloud));
        let explanation = serde_json::to_value(&finding.explanation).unwrap_or(Value::Null);
        if !explanation.is_null() {
            record.insert(
                "evidences".into(),
                json!([{"data": {"explanation": explanation}}]),
            );
        }
        let observables: Vec<Value> = finding
            .explanation
            .iter()
            .filter(|e| e.indicator.is_some())
            .filter_map(|e| observable(&e.field, &e.value, newer))
            .collect();
        if !observables.is_empty() {
            record.insert("observables".into(), Value::Array(observables));
        }
        if newer && !indicators.is_empty() {
            profiles.push("osint");
            record.insert(
                "osint".into(),
                Value::Array(indicators.iter().map(|i| osint(i)).collect()),
            );
        }
        record.insert("unmapped".into(), json!({"entity": finding.entity}));
        record.insert(
            "metadata".into(),
            json!({
                "version": self.version.as_str(),
                "uid": uid,
                "profiles": profiles,
                "product": {"name": "cloudtrail-detect", "vendor_name": "cloudtrail-rs",
                    "version": self.product_version},
            }),
        );
        Ok(Value::Object(record))
    }
}

/// Milliseconds, and the `_dt` sibling (RFC 3339, UTC, milliseconds).
fn insert_time(object: &mut Map<String, Value>, name: &str, time: DateTime<Utc>) {
    object.insert(name.to_owned(), json!(time.timestamp_millis()));
    object.insert(
        format!("{name}_dt"),
        json!(time.to_rfc3339_opts(SecondsFormat::Millis, true)),
    );
}

/// OCSF integers are 32-bit.
fn clamp(count: u64) -> i64 {
    count.min(i32::MAX as u64) as i64
}

fn severity(severity: Severity) -> (u8, &'static str) {
    match severity {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

fn detection_type(rule: Option<&Rule>, indicator: bool) -> Option<&'static str> {
    if indicator {
        return Some("Indicator match");
    }
    Some(match &rule?.kind {
        RuleKind::Single { .. } => "Single record",
        RuleKind::Threshold { .. } => "Threshold",
        RuleKind::ValueCount { .. } => "Distinct values",
        RuleKind::Sequence { .. } => "Sequence",
        RuleKind::FirstSeen { .. } => "First seen",
        _ => return None,
    })
}

fn analytic_type(
    rule: Option<&Rule>,
    indicators: &[&Indicator],
    newer: bool,
) -> (u8, &'static str) {
    if newer && !indicators.is_empty() {
        // 1.1.0 has no data-match types: those findings are Rule there.
        let substring = indicators
            .iter()
            .any(|i| i.kind == IndicatorKind::UserAgent);
        return if substring {
            (10, "Partial Data Match")
        } else {
            (9, "Exact Data Match")
        };
    }
    match rule.map(|r| &r.kind) {
        Some(RuleKind::Threshold { .. } | RuleKind::ValueCount { .. }) => (3, "Statistical"),
        Some(RuleKind::FirstSeen { .. }) => (2, "Behavioral"),
        _ => (1, "Rule"),
    }
}

fn attack(mitre: &Mitre) -> Option<Value> {
    let mut attack = Map::new();
    if !mitre.tactic.is_empty() {
        attack.insert("tactic".into(), json!({"uid": mitre.tactic}));
    }
    if !mitre.technique.is_empty() {
        match mitre.technique.split_once('.') {
            Some((technique, _)) => {
                attack.insert("technique".into(), json!({"uid": technique}));
                attack.insert("sub_technique".into(), json!({"uid": mitre.technique}));
            }
            None => {
                attack.insert("technique".into(), json!({"uid": mitre.technique}));
            }
        }
    }
    if attack.is_empty() {
        return None;
    }
    if !mitre.attack_version.is_empty() {
        attack.insert("version".into(), json!(mitre.attack_version));
    }
    Some(Value::Object(attack))
}

/// The record member an indicator matched, as an observable.
fn observable(field: &str, value: &str, newer: bool) -> Option<Value> {
    if value.is_empty() {
        return None;
    }
    let (type_id, caption) = match field {
        "sourceIPAddress" => (2, "IP Address"),
        "userAgent" if newer => (16, "HTTP User-Agent"),
        "userIdentity.accessKeyId" if newer => (19, "User Credential ID"),
        "userIdentity.arn"
        | "userIdentity.sessionContext.sessionIssuer.arn"
        | "actingPrincipal" => (10, "Resource UID"),
        "userAgent" => (99, "HTTP User-Agent"),
        "userIdentity.accessKeyId" => (99, "Access Key ID"),
        _ => (99, "AWS Account ID"),
    };
    Some(json!({"name": field, "type_id": type_id, "type": caption, "value": value}))
}

/// The indicator as OCSF threat intelligence (1.5.0 on).
fn osint(indicator: &Indicator) -> Value {
    let (type_id, caption) = match indicator.kind {
        IndicatorKind::Address => (1, "IP Address"),
        IndicatorKind::UserAgent => (6, "User Agent"),
        IndicatorKind::AccessKey => (99, "AWS Access Key ID"),
        IndicatorKind::Arn => (99, "ARN"),
        _ => (99, "AWS Account ID"),
    };
    let mut object = Map::new();
    object.insert("value".into(), json!(indicator.value));
    object.insert("type_id".into(), json!(type_id));
    object.insert("type".into(), json!(caption));
    object.insert(
        "uid".into(),
        json!(format!("{}:{}", indicator.list, indicator.line)),
    );
    if let Some(note) = indicator.note.as_deref().filter(|n| !n.is_empty()) {
        object.insert("comment".into(), json!(note));
    }
    Value::Object(object)
}

/// The rule id and an FNV-1a hash of what tells findings apart: stable across runs and platforms.
fn finding_uid(finding: &Finding) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |text: &str| {
        for byte in text.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(&finding.rule_id);
    feed(&finding.entity);
    for time in [finding.first_seen, finding.last_seen] {
        feed(&time.map_or(String::new(), |t| t.timestamp_millis().to_string()));
    }
    for id in &finding.event_ids {
        feed(id);
    }
    feed(&finding.events.to_string());
    format!("{}:{hash:016x}", finding.rule_id)
}
