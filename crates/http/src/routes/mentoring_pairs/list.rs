use actix_web::{HttpRequest, HttpResponse, get, web};
use rsnms_domain::development::mentoring::{MentoringFilter, MentoringForm};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{MentoringPairList, MentoringPairView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

/// Filters of the mentoring pair list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MentoringPairQuery {
    /// Organisation.
    organization_id: Option<Uuid>,
    /// Mentor or mentee.
    person_id: Option<Uuid>,
    /// Form.
    form: Option<MentoringForm>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// Opaque cursor from `next_cursor`.
    cursor: Option<String>,
}

/// List mentoring pairs in the caller's scope.
#[utoipa::path(
    tag = "mentoring-pairs",
    params(MentoringPairQuery),
    responses(
        (status = 200, description = "A page", body = MentoringPairList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/mentoring-pairs")]
pub async fn list_mentoring_pairs(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<MentoringPairQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor, ..PageQuery::default() }.to_request()?;
    let filter = MentoringFilter { organization_id: q.organization_id, person_id: q.person_id, form: q.form };
    let found =
        rsnms_domain::development::mentoring::list_mentoring_pairs(state.mentoring.as_ref(), &ctx, &filter, page)
            .await?;
    Ok(respond(&req, found, MentoringPairView::from))
}
