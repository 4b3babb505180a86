use actix_web::{HttpResponse, get, web};
use rsnms_domain::attachments::{Parent, Part, list_attachments};
use uuid::Uuid;

use super::dto::{AttachmentList, AttachmentView};
use crate::{AppState, auth::Auth, openapi::ReadErrors, problem::ApiResult};

/// The files of a request and its reply (вложения), oldest first.
///
/// Under the request's scope (404 outside it). A request holding personal data shows its files
/// only to those who may read its body (none to others), and such a read is audited.
#[utoipa::path(
    tag = "network-requests",
    params(("id" = Uuid, Path, description = "Request id")),
    responses((status = 200, description = "The files", body = AttachmentList), ReadErrors),
    security(("bearer" = []))
)]
#[get("/network-requests/{id}/attachments")]
pub async fn list_network_request_attachments(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let parent = Parent::NetworkRequest { id, part: Part::Request };
    let items = list_attachments(super::deps(&state), &ctx, parent).await?;
    Ok(HttpResponse::Ok()
        .json(AttachmentList { items: items.into_iter().map(|a| AttachmentView::of_request(id, a)).collect() }))
}
