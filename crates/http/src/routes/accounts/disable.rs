use actix_web::{HttpResponse, post, web};
use rsnms_domain::accounts::AccountChange;
use uuid::Uuid;

use super::{AccountView, Deps, apply};
use crate::{auth::Auth, openapi::ActionErrors, problem::ApiResult};

/// Disable an account (отключить учётную запись; administrators only): it gets no tokens, and
/// every token it holds (refresh tokens too) stops working within seconds on every instance.
/// 409 for the caller's own account.
#[utoipa::path(
    tag = "accounts",
    params(("id" = Uuid, Path, description = "Account id")),
    responses((status = 200, description = "Disabled", body = AccountView), ActionErrors),
    security(("bearer" = []))
)]
#[post("/accounts/{id}/disable")]
pub async fn disable_account(
    (state, standings): Deps,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    apply(&state, &standings, &ctx, id.into_inner(), AccountChange::Disable).await
}
