use actix_web::{HttpResponse, get, http::header, web};
use rsnms_domain::development::events::OfferingKind;
use uuid::Uuid;

use super::dto::InternshipSiteView;
use crate::{AppState, auth::Auth, extract::etag, openapi::ReadErrors, problem::ApiResult};

/// Read an internship site.
#[utoipa::path(
    tag = "internship-sites",
    params(("id" = Uuid, Path, description = "Internship site id")),
    responses(
        (status = 200, description = "Found", body = InternshipSiteView, headers(("ETag" = String, description = "Version"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/internship-sites/{id}")]
pub async fn get_internship_site(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let x = rsnms_domain::development::events::get_offering(
        state.offerings.as_ref(),
        &ctx,
        OfferingKind::InternshipSite,
        id.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(x.version))).json(InternshipSiteView::from(x)))
}
