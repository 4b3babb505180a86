use actix_web::{HttpResponse, http::header, post, web};
use uuid::Uuid;

use super::dto::{CloseOrganization, OrganizationView};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, Precondition, etag},
    openapi::ChangeErrors,
    problem::{ApiError, ApiResult},
};

/// Close an organisation (закрыть участника сети).
///
/// The organisation stays in the registry with its closing date; history keeps pointing at it.
#[utoipa::path(
    tag = "organizations",
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = CloseOrganization,
    responses(
        (status = 200, description = "Closed", body = OrganizationView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/close")]
pub async fn close_organization(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Body(dto): Body<CloseOrganization>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let closed_on =
        dto.closed_on.ok_or_else(|| ApiError::validation(vec![rsnms_domain::FieldError::required("closed_on")]))?;
    let org = rsnms_domain::organizations::close_organization(
        state.organizations.as_ref(),
        &ctx,
        id.into_inner(),
        version,
        closed_on,
    )
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(org.version))).json(OrganizationView::new(org, &ctx.actor)))
}
