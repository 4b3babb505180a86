use actix_web::{HttpRequest, HttpResponse, get, http::header, web};

use super::dto::{ImportJobList, ImportJobView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::{ApiResult, Lang},
};

/// List import jobs: the caller's own, oldest first (an administrator sees every job).
#[utoipa::path(
    tag = "imports",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of import jobs", body = ImportJobList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/imports/jobs")]
pub async fn list_import_jobs(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<PageQuery>,
) -> ApiResult<HttpResponse> {
    let lang = Lang::from_header(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let page = q.to_request()?;
    let found = rsnms_domain::exchange::jobs::list_import_jobs(state.import_jobs.as_ref(), &ctx, page).await?;
    Ok(respond(&req, found, |j| ImportJobView::new(j, lang)))
}
