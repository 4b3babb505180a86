use actix_web::{HttpResponse, http::header, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::IdentityView;
use crate::dto::limit;
use crate::{
    AppState,
    auth::{Auth, Providers},
    extract::Body,
    openapi::CreateErrors,
    problem::{ApiError, ApiResult},
};
use rsnms_domain::identities;

/// A subject of a trusted identity provider to link to the account.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct IdentityWrite {
    /// The provider's configured name (поставщик удостоверений; see `RSNMS_OIDC_PROVIDERS`).
    #[validate(required, length(min = 1, max = limit(identities::MAX_PROVIDER_LEN)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 100)]
    pub provider: Option<String>,
    /// The subject as the provider's tokens name it (the provider's subject claim, `sub` by
    /// default).
    #[validate(required, length(min = 1, max = limit(identities::MAX_SUBJECT_LEN)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 255)]
    pub subject: Option<String>,
}

impl crate::extract::ValueChecks for IdentityWrite {}

/// Link a provider subject to an account (связать внешнюю учётную запись; administrators only):
/// the provider's tokens for that subject then act as the account — its role, organisation and
/// person, its disabling and its token revocation. A subject is linked to one account at most
/// (409 naming `subject`).
#[utoipa::path(
    tag = "accounts",
    request_body = IdentityWrite,
    params(
        ("id" = Uuid, Path, description = "Account id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    responses((status = 201, description = "Linked", body = IdentityView), CreateErrors),
    security(("bearer" = []))
)]
#[post("/accounts/{id}/identities")]
pub async fn link_account_identity(
    state: web::Data<AppState>,
    providers: web::Data<Providers>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Body(dto): Body<IdentityWrite>,
) -> ApiResult<HttpResponse> {
    let (Some(provider), Some(subject)) = (dto.provider, dto.subject) else { return Err(ApiError::internal()) };
    let identity = rsnms_domain::identities::link_identity(
        state.accounts.as_ref(),
        state.identities.as_ref(),
        &ctx,
        &providers.names(),
        id.into_inner(),
        &provider,
        &subject,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/accounts/{}/identities/{}", identity.account_id, identity.id),
        ))
        .json(IdentityView::from(identity)))
}
