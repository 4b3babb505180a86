use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

use super::dto::{NetworkRequestView, ReceiveNetworkRequest};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, Precondition},
    openapi::ChangeErrors,
    problem::ApiResult,
};

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
pub async fn receive_network_request(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
    Body(dto): Body<ReceiveNetworkRequest>,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let r = rsnms_domain::network_requests::receive_request(
        state.network_requests.as_ref(),
        state.organizations.as_ref(),
        state.deadline_policies.as_ref(),
        state.calendars.as_ref(),
        &ctx,
        id.into_inner(),
        version,
        rsnms_domain::network_requests::ReceiveInput {
            incoming_number: dto.incoming_number,
            received_on: dto.received_on,
            received_at: dto.received_at,
            policy_id: dto.policy_id,
        },
    )
    .await?;
    super::one(&state, &ctx, r, HttpResponse::Ok()).await
}
