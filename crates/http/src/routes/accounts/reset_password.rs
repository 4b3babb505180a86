use actix_web::{HttpResponse, post, web};
use rsnms_domain::accounts::AccountChange;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::{AccountView, Deps, apply};
use crate::dto::limit;
use crate::{
    auth::{Auth, hash_secret},
    extract::Body,
    openapi::ActionErrors,
    problem::{ApiError, ApiResult},
};
use rsnms_domain::accounts;

/// A new password or client secret set by an administrator.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SecretReset {
    /// The new password or client secret, at least 12 characters.
    #[validate(required, length(min = 12, max = limit(accounts::SECRET_MAX)))]
    #[schema(required = true, nullable = false, min_length = 12, max_length = 1024, format = Password)]
    pub secret: Option<String>,
}

impl crate::extract::ValueChecks for SecretReset {}

/// Reset an account's password or client secret (сбросить пароль; administrators only): every
/// token issued before stops working within seconds on every instance.
#[utoipa::path(
    tag = "accounts",
    params(("id" = Uuid, Path, description = "Account id")),
    request_body = SecretReset,
    responses((status = 200, description = "Reset", body = AccountView), ActionErrors),
    security(("bearer" = []))
)]
#[post("/accounts/{id}/password")]
pub async fn reset_account_password(
    deps: Deps,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Body(dto): Body<SecretReset>,
) -> ApiResult<HttpResponse> {
    let Some(secret) = dto.secret else { return Err(ApiError::internal()) };
    let hash = web::block(move || hash_secret(&secret))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|_| ApiError::internal())?;
    apply(&deps.0, &deps.1, &ctx, id.into_inner(), AccountChange::SetSecret(hash)).await
}
