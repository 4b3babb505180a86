use actix_web::{HttpResponse, http::header, post, web};

use super::dto::{RouteView, RouteWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, etag},
    openapi::CreateErrors,
    problem::ApiResult,
};

/// Create a draft route (ИОМ) for a person on their open deficits.
///
/// Administrators, ЦНППМ operators, a municipality or an organisation (for persons in their
/// scope). Each deficit must be open now; each step addresses the route's deficits and lies in
/// its period; one person's routes may not overlap (409 naming `period_start`).
#[utoipa::path(
    tag = "routes",
    request_body = RouteWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Created", body = RouteView,
         headers(("ETag" = String, description = "Version"), ("Location" = String, description = "URL of the route"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/routes")]
pub async fn create_route(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Body(dto): Body<RouteWrite>,
) -> ApiResult<HttpResponse> {
    let r = rsnms_domain::development::iom::create_route(super::deps(&state), &ctx, dto.into()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/routes/{}", r.id)))
        .insert_header((header::ETAG, etag(r.version)))
        .json(RouteView::new(r, None)))
}
