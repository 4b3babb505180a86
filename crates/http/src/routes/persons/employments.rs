//! `/api/v1/persons/{id}/employments`: a person's employment history (issue 16.2), the periods
//! monitoring takes its populations from as of the period it reports.

use actix_web::{HttpResponse, get, http::header, put, web};
use chrono::NaiveDate;
use rsnms_domain::persons::{Employment, EmploymentInput, PositionCategory};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::{
    AppState,
    auth::Auth,
    extract::{Body, Precondition, ValueChecks, etag},
    openapi::{ChangeErrors, ReadErrors},
    problem::ApiResult,
};

/// One employment period (период работы): where, as what, from and to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EmploymentPeriod {
    /// The employing organisation (организация).
    #[schema(required = true, nullable = false)]
    pub organization_id: Option<Uuid>,
    /// Position category (категория должности).
    #[schema(required = true, nullable = false)]
    pub category: Option<PositionCategory>,
    /// First day (с); absent: since before the records.
    pub started_on: Option<NaiveDate>,
    /// Last day (по); absent: still employed.
    pub ended_on: Option<NaiveDate>,
}

/// A person's whole employment history (история занятости), replacing the stored one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EmploymentsWrite {
    /// The periods, in any order (at most 50; periods of one category must not overlap).
    #[validate(length(max = crate::dto::limit(rsnms_domain::persons::MAX_PERIODS)))]
    #[schema(max_items = 50)]
    pub periods: Vec<EmploymentPeriod>,
}

impl ValueChecks for EmploymentsWrite {}

/// A person's employment history as stored (oldest first).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmploymentsView {
    /// The person.
    pub person_id: Uuid,
    /// The person's version (the ETag) after the change.
    pub version: i64,
    /// The periods, oldest first.
    pub periods: Vec<EmploymentPeriod>,
}

impl From<EmploymentPeriod> for EmploymentInput {
    fn from(p: EmploymentPeriod) -> Self {
        EmploymentInput {
            organization_id: p.organization_id,
            category: p.category,
            started_on: p.started_on,
            ended_on: p.ended_on,
        }
    }
}

fn view(person_id: Uuid, version: i64, periods: Vec<Employment>) -> EmploymentsView {
    EmploymentsView {
        person_id,
        version,
        periods: periods
            .into_iter()
            .map(|p| EmploymentPeriod {
                organization_id: Some(p.organization_id),
                category: Some(p.category),
                started_on: p.started_on,
                ended_on: p.ended_on,
            })
            .collect(),
    }
}

/// Read a person's employment history (история занятости). Readers of the person read it.
#[utoipa::path(
    tag = "persons",
    params(("id" = Uuid, Path, description = "Person id")),
    responses((status = 200, description = "The periods", body = EmploymentsView), ReadErrors),
    security(("bearer" = []))
)]
#[get("/persons/{id}/employments")]
pub async fn list_employments(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let (person, periods) =
        rsnms_domain::persons::list_employments(state.persons.as_ref(), &ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(person.version))).json(view(
        person.id,
        person.version,
        periods,
    )))
}

/// Replace a person's employment history (needs the person's `If-Match`): a new version of the
/// person. Monitoring counts a person in a period by the period of work that covers it, so a
/// person who left, or whose organisation closed, drops out of later periods only.
#[utoipa::path(
    tag = "persons",
    params(
        ("id" = Uuid, Path, description = "Person id"),
        ("If-Match" = String, Header, description = "ETag of the person's version being changed")
    ),
    request_body = EmploymentsWrite,
    responses(
        (status = 200, description = "Replaced", body = EmploymentsView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[put("/persons/{id}/employments")]
pub async fn replace_employments(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Body(dto): Body<EmploymentsWrite>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let input = dto.periods.into_iter().map(EmploymentInput::from).collect();
    let (person, periods) = rsnms_domain::persons::replace_employments(
        state.persons.as_ref(),
        state.organizations.as_ref(),
        &ctx,
        id.into_inner(),
        version,
        input,
    )
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(person.version))).json(view(
        person.id,
        person.version,
        periods,
    )))
}
