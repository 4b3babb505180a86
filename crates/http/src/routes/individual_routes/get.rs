use actix_web::{HttpResponse, get, http::header, web};
use uuid::Uuid;

use super::dto::RouteView;
use crate::{AppState, auth::Auth, extract::etag, openapi::ReadErrors, problem::ApiResult};

/// Read a route with the current state of its deficits (a later result at level shows the
/// deficit as closed). The person's results read are audited.
#[utoipa::path(
    tag = "routes",
    params(("id" = Uuid, Path, description = "Route id")),
    responses(
        (status = 200, description = "The route", body = RouteView, headers(("ETag" = String, description = "Version"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/routes/{id}")]
pub async fn get_route(state: web::Data<AppState>, Auth(ctx): Auth, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let (r, deficits) = rsnms_domain::development::iom::get_route(super::deps(&state), &ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(r.version))).json(RouteView::new(r, Some(deficits))))
}
