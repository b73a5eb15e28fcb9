//! Hive partition paths: `<layout>/region=<r>/accountId=<a>/eventDay=<YYYYMMDD>`.

use std::fmt::Write;

use chrono::{DateTime, Datelike, Utc};
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
    let account = event.recipient_account_id().or_else(|| {
        event
            .user_identity
            .as_ref()
            .and_then(|identity| identity.account_id.as_deref())
    });
    partition_dir_of(layout, event.aws_region(), account, event.event_time(), out);
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
