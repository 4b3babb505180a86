use actix_web::{HttpResponse, http::header, patch, web};
use rsnms_domain::agreements::AgreementAsOf;
use uuid::Uuid;

use super::dto::{AgreementView, AgreementWrite};
use crate::{
    AppState,
    auth::Auth,
    extract::{PatchBody, Precondition, etag},
    merge::apply_patch,
    openapi::ChangeErrors,
    problem::ApiResult,
};

/// Update a draft agreement (изменить проект соглашения) with a JSON merge patch.
///
/// Only drafts change in place; arrays (`clauses`, `indicators`) are replaced whole, indicators
/// keep their ids by key. A signed agreement answers 409 naming
/// `/api/v1/agreements/{id}/amendments`: it changes only through a supplementary agreement.
#[utoipa::path(
    tag = "agreements",
    params(
        ("id" = Uuid, Path, description = "Agreement id"),
        ("If-Match" = String, Header, description = "ETag of the version being changed")
    ),
    request_body = AgreementWrite,
    responses(
        (status = 200, description = "Updated", body = AgreementView, headers(("ETag" = String, description = "New version"))),
        ChangeErrors
    ),
    security(("bearer" = []))
)]
#[patch("/agreements/{id}")]
pub async fn update_agreement(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    if_match: Precondition,
    patch: PatchBody<AgreementWrite>,
) -> ApiResult<HttpResponse> {
    let version = if_match.version()?;
    let a = rsnms_domain::agreements::update_agreement(
        state.agreements.as_ref(),
        state.organizations.as_ref(),
        &ctx,
        id.into_inner(),
        version,
        |current| apply_patch::<AgreementWrite, _>(current, &patch.value),
    )
    .await?;
    let view = AgreementView::new(AgreementAsOf::today(a, &[]), &ctx.actor);
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(view.version))).json(view))
}
