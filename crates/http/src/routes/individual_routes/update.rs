use actix_web::{HttpResponse, http::header, patch, web};
use uuid::Uuid;

use super::dto::{RouteView, RouteWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{PatchBody, Precondition, etag},
    merge::apply_patch,
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Change a route with a JSON merge patch (needs `If-Match`): tutor, period, deficits, steps
/// and their status. A completed or cancelled route is frozen (409).
#[utoipa::path(
    tag = "routes",
    params(
        ("id" = Uuid, Path, description = "Route id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed")
    ),
    request_body = RouteWrite,
    responses(
        (status = 200, description = "Updated", body = RouteView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[patch("/routes/{id}")]
pub async fn update_route(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    patch: PatchBody<RouteWrite>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let r = rsnms_domain::development::iom::update_route(super::deps(&state), &ctx, id.into_inner(), version, |c| {
        apply_patch::<RouteWrite, _>(c, &patch.value)
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(r.version))).json(RouteView::new(r, None)))
}
