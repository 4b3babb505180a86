use crate::dto::limit;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rsnms_domain::deadlines;
use rsnms_domain::{
    calendar::{CalendarLayer, CalendarYear, ProductionCalendar},
    deadlines::StoredCalendarYear,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// One layer of one year of the production calendar (производственный календарь).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarLayerView {
    /// `federal` or `regional`.
    pub layer: String,
    /// Region code of a regional layer.
    pub region_code: Option<String>,
    /// Year.
    pub year: i32,
    /// Legal source: the act, its number and date.
    pub source: String,
    /// Weekdays that are days off (holidays and transferred days off).
    pub non_working_days: Vec<NaiveDate>,
    /// Saturdays and Sundays made working days.
    pub working_weekend_days: Vec<NaiveDate>,
    /// Pre-holiday shortened days, when checked.
    pub shortened_days: Option<Vec<NaiveDate>>,
    /// Published number of working days, when known.
    pub working_days_total: Option<u32>,
    /// Version of this layer (send it as `If-Match` to correct it).
    pub version: i64,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<StoredCalendarYear> for CalendarLayerView {
    fn from(s: StoredCalendarYear) -> Self {
        let (layer, region_code) = match s.year.layer {
            CalendarLayer::Federal => ("federal".to_owned(), None),
            CalendarLayer::Regional { region_code } => ("regional".to_owned(), Some(region_code)),
        };
        CalendarLayerView {
            layer,
            region_code,
            year: s.year.year,
            source: s.year.source,
            non_working_days: s.year.non_working_days,
            working_weekend_days: s.year.working_weekend_days,
            shortened_days: s.year.shortened_days,
            working_days_total: s.year.working_days_total,
            version: s.version,
            updated_at: s.updated_at,
        }
    }
}

/// The effective calendar of one region in one year: federal plus regional layer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EffectiveCalendarView {
    /// Region code.
    pub region_code: String,
    /// Working days in the year.
    pub working_days_total: u32,
    /// Weekdays that are not working days.
    pub non_working_weekdays: Vec<NaiveDate>,
    /// Weekend days that are working days.
    pub working_weekend_days: Vec<NaiveDate>,
    /// No federal data is loaded for the year: Labour Code art. 112 alone applies.
    pub provisional: bool,
}

impl EffectiveCalendarView {
    /// Computes the view from a region's calendar.
    pub fn new(cal: &ProductionCalendar, region_code: String, year: i32) -> Option<Self> {
        let mut day = NaiveDate::from_ymd_opt(year, 1, 1)?;
        let (mut off, mut on) = (Vec::new(), Vec::new());
        while day.year() == year {
            let weekend = day.weekday().num_days_from_monday() >= 5;
            let working = cal.is_working_day(day);
            if weekend && working {
                on.push(day);
            } else if !weekend && !working {
                off.push(day);
            }
            day = day.succ_opt()?;
        }
        Some(EffectiveCalendarView {
            region_code,
            working_days_total: cal.working_days_in_year(year),
            non_working_weekdays: off,
            working_weekend_days: on,
            provisional: cal.provisional_for(year),
        })
    }
}

/// A year of the production calendar: its layers and their sources.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarView {
    /// Year.
    pub year: i32,
    /// The federal layer; `null` when no decree is loaded (the year is provisional).
    pub federal: Option<CalendarLayerView>,
    /// Regional layers (only the requested region's with `region_code`).
    pub regional: Vec<CalendarLayerView>,
    /// No federal data is loaded for the year.
    pub provisional: bool,
    /// The merged calendar of `region_code`, when asked for.
    pub effective: Option<EffectiveCalendarView>,
}

/// One layer of a year as an administrator loads or corrects it.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CalendarYearWrite {
    /// Region code for a regional layer; absent for the federal layer.
    #[schema(pattern = "^[0-9]{2}$", example = "03")]
    pub region_code: Option<String>,
    /// Legal source (e.g. «Постановление Правительства РФ от 04.10.2024 № 1335»).
    #[validate(required, length(min = 1, max = limit(deadlines::SOURCE_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 1000)]
    pub source: Option<String>,
    /// Weekdays that are days off.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub non_working_days: Option<Vec<NaiveDate>>,
    /// Weekend days made working days.
    pub working_weekend_days: Option<Vec<NaiveDate>>,
    /// Shortened pre-holiday days.
    pub shortened_days: Option<Vec<NaiveDate>>,
    /// Published number of working days (checked against the lists).
    pub working_days_total: Option<u32>,
}

impl crate::extract::ValueChecks for CalendarYearWrite {
    fn value_errors(&self) -> Vec<rsnms_domain::FieldError> {
        let mut out = Vec::new();
        crate::extract::check_value(&mut out, self.region_code.as_deref(), |v| {
            rsnms_domain::values::RegionCode::parse("region_code", v)
        });
        out
    }
}

impl CalendarYearWrite {
    /// The domain year.
    pub fn into_year(self, year: i32) -> CalendarYear {
        CalendarYear {
            year,
            layer: match self.region_code {
                Some(region_code) => CalendarLayer::Regional { region_code },
                None => CalendarLayer::Federal,
            },
            source: self.source.unwrap_or_default(),
            non_working_days: self.non_working_days.unwrap_or_default(),
            working_weekend_days: self.working_weekend_days.unwrap_or_default(),
            shortened_days: self.shortened_days,
            working_days_total: self.working_days_total,
        }
    }
}

/// The stored layer and the due dates it moved.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarPutResult {
    /// The layer as stored.
    pub layer: CalendarLayerView,
    /// How many requests not yet due got a recomputed due date.
    pub recomputed_requests: u64,
    /// The ids of those requests (each also published as a `recompute` event).
    pub recomputed_request_ids: Vec<Uuid>,
}
