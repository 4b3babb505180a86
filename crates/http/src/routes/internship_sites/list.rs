use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use rsnms_domain::development::events::{OfferingFilter, OfferingKind};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{InternshipSiteList, InternshipSiteView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

/// Filters of the internship site list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InternshipSiteQuery {
    /// Develops this competency.
    competency_id: Option<Uuid>,
    /// Period starting on or after.
    from: Option<NaiveDate>,
    /// Period starting on or before.
    to: Option<NaiveDate>,
    /// Hosting organisation.
    organization_id: Option<Uuid>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// Opaque cursor from `next_cursor`.
    cursor: Option<String>,
}

/// List internship sites.
#[utoipa::path(
    tag = "internship-sites",
    params(InternshipSiteQuery),
    responses(
        (status = 200, description = "A page", body = InternshipSiteList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/internship-sites")]
pub async fn list_internship_sites(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<InternshipSiteQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor, ..PageQuery::default() }.to_request()?;
    let filter = OfferingFilter {
        competency_id: q.competency_id,
        level: None,
        from: q.from,
        to: q.to,
        organization_id: q.organization_id,
    };
    let found = rsnms_domain::development::events::list_offerings(
        state.offerings.as_ref(),
        &ctx,
        OfferingKind::InternshipSite,
        &filter,
        page,
    )
    .await?;
    Ok(respond(&req, found, InternshipSiteView::from))
}
