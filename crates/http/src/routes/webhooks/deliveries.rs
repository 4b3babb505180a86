use actix_web::{HttpRequest, HttpResponse, get, web};
use uuid::Uuid;

use super::dto::{DeliveryList, DeliveryView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

/// The delivery log of a subscription (журнал доставки), oldest first.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "Subscription id"), PageQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = DeliveryList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Params(q): Params<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = q.to_request()?;
    let found =
        rsnms_domain::exchange::webhooks::list_deliveries(state.webhooks.as_ref(), &ctx, id.into_inner(), page).await?;
    Ok(respond(&req, found, DeliveryView::from))
}
