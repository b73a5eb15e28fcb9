//! The S3 layout CloudTrail delivers to, and [`LayoutFilter`]: choosing files by account, region and date
//! from their paths alone, before any file is opened.
//!
//! `AWSLogs/[o-<org id>/]<account>/CloudTrail[-Insight|-Digest]/<region>/YYYY/MM/DD/<file>`

use std::collections::BTreeSet;

use chrono::NaiveDate;

/// Where a file sits in the CloudTrail S3 layout, read from its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutPath {
    /// The organization id for organization trails (`o-...`).
    pub organization: Option<String>,
    /// The account the logs belong to.
    pub account: String,
    /// Which stream: `CloudTrail`, `CloudTrail-Insight` or `CloudTrail-Digest`.
    pub stream: String,
    /// The region.
    pub region: String,
    /// The delivery date (not the events' times: a file may hold older records).
    pub date: NaiveDate,
}

impl LayoutPath {
    /// Reads the layout from a path's components (`/` separated, as in S3 keys); `None` when the path is
    /// not in the layout.
    pub fn parse(path: &str) -> Option<LayoutPath> {
        let parts: Vec<&str> = path.split(['/', '\\']).collect();
        let start = parts.iter().rposition(|p| *p == "AWSLogs")?;
        let rest = &parts[start + 1..];
        let (organization, rest) = match rest.first() {
            Some(first) if first.starts_with("o-") => (Some((*first).to_owned()), &rest[1..]),
            _ => (None, rest),
        };
        let [account, stream, region, year, month, day, _file, ..] = rest else {
            return None;
        };
        if !stream.starts_with("CloudTrail") {
            return None;
        }
        let date =
            NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)?;
        Some(LayoutPath {
            organization,
            account: (*account).to_owned(),
            stream: (*stream).to_owned(),
            region: (*region).to_owned(),
            date,
        })
    }
}

/// Chooses files by account, region and delivery date from their paths.
///
/// Rules: with no condition set, every file is read. With any condition set, only files whose path is in
/// the CloudTrail layout and meets every condition are read; directories that cannot hold such a file are
/// not even listed. Dates are the delivery dates in the path, inclusive at both ends.
///
/// Built from [`LayoutFilter::default`] with the `with_*` methods (new conditions may come without
/// breaking callers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LayoutFilter {
    /// Accounts to read; empty means all.
    pub accounts: BTreeSet<String>,
    /// Regions to read; empty means all.
    pub regions: BTreeSet<String>,
    /// First delivery date to read.
    pub from: Option<NaiveDate>,
    /// Last delivery date to read.
    pub to: Option<NaiveDate>,
}

impl LayoutFilter {
    /// Reads only these accounts (added to those set before).
    pub fn with_accounts<S: Into<String>>(mut self, accounts: impl IntoIterator<Item = S>) -> Self {
        self.accounts.extend(accounts.into_iter().map(Into::into));
        self
    }

    /// Reads only these regions (added to those set before).
    pub fn with_regions<S: Into<String>>(mut self, regions: impl IntoIterator<Item = S>) -> Self {
        self.regions.extend(regions.into_iter().map(Into::into));
        self
    }

    /// Sets the first delivery date to read.
    pub fn with_from(mut self, from: Option<NaiveDate>) -> Self {
        self.from = from;
        self
    }

    /// Sets the last delivery date to read.
    pub fn with_to(mut self, to: Option<NaiveDate>) -> Self {
        self.to = to;
        self
    }

