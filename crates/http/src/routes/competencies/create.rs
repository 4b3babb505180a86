use actix_web::{HttpResponse, http::header, post, web};

use super::dto::{CompetencyView, CompetencyWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, etag},
    openapi::CreateErrors,
    problem::ApiResult,
};

/// Create an area or a competency (добавить область или компетенцию).
///
/// Administrators and ЦНППМ operators maintain the framework. A competency belongs to an active
/// area and inherits its kind; codes are unique (409 naming `code`).
#[utoipa::path(
    tag = "competencies",
    request_body = CompetencyWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Created", body = CompetencyView,
         headers(("ETag" = String, description = "Version"), ("Location" = String, description = "URL of the node"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/competencies")]
pub async fn create_competency(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Body(dto): Body<CompetencyWrite>,
) -> ApiResult<HttpResponse> {
    let c = rsnms_domain::development::competencies::create_competency(state.competencies.as_ref(), &ctx, dto.into())
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/competencies/{}", c.id)))
        .insert_header((header::ETAG, etag(c.version)))
        .json(CompetencyView::from(c)))
}
