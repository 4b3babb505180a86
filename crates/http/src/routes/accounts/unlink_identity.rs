use actix_web::{HttpResponse, delete, web};
use uuid::Uuid;

use crate::{AppState, auth::Auth, openapi::ActionErrors, problem::ApiResult};

/// Unlink a provider subject from an account (administrators only): the provider's tokens for
/// that subject stop acting as the account at once.
#[utoipa::path(
    tag = "accounts",
    params(
        ("id" = Uuid, Path, description = "Account id"),
        ("identity_id" = Uuid, Path, description = "Link id")
    ),
    responses((status = 204, description = "Unlinked"), ActionErrors),
    security(("bearer" = []))
)]
#[delete("/accounts/{id}/identities/{identity_id}")]
pub async fn unlink_account_identity(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (id, identity_id) = path.into_inner();
    rsnms_domain::identities::unlink_identity(state.identities.as_ref(), &ctx, id, identity_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
