use actix_web::{HttpResponse, delete, web};
use rsnms_domain::accounts::AccountChange;
use uuid::Uuid;

use super::{Deps, apply};
use crate::{auth::Auth, openapi::ActionErrors, problem::ApiResult};

/// Delete an account (administrators only): it gets no tokens, its tokens stop working within
/// seconds on every instance, and it leaves the lists; its login stays taken so that the audit
/// trail keeps one meaning per login. 409 for the caller's own account.
#[utoipa::path(
    tag = "accounts",
    params(("id" = Uuid, Path, description = "Account id")),
    responses((status = 204, description = "Deleted"), ActionErrors),
    security(("bearer" = []))
)]
#[delete("/accounts/{id}")]
pub async fn delete_account((state, standings): Deps, Auth(ctx): Auth, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    apply(&state, &standings, &ctx, id.into_inner(), AccountChange::Delete).await
}
