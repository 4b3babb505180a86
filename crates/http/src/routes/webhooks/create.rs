use actix_web::{HttpResponse, http::header, post, web};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use rsnms_domain::exchange::webhooks::NewSubscription;

use super::dto::{WebhookView, WebhookWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, etag},
    openapi::CreateErrors,
    problem::ApiResult,
};

/// Subscribe to change events (подписаться на события).
///
/// Events inside the caller's scope are POSTed to the URL as JSON, signed with the secret that
/// this answer shows once: `X-Rsnms-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
/// "<t>.<body>")>`, with `X-Rsnms-Delivery` (the de-duplication id, the same on every retry) and
/// `X-Rsnms-Event`. Delivery is at least once, retried with exponential backoff; after the last
/// failed attempt the subscription is disabled (`POST …/enable` resumes it).
///
/// Targets cannot be turned inward: an absolute `https://` URL without user information, its
/// host written plainly (no decimal, octal or hexadecimal IPv4 forms); addresses that are
/// loopback, private, shared, link-local (cloud metadata), unique-local, multicast, unspecified
/// or broadcast — also as IPv4-mapped IPv6 — are refused unless an administrator allow-listed
/// their network, and `http://` is accepted only for allow-listed networks. The address a name
/// resolves to is checked again at every delivery, which connects to that very address and
/// follows no redirect.
#[utoipa::path(
    tag = "webhooks",
    request_body = WebhookWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Created; the only answer that shows the secret", body = WebhookView,
         headers(("ETag" = String, description = "Version"), ("Location" = String, description = "URL of the subscription"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Body(dto): Body<WebhookWrite>,
) -> ApiResult<HttpResponse> {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = format!("whsec_{}", URL_SAFE_NO_PAD.encode(bytes));
    let input = NewSubscription { url: dto.url, event_types: dto.event_types.unwrap_or_default() };
    let s = rsnms_domain::exchange::webhooks::create_subscription(
        state.webhooks.as_ref(),
        &ctx,
        input,
        secret,
        &state.webhook_targets,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/webhooks/{}", s.id)))
        .insert_header((header::ETAG, etag(s.version)))
        .json(WebhookView::new(s, true, &ctx.actor)))
}
