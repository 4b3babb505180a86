use actix_web::{HttpResponse, get, web};

use super::{
    dto::{AgreementReportView, RegionReportView},
    report::ReportQuery,
};
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// Attainment across the region's agreements in a year, by municipality (свод по муниципалитетам).
///
/// Every agreement in force at some day of the year and visible to the caller, each with its
/// per-indicator report, plus one series per indicator key with a point per municipality, ready
/// to chart. Same thresholds as the single report.
#[utoipa::path(
    tag = "agreements",
    params(ReportQuery),
    responses((status = 200, description = "The report", body = RegionReportView), ReadErrors),
    security(("bearer" = []))
)]
#[get("/agreements/report")]
pub async fn get_agreements_report(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<ReportQuery>,
) -> ApiResult<HttpResponse> {
    let year = q.year()?;
    let rows = rsnms_domain::agreements::region_report(state.agreements.as_ref(), &ctx, year).await?;
    let reports = rows.into_iter().map(|r| AgreementReportView::new(r, year)).collect();
    Ok(HttpResponse::Ok().json(RegionReportView::new(year, reports)))
}
