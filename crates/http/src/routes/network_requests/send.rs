use actix_web::{HttpResponse, post};
use rsnms_domain::network_requests;

use super::{
    Lifecycle,
    dto::{NetworkRequestView, SendNetworkRequest},
};
use crate::{extract::Body, openapi::ChangeErrors, problem::ApiResult};

/// Send a draft (направить запрос).
///
/// The sender's side. Every mandatory item of NAO §18 must be present — the sender's and the addressee's names, contact information for the reply, the date sent, and the author's surname, first name, patronymic, position and office phone and/or e-mail — else 422 names every missing one. The organisations' names are fixed as they stand now and the outgoing number is allocated (per sender and year, format `{seq}/{year}` unless configured). Send `{}` to date it today in the sender's time zone.
#[utoipa::path(
    tag = "network-requests",
    params(
        ("id" = Uuid, Path, description = "Request id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = SendNetworkRequest,
    responses(
        (status = 200, description = "Done", body = NetworkRequestView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[post("/network-requests/{id}/send")]
pub async fn send_network_request(a: Lifecycle, Body(dto): Body<SendNetworkRequest>) -> ApiResult<HttpResponse> {
    a.respond(network_requests::send_request(a.deps(), &a.ctx, a.id, a.version()?, dto.sent_on).await).await
}
