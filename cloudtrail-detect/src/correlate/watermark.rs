//! [`Watermark`]: how far event time has advanced, estimated so that a few records with forged times
//! cannot move it.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

/// How many recent event times the watermark looks at: it is their lower median, so fewer than
/// `WATERMARK_SAMPLE / 2 + 1` records among the last `WATERMARK_SAMPLE` cannot move it.
pub const WATERMARK_SAMPLE: usize = 31;

/// The lower median of the event times of the last [`WATERMARK_SAMPLE`] timed matches to arrive.
///
/// The latest time seen would be the textbook watermark, but one record dated 9999-12-31 would then
/// declare every genuine record late. The median moves only when most recent arrivals agree, lags a
/// time-ordered stream by half the sample (a few records), and may go back: the correlator never
/// processes backwards, it only waits longer.
#[derive(Debug, Default, Clone)]
pub(crate) struct Watermark {
    recent: VecDeque<DateTime<Utc>>,
}

impl Watermark {
    /// The event times it holds, oldest arrival first (to save a correlator's state).
    pub(crate) fn recent(&self) -> &VecDeque<DateTime<Utc>> {
        &self.recent
    }

    /// A watermark holding these times (at most [`WATERMARK_SAMPLE`], as a saved state has).
    pub(crate) fn from_recent(recent: VecDeque<DateTime<Utc>>) -> Self {
        Watermark { recent }
    }

    /// Notes one arrival's event time and returns the watermark's basis (before lateness).
    pub(crate) fn observe(&mut self, time: DateTime<Utc>) -> DateTime<Utc> {
        if self.recent.len() == WATERMARK_SAMPLE {
            self.recent.pop_front();
        }
        self.recent.push_back(time);
        let mut sorted = [DateTime::<Utc>::MIN_UTC; WATERMARK_SAMPLE];
        let held = self.recent.len();
        for (slot, time) in sorted.iter_mut().zip(&self.recent) {
            *slot = *time;
        }
        let middle = (held - 1) / 2;
        *sorted[..held].select_nth_unstable(middle).1
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap() + Duration::minutes(minute)
    }

    #[test]
    fn one_forged_time_does_not_move_it_and_a_majority_does() {
        let mut watermark = Watermark::default();
        for minute in 0..20 {
            watermark.observe(at(minute));
        }
        let forged = DateTime::<Utc>::MAX_UTC;
        assert!(watermark.observe(forged) < at(20));
        assert!(watermark.observe(at(20)) < at(20));
        let mut basis = at(0);
        for _ in 0..WATERMARK_SAMPLE / 2 + 1 {
            basis = watermark.observe(forged);
        }
        assert_eq!(basis, forged);
    }

    #[test]
    fn it_lags_an_ordered_stream_by_half_the_sample() {
        let mut watermark = Watermark::default();
        let mut basis = at(0);
        for minute in 0..100 {
            basis = watermark.observe(at(minute));
        }
        assert_eq!(basis, at(99 - (WATERMARK_SAMPLE as i64) / 2));
    }
}
