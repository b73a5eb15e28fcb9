//! Hive partition paths: `<layout>/region=<r>/accountId=<a>/eventDay=<YYYYMMDD>`.

use std::fmt::Write;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use cloudtrail_model::Event;

/// The value Hive, Spark, Athena and DuckDB read as a `NULL` partition value: used when the record has no
/// region, no account or no readable time, or when the value cannot be a path component.
pub const DEFAULT_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// Longest value written as is; longer ones (never seen in real records) go to [`DEFAULT_PARTITION`].
const MAX_VALUE_BYTES: usize = 128;

/// Writes the partition directory of a record, relative to the output directory, into `out`.
///
/// `region` is `awsRegion`; `accountId` is `recipientAccountId`, else `userIdentity.accountId`;
/// `eventDay` is the UTC day of `eventTime`. A missing or empty value, or one longer than 128 bytes, is
/// [`DEFAULT_PARTITION`]; other values are percent-encoded outside `[A-Za-z0-9._-]` (and a leading `.`),
/// as Hive escapes partition values, so no value can climb out of its directory.
pub fn partition_dir(layout: &str, event: &Event<'_>, out: &mut String) {
    partition_dir_of(
        layout,
        event.aws_region(),
        record_account(event),
        event.event_time(),
        out,
    );
}

/// The partition directory of each record a writer is given, rebuilt only when its layout, region,
/// account or day differ from the previous record's: the records of one delivered file nearly all
/// share them, and formatting and escaping the path for each would cost more than comparing.
#[derive(Debug, Default)]
pub(crate) struct DirCache {
    dir: String,
    /// What `dir` was built from; `None` before the first record.
    key: Option<DirKey>,
}

#[derive(Debug, PartialEq, Eq)]
struct DirKey {
    layout: String,
    region: Option<String>,
    account: Option<String>,
    day: Option<NaiveDate>,
}

impl DirCache {
    /// The directory [`partition_dir`] gives for `event` in `layout`, and the partition's day.
    pub(crate) fn dir(&mut self, layout: &str, event: &Event<'_>) -> (&str, Option<NaiveDate>) {
        let region = event.aws_region();
        let account = record_account(event);
        let time = event.event_time();
        let day = time.map(|time| time.date_naive());
        let same = self.key.as_ref().is_some_and(|key| {
            key.day == day
                && key.region.as_deref() == region
                && key.account.as_deref() == account
                && key.layout == layout
        });
        if !same {
            partition_dir_of(layout, region, account, time, &mut self.dir);
            self.key = Some(DirKey {
                layout: layout.to_owned(),
                region: region.map(str::to_owned),
                account: account.map(str::to_owned),
                day,
            });
        }
        (
            &self.dir,
            day.filter(|day| (0..=9999).contains(&day.year())),
        )
    }
}

/// `recipientAccountId`, else `userIdentity.accountId`.
fn record_account<'a>(event: &'a Event<'_>) -> Option<&'a str> {
    event.recipient_account_id().or_else(|| {
        event
            .user_identity
            .as_ref()
            .and_then(|identity| identity.account_id.as_deref())
    })
}

pub(crate) fn partition_dir_of(
    layout: &str,
    region: Option<&str>,
    account: Option<&str>,
    time: Option<DateTime<Utc>>,
    out: &mut String,
) {
    out.clear();
    out.push_str(layout);
    out.push_str("/region=");
    push_value(out, region);
    out.push_str("/accountId=");
    push_value(out, account);
    out.push_str("/eventDay=");
    match time {
        // Writing to a String cannot fail.
        Some(time) if (0..=9999).contains(&time.year()) => {
            let _ = write!(
                out,
                "{:04}{:02}{:02}",
                time.year(),
                time.month(),
                time.day()
            );
        }
        _ => out.push_str(DEFAULT_PARTITION),
    }
}

/// A value escaped as a partition value is (see [`partition_dir`]), for other path components.
pub(crate) fn escape_value(value: &str) -> String {
    let mut out = String::new();
    push_value(&mut out, Some(value));
    out
}

