//! One year of one layer of the production calendar, and its validation.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::statutory::is_weekend;

/// Which authority a [`CalendarYear`] comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CalendarLayer {
    /// The federal calendar: Labour Code art. 112 holidays and the yearly Government decree on
    /// transfers of days off (постановление Правительства РФ «О переносе выходных дней»).
    Federal,
    /// Additional days off (or working days) declared by a constituent entity of the Federation.
    Regional {
        /// Two-digit code of the constituent entity (код субъекта РФ), e.g. `"03"` for Buryatia.
        region_code: String,
    },
}

impl fmt::Display for CalendarLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Federal => f.write_str("federal"),
            Self::Regional { region_code } => write!(f, "region {region_code}"),
        }
    }
}

/// One year of one calendar layer.
///
/// Saturdays and Sundays are days off and Monday to Friday are working days unless listed here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarYear {
    /// The calendar year.
    pub year: i32,
    /// The layer (federal or regional) these days belong to.
    pub layer: CalendarLayer,
    /// Legal source: the act, its number and date (e.g. «Постановление Правительства РФ от
    /// 04.10.2024 № 1335»).
    pub source: String,
    /// Weekdays (Monday–Friday) that are days off: holidays (нерабочие праздничные дни) and days
    /// off transferred onto weekdays.
    pub non_working_days: Vec<NaiveDate>,
    /// Saturdays and Sundays made working days by a transfer (рабочие выходные).
    pub working_weekend_days: Vec<NaiveDate>,
    /// Pre-holiday days shortened by one hour (Labour Code art. 95); `None` when not checked.
    pub shortened_days: Option<Vec<NaiveDate>>,
    /// The published number of working days in the year, when known. For a federal layer it must
    /// equal the count computed from the lists; a regional layer's total is the combined
    /// federal-plus-regional count and is checked by
    /// [`ProductionCalendar::with_regional`](super::ProductionCalendar::with_regional).
    pub working_days_total: Option<u32>,
}

/// Which list of a [`CalendarYear`] a problem was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayList {
    /// [`CalendarYear::non_working_days`].
    NonWorkingDays,
    /// [`CalendarYear::working_weekend_days`].
    WorkingWeekendDays,
    /// [`CalendarYear::shortened_days`].
    ShortenedDays,
}

impl fmt::Display for DayList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NonWorkingDays => "non_working_days",
            Self::WorkingWeekendDays => "working_weekend_days",
            Self::ShortenedDays => "shortened_days",
        })
    }
}

/// One problem found by [`CalendarYear::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "issue", rename_all = "snake_case")]
pub enum CalendarIssue {
    /// The year cannot be represented as a calendar date.
    #[error("the year is outside the representable range")]
    YearOutOfRange,
    /// A regional layer has an empty region code.
    #[error("the region code is empty")]
    EmptyRegionCode,
    /// A listed date belongs to another year.
    #[error("{list} contains {date}, which is outside the year")]
    DateOutsideYear {
        /// The list holding the date.
        list: DayList,
        /// The offending date.
        date: NaiveDate,
    },
    /// A date is listed twice in the same list.
    #[error("{list} contains {date} more than once")]
    Duplicate {
        /// The list holding the date.
        list: DayList,
        /// The repeated date.
        date: NaiveDate,
    },
    /// A "non-working weekday" falls on a Saturday or Sunday (it is a day off anyway).
    #[error("non-working day {date} falls on a weekend")]
    NonWorkingDayOnWeekend {
        /// The offending date.
        date: NaiveDate,
    },
    /// A "working weekend day" falls on a weekday (it is a working day anyway).
    #[error("working weekend day {date} falls on a weekday")]
    WorkingWeekendDayOnWeekday {
        /// The offending date.
        date: NaiveDate,
    },
    /// A shortened day is not a working day of this layer.
    #[error("shortened day {date} is not a working day")]
    ShortenedDayNotWorking {
        /// The offending date.
        date: NaiveDate,
    },
    /// The declared working-day total differs from the count computed from the lists.
    #[error("declared {declared} working days, computed {computed}")]
    TotalMismatch {
        /// The total written in the data.
        declared: u32,
        /// The total computed from weekends and the lists.
        computed: u32,
    },
}

impl CalendarYear {
    /// Every problem of this year, or `Ok(())` when there is none.
    ///
    /// Checks: the year is representable; a regional layer has a region code; every listed date
    /// lies in the year; no list repeats a date; non-working days are weekdays; working weekend
    /// days are Saturdays or Sundays; shortened days are working days; and, for the federal layer,
    /// `working_days_total` equals [`Self::computed_working_days`].
    pub fn validate(&self) -> Result<(), Vec<CalendarIssue>> {
        let mut issues = Vec::new();
        if NaiveDate::from_ymd_opt(self.year, 1, 1).is_none() || NaiveDate::from_ymd_opt(self.year, 12, 31).is_none() {
            issues.push(CalendarIssue::YearOutOfRange);
        }
        if let CalendarLayer::Regional { region_code } = &self.layer
            && region_code.trim().is_empty()
        {
            issues.push(CalendarIssue::EmptyRegionCode);
        }

        self.check_list(DayList::NonWorkingDays, &self.non_working_days, &mut issues);
        self.check_list(DayList::WorkingWeekendDays, &self.working_weekend_days, &mut issues);
        if let Some(shortened) = &self.shortened_days {
            self.check_list(DayList::ShortenedDays, shortened, &mut issues);
        }

        for &date in &self.non_working_days {
            if is_weekend(date) {
                issues.push(CalendarIssue::NonWorkingDayOnWeekend { date });
            }
        }
        for &date in &self.working_weekend_days {
            if !is_weekend(date) {
                issues.push(CalendarIssue::WorkingWeekendDayOnWeekday { date });
            }
        }
        for &date in self.shortened_days.iter().flatten() {
            if !self.is_working_in_layer(date) {
                issues.push(CalendarIssue::ShortenedDayNotWorking { date });
            }
        }

        if self.layer == CalendarLayer::Federal
            && let (Some(declared), Some(computed)) = (self.working_days_total, self.computed_working_days())
            && declared != computed
        {
            issues.push(CalendarIssue::TotalMismatch { declared, computed });
        }

        if issues.is_empty() { Ok(()) } else { Err(issues) }
    }

