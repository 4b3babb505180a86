use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use rsnms_domain::development::diagnostics::GroupBy;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{AnalyticsCellView, DiagnosticsAnalytics};
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// Parameters of the aggregate.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsQuery {
    /// Results dated on or after (`YYYY-MM-DD`, the first day of a calendar quarter).
    period_from: Option<NaiveDate>,
    /// Results dated on or before (the last day of a calendar quarter).
    period_to: Option<NaiveDate>,
    /// `municipality` (default), `organization` or `subject` (teaching subject; a person with
    /// several subjects counts in each of their groups).
    group_by: Option<GroupBy>,
}

/// Deficits by competency × municipality, organisation or teaching subject for a period (for
/// requests to develop new programmes, LO 5.5, RO 3.2.3). Counts only — never personal data; per
/// person the latest result in the period counts. Disclosure control (see the API design):
/// groups smaller than `RSNMS_MIN_GROUP_SIZE` are withheld, and so are complementary groups, so
/// that no withheld group follows by subtraction from its territory, its sibling groups or a
/// neighbouring period; the decisions are the same for every caller. Periods are whole calendar
/// quarters (otherwise 422). By `subject`, a teacher of two subjects counts in both groups (so the groups of a
/// competency may add up to more persons than were assessed), and persons with no subject
/// recorded form the group whose `group_key` is `null`.
/// Analysts, the region, a municipality (its institutions) and an organisation (itself).
#[utoipa::path(
    tag = "diagnostics",
    params(AnalyticsQuery),
    responses((status = 200, description = "The aggregate", body = DiagnosticsAnalytics), ReadErrors),
    security(("bearer" = []))
)]
#[get("/diagnostics/analytics")]
pub async fn get_diagnostics_analytics(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<AnalyticsQuery>,
) -> ApiResult<HttpResponse> {
    let group_by = q.group_by.unwrap_or(GroupBy::Municipality);
    let min = state.min_group_size;
    let cells = rsnms_domain::development::diagnostics::diagnostics_analytics(
        state.diagnostics.as_ref(),
        state.competencies.as_ref(),
        &ctx,
        q.period_from,
        q.period_to,
        group_by,
        min,
    )
    .await?;
    Ok(HttpResponse::Ok().json(DiagnosticsAnalytics {
        period_from: q.period_from,
        period_to: q.period_to,
        group_by,
        min_group_size: min,
        items: cells.into_iter().map(AnalyticsCellView::from).collect(),
    }))
}
