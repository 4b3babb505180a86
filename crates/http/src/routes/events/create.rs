use actix_web::{HttpResponse, http::header, post, web};
use rsnms_domain::development::events::OfferingKind;

use super::dto::{EventView, EventWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, etag},
    openapi::CreateErrors,
    problem::ApiResult,
};

/// Add a methodological event (методическое мероприятие): administrators, ЦНППМ operators, and municipalities for organisers in their scope.
#[utoipa::path(
    tag = "events",
    request_body = EventWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Created", body = EventView,
         headers(("ETag" = String, description = "Version"), ("Location" = String, description = "URL of the new resource"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/events")]
pub async fn create_event(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Body(dto): Body<EventWrite>,
) -> ApiResult<HttpResponse> {
    let x =
        rsnms_domain::development::events::create_offering(super::deps(&state), &ctx, OfferingKind::Event, dto.into())
            .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/events/{}", x.id)))
        .insert_header((header::ETAG, etag(x.version)))
        .json(EventView::from(x)))
}
