use actix_web::{HttpResponse, get, http::header, web};
use uuid::Uuid;

use super::dto::PersonView;
use crate::{AppState, auth::Auth, extract::etag, openapi::ReadErrors, problem::ApiResult};

/// Read a person. A read that shows personal data is audited.
#[utoipa::path(
    tag = "persons",
    params(("id" = Uuid, Path, description = "Person id")),
    responses(
        (status = 200, description = "The person", body = PersonView, headers(("ETag" = String, description = "Version"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/persons/{id}")]
pub async fn get_person(state: web::Data<AppState>, Auth(ctx): Auth, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let (p, show) = rsnms_domain::persons::get_person(super::deps(&state), &ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(p.version))).json(PersonView::new(p, show)))
}
