use actix_web::{HttpResponse, post};
use rsnms_domain::network_requests;

use super::{
    Lifecycle,
    dto::{ClarifyNetworkRequest, NetworkRequestView},
};
use crate::{extract::Body, openapi::ChangeErrors, problem::ApiResult};

/// Ask the sender for clarification (запросить уточнение).
///
/// The addressee's side, while the term runs, with the text of what needs clarifying: the request becomes `clarification` and its term pauses (`deadline.pauses`) until the sender answers with `clarification`. 409 naming the allowed actions from another status, or when the term has already expired.
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
#[post("/network-requests/{id}/clarification-request")]
pub async fn request_clarification_network_request(
    a: Lifecycle,
    Body(dto): Body<ClarifyNetworkRequest>,
) -> ApiResult<HttpResponse> {
    a.respond(network_requests::request_clarification(a.deps(), &a.ctx, a.id, a.version()?, dto.text).await).await
}
