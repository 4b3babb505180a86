use actix_web::{HttpResponse, post};
use rsnms_domain::network_requests::{self, ReplyInput};

use super::{
    Lifecycle,
    dto::{NetworkRequestView, ReplyNetworkRequest},
};
use crate::{extract::Body, openapi::ChangeErrors, problem::ApiResult};

/// Answer a request (направить ответ).
///
/// The addressee's side, for a received request: the text, the responder's name and position, the date (default today in the addressee's time zone) and attachment metadata.
#[utoipa::path(
    tag = "network-requests",
    params(
        ("id" = Uuid, Path, description = "Request id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = ReplyNetworkRequest,
    responses(
        (status = 200, description = "Done", body = NetworkRequestView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[post("/network-requests/{id}/reply")]
pub async fn reply_network_request(a: Lifecycle, Body(dto): Body<ReplyNetworkRequest>) -> ApiResult<HttpResponse> {
    let input = ReplyInput {
        text: dto.text,
        responder_name: dto.responder_name,
        responder_position: dto.responder_position,
        replied_on: dto.replied_on,
        attachments: dto.attachments.unwrap_or_default().into_iter().map(Into::into).collect(),
    };
    a.respond(network_requests::reply_to_request(a.deps(), &a.ctx, a.id, a.version()?, input).await).await
}
