//! Reading plain and CSV indicator lists.

use std::fmt;

use super::{Indicator, IndicatorKind};

/// Lines longer than this are not indicators (a feed that is not line-based, or a damaged file).
const MAX_LINE: usize = 4096;

/// A line of an IOC list that is not an indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IocLineError {
    /// The list: the file's path, or the name given with the text.
    pub list: String,
    /// The line (1-based).
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for IocLineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.list, self.line, self.reason)
    }
}

impl std::error::Error for IocLineError {}

/// Parses a plain or CSV list (CSV when its first line that is not a comment names `type` and `value`
/// columns).
pub(super) fn parse_list(list: &str, text: &str) -> (Vec<Indicator>, Vec<IocLineError>) {
    let mut indicators = Vec::new();
    let mut errors = Vec::new();
    let mut csv: Option<(usize, usize)> = None;
    let mut header_seen = false;
    for (number, raw) in text.lines().enumerate() {
        let line = number + 1;
        let error = |reason: String| IocLineError {
            list: list.to_owned(),
            line,
            reason,
        };
        let raw = raw.trim_start_matches('\u{feff}');
        if raw.len() > MAX_LINE {
            errors.push(error(format!(
                "line of {} bytes, longer than {MAX_LINE}",
                raw.len()
            )));
            continue;
        }
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !header_seen {
            header_seen = true;
            if let Some(columns) = csv_header(trimmed) {
                csv = Some(columns);
                continue;
            }
        }
        let parsed = match csv {
            Some((type_column, value_column)) => csv_row(trimmed, type_column, value_column),
            None => plain_line(trimmed),
        };
        match parsed {
            Ok((kind, value, note)) => indicators.push(Indicator {
                kind,
                value,
                list: list.to_owned(),
                line,
                note,
            }),
            Err(reason) => errors.push(error(reason)),
        }
    }
    (indicators, errors)
}

fn csv_header(line: &str) -> Option<(usize, usize)> {
    let columns: Vec<String> = csv_cells(line)
        .ok()?
        .iter()
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    let type_column = columns.iter().position(|c| c == "type" || c == "kind")?;
    let value_column = columns
        .iter()
        .position(|c| c == "value" || c == "indicator")?;
    Some((type_column, value_column))
}

type Parsed = Result<(IndicatorKind, String, Option<String>), String>;

fn csv_row(line: &str, type_column: usize, value_column: usize) -> Parsed {
    let cells = csv_cells(line)?;
    let cells: Vec<&str> = cells.iter().map(|c| c.trim()).collect();
    let (Some(kind), Some(value)) = (cells.get(type_column), cells.get(value_column)) else {
        return Err(format!(
            "{} columns, but the header names column {} and {}",
            cells.len(),
            type_column + 1,
            value_column + 1
        ));
    };
    let kind = kind_named(kind).ok_or_else(|| {
        format!("unknown indicator type {kind:?} (ip, cidr, access_key, arn, account, user_agent)")
    })?;
    let note: Vec<&str> = cells
        .iter()
        .enumerate()
        .filter(|(i, c)| *i != type_column && *i != value_column && !c.is_empty())
        .map(|(_, c)| *c)
        .collect();
    let note = (!note.is_empty()).then(|| note.join(", "));
    check(kind, value).map(|value| (kind, value, note))
}

/// The cells of one CSV row: comma-separated, a cell in double quotes may hold commas and `""` for a
/// quote (rows span one line).
fn csv_cells(line: &str) -> Result<Vec<String>, String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if cell.trim().is_empty() => {
                cell.clear();
                quoted = true;
            }
            (false, ',') => cells.push(std::mem::take(&mut cell)),
            (_, c) => cell.push(c),
        }
    }
    if quoted {
        return Err("a quoted cell is not closed on its line".to_owned());
    }
    cells.push(cell);
    Ok(cells)
}

fn plain_line(line: &str) -> Parsed {
    let (value, note) = match line.split_once(" #") {
        Some((value, comment)) => (value.trim(), Some(comment.trim().to_owned())),
        None => (line, None),
    };
    let note = note.filter(|n| !n.is_empty());
    let lower = value.to_ascii_lowercase();
    for prefix in ["user-agent:", "useragent:", "user_agent:", "ua:"] {
        if lower.starts_with(prefix) {
            let substring = value[prefix.len()..].trim();
            return check(IndicatorKind::UserAgent, substring)
                .map(|v| (IndicatorKind::UserAgent, v, note));
        }
    }
    let kind = if super::networks::parse_network(value).is_some() {
        IndicatorKind::Address
    } else if is_access_key(value) {
        IndicatorKind::AccessKey
    } else if value.starts_with("arn:") {
        IndicatorKind::Arn
    } else if is_account(value) {
        IndicatorKind::Account
    } else {
        return Err(format!(
            "{value:?} is not an address, CIDR block, access key id, ARN or account id (write user-agent substrings as `user-agent: ...`)"
        ));
    };
    check(kind, value).map(|value| (kind, value, note))
}

fn kind_named(name: &str) -> Option<IndicatorKind> {
    let name = name.to_ascii_lowercase().replace('-', "_");
    Some(match name.as_str() {
        "ip" | "ipv4" | "ipv6" | "cidr" | "address" | "ip_address" | "network" => {
            IndicatorKind::Address
        }
        "access_key" | "access_key_id" | "accesskeyid" => IndicatorKind::AccessKey,
        "arn" | "principal" => IndicatorKind::Arn,
        "account" | "account_id" | "accountid" => IndicatorKind::Account,
        "user_agent" | "useragent" | "ua" => IndicatorKind::UserAgent,
        _ => return None,
    })
}

/// Checks that a value is of its kind and returns it trimmed.
fn check(kind: IndicatorKind, value: &str) -> Result<String, String> {
    let value = value.trim();
    let valid = match kind {
        IndicatorKind::Address => super::networks::parse_network(value).is_some(),
        IndicatorKind::AccessKey => is_access_key(value),
        IndicatorKind::Arn => value.starts_with("arn:") && value.split(':').count() >= 6,
        IndicatorKind::Account => is_account(value),
        IndicatorKind::UserAgent => !value.is_empty(),
    };
    if valid {
        Ok(value.to_owned())
    } else {
        Err(format!("{value:?} is not a valid {kind}"))
    }
}

fn is_access_key(value: &str) -> bool {
    (value.starts_with("AKIA") || value.starts_with("ASIA"))
        && (16..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn is_account(value: &str) -> bool {
    value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())
}
