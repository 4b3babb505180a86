use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{DeadlinePolicyList, DeadlinePolicyView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

/// List deadline policies (правила сроков), oldest first. Any authenticated caller.
#[utoipa::path(
    tag = "deadline-policies",
    params(PageQuery),
    responses((status = 200, description = "A page of policies", body = DeadlinePolicyList), ReadErrors),
    security(("bearer" = []))
)]
#[get("/deadline-policies")]
pub async fn list_deadline_policies(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<PageQuery>,
) -> ApiResult<HttpResponse> {
    let found =
        rsnms_domain::deadlines::list_deadline_policies(state.deadline_policies.as_ref(), &ctx, q.to_request()?)
            .await?;
    Ok(respond(&req, found, DeadlinePolicyView::from))
}
