use actix_web::{HttpRequest, HttpResponse, get, web};

use super::{AccountList, AccountView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

/// List accounts (administrators only).
#[utoipa::path(
    tag = "accounts",
    params(PageQuery),
    responses((status = 200, description = "A page of accounts", body = AccountList), ReadErrors),
    security(("bearer" = []))
)]
#[get("/accounts")]
pub async fn list_accounts(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<PageQuery>,
) -> ApiResult<HttpResponse> {
    ctx.actor.require(rsnms_domain::accounts::READERS)?;
    let found = state.accounts.list(q.to_request()?).await?;
    Ok(respond(&req, found, AccountView::from))
}
