use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use super::dto::{EvidenceLog, EvidenceView};
use crate::{AppState, auth::Auth, openapi::ReadErrors, problem::ApiResult};

/// A route's evidence log, oldest first.
#[utoipa::path(
    tag = "routes",
    params(("id" = Uuid, Path, description = "Route id")),
    responses((status = 200, description = "The log", body = EvidenceLog), ReadErrors),
    security(("bearer" = []))
)]
#[get("/routes/{id}/evidence")]
pub async fn list_route_evidence(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let items = rsnms_domain::development::iom::list_evidence(super::deps(&state), &ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(EvidenceLog { items: items.into_iter().map(EvidenceView::from).collect() }))
}
