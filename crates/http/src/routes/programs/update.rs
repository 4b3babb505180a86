use actix_web::{HttpResponse, http::header, patch, web};
use uuid::Uuid;

use super::dto::{ProgramView, ProgramWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{PatchBody, Precondition, etag},
    merge::apply_patch,
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Change a programme with a JSON merge patch (needs `If-Match`).
#[utoipa::path(
    tag = "programs",
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed")
    ),
    request_body = ProgramWrite,
    responses(
        (status = 200, description = "Updated", body = ProgramView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[patch("/programs/{id}")]
pub async fn update_program(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    patch: PatchBody<ProgramWrite>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let p = rsnms_domain::development::programs::update_program(
        super::deps(&state),
        &ctx,
        id.into_inner(),
        version,
        |current| apply_patch::<ProgramWrite, _>(current, &patch.value),
    )
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(p.version))).json(ProgramView::from(p)))
}
