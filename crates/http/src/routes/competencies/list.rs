use actix_web::{HttpRequest, HttpResponse, get, web};
use rsnms_domain::development::competencies::{AreaKind, CompetencyFilter, CompetencyStatus, NodeKind};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{CompetencyList, CompetencyView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

/// Filters of the competency list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CompetencyQuery {
    /// `area` or `competency`.
    node: Option<NodeKind>,
    /// Competencies of this area.
    parent_id: Option<Uuid>,
    /// Of this area kind.
    area_kind: Option<AreaKind>,
    /// `active` or `retired`.
    status: Option<CompetencyStatus>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// Opaque cursor from `next_cursor`.
    cursor: Option<String>,
}

/// List areas and competencies of the framework (flat; see `/competencies/tree`).
#[utoipa::path(
    tag = "competencies",
    params(CompetencyQuery),
    responses(
        (status = 200, description = "A page of nodes", body = CompetencyList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/competencies")]
pub async fn list_competencies(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<CompetencyQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor, ..PageQuery::default() }.to_request()?;
    let filter = CompetencyFilter { node: q.node, parent_id: q.parent_id, area_kind: q.area_kind, status: q.status };
    let found =
        rsnms_domain::development::competencies::list_competencies(state.competencies.as_ref(), &ctx, &filter, page)
            .await?;
    Ok(respond(&req, found, CompetencyView::from))
}
