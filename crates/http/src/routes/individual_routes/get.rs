use actix_web::{HttpResponse, get, http::header, web};
use uuid::Uuid;

use super::dto::RouteView;
use crate::{AppState, auth::Auth, extract::etag, openapi::ReadErrors, problem::ApiResult};

/// Read a route with the current state of its deficits (a later result at level shows the
/// deficit as closed) and its tutor (name, position, work contacts). The person's results read
/// are audited.
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
    let (r, deficits, tutor) =
        rsnms_domain::development::iom::get_route(super::deps(&state), &ctx, id.into_inner()).await?;
    let mut view = RouteView::new(r, Some(deficits));
    view.tutor = tutor.map(Into::into);
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(view.version))).json(view))
}