    /// The number of working days in the year computed from this layer alone: weekdays that are
    /// not in `non_working_days`, plus `working_weekend_days` (dates of other years are ignored).
    /// `None` when the year is not representable.
    pub fn computed_working_days(&self) -> Option<u32> {
        let mut day = NaiveDate::from_ymd_opt(self.year, 1, 1)?;
        let mut count = 0;
        while day.year() == self.year {
            if self.is_working_in_layer(day) {
                count += 1;
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        Some(count)
    }

    /// Whether `date` is a working day judging by this layer alone (weekends plus the lists).
    fn is_working_in_layer(&self, date: NaiveDate) -> bool {
        if self.working_weekend_days.contains(&date) {
            true
        } else {
            !is_weekend(date) && !self.non_working_days.contains(&date)
        }
    }

    fn check_list(&self, list: DayList, dates: &[NaiveDate], issues: &mut Vec<CalendarIssue>) {
        let mut seen = BTreeSet::new();
        for &date in dates {
            if date.year() != self.year {
                issues.push(CalendarIssue::DateOutsideYear { list, date });
            }
            if !seen.insert(date) {
                issues.push(CalendarIssue::Duplicate { list, date });
            }
        }
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn federal_2025_fragment() -> CalendarYear {
        CalendarYear {
            year: 2025,
            layer: CalendarLayer::Federal,
            source: "test".into(),
            non_working_days: vec![d("2025-11-03"), d("2025-11-04")],
            working_weekend_days: vec![d("2025-11-01")],
            shortened_days: Some(vec![d("2025-11-01")]),
            // 2025 has 261 weekdays (Wednesday start, 365 days): 261 - 2 + 1 = 260.
            working_days_total: Some(260),
        }
    }

    #[test]
    fn a_consistent_year_is_valid() {
        assert_eq!(federal_2025_fragment().validate(), Ok(()));
        assert_eq!(federal_2025_fragment().computed_working_days(), Some(260));
    }

    #[test]
    fn every_problem_is_reported() {
        let mut y = federal_2025_fragment();
        y.non_working_days.push(d("2024-12-31")); // other year
        y.non_working_days.push(d("2025-11-04")); // duplicate
        y.non_working_days.push(d("2025-11-08")); // a Saturday
        y.working_weekend_days.push(d("2025-11-05")); // a Wednesday
        y.shortened_days = Some(vec![d("2025-11-03")]); // a day off
        y.working_days_total = Some(247);
        let issues = y.validate().unwrap_err();
        // The list now makes 2025-11-08 (Saturday) "non-working" (no change) and 2025-11-05
        // "working" (no change), so the computed count is still 260.
        assert_eq!(
            issues,
            vec![
                CalendarIssue::DateOutsideYear { list: DayList::NonWorkingDays, date: d("2024-12-31") },
                CalendarIssue::Duplicate { list: DayList::NonWorkingDays, date: d("2025-11-04") },
                CalendarIssue::NonWorkingDayOnWeekend { date: d("2025-11-08") },
                CalendarIssue::WorkingWeekendDayOnWeekday { date: d("2025-11-05") },
                CalendarIssue::ShortenedDayNotWorking { date: d("2025-11-03") },
                CalendarIssue::TotalMismatch { declared: 247, computed: 260 },
            ]
        );
    }

    #[test]
    fn regional_layer_needs_a_code_and_its_total_is_not_checked_alone() {
        let y = CalendarYear {
            year: 2026,
            layer: CalendarLayer::Regional { region_code: " ".into() },
            source: "test".into(),
            non_working_days: vec![d("2026-02-18")],
            working_weekend_days: vec![],
            shortened_days: None,
            working_days_total: Some(1),
        };
        assert_eq!(y.validate(), Err(vec![CalendarIssue::EmptyRegionCode]));
    }

    #[test]
    fn unrepresentable_year() {
        let y = CalendarYear {
            year: i32::MAX,
            layer: CalendarLayer::Federal,
            source: String::new(),
            non_working_days: vec![],
            working_weekend_days: vec![],
            shortened_days: None,
            working_days_total: Some(1),
        };
        assert_eq!(y.validate(), Err(vec![CalendarIssue::YearOutOfRange]));
        assert_eq!(y.computed_working_days(), None);
    }

    #[test]
    fn serde_shape() {
        let json = serde_json::to_value(CalendarLayer::Regional { region_code: "03".into() }).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "regional", "region_code": "03"}));
        let y = federal_2025_fragment();
        let back: CalendarYear = serde_json::from_str(&serde_json::to_string(&y).unwrap()).unwrap();
        assert_eq!(back, y);
    }
}
