use actix_web::{HttpResponse, post};
use rsnms_domain::network_requests::{self, ExtendInput};

use super::{
    Lifecycle,
    dto::{ExtendNetworkRequest, NetworkRequestView},
};
use crate::{extract::Body, openapi::ChangeErrors, problem::ApiResult};

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
pub async fn extend_network_request(a: Lifecycle, Body(dto): Body<ExtendNetworkRequest>) -> ApiResult<HttpResponse> {
    let input = ExtendInput { days: dto.days, reason: dto.reason };
    a.respond(network_requests::extend_request(a.deps(), &a.ctx, a.id, a.version()?, input).await).await
}
