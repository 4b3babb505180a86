use actix_web::{HttpResponse, post, web};
use rsnms_domain::accounts::AccountChange;
use uuid::Uuid;

use super::{AccountView, Deps, apply};
use crate::{auth::Auth, openapi::ActionErrors, problem::ApiResult};

/// Enable a disabled account (administrators only): it may sign in again; tokens revoked when it
/// was disabled stay revoked.
#[utoipa::path(
    tag = "accounts",
    params(("id" = Uuid, Path, description = "Account id")),
    responses((status = 200, description = "Enabled", body = AccountView), ActionErrors),
    security(("bearer" = []))
)]
#[post("/accounts/{id}/enable")]
pub async fn enable_account((state, standings): Deps, Auth(ctx): Auth, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    apply(&state, &standings, &ctx, id.into_inner(), AccountChange::Enable).await
}
