use actix_web::{HttpResponse, http::header, post, web};

use super::dto::{DiagnosticView, DiagnosticWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, etag},
    openapi::CreateErrors,
    problem::ApiResult,
};

/// Create a diagnostic campaign (диагностика профессиональных дефицитов).
///
/// Administrators, ЦНППМ operators and municipalities (organised by an organisation in their
/// scope). The scale carries the threshold below which a result is a deficit.
#[utoipa::path(
    tag = "diagnostics",
    request_body = DiagnosticWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Created", body = DiagnosticView,
         headers(("ETag" = String, description = "Version"), ("Location" = String, description = "URL of the campaign"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/diagnostics")]
pub async fn create_diagnostic(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Body(dto): Body<DiagnosticWrite>,
) -> ApiResult<HttpResponse> {
    let c = rsnms_domain::development::diagnostics::create_campaign(super::deps(&state), &ctx, dto.into()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/diagnostics/{}", c.id)))
        .insert_header((header::ETAG, etag(c.version)))
        .json(DiagnosticView::from(c)))
}
