use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

use super::dto::RouteView;
use crate::{AppState, auth::Auth, extract::Precondition, openapi::ChangeErrors, problem::ApiResult};

/// Cancel a route that is not finished (отменить).
///
/// Needs `If-Match`; a wrong state answers 409 with the allowed actions.
#[utoipa::path(
    tag = "routes",
    params(
        ("id" = Uuid, Path, description = "Route id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    responses(
        (status = 200, description = "Done", body = RouteView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[post("/routes/{id}/cancel")]
pub async fn cancel_route(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    super::transition(&state, &ctx, id.into_inner(), if_match, rsnms_domain::development::iom::cancel_route).await
}
