use actix_web::{HttpResponse, http::header, post, web};
use uuid::Uuid;

use super::dto::{AgreementView, SignAgreement};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, Precondition, etag},
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Sign a draft agreement (подписать соглашение).
///
/// The signing date is the body's `signed_on` or the draft's; the term starts on it unless
/// `valid_from` was given. The signed text becomes version 1; from now on the agreement changes
/// only through amendments.
#[utoipa::path(
    tag = "agreements",
    params(
        ("id" = Uuid, Path, description = "Agreement id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = SignAgreement,
    responses(
        (status = 200, description = "Signed", body = AgreementView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[post("/agreements/{id}/sign")]
pub async fn sign_agreement(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
    Body(dto): Body<SignAgreement>,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let id = id.into_inner();
    let repo = state.agreements.as_ref();
    rsnms_domain::agreements::sign_agreement(repo, &ctx, id, version, dto.signed_on).await?;
    let s = rsnms_domain::agreements::get_agreement_as_of(repo, &ctx, id, None).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(s.agreement.version)))
        .json(AgreementView::new(s, &ctx.actor)))
}
