use actix_web::{HttpResponse, http::header, post, web};
use uuid::Uuid;

use super::dto::{AgreementView, TerminateAgreement};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, Precondition, etag},
    openapi::ChangeErrors,
    problem::{ApiError, ApiResult},
};

/// Terminate a signed agreement (расторгнуть соглашение).
///
/// From `terminated_on` the status is `terminated`; the history stays readable.
#[utoipa::path(
    tag = "agreements",
    params(
        ("id" = Uuid, Path, description = "Agreement id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = TerminateAgreement,
    responses(
        (status = 200, description = "Terminated", body = AgreementView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[post("/agreements/{id}/terminate")]
pub async fn terminate_agreement(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
    Body(dto): Body<TerminateAgreement>,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let on = dto
        .terminated_on
        .ok_or_else(|| ApiError::validation(vec![rsnms_domain::FieldError::required("terminated_on")]))?;
    let id = id.into_inner();
    let repo = state.agreements.as_ref();
    rsnms_domain::agreements::terminate_agreement(repo, &ctx, id, version, on, dto.reason).await?;
    let s = rsnms_domain::agreements::get_agreement_as_of(repo, &ctx, id, None).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(s.agreement.version)))
        .json(AgreementView::new(s, &ctx.actor)))
}
