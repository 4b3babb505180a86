//! The calendar data shipped inside the binary, and the parser of its JSON format.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::error::CalendarError;
use super::year::{CalendarLayer, CalendarYear};

/// The shipped calendar file (`crates/domain/data/ru-production-calendar-2021-2026.json`),
/// embedded at compile time: federal years 2021–2026 and the regional days off of Buryatia
/// (region `"03"`, Сагаалган). The format is described at [`parse_calendars`].
pub const SHIPPED_CALENDAR_JSON: &str = include_str!("../../data/ru-production-calendar-2021-2026.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(rename = "about", default)]
    _about: Option<String>,
    federal: Vec<RawFederalYear>,
    #[serde(default)]
    regional: BTreeMap<String, RawRegion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFederalYear {
    year: i32,
    source: String,
    non_working_weekdays: Vec<NaiveDate>,
    working_weekend_days: Vec<NaiveDate>,
    shortened_days: Option<Vec<NaiveDate>>,
    working_days_total: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegion {
    region: String,
    holiday: String,
    non_working_days: Vec<NaiveDate>,
    /// The act (and where it was read) behind each year's days, keyed by year.
    #[serde(default)]
    sources: BTreeMap<String, String>,
    #[serde(rename = "note", default)]
    _note: Option<String>,
}

/// Parses calendar JSON in the shipped format and validates every year.
///
/// The format: `{"about": "...", "federal": [{"year", "source", "non_working_weekdays",
/// "working_weekend_days", "shortened_days" (nullable), "working_days_total"}...], "regional":
/// {"<region code>": {"region", "holiday", "non_working_days", "sources", "note"}}}`; dates are
/// `YYYY-MM-DD`, unknown fields are refused. Regional days are split into one regional
/// [`CalendarYear`] per year, with source `«{region}: {holiday}»`, followed by `«. {act}»` when
/// `sources` (keyed by the year, `"2025"`) names the act of that year; a `sources` key that is
/// not a year with listed days is refused.
///
/// Returns federal years in file order, then regional years by region code and year. Fails on
/// malformed JSON, on a year that fails [`CalendarYear::validate`], and on a repeated federal year.
pub fn parse_calendars(json: &str) -> Result<Vec<CalendarYear>, CalendarError> {
    let raw: RawFile = serde_json::from_str(json).map_err(|e| CalendarError::Data(e.to_string()))?;
    let mut years = Vec::new();
    for federal in raw.federal {
        if years.iter().any(|y: &CalendarYear| y.year == federal.year) {
            return Err(CalendarError::DuplicateYear { year: federal.year, layer: CalendarLayer::Federal });
        }
        years.push(CalendarYear {
            year: federal.year,
            layer: CalendarLayer::Federal,
            source: federal.source,
            non_working_days: federal.non_working_weekdays,
            working_weekend_days: federal.working_weekend_days,
            shortened_days: federal.shortened_days,
            working_days_total: federal.working_days_total,
        });
    }
    for (region_code, region) in raw.regional {
        let mut by_year: BTreeMap<i32, Vec<NaiveDate>> = BTreeMap::new();
        for date in region.non_working_days {
            by_year.entry(date.year()).or_default().push(date);
        }
        if let Some(stray) = region.sources.keys().find(|k| !k.parse().is_ok_and(|y: i32| by_year.contains_key(&y))) {
            return Err(CalendarError::Data(format!(
                "region {region_code}: sources names {stray}, which is not a year with listed days"
            )));
        }
        for (year, mut non_working_days) in by_year {
            non_working_days.sort_unstable();
            let source = match region.sources.get(&year.to_string()) {
                Some(act) => format!("{}: {}. {act}", region.region, region.holiday),
                None => format!("{}: {}", region.region, region.holiday),
            };
            years.push(CalendarYear {
                year,
                layer: CalendarLayer::Regional { region_code: region_code.clone() },
                source,
                non_working_days,
                working_weekend_days: Vec::new(),
                shortened_days: None,
                working_days_total: None,
            });
        }
    }
    for year in &years {
        year.validate().map_err(|issues| CalendarError::InvalidYear {
            year: year.year,
            layer: year.layer.clone(),
            issues,
        })?;
    }
    Ok(years)
}

/// Every calendar year shipped in the binary ([`SHIPPED_CALENDAR_JSON`]), validated; see
/// [`parse_calendars`]. Build a calendar from them with
/// [`ProductionCalendar::from_layers`](super::ProductionCalendar::from_layers) or
/// [`ProductionCalendar::shipped`](super::ProductionCalendar::shipped).
pub fn shipped_calendars() -> Result<Vec<CalendarYear>, CalendarError> {
    parse_calendars(SHIPPED_CALENDAR_JSON)
}
