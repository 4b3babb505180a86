use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

use super::dto::BasisView;
use crate::{AppState, auth::Auth, openapi::ActionErrors, problem::ApiResult};

/// Withdraw a basis (отзыв согласия): processing for its purpose stops today — e.g. the next
/// federal export leaves out her personal data — and when no basis of hers remains in force she
/// is depersonalised after `RSNMS_PD_DEPERSONALISE_AFTER_DAYS` (30) days. Roles that write
/// persons, and the person herself for her own consent. A basis withdrawn already answers 409.
#[utoipa::path(
    tag = "personal-data",
    params(
        ("id" = Uuid, Path, description = "Person id"),
        ("basis_id" = Uuid, Path, description = "Basis id")
    ),
    responses((status = 200, description = "Withdrawn", body = BasisView), ActionErrors),
    security(("bearer" = []))
)]
#[post("/persons/{id}/processing-bases/{basis_id}/withdraw")]
pub async fn withdraw_processing_basis(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (id, basis_id) = path.into_inner();
    let b = rsnms_domain::personal_data::withdraw_basis(
        state.personal_data.as_ref(),
        state.persons.as_ref(),
        &ctx,
        id,
        basis_id,
    )
    .await?;
    Ok(HttpResponse::Ok().json(BasisView::new(b)))
}
