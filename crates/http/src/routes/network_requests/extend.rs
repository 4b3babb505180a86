use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

use super::dto::{ExtendNetworkRequest, NetworkRequestView};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, Precondition},
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Extend the term (продлить срок ответа).
///
/// The addressee's side, with a reason, while the term runs: 409 when the policy allows no (further) extension or the term has expired, 422 when the days exceed what the policy leaves.
#[utoipa::path(
    tag = "network-requests",
    params(
        ("id" = Uuid, Path, description = "Request id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = ExtendNetworkRequest,
    responses(
        (status = 200, description = "Done", body = NetworkRequestView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[post("/network-requests/{id}/extend")]
pub async fn extend_network_request(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
    Body(dto): Body<ExtendNetworkRequest>,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let r = rsnms_domain::network_requests::extend_request(
        state.network_requests.as_ref(),
        state.organizations.as_ref(),
        state.deadline_policies.as_ref(),
        state.calendars.as_ref(),
        &ctx,
        id.into_inner(),
        version,
        rsnms_domain::network_requests::ExtendInput { days: dto.days, reason: dto.reason },
    )
    .await?;
    super::one(&state, &ctx, r, HttpResponse::Ok()).await
}
