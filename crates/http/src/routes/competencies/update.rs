use actix_web::{HttpResponse, http::header, patch, web};
use uuid::Uuid;

use super::dto::{CompetencyView, CompetencyWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{PatchBody, Precondition, etag},
    merge::apply_patch,
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Change an area or a competency with a JSON merge patch (a new version; needs `If-Match`).
/// A retired node is frozen (409); the node kind cannot change.
#[utoipa::path(
    tag = "competencies",
    params(
        ("id" = Uuid, Path, description = "Node id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed")
    ),
    request_body = CompetencyWrite,
    responses(
        (status = 200, description = "Updated", body = CompetencyView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[patch("/competencies/{id}")]
pub async fn update_competency(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    patch: PatchBody<CompetencyWrite>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let c = rsnms_domain::development::competencies::update_competency(
        state.competencies.as_ref(),
        &ctx,
        id.into_inner(),
        version,
        |current| apply_patch::<CompetencyWrite, _>(current, &patch.value),
    )
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(c.version))).json(CompetencyView::from(c)))
}
