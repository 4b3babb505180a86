use actix_web::{HttpResponse, get, http::header, web};
use uuid::Uuid;

use super::dto::ProgramView;
use crate::{AppState, auth::Auth, extract::etag, openapi::ReadErrors, problem::ApiResult};

/// Read a programme.
#[utoipa::path(
    tag = "programs",
    params(("id" = Uuid, Path, description = "Programme id")),
    responses(
        (status = 200, description = "The programme", body = ProgramView, headers(("ETag" = String, description = "Version"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/programs/{id}")]
pub async fn get_program(state: web::Data<AppState>, Auth(ctx): Auth, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let p = rsnms_domain::development::programs::get_program(state.programs.as_ref(), &ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(p.version))).json(ProgramView::from(p)))
}
