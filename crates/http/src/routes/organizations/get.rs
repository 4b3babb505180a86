use actix_web::{HttpResponse, get, http::header, web};
use uuid::Uuid;

use super::dto::OrganizationView;
use crate::{AppState, auth::Auth, extract::etag, openapi::ReadErrors, problem::ApiResult};

/// Read an organisation (участник сети).
#[utoipa::path(
    tag = "organizations",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "The organisation", body = OrganizationView, headers(("ETag" = String, description = "Version"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}")]
pub async fn get_organization(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let org =
        rsnms_domain::organizations::get_organization(state.organizations.as_ref(), &ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(org.version))).json(OrganizationView::new(org, &ctx.actor)))
}
