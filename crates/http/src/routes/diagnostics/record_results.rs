use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

use super::dto::{RecordSummaryView, ResultBatch};
use crate::{AppState, auth::Auth, extract::Body, openapi::CreateErrors, problem::ApiResult};

/// Record a batch of results (загрузка результатов диагностики).
///
/// All or nothing: every item is checked first, and one 422 names each failing item and field
/// (`items[3].score`). Idempotent on (campaign, person, competency): sending a result again
/// updates it, or leaves it unchanged. `dry_run` checks and counts without storing. Persons must
/// be in the caller's scope.
#[utoipa::path(
    tag = "diagnostics",
    params(
        ("id" = Uuid, Path, description = "Campaign id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = ResultBatch,
    responses((status = 200, description = "What the batch did", body = RecordSummaryView), CreateErrors),
    security(("bearer" = []))
)]
#[post("/diagnostics/{id}/results")]
pub async fn record_diagnostic_results(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Body(dto): Body<ResultBatch>,
) -> ApiResult<HttpResponse> {
    let items = dto.items.unwrap_or_default().into_iter().map(Into::into).collect();
    let summary = rsnms_domain::development::diagnostics::record_results(
        state.diagnostics.as_ref(),
        state.personal_data.as_ref(),
        &ctx,
        id.into_inner(),
        items,
        dto.dry_run,
    )
    .await?;
    Ok(HttpResponse::Ok().json(RecordSummaryView::from(summary)))
}
