use actix_web::{HttpResponse, get, web};

use super::dto::{PurposeList, PurposeView};
use crate::{AppState, auth::Auth, openapi::ReadErrors, problem::ApiResult};

/// The purposes of processing personal data (цели обработки): the shipped ones (`diagnostics`,
/// `iom`, `monitoring`, `federal_exchange`, `network_requests`) and those an administrator added.
#[utoipa::path(
    tag = "personal-data",
    responses((status = 200, description = "Every purpose, by code", body = PurposeList), ReadErrors),
    security(("bearer" = []))
)]
#[get("/personal-data/purposes")]
pub async fn list_processing_purposes(state: web::Data<AppState>, Auth(ctx): Auth) -> ApiResult<HttpResponse> {
    let items = rsnms_domain::personal_data::list_purposes(state.personal_data.as_ref(), &ctx).await?;
    Ok(HttpResponse::Ok().json(PurposeList { items: items.into_iter().map(PurposeView::from).collect() }))
}
