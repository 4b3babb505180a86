use actix_web::{HttpResponse, post};
use rsnms_domain::network_requests::{self, ReceiveInput};

use super::{
    Lifecycle,
    dto::{NetworkRequestView, ReceiveNetworkRequest},
};
use crate::{extract::Body, openapi::ChangeErrors, problem::ApiResult};

/// Register receipt (зарегистрировать входящий запрос).
///
/// The addressee's side. The term starts the day after `received_on` (Civil Code art. 191); the due date is computed in the addressee's calendar (federal plus its region's layer) and time zone, and a term ending on a non-working day ends on the next working day (art. 193).
#[utoipa::path(
    tag = "network-requests",
    params(
        ("id" = Uuid, Path, description = "Request id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = ReceiveNetworkRequest,
    responses(
        (status = 200, description = "Done", body = NetworkRequestView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[post("/network-requests/{id}/receive")]
pub async fn receive_network_request(a: Lifecycle, Body(dto): Body<ReceiveNetworkRequest>) -> ApiResult<HttpResponse> {
    let input = ReceiveInput {
        incoming_number: dto.incoming_number,
        received_on: dto.received_on,
        received_at: dto.received_at,
        policy_id: dto.policy_id,
    };
    a.respond(network_requests::receive_request(a.deps(), &a.ctx, a.id, a.version()?, input).await).await
}
