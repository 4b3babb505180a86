use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::DepersonalisationPlan;
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// Parameters of the dry run.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PlanQuery {
    /// Accepted for clarity; this request is always a dry run.
    dry_run: Option<bool>,
    /// The day to judge on (default: today in Moscow), to look ahead.
    today: Option<NaiveDate>,
}

/// The depersonalisation plan (dry run, обезличивание): persons whose every basis of processing
/// has stopped and whose term has run out — depersonalised at the background job's next run —
/// and those falling due within the next 30 days. Ids only. Administrators.
#[utoipa::path(
    tag = "personal-data",
    params(PlanQuery),
    responses((status = 200, description = "The plan", body = DepersonalisationPlan), ReadErrors),
    security(("bearer" = []))
)]
#[get("/personal-data/depersonalisation")]
pub async fn get_depersonalisation_plan(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<PlanQuery>,
) -> ApiResult<HttpResponse> {
    let _ = q.dry_run;
    let plan = rsnms_domain::personal_data::depersonalisation_plan(
        state.personal_data.as_ref(),
        &ctx,
        q.today,
        state.pd_term_days,
    )
    .await?;
    Ok(HttpResponse::Ok().json(DepersonalisationPlan::from(plan)))
}
