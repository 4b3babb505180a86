use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use super::IdentityView;
use crate::{AppState, auth::Auth, openapi::ReadErrors, problem::ApiResult};

/// The provider subjects linked to an account (administrators only).
#[utoipa::path(
    tag = "accounts",
    params(("id" = Uuid, Path, description = "Account id")),
    responses((status = 200, description = "Its links, oldest first", body = Vec<IdentityView>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/accounts/{id}/identities")]
pub async fn list_account_identities(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let links = rsnms_domain::identities::list_identities(
        state.accounts.as_ref(),
        state.identities.as_ref(),
        &ctx,
        id.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(links.into_iter().map(IdentityView::from).collect::<Vec<_>>()))
}
