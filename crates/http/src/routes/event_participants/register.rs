use actix_web::{HttpResponse, http::header, post, web};
use uuid::Uuid;

use super::dto::{ParticipantView, ParticipantWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, etag},
    openapi::CreateErrors,
    problem::ApiResult,
};

/// Register a person for an event (зарегистрировать участника): the person must be visible to
/// the caller; one registration per person and event; a full event answers 409 naming `capacity`.
#[utoipa::path(
    tag = "events",
    params(
        ("id" = Uuid, Path, description = "Event id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = ParticipantWrite,
    responses(
        (status = 201, description = "Registered", body = ParticipantView,
         headers(("ETag" = String, description = "Version"), ("Location" = String, description = "URL of the new resource"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/events/{id}/participants")]
pub async fn register_event_participant(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Body(dto): Body<ParticipantWrite>,
) -> ApiResult<HttpResponse> {
    let event_id = id.into_inner();
    let person_id = dto.person_id.ok_or_else(|| rsnms_domain::DomainError::internal("person_id validation lost"))?;
    let x =
        rsnms_domain::development::participation::register_participant(super::deps(&state), &ctx, event_id, person_id)
            .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/events/{event_id}/participants/{}", x.id)))
        .insert_header((header::ETAG, etag(x.version)))
        .json(ParticipantView::from(x)))
}
