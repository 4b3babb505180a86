use actix_web::{HttpResponse, get, http::header, web};
use uuid::Uuid;

use super::dto::DiagnosticView;
use crate::{AppState, auth::Auth, extract::etag, openapi::ReadErrors, problem::ApiResult};

/// Read a diagnostic campaign.
#[utoipa::path(
    tag = "diagnostics",
    params(("id" = Uuid, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "The campaign", body = DiagnosticView, headers(("ETag" = String, description = "Version"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/diagnostics/{id}")]
pub async fn get_diagnostic(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let c =
        rsnms_domain::development::diagnostics::get_campaign(state.diagnostics.as_ref(), &ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(c.version))).json(DiagnosticView::from(c)))
}
