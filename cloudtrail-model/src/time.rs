//! [`Timestamp`]: a time member kept as written and read as UTC.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Serialize, Serializer};

use crate::json::{IntoOwned, Lenient};

/// A time as CloudTrail (or an export of it) wrote it, with its reading as a UTC instant.
///
/// Raw logs write `2023-07-19T21:11:57Z`; exports and documentation also use fractions of a second, a space
/// instead of `T`, no zone, an offset, and the basic form `20131102T010628Z` (see [`parse_time`]). The
/// text is kept so that the record serialises back unchanged; a text that is not a time (`"redacted"`,
/// `"..."`) is kept too, reads as `None`, and is reported by [`crate::Event::anomalies`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timestamp<'a> {
    text: Cow<'a, str>,
    utc: Option<DateTime<Utc>>,
}

impl<'a> Timestamp<'a> {
    /// Reads a time from its text.
    pub fn new(text: impl Into<Cow<'a, str>>) -> Self {
        let text = text.into();
        let utc = parse_time(&text);
        Timestamp { text, utc }
    }

    /// The time as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The UTC instant, or `None` when the text is not a time.
    pub fn utc(&self) -> Option<DateTime<Utc>> {
        self.utc
    }
}

impl From<DateTime<Utc>> for Timestamp<'static> {
    /// Writes the instant the way CloudTrail does, to the second, or with nanoseconds when it has them.
    fn from(utc: DateTime<Utc>) -> Self {
        let text = if utc.timestamp_subsec_nanos() == 0 {
            utc.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        } else {
            utc.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string()
        };
        Timestamp {
            text: Cow::Owned(text),
            utc: Some(utc),
        }
    }
}

impl Serialize for Timestamp<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de: 'a, 'a> Lenient<'de> for Timestamp<'a> {
    fn from_str(v: Cow<'de, str>) -> Result<Self, Cow<'de, str>> {
        Ok(Timestamp::new(v))
    }
}

impl IntoOwned for Timestamp<'_> {
    type Output = Timestamp<'static>;
    fn into_owned(self) -> Self::Output {
        Timestamp {
            text: IntoOwned::into_owned(self.text),
            utc: self.utc,
        }
    }
}

/// Reads the time formats found in CloudTrail records and their exports as a UTC instant.
///
/// Accepted, in any combination: an extended date `2024-01-31` or a basic one `20240131`; `T` or a space
/// before the time; `21:11:57` or `211157`; a fraction of a second of any length (nanoseconds kept);
/// `Z`, `+00:00`, `+0000`, `-05:00` or no zone at all (taken as UTC, as CloudTrail times always are).
/// Anything else is `None`.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    // The raw-log form, `YYYY-MM-DDTHH:MM:SSZ`, read without searching.
    if b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
    {
        return utc(
            digits(&b[0..4])?,
            digits(&b[5..7])?,
            digits(&b[8..10])?,
            digits(&b[11..13])?,
            digits(&b[14..16])?,
            digits(&b[17..19])?,
            0,
        );
    }
    parse_general(b)
}

fn parse_general(b: &[u8]) -> Option<DateTime<Utc>> {
    let (year, month, day, rest) = if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        (
            digits(&b[0..4])?,
            digits(&b[5..7])?,
            digits(&b[8..10])?,
            &b[10..],
        )
    } else if b.len() >= 8 {
        (
            digits(&b[0..4])?,
            digits(&b[4..6])?,
            digits(&b[6..8])?,
            &b[8..],
        )
    } else {
        return None;
    };
    let rest = match rest.first() {
        Some(b'T' | b't' | b' ') => &rest[1..],
        None => return utc(year, month, day, 0, 0, 0, 0),
        _ => return None,
    };
    let (hour, minute, second, mut rest) = if rest.len() >= 8 && rest[2] == b':' && rest[5] == b':'
    {
        (
            digits(&rest[0..2])?,
            digits(&rest[3..5])?,
            digits(&rest[6..8])?,
            &rest[8..],
        )
    } else if rest.len() >= 6 {
        (
            digits(&rest[0..2])?,
            digits(&rest[2..4])?,
            digits(&rest[4..6])?,
            &rest[6..],
        )
    } else {
        return None;
    };
    let mut nanos = 0u32;
    if let Some((b'.' | b',', fraction)) = rest.split_first() {
        let len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        for (i, c) in fraction[..len].iter().enumerate() {
            if i < 9 {
                nanos = nanos * 10 + u32::from(c - b'0');
            }
        }
        for _ in len..9 {
            nanos *= 10;
        }
        rest = &fraction[len..];
    }
    let offset_seconds = match rest {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), zone @ ..] => {
            let (h, m) = match zone {
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                    (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?)
                }
                [h1, h2] => (digits(&[*h1, *h2])?, 0),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let seconds = i64::from(h * 3600 + m * 60);
            if *sign == b'+' { seconds } else { -seconds }
        }
        _ => return None,
    };
    let local = utc(year, month, day, hour, minute, second, nanos)?;
    local.checked_sub_signed(chrono::TimeDelta::try_seconds(offset_seconds)?)
}

fn utc(
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
) -> Option<DateTime<Utc>> {
    let year = i32::try_from(year).ok()?;
    let naive =
        NaiveDate::from_ymd_opt(year, month, day)?.and_hms_nano_opt(hour, minute, second, nanos)?;
    Some(Utc.from_utc_datetime(&naive))
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut n = 0u32;
    for c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(c - b'0');
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(text: &str) -> Option<String> {
        parse_time(text).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }

    #[test]
    fn reads_every_observed_format() {
        assert_eq!(
            iso("2023-07-19T21:11:57Z").as_deref(),
            Some("2023-07-19T21:11:57Z")
        );
        assert_eq!(
            iso("20131102T010628Z").as_deref(),
            Some("2013-11-02T01:06:28Z")
        );
        assert_eq!(
            iso("2022-12-11 19:42:55").as_deref(),
            Some("2022-12-11T19:42:55Z")
        );
        assert_eq!(
            iso("2024-01-01 00:00:00.000").as_deref(),
            Some("2024-01-01T00:00:00Z")
        );
        assert_eq!(
            iso("2025-01-20 16:52:14.000000000").as_deref(),
            Some("2025-01-20T16:52:14Z")
        );
        assert_eq!(
            iso("2020-11-05 21:21:46Z").as_deref(),
            Some("2020-11-05T21:21:46Z")
        );
        assert_eq!(
            iso("2024-10-10T12:55:43.023139433Z").as_deref(),
            Some("2024-10-10T12:55:43.023139433Z")
        );
        assert_eq!(
            iso("2024-10-10T14:55:43+02:00").as_deref(),
            Some("2024-10-10T12:55:43Z")
        );
        assert_eq!(
            iso("2024-10-10T07:55:43-0500").as_deref(),
            Some("2024-10-10T12:55:43Z")
        );
    }

    #[test]
    fn rejects_what_is_not_a_time() {
        for text in [
            "redacted",
            "...",
            "",
            "2023-13-01T00:00:00Z",
            "2023-02-30T00:00:00Z",
            "2023-07-19T25:00:00Z",
            "2023-07-19T21:11:57Q",
            "2023-07-19T21:11:57.",
        ] {
            assert_eq!(parse_time(text), None, "{text:?}");
        }
    }

    #[test]
    fn keeps_the_text_as_written() {
        let t = Timestamp::new("2024-01-01 00:00:00.000");
        assert_eq!(t.as_str(), "2024-01-01 00:00:00.000");
        assert!(t.utc().is_some());
    }
}
