use actix_web::{HttpResponse, http::header, patch, web};
use uuid::Uuid;

use super::dto::{DeadlinePolicyView, DeadlinePolicyWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{PatchBody, Precondition, etag},
    merge::apply_patch,
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Update a deadline policy (изменить правило срока) with a JSON merge patch: admins and operators.
///
/// Requests already received keep the deadline computed when they were received.
#[utoipa::path(
    tag = "deadline-policies",
    params(
        ("id" = Uuid, Path, description = "Policy id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed")
    ),
    request_body = DeadlinePolicyWrite,
    responses(
        (status = 200, description = "Updated", body = DeadlinePolicyView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[patch("/deadline-policies/{id}")]
pub async fn update_deadline_policy(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
    patch: PatchBody<DeadlinePolicyWrite>,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let p = rsnms_domain::deadlines::update_policy(
        state.deadline_policies.as_ref(),
        &ctx,
        id.into_inner(),
        version,
        |current| apply_patch::<DeadlinePolicyWrite, _>(current, &patch.value),
    )
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(p.version))).json(DeadlinePolicyView::from(p)))
}
