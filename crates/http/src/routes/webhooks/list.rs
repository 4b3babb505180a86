use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{WebhookList, WebhookView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

/// List webhook subscriptions: the caller's own (an administrator sees all).
#[utoipa::path(
    tag = "webhooks",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of subscriptions", body = WebhookList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = q.to_request()?;
    let found = rsnms_domain::exchange::webhooks::list_subscriptions(state.webhooks.as_ref(), &ctx, page).await?;
    Ok(respond(&req, found, |s| WebhookView::new(s, false, &ctx.actor)))
}
