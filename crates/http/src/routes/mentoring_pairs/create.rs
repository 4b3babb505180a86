use actix_web::{HttpResponse, http::header, post, web};

use super::dto::{MentoringPairView, MentoringPairWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, etag},
    openapi::CreateErrors,
    problem::ApiResult,
};

/// Create a mentoring pair (наставническая пара) in an organisation within the caller's scope; the mentor has role `mentor` and may come from another organisation.
#[utoipa::path(
    tag = "mentoring-pairs",
    request_body = MentoringPairWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Created", body = MentoringPairView,
         headers(("ETag" = String, description = "Version"), ("Location" = String, description = "URL of the new resource"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/mentoring-pairs")]
pub async fn create_mentoring_pair(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Body(dto): Body<MentoringPairWrite>,
) -> ApiResult<HttpResponse> {
    let x = rsnms_domain::development::mentoring::create_mentoring_pair(super::deps(&state), &ctx, dto.into()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/mentoring-pairs/{}", x.id)))
        .insert_header((header::ETAG, etag(x.version)))
        .json(MentoringPairView::from(x)))
}
