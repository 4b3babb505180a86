use actix_web::{HttpResponse, delete, web};
use rsnms_domain::attachments::{Parent, Part, delete_attachment};
use uuid::Uuid;

use crate::{AppState, auth::Auth, openapi::ActionErrors, problem::ApiResult};

/// Remove a file of a request or its reply (удалить вложение).
///
/// By the side that may attach to that part now (the sender's to a draft, the addressee's to
/// the reply it prepares; 409 with `allowed` otherwise). The content is deleted with its last
/// reference. A stored file never changes, so no `If-Match` is asked for.
#[utoipa::path(
    tag = "network-requests",
    params(
        ("id" = Uuid, Path, description = "Request id"),
        ("attachment_id" = Uuid, Path, description = "Attachment id")
    ),
    responses((status = 204, description = "Removed"), ActionErrors),
    security(("bearer" = []))
)]
#[delete("/network-requests/{id}/attachments/{attachment_id}")]
pub async fn delete_network_request_attachment(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (id, attachment_id) = path.into_inner();
    let parent = Parent::NetworkRequest { id, part: Part::Request };
    delete_attachment(super::deps(&state), &ctx, parent, attachment_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
