use actix_web::{HttpRequest, HttpResponse, get, web};
use rsnms_domain::development::programs::{ProgramFilter, ProgramKind, StudyForm};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{ProgramList, ProgramView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

/// Filters of the programme list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProgramQuery {
    /// Develops this competency.
    competency_id: Option<Uuid>,
    /// Kind.
    kind: Option<ProgramKind>,
    /// Form of study.
    form: Option<StudyForm>,
    /// In the federal registry.
    federal_registry: Option<bool>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// Opaque cursor from `next_cursor`.
    cursor: Option<String>,
}

/// List programmes of the catalogue.
#[utoipa::path(
    tag = "programs",
    params(ProgramQuery),
    responses(
        (status = 200, description = "A page of programmes", body = ProgramList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/programs")]
pub async fn list_programs(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<ProgramQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor, ..PageQuery::default() }.to_request()?;
    let filter = ProgramFilter {
        competency_id: q.competency_id,
        kind: q.kind,
        form: q.form,
        federal_registry: q.federal_registry,
    };
    let found =
        rsnms_domain::development::programs::list_programs(state.programs.as_ref(), &ctx, &filter, page).await?;
    Ok(respond(&req, found, ProgramView::from))
}
