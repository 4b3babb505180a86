use actix_web::{HttpResponse, get, http::header, web};
use uuid::Uuid;

use super::dto::DeadlinePolicyView;
use crate::{AppState, auth::Auth, extract::etag, openapi::ReadErrors, problem::ApiResult};

/// Read a deadline policy (правило срока).
#[utoipa::path(
    tag = "deadline-policies",
    params(("id" = Uuid, Path, description = "Policy id")),
    responses(
        (status = 200, description = "The policy", body = DeadlinePolicyView, headers(("ETag" = String, description = "Version"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/deadline-policies/{id}")]
pub async fn get_deadline_policy(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let p =
        rsnms_domain::deadlines::get_deadline_policy(state.deadline_policies.as_ref(), &ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(p.version))).json(DeadlinePolicyView::from(p)))
}
