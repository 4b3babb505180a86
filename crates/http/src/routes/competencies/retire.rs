use actix_web::{HttpResponse, http::header, post, web};
use uuid::Uuid;

use super::dto::CompetencyView;
use crate::{
    AppState,
    auth::Auth,
    extract::{Precondition, etag},
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Retire an area or a competency (вывести из употребления; needs `If-Match`).
///
/// Nothing is deleted: past results keep their competency. New campaigns and programmes cannot
/// use a retired competency; an area retires only once its competencies are retired (409).
#[utoipa::path(
    tag = "competencies",
    params(
        ("id" = Uuid, Path, description = "Node id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    responses(
        (status = 200, description = "Retired", body = CompetencyView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[post("/competencies/{id}/retire")]
pub async fn retire_competency(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let c = rsnms_domain::development::competencies::retire_competency(
        state.competencies.as_ref(),
        &ctx,
        id.into_inner(),
        version,
    )
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(c.version))).json(CompetencyView::from(c)))
}
