use actix_web::{HttpResponse, http::header, post, web};
use uuid::Uuid;

use super::dto::{BasisView, BasisWrite};
use crate::{AppState, auth::Auth, extract::Body, openapi::CreateErrors, problem::ApiResult};

/// Record a basis of processing a person's data for a purpose: a consent (its form, date,
/// document, term) or another basis of 152-ФЗ art. 6 named by its act. Once a person has any
/// basis recorded, each purpose needs its own basis in force (see `docs/PERSONAL-DATA.md`).
/// Roles that write persons, in their scope.
#[utoipa::path(
    tag = "personal-data",
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = BasisWrite,
    responses(
        (status = 201, description = "Recorded", body = BasisView,
         headers(("Location" = String, description = "URL of the person's bases"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/persons/{id}/processing-bases")]
pub async fn create_processing_basis(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Body(dto): Body<BasisWrite>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let b = rsnms_domain::personal_data::record_basis(
        state.personal_data.as_ref(),
        state.persons.as_ref(),
        &ctx,
        id,
        dto.into(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/persons/{id}/processing-bases")))
        .json(BasisView::new(b)))
}