    /// True when no condition is set.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
            && self.regions.is_empty()
            && self.from.is_none()
            && self.to.is_none()
    }

    /// Whether a file at this path is read.
    pub fn admits_file(&self, path: &str) -> bool {
        if self.is_empty() {
            return true;
        }
        let Some(layout) = LayoutPath::parse(path) else {
            return false;
        };
        (self.accounts.is_empty() || self.accounts.contains(&layout.account))
            && (self.regions.is_empty() || self.regions.contains(&layout.region))
            && self.from.is_none_or(|from| layout.date >= from)
            && self.to.is_none_or(|to| layout.date <= to)
    }

    /// Whether a directory can hold a file this filter admits, judged from the layout parts its path has.
    pub fn admits_dir(&self, path: &str) -> bool {
        if self.is_empty() {
            return true;
        }
        let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
        let Some(start) = parts.iter().rposition(|p| *p == "AWSLogs") else {
            // Above the layout: keep looking for it.
            return true;
        };
        let mut rest = &parts[start + 1..];
        if rest.first().is_some_and(|p| p.starts_with("o-")) {
            rest = &rest[1..];
        }
        if let Some(account) = rest.first()
            && !self.accounts.is_empty()
            && !self.accounts.contains(*account)
        {
            return false;
        }
        if let Some(stream) = rest.get(1)
            && !stream.starts_with("CloudTrail")
        {
            return false;
        }
        if let Some(region) = rest.get(2)
            && !self.regions.is_empty()
            && !self.regions.contains(*region)
        {
            return false;
        }
        let number = |i: usize| rest.get(i).and_then(|p| p.parse::<u32>().ok());
        match (number(3), number(4), number(5)) {
            (Some(year), month, day) => self.may_hold(year, month, day),
            (None, _, _) if rest.len() > 3 => false,
            _ => true,
        }
    }

    /// Whether the date range meets the year, month or day a directory stands for.
    fn may_hold(&self, year: u32, month: Option<u32>, day: Option<u32>) -> bool {
        let Ok(year) = i32::try_from(year) else {
            return false;
        };
        let (first, last) = match (month, day) {
            (Some(m), Some(d)) => match NaiveDate::from_ymd_opt(year, m, d) {
                Some(date) => (date, date),
                None => return false,
            },
            (Some(m), None) => {
                let Some(first) = NaiveDate::from_ymd_opt(year, m, 1) else {
                    return false;
                };
                let next = if m == 12 {
                    NaiveDate::from_ymd_opt(year + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(year, m + 1, 1)
                };
                (first, next.and_then(|n| n.pred_opt()).unwrap_or(first))
            }
            _ => match (
                NaiveDate::from_ymd_opt(year, 1, 1),
                NaiveDate::from_ymd_opt(year, 12, 31),
            ) {
                (Some(first), Some(last)) => (first, last),
                _ => return false,
            },
        };
        self.from.is_none_or(|from| last >= from) && self.to.is_none_or(|to| first <= to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn parses_plain_and_organization_paths() {
        let path = "logs/AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2024/02/29/111122223333_CloudTrail_eu-west-1_20240229T0000Z_x.json.gz";
        let layout = LayoutPath::parse(path).unwrap();
        assert_eq!(layout.organization.as_deref(), Some("o-abc123"));
        assert_eq!(layout.account, "111122223333");
        assert_eq!(layout.region, "eu-west-1");
        assert_eq!(layout.date, date(2024, 2, 29));
        assert!(LayoutPath::parse("AWSLogs/1/CloudTrail/us-east-1/2024/02/30/f.json.gz").is_none());
        assert!(LayoutPath::parse("random/file.json").is_none());
    }

    #[test]
    fn prunes_directories_by_every_part() {
        let filter = LayoutFilter {
            accounts: ["111122223333".to_owned()].into(),
            regions: ["us-east-1".to_owned()].into(),
            from: Some(date(2024, 1, 15)),
            to: Some(date(2024, 2, 10)),
        };
        assert!(filter.admits_dir("/data/AWSLogs"));
        assert!(filter.admits_dir("/data/AWSLogs/111122223333/CloudTrail/us-east-1/2024"));
        assert!(!filter.admits_dir("/data/AWSLogs/444455556666"));
        assert!(!filter.admits_dir("/data/AWSLogs/111122223333/CloudTrail/eu-west-1"));
        assert!(!filter.admits_dir("/data/AWSLogs/111122223333/CloudTrail/us-east-1/2023"));
        assert!(filter.admits_dir("/data/AWSLogs/111122223333/CloudTrail/us-east-1/2024/01"));
        assert!(!filter.admits_dir("/data/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03"));
        assert!(!filter.admits_dir("/data/AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/14"));
        assert!(filter.admits_dir("/data/AWSLogs/111122223333/CloudTrail/us-east-1/2024/02/10"));
        assert!(
            filter.admits_file("/d/AWSLogs/111122223333/CloudTrail/us-east-1/2024/02/10/f.json.gz")
        );
        assert!(!filter.admits_file("/d/other/f.json.gz"));
        assert!(LayoutFilter::default().admits_file("/d/other/f.json.gz"));
    }
}
