use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

use super::dto::{EvidenceReview, EvidenceView};
use crate::{AppState, auth::Auth, extract::Body, openapi::CreateErrors, problem::ApiResult};

/// Accept or reject submitted evidence (the route's tutor or the region). A decision is final
/// (409 on a second one); accepted evidence stays in the log for good.
#[utoipa::path(
    tag = "routes",
    params(
        ("id" = Uuid, Path, description = "Route id"),
        ("evidence_id" = Uuid, Path, description = "Evidence id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = EvidenceReview,
    responses((status = 200, description = "Reviewed", body = EvidenceView), CreateErrors),
    security(("bearer" = []))
)]
#[post("/routes/{id}/evidence/{evidence_id}/review")]
pub async fn review_route_evidence(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    path: web::Path<(Uuid, Uuid)>,
    Body(dto): Body<EvidenceReview>,
) -> ApiResult<HttpResponse> {
    let (id, evidence_id) = path.into_inner();
    let status = dto.status();
    let e = rsnms_domain::development::iom::review_evidence(
        super::deps(&state),
        &ctx,
        id,
        evidence_id,
        status,
        dto.comment,
        dto.rating,
    )
    .await?;
    Ok(HttpResponse::Ok().json(EvidenceView::from(e)))
}
