use actix_web::{HttpResponse, get, http::header, web};
use rsnms_domain::monitoring::get_definition;

use super::super::dto::DefinitionView;
use crate::{AppState, auth::Auth, extract::etag, openapi::ReadErrors, problem::ApiResult};

/// Read one indicator definition by code, built-in or custom (retired ones included).
#[utoipa::path(
    tag = "monitoring",
    params(("code" = String, Path, description = "Definition code")),
    responses(
        (status = 200, description = "The definition", body = DefinitionView,
         headers(("ETag" = String, description = "Version"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/monitoring/definitions/{code}")]
pub async fn get_monitoring_definition(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    code: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let d = get_definition(state.monitoring.as_ref(), &ctx, &code).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(d.version))).json(DefinitionView::from(d)))
}
