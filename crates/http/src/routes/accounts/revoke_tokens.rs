use actix_web::{HttpResponse, post, web};
use rsnms_domain::accounts::AccountChange;
use uuid::Uuid;

use super::{AccountView, Deps, apply};
use crate::{auth::Auth, openapi::ActionErrors, problem::ApiResult};

/// Revoke every token of an account (отозвать токены; administrators only): access and refresh
/// tokens issued so far stop working within seconds on every instance; the account itself stays
/// enabled and may obtain new ones (for a service account: `rsnms token --client NAME`).
#[utoipa::path(
    tag = "accounts",
    params(("id" = Uuid, Path, description = "Account id")),
    responses((status = 200, description = "Revoked", body = AccountView), ActionErrors),
    security(("bearer" = []))
)]
#[post("/accounts/{id}/revoke-tokens")]
pub async fn revoke_account_tokens(
    (state, standings): Deps,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    apply(&state, &standings, &ctx, id.into_inner(), AccountChange::RevokeTokens).await
}
