use actix_web::{HttpResponse, http::header, post, web};
use rsnms_domain::development::events::OfferingKind;

use super::dto::{InternshipSiteView, InternshipSiteWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, etag},
    openapi::CreateErrors,
    problem::ApiResult,
};

/// Add an internship site (стажировочная площадка) selected by the region: administrators and ЦНППМ operators.
#[utoipa::path(
    tag = "internship-sites",
    request_body = InternshipSiteWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Created", body = InternshipSiteView,
         headers(("ETag" = String, description = "Version"), ("Location" = String, description = "URL of the new resource"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/internship-sites")]
pub async fn create_internship_site(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Body(dto): Body<InternshipSiteWrite>,
) -> ApiResult<HttpResponse> {
    let x = rsnms_domain::development::events::create_offering(
        crate::routes::events::deps(&state),
        &ctx,
        OfferingKind::InternshipSite,
        dto.into(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/internship-sites/{}", x.id)))
        .insert_header((header::ETAG, etag(x.version)))
        .json(InternshipSiteView::from(x)))
}
