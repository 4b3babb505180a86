use actix_web::{HttpResponse, http::header, patch, web};
use rsnms_domain::monitoring::update_definition;

use super::super::dto::{DefinitionView, DefinitionWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{PatchBody, Precondition, etag},
    merge::apply_patch,
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Change a regional indicator definition with a JSON merge patch (a new version; needs
/// `If-Match`). The merged definition is checked like a new one; the code cannot change (422).
/// Built-in and retired definitions are read-only (409).
#[utoipa::path(
    tag = "monitoring",
    params(
        ("code" = String, Path, description = "Definition code"),
        ("If-Match" = String, Header, description = "ETag of the version being changed")
    ),
    request_body = DefinitionWrite,
    responses(
        (status = 200, description = "Updated", body = DefinitionView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[patch("/monitoring/definitions/{code}")]
pub async fn update_monitoring_definition(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    code: web::Path<String>,
    patch: PatchBody<DefinitionWrite>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let d = update_definition(state.monitoring.as_ref(), &ctx, &code, version, |current| {
        apply_patch::<DefinitionWrite, _>(current, &patch.value)
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(d.version))).json(DefinitionView::from(d)))
}
