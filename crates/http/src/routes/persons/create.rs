use actix_web::{HttpResponse, http::header, post, web};

use super::dto::{PersonView, PersonWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, etag},
    openapi::CreateErrors,
    problem::ApiResult,
};

/// Create a person (добавить педагога или управленца).
///
/// Admins, operators, a municipality (in its institutions) and an organisation (its own staff)
/// create persons. СНИЛС is unique: a duplicate answers 409 naming `snils`. The bases of
/// processing her data (`processing_bases`) may come with her: written together or not at all.
#[utoipa::path(
    tag = "persons",
    request_body = PersonWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Created", body = PersonView,
         headers(("ETag" = String, description = "Version"), ("Location" = String, description = "URL of the new person"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/persons")]
pub async fn create_person(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Body(dto): Body<PersonWrite>,
) -> ApiResult<HttpResponse> {
    let bases = dto.bases();
    let p =
        rsnms_domain::personal_data::create_person_with_bases(state.person_stores(), &ctx, dto.into(), bases).await?;
    let show = ctx.actor.may_read_personal_data_of(p.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/persons/{}", p.id)))
        .insert_header((header::ETAG, etag(p.version)))
        .json(PersonView::new(p, show)))
}
