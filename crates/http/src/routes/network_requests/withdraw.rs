use actix_web::{HttpResponse, post};
use rsnms_domain::network_requests;

use super::{
    Lifecycle,
    dto::{NetworkRequestView, WithdrawNetworkRequest},
};
use crate::{extract::Body, openapi::ChangeErrors, problem::ApiResult};

/// Withdraw a request (отозвать запрос).
///
/// The sender's side, for a draft, sent or received request, with an optional reason.
#[utoipa::path(
    tag = "network-requests",
    params(
        ("id" = Uuid, Path, description = "Request id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = WithdrawNetworkRequest,
    responses(
        (status = 200, description = "Done", body = NetworkRequestView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[post("/network-requests/{id}/withdraw")]
pub async fn withdraw_network_request(
    a: Lifecycle,
    Body(dto): Body<WithdrawNetworkRequest>,
) -> ApiResult<HttpResponse> {
    a.respond(network_requests::withdraw_request(a.deps(), &a.ctx, a.id, a.version()?, dto.reason).await).await
}
