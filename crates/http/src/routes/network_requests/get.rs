use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use super::dto::NetworkRequestView;
use crate::{AppState, auth::Auth, openapi::ReadErrors, problem::ApiResult};

/// Read a network request (запрос) with its deadline and history.
///
/// Visible to the sender's and the addressee's organisations and those above them; drafts only
/// to the sender's side. Body, attachments and reply of a request holding personal data are
/// shown only to the parties themselves, admins, operators and the integration; every such read
/// is audited.
#[utoipa::path(
    tag = "network-requests",
    params(("id" = Uuid, Path, description = "Request id")),
    responses(
        (status = 200, description = "The request", body = NetworkRequestView, headers(("ETag" = String, description = "Version"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/network-requests/{id}")]
pub async fn get_network_request(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let r = rsnms_domain::network_requests::get_network_request(state.network_requests.as_ref(), &ctx, id.into_inner())
        .await?;
    super::one(&state, &ctx, r, HttpResponse::Ok()).await
}
