use actix_web::{HttpResponse, http::header, post, web};
use rsnms_domain::agreements::{AmendmentChanges, NewAmendment};
use uuid::Uuid;

use super::dto::{AmendmentView, AmendmentWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{Body, Precondition, etag},
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Conclude a supplementary agreement (заключить дополнительное соглашение, BU 5.3).
///
/// The only way a signed agreement changes: clauses added (new numbers only; an existing number
/// is a 409 naming it), replaced or removed, targets changed, the term changed. It makes a new
/// version effective from `effective_from` (not before the version it amends); the agreement
/// keeps answering its earlier text for earlier dates (`GET /api/v1/agreements/{id}?as_of=`).
/// Needs `If-Match` with the agreement's `ETag`; the response's `ETag` is the agreement's new one.
#[utoipa::path(
    tag = "agreements",
    params(
        ("id" = Uuid, Path, description = "Agreement id"),
        ("If-Match" = String, Header, description = "ETag of the agreement being amended"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = AmendmentWrite,
    responses(
        (status = 201, description = "Concluded", body = AmendmentView,
         headers(("ETag" = String, description = "The agreement's new version"),
                 ("Location" = String, description = "The agreement as of the amendment's date"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[post("/agreements/{id}/amendments")]
pub async fn create_agreement_amendment(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
    Body(dto): Body<AmendmentWrite>,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let id = id.into_inner();
    let new = NewAmendment {
        number: dto.number.unwrap_or_default(),
        signed_on: dto.signed_on.unwrap_or_default(),
        effective_from: dto.effective_from.unwrap_or_default(),
        description: dto.description,
        changes: dto.changes.map(AmendmentChanges::from).unwrap_or_default(),
    };
    let (a, amendment) =
        rsnms_domain::agreements::amend_agreement(state.agreements.as_ref(), &ctx, id, version, new).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/agreements/{id}?as_of={}", amendment.effective_from)))
        .insert_header((header::ETAG, etag(a.version)))
        .json(AmendmentView::from(amendment)))
}
