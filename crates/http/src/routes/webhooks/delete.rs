use actix_web::{HttpResponse, delete, web};
use uuid::Uuid;

use crate::{AppState, auth::Auth, extract::Precondition, openapi::ChangeErrors, problem::ApiResult};

/// Delete a webhook subscription and its delivery log (needs `If-Match`).
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = Uuid, Path, description = "Subscription id"),
        ("If-Match" = String, Header, description = "ETag of the version being deleted")
    ),
    responses((status = 204, description = "Deleted"), ChangeErrors),
    security(("bearer" = []))
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    rsnms_domain::exchange::webhooks::delete_subscription(state.webhooks.as_ref(), &ctx, id.into_inner(), version)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
