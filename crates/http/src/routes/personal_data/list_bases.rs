use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use super::dto::{BasisList, BasisView};
use crate::{AppState, auth::Auth, openapi::ReadErrors, problem::ApiResult};

/// The bases of processing a person's data (основания обработки и согласия), oldest first, each
/// with whether it is in force today. Roles that may read her personal data; others get 403
/// (404 outside their scope).
#[utoipa::path(
    tag = "personal-data",
    params(("id" = Uuid, Path, description = "Person id")),
    responses((status = 200, description = "Her bases", body = BasisList), ReadErrors),
    security(("bearer" = []))
)]
#[get("/persons/{id}/processing-bases")]
pub async fn list_processing_bases(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let bases = rsnms_domain::personal_data::list_bases(
        state.personal_data.as_ref(),
        state.persons.as_ref(),
        &ctx,
        id.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(BasisList { items: bases.into_iter().map(BasisView::new).collect() }))
}
