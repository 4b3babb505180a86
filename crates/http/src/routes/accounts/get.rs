use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use super::AccountView;
use crate::{AppState, auth::Auth, openapi::ReadErrors, problem::ApiResult};

/// Read an account (administrators only).
#[utoipa::path(
    tag = "accounts",
    params(("id" = Uuid, Path, description = "Account id")),
    responses((status = 200, description = "The account", body = AccountView), ReadErrors),
    security(("bearer" = []))
)]
#[get("/accounts/{id}")]
pub async fn get_account(state: web::Data<AppState>, Auth(ctx): Auth, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let account = rsnms_domain::accounts::get_account(state.accounts.as_ref(), &ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(AccountView::new(account, &ctx.actor)))
}
