use actix_web::{HttpResponse, http::header, post, web};
use rsnms_domain::agreements::{AgreementAsOf, create_agreement as create};

use super::dto::{AgreementView, AgreementWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, etag},
    openapi::CreateErrors,
    problem::ApiResult,
};

/// Create an agreement from its whole document (создать соглашение).
///
/// One call loads everything: number, dates, subject, term, the three parties with their
/// signatories, the numbered clauses and the appendix (indicators and results with yearly
/// targets). A draft by default; `"status": "signed"` loads an agreement already concluded (its
/// first version takes effect on `valid_from`, default the signing date). Parties are checked
/// against the registry: a `regional_authority`, a `regional_institute` and a
/// `municipal_authority` of one region. Admins and operators only.
#[utoipa::path(
    tag = "agreements",
    request_body = AgreementWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the first response is replayed")),
    responses(
        (status = 201, description = "Created", body = AgreementView,
         headers(("ETag" = String, description = "Version"), ("Location" = String, description = "URL of the new agreement"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/agreements")]
pub async fn create_agreement(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Body(dto): Body<AgreementWrite>,
) -> ApiResult<HttpResponse> {
    let a = create(state.agreements.as_ref(), state.organizations.as_ref(), &ctx, dto.into()).await?;
    let versions = state.agreements.versions(&ctx.actor.scope(), &[a.id]).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/agreements/{}", a.id)))
        .insert_header((header::ETAG, etag(a.version)))
        .json(AgreementView::new(AgreementAsOf::today(a, &versions), &ctx.actor)))
}
