use actix_web::{HttpResponse, get, http::header, web};
use uuid::Uuid;

use super::dto::CompetencyView;
use crate::{AppState, auth::Auth, extract::etag, openapi::ReadErrors, problem::ApiResult};

/// Read an area or a competency, retired ones included.
#[utoipa::path(
    tag = "competencies",
    params(("id" = Uuid, Path, description = "Node id")),
    responses(
        (status = 200, description = "The node", body = CompetencyView, headers(("ETag" = String, description = "Version"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/competencies/{id}")]
pub async fn get_competency(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let c = rsnms_domain::development::competencies::get_competency(state.competencies.as_ref(), &ctx, id.into_inner())
        .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(c.version))).json(CompetencyView::from(c)))
}
