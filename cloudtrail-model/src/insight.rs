//! `insightDetails`: the body of a CloudTrail Insights event ([`InsightDetails`]).

use std::borrow::Cow;

use serde_json::Number;

use crate::json::json_object;

json_object! {
    /// `insightDetails`: an unusual rate of API calls or errors, starting or ending.
    pub struct InsightDetails<'a> {
        /// `state`: `Start` or `End`.
        "state" => state: Cow<'a, str>,
        /// `eventSource` of the API whose rate changed.
        "eventSource" => event_source: Cow<'a, str>,
        /// `eventName` of the API whose rate changed.
        "eventName" => event_name: Cow<'a, str>,
        /// `insightType`: `ApiCallRateInsight` or `ApiErrorRateInsight`.
        "insightType" => insight_type: Cow<'a, str>,
        /// `errorCode` for error-rate insights.
        "errorCode" => error_code: Cow<'a, str>,
        /// `insightContext`: the statistics and attributions.
        "insightContext" => insight_context: InsightContext<'a>,
    }
}

json_object! {
    /// `insightDetails.insightContext`.
    pub struct InsightContext<'a> {
        /// `statistics`: baseline and insight averages and durations.
        "statistics" => statistics: InsightStatistics<'a>,
        /// `attributions`: which user identities, user agents or error codes drove the change.
        "attributions" => attributions: Vec<InsightAttribution<'a>>,
    }
}

json_object! {
    /// `insightContext.statistics`.
    pub struct InsightStatistics<'a> {
        /// `baseline`: the normal rate.
        "baseline" => baseline: InsightAverage<'a>,
        /// `insight`: the unusual rate.
        "insight" => insight: InsightAverage<'a>,
        /// `insightDuration` in minutes.
        "insightDuration" => insight_duration: Number,
        /// `baselineDuration` in minutes.
        "baselineDuration" => baseline_duration: Number,
    }
}

json_object! {
    /// An average rate, per minute.
    pub struct InsightAverage<'a> {
        /// `average`: may be in exponent notation (`9.82222E-5`).
        "average" => average: Number,
    }
}

json_object! {
    /// One item of `insightContext.attributions`.
    pub struct InsightAttribution<'a> {
        /// `attribute`: `userIdentityArn`, `userAgent` or `errorCode`.
        "attribute" => attribute: Cow<'a, str>,
        /// `insight`: top values during the insight.
        "insight" => insight: Vec<AttributionValue<'a>>,
        /// `baseline`: top values during the baseline.
        "baseline" => baseline: Vec<AttributionValue<'a>>,
    }
}

json_object! {
    /// A value and its average rate, in an attribution.
    pub struct AttributionValue<'a> {
        /// `value`: the attribute value (the error code `"null"` is a string).
        "value" => value: Cow<'a, str>,
        /// `average` rate of calls with this value.
        "average" => average: Number,
    }
}
