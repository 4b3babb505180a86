use actix_web::{HttpResponse, http::header, patch, web};
use uuid::Uuid;

use super::dto::{OrganizationView, OrganizationWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{PatchBody, Precondition, etag},
    merge::apply_patch,
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Update an organisation (изменить участника сети) with a JSON merge patch.
///
/// Send only the fields that change; `null` clears a field. Needs `If-Match` with the current
/// `ETag`. An organisation's own account may change names, contacts and its responsible person
/// (`responsible_person_id`), not its place in the hierarchy.
#[utoipa::path(
    tag = "organizations",
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed")
    ),
    request_body = OrganizationWrite,
    responses(
        (status = 200, description = "Updated", body = OrganizationView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    patch: PatchBody<OrganizationWrite>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let org = rsnms_domain::organizations::update_organization(
        state.organizations.as_ref(),
        state.persons.as_ref(),
        &ctx,
        id.into_inner(),
        version,
        |current| apply_patch::<OrganizationWrite, _>(current, &patch.value),
    )
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(org.version))).json(OrganizationView::new(org, &ctx.actor)))
}
