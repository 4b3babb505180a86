use actix_web::{HttpResponse, http::header, patch, web};
use uuid::Uuid;

use super::dto::{MentoringPairView, MentoringPairWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{PatchBody, Precondition, etag},
    merge::apply_patch,
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Change a mentoring pair with a JSON merge patch (needs `If-Match`).
#[utoipa::path(
    tag = "mentoring-pairs",
    params(
        ("id" = Uuid, Path, description = "Mentoring pair id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed")
    ),
    request_body = MentoringPairWrite,
    responses(
        (status = 200, description = "Updated", body = MentoringPairView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[patch("/mentoring-pairs/{id}")]
pub async fn update_mentoring_pair(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    patch: PatchBody<MentoringPairWrite>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let x = rsnms_domain::development::mentoring::update_mentoring_pair(
        super::deps(&state),
        &ctx,
        id.into_inner(),
        version,
        |c| apply_patch::<MentoringPairWrite, _>(c, &patch.value),
    )
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(x.version))).json(MentoringPairView::from(x)))
}
