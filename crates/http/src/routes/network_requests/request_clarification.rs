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
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
    Body(dto): Body<ClarifyNetworkRequest>,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let r = rsnms_domain::network_requests::request_clarification(
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
