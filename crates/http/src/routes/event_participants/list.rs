use actix_web::{HttpRequest, HttpResponse, get, web};
use rsnms_domain::development::participation::{ParticipationFilter, ParticipationStatus};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{ParticipantList, ParticipantView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

/// Filters of an event's registrations.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ParticipantQuery {
    /// State.
    status: Option<ParticipationStatus>,
    /// Participant.
    person_id: Option<Uuid>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// Opaque cursor from `next_cursor`.
    cursor: Option<String>,
}

/// List an event's registrations (участники мероприятия): the event's organisers see all of them,
/// others those of the persons in their scope (a teacher her own).
#[utoipa::path(
    tag = "events",
    params(("id" = Uuid, Path, description = "Event id"), ParticipantQuery),
    responses(
        (status = 200, description = "A page", body = ParticipantList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/events/{id}/participants")]
pub async fn list_event_participants(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Params(q): Params<ParticipantQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor, ..PageQuery::default() }.to_request()?;
    let filter = ParticipationFilter { status: q.status, person_id: q.person_id };
    let found = rsnms_domain::development::participation::list_participants(
        super::deps(&state),
        &ctx,
        id.into_inner(),
        &filter,
        page,
    )
    .await?;
    Ok(respond(&req, found, ParticipantView::from))
}
