//! The fallback rule for years without a loaded decree: Labour Code art. 112 alone.

use chrono::{Datelike, NaiveDate, Weekday};

use super::error::CalendarError;
use super::year::{CalendarLayer, CalendarYear};

/// The non-working holidays of Labour Code art. 112 part 1 as `(month, day)`: 1–6 and 8 January
/// (Новогодние каникулы), 7 January (Рождество Христово), 23 February, 8 March, 1 May, 9 May,
/// 12 June and 4 November. The first eight entries are the January holidays.
pub const STATUTORY_HOLIDAYS: [(u32, u32); 14] =
    [(1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 6), (1, 7), (1, 8), (2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)];

/// How many leading entries of [`STATUTORY_HOLIDAYS`] are January holidays, which art. 112
/// part 2 excludes from the automatic move off a weekend.
const JANUARY_HOLIDAYS: usize = 8;

/// The legal source recorded on a [`statutory_calendar_year`].
const STATUTORY_SOURCE: &str = "Трудовой кодекс РФ, ст. 112 (provisional: no decree on transfers \
                                of days off is loaded for this year)";

/// Whether `date` is a Saturday or a Sunday.
pub(crate) fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn is_fixed_holiday(date: NaiveDate) -> bool {
    STATUTORY_HOLIDAYS.iter().any(|&(m, d)| date.month() == m && date.day() == d)
}

/// The weekdays off of a year under art. 112 alone, as zero-based ordinals, sorted; at most one
/// per holiday, hence a fixed array and no allocation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StatutoryDaysOff {
    ord0: [u16; STATUTORY_HOLIDAYS.len()],
    len: usize,
}

impl StatutoryDaysOff {
    /// The zero-based ordinals of the weekdays off, ascending.
    pub(crate) fn as_slice(&self) -> &[u16] {
        self.ord0.get(..self.len).unwrap_or(&[])
    }

    /// Whether the zero-based ordinal is a weekday off.
    pub(crate) fn contains(&self, ord0: u32) -> bool {
        self.as_slice().iter().any(|&o| u32::from(o) == ord0)
    }

    fn push(&mut self, date: NaiveDate) {
        if let (Some(slot), Ok(o)) = (self.ord0.get_mut(self.len), u16::try_from(date.ordinal0())) {
            *slot = o;
            self.len += 1;
        }
    }
}

/// The weekdays off of `year` under the bare rule of art. 112: each holiday on a weekday is off;
/// a holiday other than 1–8 January that falls on a Saturday or Sunday moves the day off to the
/// next weekday that is neither a holiday nor already taken by another move (part 2). January
/// holidays on weekends are not moved (the yearly decree transfers them; without a decree nothing
/// is assumed). `None` when the year is not representable.
pub(crate) fn statutory_days_off(year: i32) -> Option<StatutoryDaysOff> {
    let mut out = StatutoryDaysOff { ord0: [0; STATUTORY_HOLIDAYS.len()], len: 0 };
    for (i, &(month, day)) in STATUTORY_HOLIDAYS.iter().enumerate() {
        let date = NaiveDate::from_ymd_opt(year, month, day)?;
        if !is_weekend(date) {
            out.push(date);
        } else if i >= JANUARY_HOLIDAYS {
            let mut candidate = date.succ_opt()?;
            while is_weekend(candidate) || is_fixed_holiday(candidate) || out.contains(candidate.ordinal0()) {
                candidate = candidate.succ_opt()?;
            }
            if candidate.year() == year {
                out.push(candidate);
            }
        }
    }
    let len = out.len;
    if let Some(slice) = out.ord0.get_mut(..len) {
        slice.sort_unstable();
    }
    Some(out)
}

/// Whether `date` is a working day under the bare rule of art. 112 (weekends and
/// [`statutory_days_off`] are off).
pub(crate) fn is_statutory_working_day(date: NaiveDate) -> bool {
    !is_weekend(date) && !statutory_days_off(date.year()).is_some_and(|days| days.contains(date.ordinal0()))
}

