use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use uuid::Uuid;

use super::dto::ImportJobView;
use crate::{
    AppState,
    auth::Auth,
    extract::etag,
    openapi::ReadErrors,
    problem::{ApiResult, Lang},
};

/// Read an import job: its state, progress, and at the end the summary or the problem.
///
/// Visible to the account that submitted it (in the same role and organisation) and to
/// administrators; 404 for everyone else.
#[utoipa::path(
    tag = "imports",
    params(("id" = Uuid, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job", body = ImportJobView, headers(("ETag" = String, description = "Version"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/imports/jobs/{id}")]
pub async fn get_import_job(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let lang = Lang::from_header(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let job = rsnms_domain::exchange::jobs::get_import_job(state.import_jobs.as_ref(), &ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(job.version))).json(ImportJobView::new(job, lang)))
}
