use actix_web::{HttpRequest, HttpResponse, delete, http::header, web};
use uuid::Uuid;

use super::dto::ImportJobView;
use crate::{
    AppState,
    auth::Auth,
    extract::{Precondition, etag},
    openapi::ChangeErrors,
    problem::{ApiResult, Lang},
};

/// Cancel a queued import job (needs `If-Match`); its stored body is dropped.
///
/// A job a worker has taken runs to its end: 409 for a job that is running or has ended.
#[utoipa::path(
    tag = "imports",
    params(
        ("id" = Uuid, Path, description = "Job id"),
        ("If-Match" = String, Header, description = "ETag of the version being cancelled")
    ),
    responses(
        (status = 200, description = "Cancelled: the job", body = ImportJobView, headers(("ETag" = String, description = "Version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[delete("/imports/jobs/{id}")]
pub async fn cancel_import_job(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let lang = Lang::from_header(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let job =
        rsnms_domain::exchange::jobs::cancel_import_job(state.import_jobs.as_ref(), &ctx, id.into_inner(), version)
            .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(job.version))).json(ImportJobView::new(job, lang)))
}
