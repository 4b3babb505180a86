use actix_web::{HttpResponse, http::header, post, web};
use rsnms_domain::monitoring::create_definition;

use super::super::dto::{DefinitionView, DefinitionWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, etag},
    openapi::CreateErrors,
    problem::ApiResult,
};

/// Add a regional indicator definition (добавить показатель) from the same blocks as the
/// built-in ones; it is computed in `/monitoring/indicators` and `/monitoring/report` exactly
/// like them.
///
/// Administrators and operators. One 422 names every failing field: unknown blocks (listing the
/// known ones), a denominator that makes no sense for the measure, a unit that does not fit
/// (a share is in per cent, a count in the measure's units). A code already taken by a built-in
/// or another definition, retired ones included, is a 409 naming `code`.
#[utoipa::path(
    tag = "monitoring",
    request_body = DefinitionWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Created", body = DefinitionView,
         headers(("ETag" = String, description = "Version"), ("Location" = String, description = "URL of the definition"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/monitoring/definitions")]
pub async fn create_monitoring_definition(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Body(dto): Body<DefinitionWrite>,
) -> ApiResult<HttpResponse> {
    let d = create_definition(state.monitoring.as_ref(), &ctx, dto.into()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/monitoring/definitions/{}", d.definition.code)))
        .insert_header((header::ETAG, etag(d.version)))
        .json(DefinitionView::from(d)))
}
