use actix_web::{HttpResponse, post};
use rsnms_domain::network_requests::{self, ForwardInput};

use super::{
    Lifecycle,
    dto::{ForwardNetworkRequest, NetworkRequestView},
};
use crate::{extract::Body, openapi::ChangeErrors, problem::ApiResult};

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
pub async fn forward_network_request(a: Lifecycle, Body(dto): Body<ForwardNetworkRequest>) -> ApiResult<HttpResponse> {
    let input = ForwardInput { addressee_organization_id: dto.addressee_organization_id, reason: dto.reason };
    a.respond(
        network_requests::forward_request(a.deps(), &a.ctx, a.id, a.version()?, input)
            .await
            .map(|(original, _new)| original),
    )
    .await
}
