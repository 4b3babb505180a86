use actix_web::{HttpResponse, http::header, patch, web};
use rsnms_domain::development::events::OfferingKind;
use uuid::Uuid;

use super::dto::{InternshipSiteView, InternshipSiteWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{PatchBody, Precondition, etag},
    merge::apply_patch,
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Change an internship site with a JSON merge patch (needs `If-Match`).
#[utoipa::path(
    tag = "internship-sites",
    params(
        ("id" = Uuid, Path, description = "Internship site id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed")
    ),
    request_body = InternshipSiteWrite,
    responses(
        (status = 200, description = "Updated", body = InternshipSiteView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[patch("/internship-sites/{id}")]
pub async fn update_internship_site(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    patch: PatchBody<InternshipSiteWrite>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let x = rsnms_domain::development::events::update_offering(
        crate::routes::events::deps(&state),
        &ctx,
        OfferingKind::InternshipSite,
        id.into_inner(),
        version,
        |c| apply_patch::<InternshipSiteWrite, _>(c, &patch.value),
    )
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(x.version))).json(InternshipSiteView::from(x)))
}
