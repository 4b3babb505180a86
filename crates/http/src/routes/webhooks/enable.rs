use actix_web::{HttpResponse, http::header, post, web};
use uuid::Uuid;

use super::dto::WebhookView;
use crate::{
    AppState,
    auth::Auth,
    extract::{Precondition, etag},
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Re-enable a subscription disabled after failed deliveries (needs `If-Match`); its pending
/// deliveries are retried at once. 409 when it is active.
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = Uuid, Path, description = "Subscription id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed")
    ),
    responses(
        (status = 200, description = "Enabled", body = WebhookView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[post("/webhooks/{id}/enable")]
pub async fn enable_webhook(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let s =
        rsnms_domain::exchange::webhooks::enable_subscription(state.webhooks.as_ref(), &ctx, id.into_inner(), version)
            .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(s.version))).json(WebhookView::new(s, false, &ctx.actor)))
}
