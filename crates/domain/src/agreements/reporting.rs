//! Actual values and attainment: reporting values with their warnings, and the reports.

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use super::{
    Agreement, AgreementAction, AgreementFilter, AgreementRepository, AgreementVersion, IndicatorAttainment,
    IndicatorValue, NewIndicatorValue, assess,
    rules::{READERS, REPORT_READERS, REPORTERS, check_action, reader_scope},
    version_on,
};
use crate::{DomainError, DomainResult, FieldError, Msg, auth::Ctx, error::Errors};

/// An actual value as reported.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorValueInput {
    /// Year.
    pub year: i32,
    /// Quarter 1–4, or none for the year's value.
    pub quarter: Option<i16>,
    /// Value.
    pub value: f64,
    /// Source of the data.
    pub source: String,
    /// Comment.
    pub comment: Option<String>,
}

/// Reports an actual value. A value that breaks the indicator's rules is stored with flags, never
/// silently.
pub async fn report_indicator_value(
    repo: &dyn AgreementRepository,
    ctx: &Ctx,
    agreement_id: Uuid,
    indicator_id: Uuid,
    input: IndicatorValueInput,
) -> DomainResult<IndicatorValue> {
    let today = crate::clock::region_today();
    ctx.actor.require(REPORTERS)?;
    let scope = reader_scope(&ctx.actor);
    let a = repo.get(&scope, agreement_id).await?;
    check_action(&ctx.actor, &a, AgreementAction::ReportValue)?;
    // The value of a year is measured against the version in force at its end: the indicator
    // must be in that version and the year within its term.
    let versions = repo.versions(&scope, &[agreement_id]).await?;
    let in_force = year_end(input.year).ok().and_then(|end| version_on(&versions, end)).map(|v| &v.document);
    let doc = in_force.unwrap_or(&a.document);
    let known =
        |id: Uuid| a.document.indicator(id).is_some() || versions.iter().any(|v| v.document.indicator(id).is_some());
    let indicator = match doc.indicator(indicator_id) {
        Some(i) => i.clone(),
        None if known(indicator_id) => {
            return Err(DomainError::field(
                "year",
                "not_in_version",
                Msg::new(
                    format!("В редакции соглашения, действующей в {} году, этого показателя нет", input.year),
                    format!("The version of the agreement in force in {} has no such indicator", input.year),
                ),
            ));
        }
        None => return Err(DomainError::NotFound),
    };
    let mut e = Errors::new();
    let (from, until) = doc.term_years();
    if !(2000..=today.year()).contains(&input.year) {
        e.push(FieldError::new(
            "year",
            "out_of_range",
            Msg::new("Год — от 2000 до текущего", "The year must be from 2000 to the current one"),
        ));
    } else if from.is_some_and(|f| input.year < f) || input.year > until {
        let from = from.map_or_else(String::new, |f| f.to_string());
        e.push(FieldError::new(
            "year",
            "outside_term",
            Msg::new(
                format!("{} год вне срока действия соглашения ({from}–{until})", input.year),
                format!("{} lies outside the agreement's term ({from}–{until})", input.year),
            ),
        ));
    }
    if input.quarter.is_some_and(|q| !(1..=4).contains(&q)) {
        e.push(FieldError::new("quarter", "out_of_range", Msg::new("Квартал — от 1 до 4", "The quarter must be 1–4")));
    }
    if !input.value.is_finite() || input.value < 0.0 {
        e.push(FieldError::new(
            "value",
            "out_of_range",
            Msg::new("Значение не может быть отрицательным", "The value cannot be negative"),
        ));
    }
    let source = input.source.trim().to_owned();
    if source.is_empty() {
        e.push(FieldError::required("source"));
    }
    let comment = input.comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    e.finish()?;
    let new = NewIndicatorValue {
        indicator_id,
        year: input.year,
        quarter: input.quarter,
        value: input.value,
        source,
        comment,
        indicator: indicator.spec,
    };
    repo.add_value(ctx, &a, new).await
}

/// The values reported for an indicator, in reporting order.
pub async fn list_indicator_values(
    repo: &dyn AgreementRepository,
    ctx: &Ctx,
    agreement_id: Uuid,
    indicator_id: Uuid,
) -> DomainResult<Vec<IndicatorValue>> {
    ctx.actor.require(READERS)?;
    let scope = reader_scope(&ctx.actor);
    let a = repo.get(&scope, agreement_id).await?;
    let versions = repo.versions(&scope, &[agreement_id]).await?;
    if a.document.indicator(indicator_id).is_none()
        && versions.iter().all(|v| v.document.indicator(indicator_id).is_none())
    {
        return Err(DomainError::NotFound);
    }
    let values = repo.values(&scope, &[agreement_id]).await?;
    Ok(values.into_iter().filter(|v| v.indicator_id == indicator_id).collect())
}

/// The attainment of one agreement in a year.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    /// The agreement.
    pub agreement: Agreement,
    /// The version whose targets count: the one in effect on 31 December of the year.
    pub version: Option<AgreementVersion>,
    /// Every indicator with its attainment.
    pub items: Vec<IndicatorAttainment>,
}

fn year_end(year: i32) -> DomainResult<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 12, 31).filter(|_| (2000..=2100).contains(&year)).ok_or_else(|| {
        DomainError::field("year", "out_of_range", Msg::new("Год — от 2000 до 2100", "The year must be 2000–2100"))
    })
}

fn rows(
    agreements: Vec<Agreement>,
    versions: &[AgreementVersion],
    values: &[IndicatorValue],
    year: i32,
    end: NaiveDate,
) -> Vec<ReportRow> {
    agreements
        .into_iter()
        .map(|a| {
            let mine: Vec<AgreementVersion> = versions.iter().filter(|v| v.agreement_id == a.id).cloned().collect();
            let version = version_on(&mine, end).cloned();
            let vals: Vec<IndicatorValue> = values.iter().filter(|v| v.agreement_id == a.id).cloned().collect();
            let doc = version.as_ref().map_or(&a.document, |v| &v.document);
            let items = assess(doc, &vals, year);
            ReportRow { agreement: a, version, items }
        })
        .collect()
}

/// The attainment of an agreement's indicators in a year, against the targets of the version in
/// effect on 31 December of that year.
pub async fn agreement_report(
    repo: &dyn AgreementRepository,
    ctx: &Ctx,
    id: Uuid,
    year: i32,
) -> DomainResult<ReportRow> {
    ctx.actor.require(READERS)?;
    let end = year_end(year)?;
    let scope = reader_scope(&ctx.actor);
    let a = repo.get(&scope, id).await?;
    let versions = repo.versions(&scope, &[id]).await?;
    let values = repo.values(&scope, &[id]).await?;
    rows(vec![a], &versions, &values, year, end).pop().ok_or_else(|| DomainError::internal("report row lost"))
}

/// The attainment of every agreement in the caller's scope that was in force during the year.
pub async fn region_report(repo: &dyn AgreementRepository, ctx: &Ctx, year: i32) -> DomainResult<Vec<ReportRow>> {
    ctx.actor.require(REPORT_READERS)?;
    let end = year_end(year)?;
    let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(end);
    let scope = reader_scope(&ctx.actor);
    let filter = AgreementFilter { active_between: Some((start, end)), ..AgreementFilter::current() };
    let agreements = repo.all(&scope, &filter).await?;
    let ids: Vec<Uuid> = agreements.iter().map(|a| a.id).collect();
    let versions = repo.versions(&scope, &ids).await?;
    let values = repo.values(&scope, &ids).await?;
    Ok(rows(agreements, &versions, &values, year, end))
}
