use actix_web::{HttpResponse, http::header, patch, web};
use uuid::Uuid;

use super::dto::{PersonView, PersonWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{PatchBody, Precondition, etag},
    merge::apply_patch,
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Update a person with a JSON merge patch (needs `If-Match`); `processing_bases` records new
/// bases of processing with the update, in one transaction.
#[utoipa::path(
    tag = "persons",
    params(
        ("id" = Uuid, Path, description = "Person id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed")
    ),
    request_body = PersonWrite,
    responses(
        (status = 200, description = "Updated", body = PersonView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[patch("/persons/{id}")]
pub async fn update_person(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    patch: PatchBody<PersonWrite>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let p = rsnms_domain::personal_data::update_person_with_bases(
        state.person_stores(),
        &ctx,
        id.into_inner(),
        version,
        |current| apply_patch::<PersonWrite, _>(current, &patch.value),
        PersonWrite::bases_of_patch(&patch.value),
    )
    .await?;
    let show = ctx.actor.may_read_personal_data_of(p.id);
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(p.version))).json(PersonView::new(p, show)))
}
