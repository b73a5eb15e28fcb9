//! The rules that report records naming an indicator: [`rules`], one per kind loaded, built on the
//! [`indicator`] condition, which any rule can also combine with other tests.

use std::sync::Arc;

use super::{IndicatorKind, IocSet};
use crate::condition::Condition;
use crate::rule::{Rule, Severity};

/// The condition "the record member of `kind` is on one of the lists in `set`". Its evidence names
/// the record member, its value and the indicator ([`Evidence::indicator`](crate::Evidence)), so that
/// a single-record rule built on it makes one finding per entity and indicator.
///
/// ```
/// use std::sync::Arc;
/// use cloudtrail_detect::ioc::{IndicatorKind, IocSet, indicator};
/// use cloudtrail_detect::{Rule, field};
///
/// let mut iocs = IocSet::new();
/// iocs.add_text("tor-exits.txt", "198.51.100.0/24\n");
/// let iocs = Arc::new(iocs);
/// // Console sign-ins from a listed network only.
/// let rule = Rule::new("console-from-listed-network", "Console sign-in from a listed network",
///     field("eventName").equals(["ConsoleLogin"]).and(indicator(&iocs, IndicatorKind::Address)));
/// # let _ = rule;
/// ```
pub fn indicator(set: &Arc<IocSet>, kind: IndicatorKind) -> Condition {
    Condition::Indicator {
        set: Arc::clone(set),
        kind,
    }
}

/// One rule per kind of indicator `set` holds, to run next to any others:
///
/// | rule id | matches | severity | ATT&CK |
/// |---|---|---|---|
/// | `ioc-address` | `sourceIPAddress` in a listed address or network | high | - |
/// | `ioc-access-key` | `userIdentity.accessKeyId` | high | TA0001 T1078.004 (valid cloud accounts) |
/// | `ioc-arn` | the identity's ARN, its session issuer's or the acting principal | high | TA0001 T1078.004 |
/// | `ioc-account` | `userIdentity.accountId` (the caller's account) | high | - |
/// | `ioc-user-agent` | a listed substring of `userAgent` (ASCII case ignored) | medium | - |
///
/// Each is a single-record rule with the default dedup period (one hour): one finding per entity and
/// indicator, whose explanation names the record member, the value, and the indicator with its list
/// and line. Severities can be changed without code through [`Tuning`](crate::Tuning) overrides by rule
/// id. An address or access key on a list says nothing about the technique, so those rules carry no
/// ATT&CK id beyond the use of known credentials.
pub fn rules(set: &Arc<IocSet>) -> Vec<Rule> {
    IndicatorKind::ALL
        .into_iter()
        .filter(|kind| set.has(*kind))
        .map(|kind| rule(set, kind))
        .collect()
}

fn rule(set: &Arc<IocSet>, kind: IndicatorKind) -> Rule {
    let (id, title, what) = match kind {
        IndicatorKind::Address => (
            "ioc-address",
            "Source address on an indicator list",
            "sourceIPAddress is an address, or inside a network, of an indicator list",
        ),
        IndicatorKind::AccessKey => (
            "ioc-access-key",
            "Access key on an indicator list",
            "userIdentity.accessKeyId is an access key id of an indicator list",
        ),
        IndicatorKind::Arn => (
            "ioc-arn",
            "Principal on an indicator list",
            "the identity's ARN, its session issuer's ARN or the acting principal is an ARN of an indicator list",
        ),
        IndicatorKind::Account => (
            "ioc-account",
            "Calling account on an indicator list",
            "userIdentity.accountId (the caller's account) is an account id of an indicator list",
        ),
        IndicatorKind::UserAgent => (
            "ioc-user-agent",
            "User agent on an indicator list",
            "userAgent contains a user-agent substring of an indicator list (ASCII case ignored)",
        ),
    };
    let severity = match kind {
        IndicatorKind::UserAgent => Severity::Medium,
        _ => Severity::High,
    };
    let mut rule = Rule::new(id, title, indicator(set, kind))
        .severity(severity)
        .description(&format!(
            "A record whose {what}. The finding names the indicator, the list and the line it came from."
        ))
        .tag("ioc");
    if matches!(kind, IndicatorKind::AccessKey | IndicatorKind::Arn) {
        rule = rule.mitre("TA0001", "T1078.004");
    }
    rule
}
