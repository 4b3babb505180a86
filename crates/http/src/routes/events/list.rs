use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use rsnms_domain::development::events::{EventLevel, OfferingFilter, OfferingKind};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{EventList, EventView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

crate::sort_param! {
    /// Orders of the event list: `held_on` (дата проведения, the start); `-` descending (the latest first).
    EventSort { "held_on" / "-held_on" => HeldOn / HeldOnDesc }
}

/// Filters of the event list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventQuery {
    /// Develops this competency.
    competency_id: Option<Uuid>,
    /// Level.
    level: Option<EventLevel>,
    /// Held on or after.
    from: Option<NaiveDate>,
    /// Held on or before.
    to: Option<NaiveDate>,
    /// Organiser.
    organizer_id: Option<Uuid>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// Opaque cursor from `next_cursor`.
    cursor: Option<String>,
    /// Order (default: creation order, by id).
    #[param(inline)]
    sort: Option<EventSort>,
    /// Also count the rows: `exact` (bounded) or `estimate`.
    #[param(inline)]
    count: Option<rsnms_domain::page::CountMode>,
}

/// List methodological events; `level=regional` with a date range counts the regional events of the agreement indicator.
#[utoipa::path(
    tag = "events",
    params(EventQuery),
    responses(
        (status = 200, description = "A page", body = EventList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/events")]
pub async fn list_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<EventQuery>,
) -> ApiResult<HttpResponse> {
    let page =
        PageQuery { limit: q.limit, cursor: q.cursor, count: q.count, sort: q.sort.map(Into::into) }.to_request()?;
    let filter = OfferingFilter {
        competency_id: q.competency_id,
        level: q.level,
        from: q.from,
        to: q.to,
        organization_id: q.organizer_id,
    };
    let found = rsnms_domain::development::events::list_offerings(
        state.offerings.as_ref(),
        &ctx,
        OfferingKind::Event,
        &filter,
        page,
    )
    .await?;
    Ok(respond(&req, found, EventView::from))
}
