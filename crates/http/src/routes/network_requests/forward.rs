use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

use super::dto::{ForwardNetworkRequest, NetworkRequestView};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, Precondition},
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Forward to the competent participant (переадресовать запрос).
///
/// The addressee's side, for a received request, naming the new addressee and the reason: the request is closed as `forwarded`, linked (`forwarded_to`) to a new request with the same content and outgoing number, sent today by the same sender to the new addressee and received by nobody yet, linked back (`forwarded_from`); its own term starts on its receipt. Both parties hear of it. Answers the original. 409 naming the allowed actions from another status; 422 for an unknown, closed or same-party addressee.
#[utoipa::path(
    tag = "network-requests",
    params(
        ("id" = Uuid, Path, description = "Request id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = ForwardNetworkRequest,
    responses(
        (status = 200, description = "Done", body = NetworkRequestView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[post("/network-requests/{id}/forward")]
pub async fn forward_network_request(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
    Body(dto): Body<ForwardNetworkRequest>,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let r = rsnms_domain::network_requests::forward_request(
        state.network_requests.as_ref(),
        state.organizations.as_ref(),
        &ctx,
        id.into_inner(),
        version,
        rsnms_domain::network_requests::ForwardInput {
            addressee_organization_id: dto.addressee_organization_id,
            reason: dto.reason,
        },
    )
    .await?
    .0;
    super::one(&state, &ctx, r, HttpResponse::Ok()).await
}
