use actix_web::{HttpRequest, HttpResponse, get, web};
use rsnms_domain::accounts::{AccountFilter, AccountKind};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{AccountList, AccountView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

/// Filters of the account list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccountQuery {
    /// Only users (`user`) or only service accounts (`client`).
    kind: Option<AccountKind>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// Opaque cursor from `next_cursor`.
    cursor: Option<String>,
}

/// List accounts, users and service accounts (administrators only); deleted ones are not shown.
#[utoipa::path(
    tag = "accounts",
    params(AccountQuery),
    responses((status = 200, description = "A page of accounts", body = AccountList), ReadErrors),
    security(("bearer" = []))
)]
#[get("/accounts")]
pub async fn list_accounts(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<AccountQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor, ..PageQuery::default() }.to_request()?;
    let filter = AccountFilter { kind: q.kind };
    let found = rsnms_domain::accounts::list_accounts(state.accounts.as_ref(), &ctx, &filter, page).await?;
    Ok(respond(&req, found, |a| AccountView::new(a, &ctx.actor)))
}
