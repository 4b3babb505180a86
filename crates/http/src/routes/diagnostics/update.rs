use actix_web::{HttpResponse, http::header, patch, web};
use uuid::Uuid;

use super::dto::{DiagnosticView, DiagnosticWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{PatchBody, Precondition, etag},
    merge::apply_patch,
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Change a diagnostic campaign with a JSON merge patch (needs `If-Match`). Once results exist
/// the scale is fixed and competencies with results stay (409).
#[utoipa::path(
    tag = "diagnostics",
    params(
        ("id" = Uuid, Path, description = "Campaign id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed")
    ),
    request_body = DiagnosticWrite,
    responses(
        (status = 200, description = "Updated", body = DiagnosticView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[patch("/diagnostics/{id}")]
pub async fn update_diagnostic(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    patch: PatchBody<DiagnosticWrite>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let c = rsnms_domain::development::diagnostics::update_campaign(
        super::deps(&state),
        &ctx,
        id.into_inner(),
        version,
        |current| apply_patch::<DiagnosticWrite, _>(current, &patch.value),
    )
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(c.version))).json(DiagnosticView::from(c)))
}
