use actix_web::{HttpRequest, HttpResponse, get, web};
use rsnms_domain::organizations::{Level, OrganizationFilter, OrganizationKind};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{OrganizationList, OrganizationView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

crate::sort_param! {
    /// Orders of the organisation list: `name` (наименование); `-name` descending.
    OrganizationSort { "name" / "-name" => Name / NameDesc }
}

/// Filters of the organisation list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OrganizationQuery {
    /// Kind.
    kind: Option<OrganizationKind>,
    /// Level.
    level: Option<Level>,
    /// Direct parent.
    parent_id: Option<Uuid>,
    /// Region code.
    region_code: Option<String>,
    /// Municipality code.
    municipality_code: Option<String>,
    /// Name contains (case-insensitive; ё = е).
    name: Option<String>,
    /// `true`: only closed; `false`: only open.
    closed: Option<bool>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// Opaque cursor from `next_cursor` (made for the same `sort`).
    cursor: Option<String>,
    /// Order (default: creation order, by id).
    #[param(inline)]
    sort: Option<OrganizationSort>,
    /// Also count the rows: `exact` (bounded) or `estimate`.
    #[param(inline)]
    count: Option<rsnms_domain::page::CountMode>,
}

/// List organisations visible to the caller (реестр участников).
#[utoipa::path(
    tag = "organizations",
    params(OrganizationQuery),
    responses(
        (status = 200, description = "A page of organisations", body = OrganizationList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/organizations")]
pub async fn list_organizations(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<OrganizationQuery>,
) -> ApiResult<HttpResponse> {
    let page =
        PageQuery { limit: q.limit, cursor: q.cursor, count: q.count, sort: q.sort.map(Into::into) }.to_request()?;
    let filter = OrganizationFilter {
        kind: q.kind,
        level: q.level,
        parent_id: q.parent_id,
        region_code: q.region_code,
        municipality_code: q.municipality_code,
        name: q.name,
        closed: q.closed,
        ..OrganizationFilter::default()
    };
    let found =
        rsnms_domain::organizations::list_organizations(state.organizations.as_ref(), &ctx, &filter, page).await?;
    Ok(respond(&req, found, |o| OrganizationView::new(o, &ctx.actor)))
}
