//! Aggregated events: CloudTrail's 5-minute summaries of data events ([`TimeWindow`], [`AggregatedSummary`]),
//! and the view of one such record ([`Aggregation`]).
//!
//! A trail with aggregation enabled (templates `API_ACTIVITY`, `RESOURCE_ACCESS`, `USER_ACTIONS`) delivers,
//! beside or instead of its data events, records of `eventCategory: "Aggregated"` and
//! `eventType: "AwsAggregatedEvent"`. They have no `eventTime`, `eventID`, `userIdentity` or
//! `recipientAccountId`: they carry `eventId` (so spelt), `accountId`, `timeWindow` and `summary` instead
//! (AWS CloudTrail User Guide, "CloudTrail record contents for aggregated events" and "Aggregating data
//! events").

use std::borrow::Cow;

use chrono::{DateTime, Duration, Utc};
use serde_json::Number;

use crate::event::Event;
use crate::json::json_object;
use crate::kinds::{EventCategory, EventType};
use crate::time::Timestamp;

json_object! {
    /// `timeWindow`: the interval whose data events a record summarises.
    pub struct TimeWindow<'a> {
        /// `windowStart`: the first instant of the window (inclusive), UTC.
        "windowStart" => window_start: Timestamp<'a>,
        /// `windowEnd`: the end of the window (exclusive), UTC.
        "windowEnd" => window_end: Timestamp<'a>,
        /// `windowSize`: the window's length as an ISO 8601 duration, `PT5M` (see [`TimeWindow::size`]).
        "windowSize" => window_size: Cow<'a, str>,
    }
}

json_object! {
    /// `summary`: counts of the summarised events along one primary dimension, broken down along others.
    pub struct AggregatedSummary<'a> {
        /// `primaryDimension`: what the record is about: `eventName` (`API_ACTIVITY`), `resourceARN`
        /// (`RESOURCE_ACCESS`) or `userIdentity` (`USER_ACTIONS`).
        "primaryDimension" => primary_dimension: DimensionStatistics<'a>,
        /// `details`: further dimensions (`userAgent`, `sourceIpAddress`, `errorCodes`, ...).
        "details" => details: Vec<DimensionStatistics<'a>>,
    }
}

json_object! {
    /// One dimension of a summary and its top values.
    pub struct DimensionStatistics<'a> {
        /// `dimension`: the member the events were grouped by, e.g. `eventName`, `resourceARN`.
        "dimension" => dimension: Cow<'a, str>,
        /// `statistics`: the values seen and how often.
        "statistics" => statistics: Vec<DimensionValue<'a>>,
        /// `aggregationType`: how `value` was computed (`Count`).
        "aggregationType" => aggregation_type: Cow<'a, str>,
    }
}

json_object! {
    /// One value of a dimension and its statistic.
    pub struct DimensionValue<'a> {
        /// `name`: the value, e.g. `PutObject` or `arn:aws:s3:::bucket-1`.
        "name" => name: Cow<'a, str>,
        /// `value`: the statistic, a count for `aggregationType: Count`.
        "value" => value: Number,
    }
}

impl TimeWindow<'_> {
    /// `windowStart` as a UTC instant.
    pub fn start(&self) -> Option<DateTime<Utc>> {
        self.window_start.as_ref()?.utc()
    }

    /// `windowEnd` as a UTC instant.
    pub fn end(&self) -> Option<DateTime<Utc>> {
        self.window_end.as_ref()?.utc()
    }

    /// `windowSize` read as a duration: the ISO 8601 time forms CloudTrail writes (`PT5M`, `PT1H`,
    /// `PT30S`, `PT1H30M`, `P1D`); `None` for other text.
    pub fn size(&self) -> Option<Duration> {
        parse_iso_duration(self.window_size.as_deref()?)
    }
}

impl DimensionStatistics<'_> {
    /// Each value with its statistic read as an integer (counts), skipping values that are not one.
    pub fn counts(&self) -> impl Iterator<Item = (&str, u64)> {
        self.statistics
            .iter()
            .flatten()
            .filter_map(|value| Some((value.name.as_deref()?, value.value.as_ref()?.as_u64()?)))
    }
}

/// The view of an aggregated event: its window and summary (see [`Event::aggregation`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aggregation<'r> {
    /// `eventId`.
    pub id: Option<&'r str>,
    /// `accountId`: the account that received the record.
    pub account_id: Option<&'r str>,
    /// `timeWindow`, when present.
    pub window: Option<&'r TimeWindow<'r>>,
    /// `summary`, when present.
    pub summary: Option<&'r AggregatedSummary<'r>>,
}

