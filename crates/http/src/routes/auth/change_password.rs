use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::dto::limit;
use crate::{
    AppState,
    auth::{Auth, Standings, hash_secret, verify_secret},
    extract::Body,
    openapi::CreateErrors,
    problem::{ApiError, ApiResult},
};
use rsnms_domain::accounts;

/// A change of the caller's own password.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The current password.
    #[validate(required, length(min = 1, max = limit(accounts::SECRET_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 1024, format = Password)]
    pub current_password: Option<String>,
    /// The new password, at least 12 characters.
    #[validate(required, length(min = 12, max = limit(accounts::SECRET_MAX)))]
    #[schema(required = true, nullable = false, min_length = 12, max_length = 1024, format = Password)]
    pub new_password: Option<String>,
}

impl crate::extract::ValueChecks for PasswordChange {}

/// Change my password (сменить пароль): users only, with the current password (422 naming
/// `current_password` when it is wrong). Every token of the account, this one included, stops
/// working: sign in again with the new password.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordChange,
    responses((status = 204, description = "Changed"), CreateErrors),
    security(("bearer" = []))
)]
#[post("/auth/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    standings: web::Data<Standings>,
    Auth(ctx): Auth,
    Body(dto): Body<PasswordChange>,
) -> ApiResult<HttpResponse> {
    let (Some(current), Some(new)) = (dto.current_password, dto.new_password) else {
        return Err(ApiError::internal());
    };
    let account = rsnms_domain::accounts::own_account(state.accounts.as_ref(), &ctx).await?;
    let stored = account.secret_hash.clone();
    let (current_ok, new_hash) = web::block(move || (verify_secret(&current, &stored), hash_secret(&new)))
        .await
        .map_err(|_| ApiError::internal())?;
    let new_hash = new_hash.map_err(|_| ApiError::internal())?;
    rsnms_domain::accounts::change_own_password(state.accounts.as_ref(), &ctx, &account, current_ok, new_hash).await?;
    standings.forget(account.id);
    Ok(HttpResponse::NoContent().finish())
}
