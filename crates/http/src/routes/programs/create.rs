use actix_web::{HttpResponse, http::header, post, web};

use super::dto::{ProgramView, ProgramWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, etag},
    openapi::CreateErrors,
    problem::ApiResult,
};

/// Add a programme to the catalogue (administrators and ЦНППМ operators). Hours are checked
/// against the kind (≥ 16 for qualification upgrade, ≥ 250 for retraining); a federal-registry
/// programme needs its registry id and inclusion date.
#[utoipa::path(
    tag = "programs",
    request_body = ProgramWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Created", body = ProgramView,
         headers(("ETag" = String, description = "Version"), ("Location" = String, description = "URL of the programme"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/programs")]
pub async fn create_program(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Body(dto): Body<ProgramWrite>,
) -> ApiResult<HttpResponse> {
    let p = rsnms_domain::development::programs::create_program(super::deps(&state), &ctx, dto.into()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/programs/{}", p.id)))
        .insert_header((header::ETAG, etag(p.version)))
        .json(ProgramView::from(p)))
}
