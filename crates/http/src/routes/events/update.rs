use actix_web::{HttpResponse, http::header, patch, web};
use rsnms_domain::development::events::OfferingKind;
use uuid::Uuid;

use super::dto::{EventView, EventWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{PatchBody, Precondition, etag},
    merge::apply_patch,
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Change an event with a JSON merge patch (needs `If-Match`).
#[utoipa::path(
    tag = "events",
    params(
        ("id" = Uuid, Path, description = "Event id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed")
    ),
    request_body = EventWrite,
    responses(
        (status = 200, description = "Updated", body = EventView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[patch("/events/{id}")]
pub async fn update_event(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    patch: PatchBody<EventWrite>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let x = rsnms_domain::development::events::update_offering(
        super::deps(&state),
        &ctx,
        OfferingKind::Event,
        id.into_inner(),
        version,
        |c| apply_patch::<EventWrite, _>(c, &patch.value),
    )
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(x.version))).json(EventView::from(x)))
}
