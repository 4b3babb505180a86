use actix_web::{HttpRequest, HttpResponse, get, web};
use rsnms_domain::page::Page;
use uuid::Uuid;

use super::dto::{IndicatorValueList, IndicatorValueView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

/// List the values reported for an indicator (фактические значения), in reporting order.
#[utoipa::path(
    tag = "agreements",
    params(
        ("id" = Uuid, Path, description = "Agreement id"),
        ("indicator_id" = Uuid, Path, description = "Indicator id"),
        PageQuery
    ),
    responses(
        (status = 200, description = "A page of values", body = IndicatorValueList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/agreements/{id}/indicators/{indicator_id}/values")]
pub async fn list_indicator_values(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    path: web::Path<(Uuid, Uuid)>,
    Params(q): Params<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = q.to_request()?;
    let (id, indicator_id) = path.into_inner();
    let values =
        rsnms_domain::agreements::list_indicator_values(state.agreements.as_ref(), &ctx, id, indicator_id).await?;
    let rows: Vec<_> = values.into_iter().filter(|v| page.after.is_none_or(|a| v.id > a)).collect();
    Ok(respond(&req, Page::from_probe(rows, page.limit, |v| v.id), IndicatorValueView::from))
}
