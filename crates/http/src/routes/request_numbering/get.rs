use actix_web::{HttpResponse, get, http::header, web};
use chrono::Utc;
use uuid::Uuid;

use super::dto::RequestNumberingView;
use crate::{AppState, auth::Auth, extract::etag, openapi::ReadErrors, problem::ApiResult};

/// Read a sender's outgoing-number template (нумерация исходящих запросов) and the number its
/// next request would get.
///
/// Admins and operators for any organisation, a municipal authority for the organisations of its
/// municipality, an organisation for itself and its subdivisions; 404 outside that scope.
#[utoipa::path(
    tag = "network-requests",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "The numbering", body = RequestNumberingView, headers(("ETag" = String, description = "Version (\"0\" while never configured)"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/request-numbering")]
pub async fn get_request_numbering(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let n = rsnms_domain::network_requests::get_request_numbering(
        state.network_requests.as_ref(),
        state.organizations.as_ref(),
        &ctx,
        id.into_inner(),
        Utc::now(),
    )
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(n.version))).json(RequestNumberingView::from(n)))
}
