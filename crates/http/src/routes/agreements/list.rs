use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use rsnms_domain::agreements::{AgreementFilter, AgreementStatus};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{AgreementList, AgreementSummaryView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

crate::sort_param! {
    /// Orders of the agreement registry: `signed_on` (дата подписания), `number` (номер соглашения, as text); `-` descending. An unsigned draft comes after every signed agreement ascending and before them descending.
    AgreementSort { "signed_on" / "-signed_on" => SignedOn / SignedOnDesc, "number" / "-number" => Number / NumberDesc }
}

/// Filters of the agreement list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AgreementQuery {
    /// Municipality of the municipal party.
    municipality_code: Option<String>,
    /// Status today.
    status: Option<AgreementStatus>,
    /// An organisation that is one of the parties.
    party_id: Option<Uuid>,
    /// Signed and in force on this date (`YYYY-MM-DD`).
    valid_on: Option<NaiveDate>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// Opaque cursor from `next_cursor`.
    cursor: Option<String>,
    /// Order (default: creation order, by id).
    #[param(inline)]
    sort: Option<AgreementSort>,
    /// Also count the rows: `exact` (bounded) or `estimate`.
    #[param(inline)]
    count: Option<rsnms_domain::page::CountMode>,
}

/// List agreements visible to the caller (реестр соглашений).
///
/// Admins, operators and the integration see all; a municipal authority sees its own. Analysts
/// read only the region's attainment report (`/api/v1/agreements/report`).
#[utoipa::path(
    tag = "agreements",
    params(AgreementQuery),
    responses(
        (status = 200, description = "A page of agreements", body = AgreementList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/agreements")]
pub async fn list_agreements(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<AgreementQuery>,
) -> ApiResult<HttpResponse> {
    let page =
        PageQuery { limit: q.limit, cursor: q.cursor, count: q.count, sort: q.sort.map(Into::into) }.to_request()?;
    let filter = AgreementFilter {
        municipality_code: q.municipality_code,
        status: q.status,
        party_id: q.party_id,
        valid_on: q.valid_on,
        ..AgreementFilter::current()
    };
    let found = rsnms_domain::agreements::list_agreements(state.agreements.as_ref(), &ctx, &filter, page).await?;
    Ok(respond(&req, found, |a| AgreementSummaryView::new(a, filter.today, &ctx.actor)))
}
