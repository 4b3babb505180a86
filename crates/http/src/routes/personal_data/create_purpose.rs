use actix_web::{HttpResponse, post, web};

use super::dto::{PurposeView, PurposeWrite};
use crate::{AppState, auth::Auth, extract::Body, openapi::CreateErrors, problem::ApiResult};

/// Add a purpose of processing (administrators). An existing code answers 409 naming `code`.
#[utoipa::path(
    tag = "personal-data",
    request_body = PurposeWrite,
    responses((status = 201, description = "Added", body = PurposeView), CreateErrors),
    security(("bearer" = []))
)]
#[post("/personal-data/purposes")]
pub async fn create_processing_purpose(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Body(dto): Body<PurposeWrite>,
) -> ApiResult<HttpResponse> {
    let p = rsnms_domain::personal_data::record_purpose(
        state.personal_data.as_ref(),
        &ctx,
        dto.code,
        dto.name_ru,
        dto.name_en.unwrap_or_default(),
    )
    .await?;
    Ok(HttpResponse::Created().json(PurposeView::from(p)))
}
