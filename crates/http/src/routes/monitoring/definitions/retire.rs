use actix_web::{HttpResponse, http::header, post, web};
use rsnms_domain::monitoring::retire_definition;

use super::super::dto::DefinitionView;
use crate::{
    AppState,
    auth::Auth,
    extract::{Precondition, etag},
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Retire a regional indicator definition (вывести из употребления; needs `If-Match`).
///
/// Nothing is deleted: the definition stays readable with `status: retired`, is no longer
/// computed in the indicators and the report, and its code stays taken, so that a code quoted
/// in an earlier report always means the same definition. Built-in definitions cannot be
/// retired (409).
#[utoipa::path(
    tag = "monitoring",
    params(
        ("code" = String, Path, description = "Definition code"),
        ("If-Match" = String, Header, description = "ETag of the version being changed"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    responses(
        (status = 200, description = "Retired", body = DefinitionView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[post("/monitoring/definitions/{code}/retire")]
pub async fn retire_monitoring_definition(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    code: web::Path<String>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let d = retire_definition(state.monitoring.as_ref(), &ctx, &code, version).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(d.version))).json(DefinitionView::from(d)))
}
