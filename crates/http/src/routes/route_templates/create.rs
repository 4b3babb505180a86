use actix_web::{HttpResponse, http::header, post, web};

use super::dto::{RouteTemplateRequest, RouteTemplateView};
use crate::{AppState, auth::Auth, extract::Body, openapi::CreateErrors, problem::ApiResult};

/// Create a route template (шаблон маршрута): a plan of steps for given deficits, to be applied
/// to a group of teachers. Administrators, ЦНППМ operators, a municipality or an organisation
/// (those who build routes). The plan's shape is checked here (each step addresses one of the
/// template's deficits, its dates in order: 422 naming `steps[i].field`); what depends on the
/// teacher is checked for each when the template is applied.
#[utoipa::path(
    tag = "routes",
    request_body = RouteTemplateRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Created", body = RouteTemplateView,
         headers(("Location" = String, description = "URL of the template"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/route-templates")]
pub async fn create_route_template(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Body(dto): Body<RouteTemplateRequest>,
) -> ApiResult<HttpResponse> {
    let t = rsnms_domain::development::iom::create_template(state.route_templates.as_ref(), &ctx, dto.into()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/route-templates/{}", t.id)))
        .json(RouteTemplateView::from(t)))
}