impl<'r> Aggregation<'r> {
    /// The primary dimension's name, e.g. `eventName`.
    pub fn primary_dimension(&self) -> Option<&'r str> {
        self.summary?
            .primary_dimension
            .as_ref()?
            .dimension
            .as_deref()
    }

    /// How many events the record summarises: the sum of the primary dimension's counts (`None` when the
    /// record has no counted primary dimension).
    pub fn event_count(&self) -> Option<u64> {
        let primary = self.summary?.primary_dimension.as_ref()?;
        primary.statistics.as_ref()?;
        Some(primary.counts().map(|(_, count)| count).sum())
    }
}

impl<'a> Event<'a> {
    /// Whether this is an aggregated event: `eventType: AwsAggregatedEvent` or
    /// `eventCategory: Aggregated` (in any spelling).
    pub fn is_aggregated(&self) -> bool {
        matches!(self.event_type(), Some(EventType::AwsAggregatedEvent))
            || matches!(self.event_category(), Some(EventCategory::Aggregated))
    }

    /// The aggregated-event view (window and summary) when this is one (see [`Event::is_aggregated`]).
    ///
    /// ```
    /// use cloudtrail_model::Event;
    ///
    /// let event = Event::from_json(r#"{"eventVersion":"1.0","accountId":"111122223333",
    ///   "eventId":"62759c1a-6248-48e1-a6b3-d5fb7e6c4bc0","eventCategory":"Aggregated",
    ///   "eventType":"AwsAggregatedEvent","eventSource":"s3.amazonaws.com",
    ///   "timeWindow":{"windowStart":"2025-11-17T19:20:00Z","windowEnd":"2025-11-17T19:25:00Z","windowSize":"PT5M"},
    ///   "summary":{"primaryDimension":{"dimension":"eventName",
    ///     "statistics":[{"name":"PutObject","value":1000}],"aggregationType":"Count"}}}"#)?;
    /// let aggregation = event.aggregation().expect("an aggregated event");
    /// assert_eq!(aggregation.primary_dimension(), Some("eventName"));
    /// assert_eq!(aggregation.event_count(), Some(1000));
    /// assert_eq!(event.event_time(), aggregation.window.and_then(|w| w.start()));
    /// assert_eq!(event.record_id(), Some("62759c1a-6248-48e1-a6b3-d5fb7e6c4bc0"));
    /// # Ok::<(), cloudtrail_model::ParseError>(())
    /// ```
    pub fn aggregation(&self) -> Option<Aggregation<'_>> {
        self.is_aggregated().then_some(Aggregation {
            id: self.aggregated_event_id.as_deref(),
            account_id: self.aggregated_account_id.as_deref(),
            window: self.time_window.as_deref(),
            summary: self.summary.as_deref(),
        })
    }
}

/// Reads the ISO 8601 durations of the `P[nD][T[nH][nM][nS]]` form (whole numbers); anything else is `None`.
fn parse_iso_duration(text: &str) -> Option<Duration> {
    let rest = text.strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((days, time)) => (days, Some(time)),
        None => (rest, None),
    };
    let mut total = Duration::zero();
    let mut any = false;
    for (part, units) in [
        (days, &[('D', 86_400)][..]),
        (time.unwrap_or(""), &[('H', 3_600), ('M', 60), ('S', 1)][..]),
    ] {
        let mut number = String::new();
        let mut remaining = units.iter();
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            // Units must come in order, each at most once.
            let (_, seconds) = remaining.find(|(unit, _)| *unit == c)?;
            let count: i64 = number.parse().ok()?;
            total = total.checked_add(&Duration::try_seconds(count.checked_mul(*seconds)?)?)?;
            number.clear();
            any = true;
        }
        if !number.is_empty() {
            return None;
        }
    }
    if time == Some("") {
        return None;
    }
    any.then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_iso_durations() {
        assert_eq!(parse_iso_duration("PT5M"), Some(Duration::minutes(5)));
        assert_eq!(parse_iso_duration("PT1H30M"), Some(Duration::minutes(90)));
        assert_eq!(
            parse_iso_duration("P1DT1S"),
            Some(Duration::seconds(86_401))
        );
        assert_eq!(parse_iso_duration("PT30S"), Some(Duration::seconds(30)));
        for bad in [
            "",
            "P",
            "PT",
            "5M",
            "PT5",
            "PTM",
            "PT5M5H",
            "PT5X",
            "P1W",
            "PT99999999999999999999S",
        ] {
            assert_eq!(parse_iso_duration(bad), None, "{bad:?}");
        }
    }
}
