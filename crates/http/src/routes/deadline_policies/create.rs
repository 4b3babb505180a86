use actix_web::{HttpResponse, http::header, post, web};

use super::dto::{DeadlinePolicyView, DeadlinePolicyWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, etag},
    openapi::CreateErrors,
    problem::ApiResult,
};

/// Create a deadline policy (добавить правило срока): admins and operators.
///
/// A region adds its own terms here; `is_default: true` makes it the policy of requests that name none.
#[utoipa::path(
    tag = "deadline-policies",
    request_body = DeadlinePolicyWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Created", body = DeadlinePolicyView,
         headers(("ETag" = String, description = "Version"), ("Location" = String, description = "URL of the new policy"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/deadline-policies")]
pub async fn create_deadline_policy(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Body(dto): Body<DeadlinePolicyWrite>,
) -> ApiResult<HttpResponse> {
    let p = rsnms_domain::deadlines::create_policy(state.deadline_policies.as_ref(), &ctx, dto.into()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/deadline-policies/{}", p.id)))
        .insert_header((header::ETAG, etag(p.version)))
        .json(DeadlinePolicyView::from(p)))
}
