use actix_web::{HttpRequest, HttpResponse, http::header, put, web};

use super::dto::{CalendarLayerView, CalendarPutResult, CalendarYearWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, IfMatch, etag},
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Load or correct one layer of a year (загрузить или исправить календарь): administrators.
///
/// The federal layer without `region_code`, a regional layer with it. Every problem of the data is
/// reported at once (422): dates outside the year, repeats, days off on weekends, working weekdays
/// listed as working weekend days, a declared total that the lists do not give. A federal correction
/// that would contradict the working-day total a stored regional layer of the year declares is
/// refused (422, one `regional_layers.<region>` entry per region, naming the totals and the days
/// changed): correct the regional layer first. Correcting a stored layer needs `If-Match` with its
/// `version`; a first load needs none. Due dates of requests not yet due whose term crosses the
/// year are then recomputed (пересчёт сроков) before the answer, in chunks of 2 000 requests each
/// in its own short transaction (other writes wait at most one chunk), and each recomputed request
/// is listed. Should the answer be lost half-way (a server stop), the layer is stored: put it again
/// with the new version and the requests not yet recomputed are.
#[utoipa::path(
    tag = "calendars",
    params(
        ("year" = i32, Path, description = "Year"),
        ("If-Match" = Option<String>, Header, description = "Version of the stored layer, when correcting one")
    ),
    request_body = CalendarYearWrite,
    responses(
        (status = 200, description = "Stored", body = CalendarPutResult, headers(("ETag" = String, description = "Version of the layer"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[put("/calendars/{year}")]
pub async fn put_calendar(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    year: web::Path<i32>,
    Body(dto): Body<CalendarYearWrite>,
) -> ApiResult<HttpResponse> {
    let year = super::check_year(year.into_inner())?;
    let expected = if req.headers().contains_key(header::IF_MATCH) {
        Some(<IfMatch as actix_web::FromRequest>::extract(&req).await?.0)
    } else {
        None
    };
    let (stored, recomputed) =
        rsnms_domain::deadlines::put_calendar_year(state.calendars.as_ref(), &ctx, dto.into_year(year), expected)
            .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(stored.version))).json(CalendarPutResult {
        layer: CalendarLayerView::from(stored),
        recomputed_requests: u64::try_from(recomputed.len()).unwrap_or(u64::MAX),
        recomputed_request_ids: recomputed,
    }))
}
