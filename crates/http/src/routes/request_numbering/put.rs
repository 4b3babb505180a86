use actix_web::{HttpResponse, http::header, put, web};
use chrono::Utc;
use uuid::Uuid;

use super::dto::{RequestNumberingView, RequestNumberingWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, Precondition, etag},
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Set a sender's outgoing-number template (настроить нумерацию исходящих запросов).
///
/// Who may: as for reading it. `If-Match` carries the version read (`"0"` while never
/// configured). The next request sent uses the template; numbers already given stay, and the
/// year's sequence continues (it restarts at 1 each year). A template without exactly one
/// `{seq}`, with an unknown placeholder, a stray brace or over 50 characters is a 422 naming
/// `format`.
#[utoipa::path(
    tag = "network-requests",
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("If-Match" = String, Header, description = "ETag of the numbering read (\"0\" while never configured)")
    ),
    request_body = RequestNumberingWrite,
    responses(
        (status = 200, description = "Stored", body = RequestNumberingView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[put("/organizations/{id}/request-numbering")]
pub async fn put_request_numbering(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
    Body(dto): Body<RequestNumberingWrite>,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let n = rsnms_domain::network_requests::set_request_numbering(
        state.network_requests.as_ref(),
        state.organizations.as_ref(),
        &ctx,
        id.into_inner(),
        version,
        dto.format.unwrap_or_default(),
        Utc::now(),
    )
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(n.version))).json(RequestNumberingView::from(n)))
}
