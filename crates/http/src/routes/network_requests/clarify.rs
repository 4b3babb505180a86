use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

use super::dto::{ClarifyNetworkRequest, NetworkRequestView};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, Precondition},
    openapi::ChangeErrors,
    problem::ApiResult,
};

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
pub async fn clarify_network_request(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
    Body(dto): Body<ClarifyNetworkRequest>,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let r = rsnms_domain::network_requests::clarify_request(
        state.network_requests.as_ref(),
        state.organizations.as_ref(),
        &ctx,
        id.into_inner(),
        version,
        dto.text,
    )
    .await?;
    super::one(&state, &ctx, r, HttpResponse::Ok()).await
}
