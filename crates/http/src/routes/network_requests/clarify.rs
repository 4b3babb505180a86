use actix_web::{HttpResponse, post};
use rsnms_domain::network_requests;

use super::{
    Lifecycle,
    dto::{ClarifyNetworkRequest, NetworkRequestView},
};
use crate::{extract::Body, openapi::ChangeErrors, problem::ApiResult};

/// Answer a clarification request (дать уточнение).
///
/// The sender's side, with the clarification: the request is `received` again and its term resumes, ending later by the time it was paused (`deadline.paused_seconds`). 409 naming the allowed actions from another status.
#[utoipa::path(
    tag = "network-requests",
    params(
        ("id" = Uuid, Path, description = "Request id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = ClarifyNetworkRequest,
    responses(
        (status = 200, description = "Done", body = NetworkRequestView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[post("/network-requests/{id}/clarification")]
pub async fn clarify_network_request(a: Lifecycle, Body(dto): Body<ClarifyNetworkRequest>) -> ApiResult<HttpResponse> {
    a.respond(network_requests::clarify_request(a.deps(), &a.ctx, a.id, a.version()?, dto.text).await).await
}