/// The provisional federal [`CalendarYear`] that the art. 112 fallback produces for `year`: no
/// working weekend days, shortened days unknown, the total computed.
///
/// This is what [`ProductionCalendar`](super::ProductionCalendar) assumes for a year without a
/// loaded decree; real years differ by the decree's transfers (e.g. 2026 has 249 working days
/// here and 247 by the decree).
pub fn statutory_calendar_year(year: i32) -> Result<CalendarYear, CalendarError> {
    let days = statutory_days_off(year).ok_or(CalendarError::OutOfRange)?;
    let mut non_working_days = Vec::with_capacity(days.as_slice().len());
    for &ord0 in days.as_slice() {
        let date = NaiveDate::from_yo_opt(year, u32::from(ord0) + 1).ok_or(CalendarError::OutOfRange)?;
        non_working_days.push(date);
    }
    let mut calendar_year = CalendarYear {
        year,
        layer: CalendarLayer::Federal,
        source: STATUTORY_SOURCE.to_owned(),
        non_working_days,
        working_weekend_days: Vec::new(),
        shortened_days: None,
        working_days_total: None,
    };
    calendar_year.working_days_total = calendar_year.computed_working_days();
    Ok(calendar_year)
}

#[cfg(test)]
mod tests {

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn dates(list: &[&str]) -> Vec<NaiveDate> {
        list.iter().map(|s| d(s)).collect()
    }

    // Every expectation below was worked out by hand from a printed calendar.

    #[test]
    fn year_2027_moves_may_and_june_holidays_but_not_january_ones() {
        // 2027 starts on Friday. Jan 1 Fri, Jan 2–3 weekend (not moved), Jan 4–8 Mon–Fri
        // (Jan 7 = Thursday); Feb 23 Tue; Mar 8 Mon; May 1 Sat -> May 3 Mon; May 9 Sun -> May 10
        // Mon; Jun 12 Sat -> Jun 14 Mon; Nov 4 Thu.
        let y = statutory_calendar_year(2027).unwrap();
        assert_eq!(
            y.non_working_days,
            dates(&[
                "2027-01-01",
                "2027-01-04",
                "2027-01-05",
                "2027-01-06",
                "2027-01-07",
                "2027-01-08",
                "2027-02-23",
                "2027-03-08",
                "2027-05-03",
                "2027-05-10",
                "2027-06-14",
                "2027-11-04",
            ])
        );
        // 261 weekdays (365 days starting Friday) - 12.
        assert_eq!(y.working_days_total, Some(249));
        assert_eq!(y.validate(), Ok(()));
    }

    #[test]
    fn year_2026_differs_from_the_decree_only_by_its_two_transfers() {
        // Decree 2026 adds Jan 9 (from Sat Jan 3) and Dec 31 (from Sun Jan 4): 247 vs 249.
        // Mar 8 Sun -> Mar 9 Mon and May 9 Sat -> May 11 Mon are art. 112 part 2 moves.
        let y = statutory_calendar_year(2026).unwrap();
        assert_eq!(
            y.non_working_days,
            dates(&[
                "2026-01-01",
                "2026-01-02",
                "2026-01-05",
                "2026-01-06",
                "2026-01-07",
                "2026-01-08",
                "2026-02-23",
                "2026-03-09",
                "2026-05-01",
                "2026-05-11",
                "2026-06-12",
                "2026-11-04",
            ])
        );
        assert_eq!(y.working_days_total, Some(249));
    }

    #[test]
    fn year_2023_nov_4_saturday_moves_to_monday() {
        // 2023: Jan 2–6 (Mon–Fri), Feb 23 Thu, Mar 8 Wed, May 1 Mon, May 9 Tue, Jun 12 Mon,
        // Nov 4 Sat -> Nov 6 Mon. 260 weekdays - 11 = 249 (the decree made 247).
        let y = statutory_calendar_year(2023).unwrap();
        assert!(y.non_working_days.contains(&d("2023-11-06")));
        assert!(!y.non_working_days.contains(&d("2023-01-01")));
        assert_eq!(y.non_working_days.len(), 11);
        assert_eq!(y.working_days_total, Some(249));
    }

    #[test]
    fn year_2020_june_12_friday() {
        assert!(!is_statutory_working_day(d("2020-06-12")));
        assert!(is_statutory_working_day(d("2020-06-11")));
        assert!(!is_statutory_working_day(d("2020-06-13")));
        assert!(is_statutory_working_day(d("2020-06-15")));
    }

    #[test]
    fn out_of_range_year_is_an_error() {
        assert_eq!(statutory_calendar_year(i32::MAX), Err(CalendarError::OutOfRange));
    }
}
