use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::AgreementReportView;
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// The year of a report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// Year, e.g. 2023 (required).
    #[param(required = true, minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

impl ReportQuery {
    /// The year, or 422 naming it.
    pub fn year(&self) -> rsnms_domain::DomainResult<i32> {
        self.year.ok_or_else(|| rsnms_domain::DomainError::Validation(vec![rsnms_domain::FieldError::required("year")]))
    }
}

/// Attainment of an agreement's indicators in a year (достижение показателей соглашения).
///
/// Every indicator and result with the year's target (from the version in effect on 31 December
/// of the year), the actual value (the year's value, else the latest quarter's; a later report of
/// a period replaces an earlier one), the ratio actual / target and the status: `met` at or above
/// 1.0, `at_risk` from 0.9, `not_met` below, `no_data` without a value or a target.
#[utoipa::path(
    tag = "agreements",
    params(("id" = Uuid, Path, description = "Agreement id"), ReportQuery),
    responses((status = 200, description = "The report", body = AgreementReportView), ReadErrors),
    security(("bearer" = []))
)]
#[get("/agreements/{id}/report")]
pub async fn get_agreement_report(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Params(q): Params<ReportQuery>,
) -> ApiResult<HttpResponse> {
    let year = q.year()?;
    let row =
        rsnms_domain::agreements::agreement_report(state.agreements.as_ref(), &ctx, id.into_inner(), year).await?;
    Ok(HttpResponse::Ok().json(AgreementReportView::new(row, year)))
}
