//! Production calendar years kept in the database, and loading or correcting one (PUT).

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use uuid::Uuid;

use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Role},
    calendar::{CalendarError, CalendarLayer, CalendarYear, ProductionCalendar},
};

/// The stored layers of `year` (the federal one and the regional ones, or only `region_code`'s)
/// and, with a region, that region's effective calendar. Every role reads calendars.
pub async fn get_calendar_year(
    repo: &dyn CalendarRepository,
    ctx: &Ctx,
    year: i32,
    region_code: Option<&str>,
) -> DomainResult<(Vec<StoredCalendarYear>, Option<ProductionCalendar>)> {
    ctx.actor.require(super::READERS)?;
    let layers = repo.year(year, region_code).await?;
    let effective = match region_code {
        Some(code) => Some(repo.calendar_for(Some(code)).await?),
        None => None,
    };
    Ok((layers, effective))
}

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
    /// (`None`: it must not exist yet), then recomputes the due dates of the requests not yet due
    /// whose terms cross that year (in chunks, each its own transaction, after the layer has
    /// committed). Returns the stored year and the ids of the requests whose deadline was
    /// recomputed.
    async fn put(
        &self,
        ctx: &Ctx,
        year: CalendarYear,
        expected_version: Option<i64>,
    ) -> DomainResult<(StoredCalendarYear, Vec<Uuid>)>;
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

/// The days of `year` whose working status differs between two calendars.
fn changed_days(before: &ProductionCalendar, after: &ProductionCalendar, year: i32) -> Vec<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 1, 1)
        .into_iter()
        .flat_map(|first| first.iter_days())
        .take_while(|d| d.year() == year)
        .filter(|d| before.is_working_day(*d) != after.is_working_day(*d))
        .collect()
}

/// The regional layers of the corrected federal year whose declared working-day total the
/// correction would contradict, one failing field each (`regional_layers.<region>`), naming the
/// region, the totals and the days whose status the correction changes for it.
async fn contradicted_regions(repo: &dyn CalendarRepository, year: &CalendarYear) -> DomainResult<Vec<FieldError>> {
    let stored = repo.calendar_for(None).await?;
    let mut federal: Vec<CalendarYear> =
        stored.federal_years().filter(|y| *y != year.year).filter_map(|y| stored.federal_year(y).cloned()).collect();
    federal.push(year.clone());
    let corrected = ProductionCalendar::from_federal(federal).map_err(|e| {
        DomainError::field("non_working_days", "invalid", Msg::new(format!("Ошибка календаря: {e}"), e.to_string()))
    })?;
    let mut errors = Vec::new();
    for layer in repo.year(year.year, None).await? {
        let CalendarLayer::Regional { region_code } = &layer.year.layer else { continue };
        if layer.year.working_days_total.is_none() {
            continue;
        }
        let regional = [layer.year.clone()];
        let after = corrected.clone().with_regional_advisory(region_code, regional.clone()).map_err(internal)?;
        let Some(&(_, declared, computed)) = after.regional_total_mismatches().first() else { continue };
        let before = stored.clone().with_regional_advisory(region_code, regional).map_err(internal)?;
        let days = changed_days(&before, &after, year.year).iter().map(NaiveDate::to_string).collect::<Vec<_>>();
        let days = days.join(", ");
        errors.push(FieldError::new(
            format!("regional_layers.{region_code}"),
            "regional_total_contradicted",
            Msg::new(
                format!(
                    "Исправление противоречит календарю региона {region_code} за {}: в нём объявлено рабочих дней — \
                     {declared}, после исправления — {computed}; меняются дни: {days}. Сначала исправьте \
                     региональный слой",
                    year.year
                ),
                format!(
                    "The correction contradicts the calendar of region {region_code} for {}: it declares {declared} \
                     working days, the correction gives {computed}; days changed: {days}. Correct the regional \
                     layer first",
                    year.year
                ),
            ),
        ));
    }
    Ok(errors)
}

fn internal(e: CalendarError) -> DomainError {
    DomainError::internal_caused("the production calendar", e)
}

/// Loads or corrects one layer of one year: administrators only. The year is validated
/// ([`CalendarYear::validate`], every issue reported), a regional year is merged with the stored
/// federal layer to check its declared total, a federal year is refused (422 naming every region
/// and the days) when it would contradict the declared total of a stored regional layer of that
/// year, and due dates not yet reached are recomputed.
pub async fn put_calendar_year(
    repo: &dyn CalendarRepository,
    ctx: &Ctx,
    year: CalendarYear,
    expected_version: Option<i64>,
) -> DomainResult<(StoredCalendarYear, Vec<Uuid>)> {
    ctx.actor.require(&[Role::Admin])?;
    if expected_version.is_none() {
        let region = match &year.layer {
            CalendarLayer::Federal => None,
            CalendarLayer::Regional { region_code } => Some(region_code.as_str()),
        };
        if repo.year(year.year, region).await?.into_iter().any(|l| l.year.layer == year.layer) {
            return Err(DomainError::PreconditionRequired);
        }
    }
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
    if year.layer == CalendarLayer::Federal {
        let contradicted = contradicted_regions(repo, &year).await?;
        if !contradicted.is_empty() {
            return Err(DomainError::Validation(contradicted));
        }
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
