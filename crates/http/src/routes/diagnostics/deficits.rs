use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{DeficitView, PersonDeficits};
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// Options of the deficit list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeficitQuery {
    /// Also list deficits closed by a later result at level (default false).
    include_closed: Option<bool>,
}

/// A person's deficits (профессиональные дефициты), derived from the latest result in each
/// competency, with the source campaign and date. A later result at level closes a deficit.
/// The results read are audited.
#[utoipa::path(
    tag = "diagnostics",
    params(("id" = Uuid, Path, description = "Person id"), DeficitQuery),
    responses((status = 200, description = "The deficits", body = PersonDeficits), ReadErrors),
    security(("bearer" = []))
)]
#[get("/persons/{id}/deficits")]
pub async fn list_deficits(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Params(q): Params<DeficitQuery>,
) -> ApiResult<HttpResponse> {
    let person_id = id.into_inner();
    let items = rsnms_domain::development::diagnostics::person_deficits(
        state.diagnostics.as_ref(),
        state.audit.as_ref(),
        &ctx,
        person_id,
        q.include_closed.unwrap_or(false),
    )
    .await?;
    Ok(HttpResponse::Ok().json(PersonDeficits { person_id, items: items.into_iter().map(DeficitView::from).collect() }))
}
