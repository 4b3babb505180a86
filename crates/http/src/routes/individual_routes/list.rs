use actix_web::{HttpRequest, HttpResponse, get, web};
use rsnms_domain::development::iom::{RouteFilter, RouteStatus};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{RouteList, RouteView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

crate::sort_param! {
    /// Orders of the route list: `status` (состояние маршрута, by its code), `updated_at` (последнее изменение); `-` descending (`-updated_at`: the most recently changed first).
    RouteSort { "status" / "-status" => Status / StatusDesc, "updated_at" / "-updated_at" => UpdatedAt / UpdatedAtDesc }
}

/// Filters of the route list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RouteQuery {
    /// Person.
    person_id: Option<Uuid>,
    /// Tutor.
    tutor_id: Option<Uuid>,
    /// State.
    status: Option<RouteStatus>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// Opaque cursor from `next_cursor`.
    cursor: Option<String>,
    /// Order (default: creation order, by id).
    #[param(inline)]
    sort: Option<RouteSort>,
    /// Also count the rows: `exact` (bounded) or `estimate`.
    #[param(inline)]
    count: Option<rsnms_domain::page::CountMode>,
}

/// List routes: a teacher sees their own, a tutor those assigned to them, an organisation its
/// staff's, a municipality its institutions', the region all.
#[utoipa::path(
    tag = "routes",
    params(RouteQuery),
    responses(
        (status = 200, description = "A page of routes", body = RouteList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/routes")]
pub async fn list_routes(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<RouteQuery>,
) -> ApiResult<HttpResponse> {
    let page =
        PageQuery { limit: q.limit, cursor: q.cursor, count: q.count, sort: q.sort.map(Into::into) }.to_request()?;
    let filter =
        RouteFilter { person_id: q.person_id, tutor_id: q.tutor_id, status: q.status, ..RouteFilter::default() };
    let found = rsnms_domain::development::iom::list_routes(super::deps(&state), &ctx, &filter, page).await?;
    Ok(respond(&req, found, |r| RouteView::new(r, None)))
}
