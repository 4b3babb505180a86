use actix_web::{HttpResponse, get, http::header, web};
use uuid::Uuid;

use super::dto::MentoringPairView;
use crate::{AppState, auth::Auth, extract::etag, openapi::ReadErrors, problem::ApiResult};

/// Read a mentoring pair (visible to its mentor and mentee, and by organisation).
#[utoipa::path(
    tag = "mentoring-pairs",
    params(("id" = Uuid, Path, description = "Mentoring pair id")),
    responses(
        (status = 200, description = "Found", body = MentoringPairView, headers(("ETag" = String, description = "Version"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/mentoring-pairs/{id}")]
pub async fn get_mentoring_pair(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let x = rsnms_domain::development::mentoring::get_mentoring_pair(state.mentoring.as_ref(), &ctx, id.into_inner())
        .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(x.version))).json(MentoringPairView::from(x)))
}
