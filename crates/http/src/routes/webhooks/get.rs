use actix_web::{HttpResponse, get, http::header, web};
use uuid::Uuid;

use super::dto::WebhookView;
use crate::{AppState, auth::Auth, extract::etag, openapi::ReadErrors, problem::ApiResult};

/// Read a webhook subscription (without its secret).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses(
        (status = 200, description = "The subscription", body = WebhookView, headers(("ETag" = String, description = "Version"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(state: web::Data<AppState>, Auth(ctx): Auth, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let s = rsnms_domain::exchange::webhooks::get_subscription(state.webhooks.as_ref(), &ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(s.version))).json(WebhookView::new(s, false, &ctx.actor)))
}
