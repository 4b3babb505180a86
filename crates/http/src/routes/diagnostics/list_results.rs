use actix_web::{HttpRequest, HttpResponse, get, web};
use rsnms_domain::development::diagnostics::ResultFilter;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{ResultList, ResultView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

/// Filters of the result list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ResultQuery {
    /// Person.
    person_id: Option<Uuid>,
    /// Competency.
    competency_id: Option<Uuid>,
    /// Only deficits (`true`) or only results at level (`false`).
    deficit: Option<bool>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// Opaque cursor from `next_cursor`.
    cursor: Option<String>,
}

/// List a campaign's results for persons in the caller's scope: a teacher sees their own, a
/// tutor those of the persons they tutor, an organisation its staff, a municipality its
/// institutions. Analysts get 403 (aggregates only). Every read is audited.
#[utoipa::path(
    tag = "diagnostics",
    params(("id" = Uuid, Path, description = "Campaign id"), ResultQuery),
    responses(
        (status = 200, description = "A page of results", body = ResultList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/diagnostics/{id}/results")]
pub async fn list_diagnostic_results(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Params(q): Params<ResultQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor, ..PageQuery::default() }.to_request()?;
    let filter = ResultFilter {
        campaign_id: Some(id.into_inner()),
        person_id: q.person_id,
        competency_id: q.competency_id,
        deficit: q.deficit,
    };
    let found = rsnms_domain::development::diagnostics::list_results(
        state.diagnostics.as_ref(),
        state.audit.as_ref(),
        &ctx,
        &filter,
        page,
    )
    .await?;
    Ok(respond(&req, found, ResultView::from))
}
