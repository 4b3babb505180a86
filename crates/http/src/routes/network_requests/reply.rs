use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

use super::dto::{NetworkRequestView, ReplyNetworkRequest};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, Precondition},
    openapi::ChangeErrors,
    problem::ApiResult,
};

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
pub async fn reply_network_request(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
    Body(dto): Body<ReplyNetworkRequest>,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let r = rsnms_domain::network_requests::reply_to_request(
        state.network_requests.as_ref(),
        state.organizations.as_ref(),
        &ctx,
        id.into_inner(),
        version,
        rsnms_domain::network_requests::ReplyInput {
            text: dto.text,
            responder_name: dto.responder_name,
            responder_position: dto.responder_position,
            replied_on: dto.replied_on,
            attachments: dto.attachments.unwrap_or_default().into_iter().map(Into::into).collect(),
        },
    )
    .await?;
    super::one(&state, &ctx, r, HttpResponse::Ok()).await
}