fn push_value(out: &mut String, value: Option<&str>) {
    let value = match value {
        Some(value) if !value.is_empty() && value.len() <= MAX_VALUE_BYTES => value,
        _ => {
            out.push_str(DEFAULT_PARTITION);
            return;
        }
    };
    for (i, byte) in value.bytes().enumerate() {
        let plain =
            byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' || (byte == b'.' && i > 0);
        if plain {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(json: &str) -> String {
        let event = Event::from_json(json).unwrap();
        let mut out = String::new();
        partition_dir("cloudtrail", &event, &mut out);
        out
    }

    #[test]
    fn paths_come_from_region_account_and_day() {
        assert_eq!(
            dir(
                r#"{"awsRegion":"us-east-1","recipientAccountId":"012345678901","userIdentity":{"accountId":"999"},"eventTime":"2024-05-01T23:59:59Z"}"#
            ),
            "cloudtrail/region=us-east-1/accountId=012345678901/eventDay=20240501"
        );
        assert_eq!(
            dir(
                r#"{"awsRegion":"eu-west-1","userIdentity":{"accountId":"999"},"eventTime":"2024-05-01T23:59:59-02:00"}"#
            ),
            "cloudtrail/region=eu-west-1/accountId=999/eventDay=20240502"
        );
    }

    #[test]
    fn the_cache_gives_what_partition_dir_gives() {
        let records = [
            r#"{"awsRegion":"us-east-1","recipientAccountId":"012345678901","eventTime":"2024-05-01T10:00:00Z"}"#,
            r#"{"awsRegion":"us-east-1","recipientAccountId":"012345678901","eventTime":"2024-05-01T23:59:59Z"}"#,
            r#"{"awsRegion":"us-east-1","recipientAccountId":"012345678901","eventTime":"2024-05-02T00:00:00Z"}"#,
            r#"{"awsRegion":"us-east-1","userIdentity":{"accountId":"012345678901"},"eventTime":"2024-05-02T00:00:00Z"}"#,
            r#"{"awsRegion":"us-east-1","userIdentity":{"accountId":"999"},"eventTime":"2024-05-02T00:00:00Z"}"#,
            r#"{"awsRegion":"eu-west-1","userIdentity":{"accountId":"999"},"eventTime":"2024-05-02T00:00:00Z"}"#,
            r#"{"userIdentity":{"accountId":"999"},"eventTime":"2024-05-02T00:00:00Z"}"#,
            r#"{"awsRegion":"","userIdentity":{"accountId":"999"}}"#,
            r#"{"awsRegion":"","userIdentity":{"accountId":"999"},"eventTime":"2024-05-02T00:00:00Z"}"#,
        ];
        let mut cache = DirCache::default();
        for layout in ["cloudtrail", "api_activity"] {
            for json in records.iter().chain(records.iter().rev()) {
                let event = Event::from_json(json).unwrap();
                let mut expected = String::new();
                partition_dir(layout, &event, &mut expected);
                assert_eq!(cache.dir(layout, &event).0, expected, "{layout} {json}");
            }
        }
    }

    #[test]
    fn missing_and_hostile_values_stay_inside_their_directory() {
        assert_eq!(
            dir(r#"{"eventTime":"redacted","awsRegion":""}"#),
            "cloudtrail/region=__HIVE_DEFAULT_PARTITION__/accountId=__HIVE_DEFAULT_PARTITION__/eventDay=__HIVE_DEFAULT_PARTITION__"
        );
        assert_eq!(
            dir(
                r#"{"awsRegion":"../../etc","recipientAccountId":"a/b=c%","eventTime":"2024-05-01T00:00:00Z"}"#
            ),
            "cloudtrail/region=%2E.%2F..%2Fetc/accountId=a%2Fb%3Dc%25/eventDay=20240501"
        );
        let long = "x".repeat(200);
        assert!(
            dir(&format!(r#"{{"awsRegion":"{long}"}}"#))
                .starts_with("cloudtrail/region=__HIVE_DEFAULT_PARTITION__/")
        );
    }
}
