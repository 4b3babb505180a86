use actix_web::{HttpResponse, delete, web};
use uuid::Uuid;

use crate::{AppState, auth::Auth, extract::Precondition, openapi::ChangeErrors, problem::ApiResult};

/// Delete a person (needs `If-Match`); 409 while other records still refer to them.
#[utoipa::path(
    tag = "persons",
    params(
        ("id" = Uuid, Path, description = "Person id"),
        ("If-Match" = String, Header, description = "ETag of the version being deleted")
    ),
    responses((status = 204, description = "Deleted"), ChangeErrors),
    security(("bearer" = []))
)]
#[delete("/persons/{id}")]
pub async fn delete_person(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    rsnms_domain::persons::delete_person(state.persons.as_ref(), &ctx, id.into_inner(), version).await?;
    Ok(HttpResponse::NoContent().finish())
}
