use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::RetentionReportView;
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// Parameters of the retention report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RetentionQuery {
    /// Look-ahead in days, 1–366 (default 30; `personal_data::MAX_WITHIN_DAYS`).
    #[param(minimum = 1, maximum = 366)]
    within_days: Option<u32>,
    /// The day to judge on (default: today in Moscow).
    today: Option<NaiveDate>,
}

/// The retention report (сроки хранения): per category of personal data — persons (after the
/// end of their last basis), network-request copies, the audit trail — what is past its
/// retention period (handled at the background job's next run) and what falls due within
/// `within_days`. Ids and counts only. Administrators.
#[utoipa::path(
    tag = "personal-data",
    params(RetentionQuery),
    responses((status = 200, description = "The report", body = RetentionReportView), ReadErrors),
    security(("bearer" = []))
)]
#[get("/personal-data/retention")]
pub async fn get_retention_report(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<RetentionQuery>,
) -> ApiResult<HttpResponse> {
    let report = rsnms_domain::personal_data::retention_report(
        state.personal_data.as_ref(),
        &ctx,
        q.today,
        q.within_days,
        &state.pd_retention,
    )
    .await?;
    Ok(HttpResponse::Ok().json(RetentionReportView::from(report)))
}
