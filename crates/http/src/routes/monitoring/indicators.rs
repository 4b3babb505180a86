use actix_web::{HttpResponse, get, web};
use rsnms_domain::monitoring::{indicators, territory};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{IndicatorList, IndicatorView};
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// Parameters of the computation.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct IndicatorQuery {
    /// Reporting year (default: the current year).
    year: Option<i32>,
    /// A municipal authority: its municipality code scopes the territory.
    municipality_id: Option<Uuid>,
    /// One organisation (and its direct subdivisions).
    organization_id: Option<Uuid>,
}

/// The system's indicators computed from its own data (показатели РСНМС) for a year: numerator,
/// denominator, value, the target of the applicable agreement (when the territory is one
/// municipality), attainment and reconciliation with the reported actual value. Aggregates
/// only; figures about persons are withheld by disclosure control (populations smaller than
/// `RSNMS_MIN_GROUP_SIZE` and their complements, decided on the whole region; a school's figure
/// also when the rest of its municipality would be such a group). Analysts and the
/// region see everything; a municipality its territory; an organisation itself.
#[utoipa::path(
    tag = "monitoring",
    params(IndicatorQuery),
    responses((status = 200, description = "The indicators", body = IndicatorList), ReadErrors),
    security(("bearer" = []))
)]
#[get("/monitoring/indicators")]
pub async fn get_monitoring_indicators(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<IndicatorQuery>,
) -> ApiResult<HttpResponse> {
    let t = territory(state.organizations.as_ref(), &ctx, q.municipality_id, q.organization_id).await?;
    let year = q.year.unwrap_or_else(rsnms_domain::clock::region_year);
    let rows =
        indicators(state.monitoring.as_ref(), state.agreements.as_ref(), &ctx, year, &t, state.min_group_size).await?;
    Ok(HttpResponse::Ok().json(IndicatorList {
        year,
        municipality_code: t.municipality_code,
        min_group_size: state.min_group_size,
        items: rows.into_iter().map(IndicatorView::from).collect(),
    }))
}
