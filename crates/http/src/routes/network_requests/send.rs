use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

use super::dto::{NetworkRequestView, SendNetworkRequest};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, Precondition},
    openapi::ChangeErrors,
    problem::ApiResult,
};

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
pub async fn send_network_request(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
    Body(dto): Body<SendNetworkRequest>,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let r = rsnms_domain::network_requests::send_request(
        state.network_requests.as_ref(),
        state.organizations.as_ref(),
        &ctx,
        id.into_inner(),
        version,
        dto.sent_on,
    )
    .await?;
    super::one(&state, &ctx, r, HttpResponse::Ok()).await
}
