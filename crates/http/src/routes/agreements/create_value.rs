use actix_web::{HttpResponse, post, web};
use rsnms_domain::agreements::IndicatorValueInput;
use uuid::Uuid;

use super::dto::{IndicatorValueView, IndicatorValueWrite};
use crate::{AppState, auth::Auth, extract::Body, openapi::CreateErrors, problem::ApiResult};

/// Report an actual value of an indicator (сообщить фактическое значение).
///
/// For a year, or a quarter (the value at the quarter's end), with its source; the reporter is
/// the caller. A value breaking the indicator's rule is stored with `flags` — a cumulative
/// («нарастающим итогом») value below an earlier period's is `cumulative_decrease`, a percentage
/// outside 0–100 is `percent_out_of_range` — never silently. Admins, operators, and the municipal
/// authority for its own agreement.
#[utoipa::path(
    tag = "agreements",
    params(
        ("id" = Uuid, Path, description = "Agreement id"),
        ("indicator_id" = Uuid, Path, description = "Indicator id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = IndicatorValueWrite,
    responses((status = 201, description = "Recorded", body = IndicatorValueView), CreateErrors),
    security(("bearer" = []))
)]
#[post("/agreements/{id}/indicators/{indicator_id}/values")]
pub async fn create_indicator_value(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    path: web::Path<(Uuid, Uuid)>,
    Body(dto): Body<IndicatorValueWrite>,
) -> ApiResult<HttpResponse> {
    let (id, indicator_id) = path.into_inner();
    let input = IndicatorValueInput::from(dto);
    let v = rsnms_domain::agreements::report_indicator_value(state.agreements.as_ref(), &ctx, id, indicator_id, input)
        .await?;
    Ok(HttpResponse::Created().json(IndicatorValueView::from(v)))
}
