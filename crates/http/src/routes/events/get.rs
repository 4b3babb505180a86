use actix_web::{HttpResponse, get, http::header, web};
use rsnms_domain::development::events::OfferingKind;
use uuid::Uuid;

use super::dto::EventView;
use crate::{AppState, auth::Auth, extract::etag, openapi::ReadErrors, problem::ApiResult};

/// Read a methodological event.
#[utoipa::path(
    tag = "events",
    params(("id" = Uuid, Path, description = "Event id")),
    responses(
        (status = 200, description = "Found", body = EventView, headers(("ETag" = String, description = "Version"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/events/{id}")]
pub async fn get_event(state: web::Data<AppState>, Auth(ctx): Auth, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let x = rsnms_domain::development::events::get_offering(
        state.offerings.as_ref(),
        &ctx,
        OfferingKind::Event,
        id.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(x.version))).json(EventView::from(x)))
}
