use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

use super::dto::{EvidenceView, EvidenceWrite};
use crate::{AppState, auth::Auth, extract::Body, openapi::CreateErrors, problem::ApiResult};

/// Submit evidence for a step of a route in progress (the person, their tutor, or the region).
/// The log is append-only: nothing is ever deleted.
#[utoipa::path(
    tag = "routes",
    params(
        ("id" = Uuid, Path, description = "Route id"),
        ("step_id" = Uuid, Path, description = "Step id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = EvidenceWrite,
    responses((status = 201, description = "Submitted", body = EvidenceView), CreateErrors),
    security(("bearer" = []))
)]
#[post("/routes/{id}/steps/{step_id}/evidence")]
pub async fn submit_route_evidence(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    path: web::Path<(Uuid, Uuid)>,
    Body(dto): Body<EvidenceWrite>,
) -> ApiResult<HttpResponse> {
    let (id, step_id) = path.into_inner();
    let e = rsnms_domain::development::iom::add_evidence(super::deps(&state), &ctx, id, step_id, dto.into()).await?;
    Ok(HttpResponse::Created().json(EvidenceView::from(e)))
}
