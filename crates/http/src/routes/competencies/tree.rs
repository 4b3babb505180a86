use actix_web::{HttpResponse, get, web};
use rsnms_domain::{
    development::competencies::{CompetencyFilter, CompetencyStatus, NodeKind, list_competencies},
    page::PageRequest,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{CompetencyArea, CompetencyTree, CompetencyView};
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// Options of the tree.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TreeQuery {
    /// Include retired nodes (default false).
    include_retired: Option<bool>,
}

/// The competency framework as a tree: areas, each with its competencies.
#[utoipa::path(
    tag = "competencies",
    params(TreeQuery),
    responses((status = 200, description = "The tree", body = CompetencyTree), ReadErrors),
    security(("bearer" = []))
)]
#[get("/competencies/tree")]
pub async fn tree_competencies(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<TreeQuery>,
) -> ApiResult<HttpResponse> {
    let filter = CompetencyFilter {
        status: if q.include_retired.unwrap_or(false) { None } else { Some(CompetencyStatus::Active) },
        ..Default::default()
    };
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = list_competencies(
            state.competencies.as_ref(),
            &ctx,
            &filter,
            PageRequest { limit: 500, after, ..PageRequest::default() },
        )
        .await?;
        all.extend(page.items);
        match page.next_after {
            Some(a) => after = Some(a),
            None => break,
        }
    }
    all.sort_by(|a, b| a.code.cmp(&b.code));
    let (areas, comps): (Vec<_>, Vec<_>) = all.into_iter().partition(|c| c.node == NodeKind::Area);
    let areas = areas
        .into_iter()
        .map(|a| CompetencyArea {
            competencies: comps
                .iter()
                .filter(|c| c.parent_id == Some(a.id))
                .cloned()
                .map(CompetencyView::from)
                .collect(),
            area: CompetencyView::from(a),
        })
        .collect();
    Ok(HttpResponse::Ok().json(CompetencyTree { areas }))
}
