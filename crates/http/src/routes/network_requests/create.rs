use actix_web::{HttpResponse, post, web};

use super::dto::{NetworkRequestView, NetworkRequestWrite};
use crate::{AppState, auth::Auth, extract::Body, openapi::CreateErrors, problem::ApiResult};

/// Draft a network request (создать черновик запроса).
///
/// Admins and operators draft for any sender; a municipal authority for the organisations of its
/// municipality; an organisation for itself and its subdivisions. A draft may be incomplete: the
/// mandatory items of NAO §18 are checked when it is sent.
#[utoipa::path(
    tag = "network-requests",
    request_body = NetworkRequestWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the first response is replayed")),
    responses(
        (status = 201, description = "Created", body = NetworkRequestView,
         headers(("ETag" = String, description = "Version"), ("Location" = String, description = "URL of the new request"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/network-requests")]
pub async fn create_network_request(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Body(dto): Body<NetworkRequestWrite>,
) -> ApiResult<HttpResponse> {
    let r = rsnms_domain::network_requests::create_network_request(super::deps(&state), &ctx, dto.into()).await?;
    let mut res = HttpResponse::Created();
    res.insert_header((actix_web::http::header::LOCATION, format!("/api/v1/network-requests/{}", r.id)));
    super::one(&state, &ctx, r, res).await
}
