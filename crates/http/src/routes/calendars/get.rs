use actix_web::{HttpResponse, get, web};
use rsnms_domain::calendar::CalendarLayer;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{CalendarLayerView, CalendarView, EffectiveCalendarView};
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// Which region to merge in.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CalendarQuery {
    /// Region code: show only its layer and the effective calendar (federal plus regional).
    #[param(pattern = "^[0-9]{2}$", example = "03")]
    region_code: Option<String>,
}

/// Read a year of the production calendar (производственный календарь): the federal layer and
/// the regional layers with their legal sources; with `region_code`, the effective calendar of
/// that region. Any authenticated caller.
#[utoipa::path(
    tag = "calendars",
    params(("year" = i32, Path, description = "Year, e.g. 2025"), CalendarQuery),
    responses((status = 200, description = "The year", body = CalendarView), ReadErrors),
    security(("bearer" = []))
)]
#[get("/calendars/{year}")]
pub async fn get_calendar(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    year: web::Path<i32>,
    Params(q): Params<CalendarQuery>,
) -> ApiResult<HttpResponse> {
    let year = super::check_year(year.into_inner())?;
    if let Some(r) = &q.region_code {
        rsnms_domain::values::RegionCode::parse("region_code", r)
            .map_err(|e| crate::problem::ApiError::validation(vec![e]))?;
    }
    let (layers, calendar) =
        rsnms_domain::deadlines::get_calendar_year(state.calendars.as_ref(), &ctx, year, q.region_code.as_deref())
            .await?;
    let mut federal = None;
    let mut regional = Vec::new();
    for l in layers {
        match l.year.layer {
            CalendarLayer::Federal => federal = Some(CalendarLayerView::from(l)),
            CalendarLayer::Regional { .. } => regional.push(CalendarLayerView::from(l)),
        }
    }
    let effective = match (q.region_code, calendar) {
        (Some(code), Some(cal)) => EffectiveCalendarView::new(&cal, code, year),
        _ => None,
    };
    Ok(HttpResponse::Ok().json(CalendarView { year, provisional: federal.is_none(), federal, regional, effective }))
}
