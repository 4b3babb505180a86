use actix_web::{HttpResponse, get, http::header, web};
use uuid::Uuid;

use super::dto::ParticipantView;
use crate::{AppState, auth::Auth, extract::etag, openapi::ReadErrors, problem::ApiResult};

/// Read a registration for an event.
#[utoipa::path(
    tag = "events",
    params(
        ("id" = Uuid, Path, description = "Event id"),
        ("participant_id" = Uuid, Path, description = "Registration id")
    ),
    responses(
        (status = 200, description = "Found", body = ParticipantView, headers(("ETag" = String, description = "Version"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/events/{id}/participants/{participant_id}")]
pub async fn get_event_participant(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (event_id, id) = path.into_inner();
    let x = rsnms_domain::development::participation::get_participant(super::deps(&state), &ctx, event_id, id).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(x.version))).json(ParticipantView::from(x)))
}
