//! [`Matcher`]: how a condition tests a field's values.

use std::fmt;
use std::net::IpAddr;

use regex::Regex;

/// A test on a field's values. A condition holds when any of the field's values passes (for paths through
/// arrays, any element); [`Matcher::Exists`] holds when there is a value at all, an object included. Every
/// other matcher tests scalar values only (see [`crate::EventView::scalar_values`]).
///
/// Text comparisons ignore ASCII letter case unless built with `cased` (see [`crate::Condition`]'s
/// builders); patterns are lower-cased once, when the rule is built.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Matcher {
    /// Equal to one of the strings.
    Equals(Vec<String>),
    /// Contains one of the strings.
    Contains(Vec<String>),
    /// Contains every one of the strings.
    ContainsAll(Vec<String>),
    /// Starts with one of the strings.
    StartsWith(Vec<String>),
    /// Ends with one of the strings.
    EndsWith(Vec<String>),
    /// Matches one of the glob patterns (`*` any run, `?` one character, `\` escapes).
    Glob(Vec<String>),
    /// Matches the regular expression.
    Regex(Regex),
    /// An IP address inside one of the networks (values that are not IP addresses never match).
    Cidr(Vec<Network>),
    /// The field has a value.
    Exists,
    /// A number that compares with the bound (values that are not numbers never match).
    Number(Comparison, f64),
}

/// A numeric comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
}

/// An IPv4 or IPv6 network, `address/prefix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    /// Reads `192.0.2.0/24`, `2001:db8::/32` or a single address.
    pub fn parse(text: &str) -> Option<Network> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => {
                (address.parse::<IpAddr>().ok()?, prefix.parse::<u8>().ok()?)
            }
            None => {
                let address = text.parse::<IpAddr>().ok()?;
                (address, if address.is_ipv4() { 32 } else { 128 })
            }
        };
        let bits = if address.is_ipv4() { 32 } else { 128 };
        (prefix <= bits).then_some(Network { address, prefix })
    }

    /// Whether the address is inside the network.
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.address, address) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u32::MAX << (32 - u32::from(self.prefix))
                };
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u128::MAX << (128 - u32::from(self.prefix))
                };
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

/// Glob match over bytes: `*` any run, `?` one byte, `\x` a literal `x`.
pub(crate) fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let (mut star, mut star_text) = (None, 0);
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some(p);
                star_text = t;
                p += 1;
                continue;
            }
            Some(b'?') => {
                p += 1;
                t += 1;
                continue;
            }
            Some(b'\\') if p + 1 < pattern.len() && pattern[p + 1] == text[t] => {
                p += 2;
                t += 1;
                continue;
            }
            Some(c) if *c != b'\\' && *c == text[t] => {
                p += 1;
                t += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some(s) => {
                p = s + 1;
                star_text += 1;
                t = star_text;
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|c| *c == b'*')
}

impl Matcher {
    /// Whether one value passes. `cased` says whether patterns were kept in their case; when not, the
    /// value is compared lower-cased.
    pub(crate) fn test(&self, value: &str, cased: bool) -> bool {
        // Equality and prefixes/suffixes compare without lower-casing the value (no allocation).
        if !cased {
            let (value, n) = (value.as_bytes(), value.len());
            match self {
                Matcher::Equals(options) => {
                    return options
                        .iter()
                        .any(|o| o.as_bytes().eq_ignore_ascii_case(value));
                }
                Matcher::StartsWith(options) => {
                    return options.iter().any(|o| {
                        n >= o.len() && value[..o.len()].eq_ignore_ascii_case(o.as_bytes())
                    });
                }
                Matcher::EndsWith(options) => {
                    return options.iter().any(|o| {
                        n >= o.len() && value[n - o.len()..].eq_ignore_ascii_case(o.as_bytes())
                    });
                }
                _ => {}
            }
        }
        let lowered;
        let value = if cased || !value.bytes().any(|b| b.is_ascii_uppercase()) {
            value
        } else {
            lowered = value.to_ascii_lowercase();
            &lowered
        };
        self.test_prepared(value)
    }

    /// Whether the matcher lower-cases the value it tests when case is ignored (substrings and globs;
    /// equality and affixes compare without lower-casing), so that a value lower-cased once per record can
    /// be handed to [`Matcher::test_prepared`] instead.
    pub(crate) fn lowers_value(&self) -> bool {
        matches!(
            self,
            Matcher::Contains(_) | Matcher::ContainsAll(_) | Matcher::Glob(_)
        )
    }

