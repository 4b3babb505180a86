use actix_web::{HttpResponse, http::header, patch, web};
use uuid::Uuid;

use super::dto::{ParticipantStatusWrite, ParticipantView};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, Precondition, etag},
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Change a registration's state (needs `If-Match`): mark attendance (`attended` / `absent`, the
/// event's organisers, from the day it is held), cancel it, or renew a cancelled one (capacity
/// permitting). A move not allowed from the current state answers 409 with `allowed`.
#[utoipa::path(
    tag = "events",
    params(
        ("id" = Uuid, Path, description = "Event id"),
        ("participant_id" = Uuid, Path, description = "Registration id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed")
    ),
    request_body = ParticipantStatusWrite,
    responses(
        (status = 200, description = "Updated", body = ParticipantView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[patch("/events/{id}/participants/{participant_id}")]
pub async fn update_event_participant(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    path: web::Path<(Uuid, Uuid)>,
    Body(dto): Body<ParticipantStatusWrite>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let (event_id, id) = path.into_inner();
    let version = if_match.version()?;
    let status = dto.status.ok_or_else(|| rsnms_domain::DomainError::internal("status validation lost"))?;
    let x = rsnms_domain::development::participation::update_participant(
        super::deps(&state),
        &ctx,
        event_id,
        id,
        version,
        status,
    )
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(x.version))).json(ParticipantView::from(x)))
}
