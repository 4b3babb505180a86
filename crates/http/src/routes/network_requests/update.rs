use actix_web::{HttpResponse, patch, web};
use uuid::Uuid;

use super::dto::{NetworkRequestView, NetworkRequestWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{PatchBody, Precondition},
    merge::apply_patch,
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Change a draft request (изменить черновик) with a JSON merge patch.
///
/// Drafts only: a request already sent answers 409 naming the actions allowed. Needs `If-Match`.
#[utoipa::path(
    tag = "network-requests",
    params(
        ("id" = Uuid, Path, description = "Request id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed")
    ),
    request_body = NetworkRequestWrite,
    responses(
        (status = 200, description = "Updated", body = NetworkRequestView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[patch("/network-requests/{id}")]
pub async fn update_network_request(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
    patch: PatchBody<NetworkRequestWrite>,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let r = rsnms_domain::network_requests::update_network_request(
        super::deps(&state),
        &ctx,
        id.into_inner(),
        version,
        |current| apply_patch::<NetworkRequestWrite, _>(current, &patch.value),
    )
    .await?;
    super::one(&state, &ctx, r, HttpResponse::Ok()).await
}