    /// Whether one value passes, the value already in the case the patterns are in (lower-cased unless
    /// the test is `cased`).
    pub(crate) fn test_prepared(&self, value: &str) -> bool {
        match self {
            Matcher::Equals(options) => options.iter().any(|o| o == value),
            Matcher::Contains(options) => options.iter().any(|o| value.contains(o.as_str())),
            Matcher::ContainsAll(options) => options.iter().all(|o| value.contains(o.as_str())),
            Matcher::StartsWith(options) => options.iter().any(|o| value.starts_with(o.as_str())),
            Matcher::EndsWith(options) => options.iter().any(|o| value.ends_with(o.as_str())),
            Matcher::Glob(options) => options.iter().any(|o| glob(o.as_bytes(), value.as_bytes())),
            Matcher::Regex(regex) => regex.is_match(value),
            Matcher::Cidr(networks) => value
                .trim()
                .parse::<IpAddr>()
                .is_ok_and(|ip| networks.iter().any(|n| n.contains(ip))),
            Matcher::Exists => true,
            Matcher::Number(comparison, bound) => {
                value.trim().parse::<f64>().is_ok_and(|n| match comparison {
                    Comparison::Less => n < *bound,
                    Comparison::LessOrEqual => n <= *bound,
                    Comparison::Greater => n > *bound,
                    Comparison::GreaterOrEqual => n >= *bound,
                })
            }
        }
    }

    /// Lower-cases the patterns, for case-insensitive matching.
    pub(crate) fn lowered(self) -> Matcher {
        let lower = |options: Vec<String>| {
            options
                .into_iter()
                .map(|o| o.to_ascii_lowercase())
                .collect()
        };
        match self {
            Matcher::Equals(o) => Matcher::Equals(lower(o)),
            Matcher::Contains(o) => Matcher::Contains(lower(o)),
            Matcher::ContainsAll(o) => Matcher::ContainsAll(lower(o)),
            Matcher::StartsWith(o) => Matcher::StartsWith(lower(o)),
            Matcher::EndsWith(o) => Matcher::EndsWith(lower(o)),
            Matcher::Glob(o) => Matcher::Glob(lower(o)),
            other => other,
        }
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, verb: &str, options: &[String]| {
            write!(f, "{verb} {options:?}")
        };
        match self {
            Matcher::Equals(o) => list(f, "equals", o),
            Matcher::Contains(o) => list(f, "contains", o),
            Matcher::ContainsAll(o) => list(f, "contains all of", o),
            Matcher::StartsWith(o) => list(f, "starts with", o),
            Matcher::EndsWith(o) => list(f, "ends with", o),
            Matcher::Glob(o) => list(f, "matches", o),
            Matcher::Regex(r) => write!(f, "matches /{}/", r.as_str()),
            Matcher::Cidr(n) => write!(
                f,
                "in {}",
                n.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Matcher::Exists => f.write_str("exists"),
            Matcher::Number(c, n) => {
                let op = match c {
                    Comparison::Less => "<",
                    Comparison::LessOrEqual => "<=",
                    Comparison::Greater => ">",
                    Comparison::GreaterOrEqual => ">=",
                };
                write!(f, "{op} {n}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_networks() {
        assert!(glob(b"assume*", b"assumerolewithsaml"));
        assert!(glob(b"*role?", b"myroleX"));
        assert!(!glob(b"*role?", b"myrole"));
        assert!(glob(b"a\\*b", b"a*b"));
        assert!(!glob(b"a\\*b", b"axb"));
        let net = Network::parse("10.0.0.0/8").unwrap();
        assert!(net.contains("10.2.3.4".parse().unwrap()));
        assert!(!net.contains("11.0.0.1".parse().unwrap()));
        assert!(
            Network::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(
            Network::parse("2001:db8::/32")
                .unwrap()
                .contains("2001:db8::1".parse().unwrap())
        );
        assert!(Network::parse("10.0.0.0/33").is_none());
    }

    #[test]
    fn ignores_case_unless_cased() {
        let m = Matcher::Contains(vec!["Kali".into()]).lowered();
        assert!(m.test("os/linux#6.5.0-KALI3", false));
        let cased = Matcher::Contains(vec!["Kali".into()]);
        assert!(!cased.test("kali", true));
        assert!(Matcher::Number(Comparison::Greater, 10.0).test("22", false));
        assert!(!Matcher::Number(Comparison::Greater, 10.0).test("abc", false));
    }
}
