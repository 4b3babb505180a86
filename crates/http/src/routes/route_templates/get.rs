use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use super::dto::RouteTemplateView;
use crate::{AppState, auth::Auth, openapi::ReadErrors, problem::ApiResult};

/// Read a route template. Those who build routes, and tutors.
#[utoipa::path(
    tag = "routes",
    params(("id" = Uuid, Path, description = "Template id")),
    responses((status = 200, description = "The template", body = RouteTemplateView), ReadErrors),
    security(("bearer" = []))
)]
#[get("/route-templates/{id}")]
pub async fn get_route_template(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let t = rsnms_domain::development::iom::get_template(state.route_templates.as_ref(), &ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(RouteTemplateView::from(t)))
}
