use actix_web::{HttpResponse, http::header, post, web};

use super::dto::{OrganizationView, OrganizationWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, etag},
    openapi::CreateErrors,
    problem::ApiResult,
};

/// Create an organisation (создать участника сети).
///
/// Admins and operators create anywhere; a municipal authority creates inside its municipality.
/// Region, municipality and time zone are inherited from the parent where not given.
#[utoipa::path(
    tag = "organizations",
    request_body = OrganizationWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the first response is replayed")),
    responses(
        (status = 201, description = "Created", body = OrganizationView,
         headers(("ETag" = String, description = "Version"), ("Location" = String, description = "URL of the new organisation"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/organizations")]
pub async fn create_organization(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Body(dto): Body<OrganizationWrite>,
) -> ApiResult<HttpResponse> {
    let org = rsnms_domain::organizations::create_organization(
        state.organizations.as_ref(),
        state.persons.as_ref(),
        &ctx,
        dto.into(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/organizations/{}", org.id)))
        .insert_header((header::ETAG, etag(org.version)))
        .json(OrganizationView::new(org, &ctx.actor)))
}
