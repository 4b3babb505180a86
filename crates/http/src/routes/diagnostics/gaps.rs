use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use rsnms_domain::development::{diagnostics::GroupBy, gaps::GapDeps};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::AnalyticsCellView;
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// Parameters of the gaps.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GapsQuery {
    /// Results dated on or after (`YYYY-MM-DD`, the first day of a calendar quarter).
    period_from: Option<NaiveDate>,
    /// Results dated on or before (the last day of a calendar quarter).
    period_to: Option<NaiveDate>,
    /// `municipality` (default) or `organization` (`subject` is refused: a subject has no
    /// territory).
    #[param(inline)]
    group_by: Option<GroupBy>,
}

/// Deficits no current offer covers (пробелы в предложении), by competency × territory.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfferGaps {
    /// Period start (inclusive), if given.
    pub period_from: Option<NaiveDate>,
    /// Period end (inclusive), if given.
    pub period_to: Option<NaiveDate>,
    /// `municipality` or `organization`.
    pub group_by: GroupBy,
    /// The day the offer is current on (the region's today).
    pub today: NaiveDate,
    /// Groups smaller than this are suppressed (`RSNMS_MIN_GROUP_SIZE`).
    pub min_group_size: u64,
    /// Uncovered cells, by competency code and territory, with the analytics' counts.
    pub items: Vec<AnalyticsCellView>,
}

/// Gaps in the offer (пробелы в предложении, LO 5.5, RO 3.2.3): the cells of
/// `GET /diagnostics/analytics` (competency × municipality or organisation) whose competency no
/// current offer covers in that territory. Cells, counts, roles, scope, periods and disclosure
/// control are exactly the analytics' (so nothing is published that the analytics does not
/// publish); a cell is listed when its published count of persons with a deficit is above zero,
/// or when it is withheld (whatever it holds, so that a listing never tells a small group's
/// deficits).
///
/// **Covers** (покрывает): an offer covers competency C in a territory when it develops C and is
/// current — a programme (ДПП) of the catalogue developing C (one in the federal registry covers
/// every territory, another the territory its developer serves; programmes have no dates, so
/// every catalogue programme is current); a methodological event on C dated today or later; an
/// internship site offering C whose last day is today or later; a mentor — a mentoring pair
/// working on C that is open-ended or ends today or later. An event, site or pair covers the
/// territory its organisation serves: a regional organisation (the ЦНППМ, no municipality) its
/// whole region, a municipal one its municipality (the rule that places tutors). Today is
/// the region's day.
/// Analysts, the region, a municipality (its institutions) and an organisation (itself).
#[utoipa::path(
    tag = "diagnostics",
    params(GapsQuery),
    responses((status = 200, description = "Uncovered deficits", body = OfferGaps), ReadErrors),
    security(("bearer" = []))
)]
#[get("/diagnostics/analytics/gaps")]
pub async fn get_offer_gaps(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<GapsQuery>,
) -> ApiResult<HttpResponse> {
    let group_by = q.group_by.unwrap_or(GroupBy::Municipality);
    let min = state.min_group_size;
    let d = GapDeps {
        diagnostics: state.diagnostics.as_ref(),
        competencies: state.competencies.as_ref(),
        programs: state.programs.as_ref(),
        offerings: state.offerings.as_ref(),
        mentoring: state.mentoring.as_ref(),
        organizations: state.organizations.as_ref(),
    };
    let (today, cells) =
        rsnms_domain::development::gaps::offer_gaps(d, &ctx, q.period_from, q.period_to, group_by, min).await?;
    Ok(HttpResponse::Ok().json(OfferGaps {
        period_from: q.period_from,
        period_to: q.period_to,
        group_by,
        today,
        min_group_size: min,
        items: cells.into_iter().map(AnalyticsCellView::from).collect(),
    }))
}
