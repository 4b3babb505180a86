use actix_web::{HttpResponse, http::header, post, web};
use uuid::Uuid;

use super::dto::{CompleteRoute, RouteView};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, Precondition, etag},
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Complete a route in progress (завершить): every step done or skipped, the transfer into
/// practice recorded (internship, master class, experience exchange, lesson visit — BU 2.3.7),
/// optionally a repeat diagnostic scheduled. The completed route is frozen.
///
/// Needs `If-Match`; a wrong state answers 409 with the allowed actions.
#[utoipa::path(
    tag = "routes",
    params(
        ("id" = Uuid, Path, description = "Route id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = CompleteRoute,
    responses(
        (status = 200, description = "Completed", body = RouteView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[post("/routes/{id}/complete")]
pub async fn complete_route(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Body(dto): Body<CompleteRoute>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let r =
        rsnms_domain::development::iom::complete_route(super::deps(&state), &ctx, id.into_inner(), version, dto.into())
            .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(r.version))).json(RouteView::new(r, None)))
}
