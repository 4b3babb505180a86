use actix_web::{HttpRequest, HttpResponse, get, web};
use rsnms_domain::development::diagnostics::{CampaignFilter, Instrument};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{DiagnosticList, DiagnosticView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

/// Filters of the campaign list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DiagnosticQuery {
    /// Instrument.
    instrument: Option<Instrument>,
    /// Organiser.
    organizer_id: Option<Uuid>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// Opaque cursor from `next_cursor`.
    cursor: Option<String>,
}

/// List diagnostic campaigns.
#[utoipa::path(
    tag = "diagnostics",
    params(DiagnosticQuery),
    responses(
        (status = 200, description = "A page of campaigns", body = DiagnosticList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/diagnostics")]
pub async fn list_diagnostics(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<DiagnosticQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor, ..PageQuery::default() }.to_request()?;
    let filter = CampaignFilter { instrument: q.instrument, organizer_id: q.organizer_id };
    let found =
        rsnms_domain::development::diagnostics::list_campaigns(state.diagnostics.as_ref(), &ctx, &filter, page).await?;
    Ok(respond(&req, found, DiagnosticView::from))
}
