//! Production calendar years kept in the database, and loading or correcting one (PUT).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Role},
    calendar::{CalendarError, CalendarLayer, CalendarYear, ProductionCalendar},
};

/// A calendar year as stored, with its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCalendarYear {
    /// The year's data.
    pub year: CalendarYear,
    /// Version (the ETag of the layer).
    pub version: i64,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// Storage of calendar years. Calendars are public reference data: no scope applies.
#[async_trait]
pub trait CalendarRepository: Send + Sync {
    /// The stored layers of `year`: the federal one and every regional one (or only the one of
    /// `region_code` when given).
    async fn year(&self, year: i32, region_code: Option<&str>) -> DomainResult<Vec<StoredCalendarYear>>;
    /// The production calendar of a region (federal layer plus that region's layer), every year.
    async fn calendar_for(&self, region_code: Option<&str>) -> DomainResult<ProductionCalendar>;
    /// Inserts or replaces one layer of one year when its stored version is `expected_version`
    /// (`None`: it must not exist yet), and recomputes the due dates of the requests not yet due
    /// whose terms cross that year. Returns the stored year and how many requests were recomputed.
    async fn put(
        &self,
        ctx: &Ctx,
        year: CalendarYear,
        expected_version: Option<i64>,
    ) -> DomainResult<(StoredCalendarYear, u64)>;
    /// Inserts the given years where no row exists yet (the data shipped in the binary).
    async fn seed(&self, years: Vec<CalendarYear>) -> DomainResult<u64>;
}

fn issue_field(issue: &crate::calendar::CalendarIssue) -> String {
    use crate::calendar::{CalendarIssue as I, DayList};
    let list = |l: &DayList| l.to_string();
    match issue {
        I::YearOutOfRange => "year".into(),
        I::EmptyRegionCode => "region_code".into(),
        I::DateOutsideYear { list: l, .. } | I::Duplicate { list: l, .. } => list(l),
        I::NonWorkingDayOnWeekend { .. } => "non_working_days".into(),
        I::WorkingWeekendDayOnWeekday { .. } => "working_weekend_days".into(),
        I::ShortenedDayNotWorking { .. } => "shortened_days".into(),
        I::TotalMismatch { .. } => "working_days_total".into(),
    }
}

fn issue_code(issue: &crate::calendar::CalendarIssue) -> String {
    serde_json::to_value(issue)
        .ok()
        .and_then(|v| v.get("issue").and_then(|i| i.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "invalid".into())
}

/// Every problem of a calendar year as failing fields (422 names them all).
pub fn calendar_issues(year: &CalendarYear) -> Vec<FieldError> {
    match year.validate() {
        Ok(()) => Vec::new(),
        Err(issues) => issues
            .iter()
            .map(|i| {
                FieldError::new(
                    issue_field(i),
                    issue_code(i),
                    Msg::new(format!("Ошибка календаря: {i}"), i.to_string()),
                )
            })
            .collect(),
    }
}

/// Loads or corrects one layer of one year: administrators only. The year is validated
/// ([`CalendarYear::validate`], every issue reported), a regional year is merged with the stored
/// federal layer to check its declared total, and due dates not yet reached are recomputed.
pub async fn put_calendar_year(
    repo: &dyn CalendarRepository,
    ctx: &Ctx,
    year: CalendarYear,
    expected_version: Option<i64>,
) -> DomainResult<(StoredCalendarYear, u64)> {
    ctx.actor.require(&[Role::Admin])?;
    let mut errors = calendar_issues(&year);
    if year.source.trim().is_empty() {
        errors.push(FieldError::required("source"));
    }
    if year.source.chars().count() > 1000 {
        errors.push(FieldError::new(
            "source",
            "too_long",
            Msg::new("Не длиннее 1000 символов", "At most 1000 characters"),
        ));
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    if let CalendarLayer::Regional { region_code } = &year.layer {
        let stored = repo.calendar_for(None).await?;
        let federal: Vec<CalendarYear> =
            stored.federal_years().filter_map(|y| stored.federal_year(y).cloned()).collect();
        let check =
            ProductionCalendar::from_federal(federal).and_then(|c| c.with_regional(region_code, [year.clone()]));
        if let Err(e) = check {
            let field = match e {
                CalendarError::RegionalTotalMismatch { .. } => "working_days_total",
                _ => "region_code",
            };
            return Err(DomainError::field(
                field,
                "invalid",
                Msg::new(format!("Ошибка календаря: {e}"), e.to_string()),
            ));
        }
    }
    repo.put(ctx, year, expected_version).await
}
