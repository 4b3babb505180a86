use actix_web::{HttpResponse, http::header, post, web};
use rsnms_domain::{
    DomainError,
    accounts::{AccountKind, NewAccount},
    auth::Role,
};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::AccountView;
use crate::dto::limit;
use crate::{
    AppState,
    auth::{Auth, hash_secret},
    extract::Body,
    openapi::CreateErrors,
    problem::{ApiError, ApiResult},
};
use rsnms_domain::accounts;

/// A new account.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AccountWrite {
    /// User or client.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub kind: Option<AccountKind>,
    /// Login or client id (1–100 characters, no spaces).
    #[validate(required, length(min = 1, max = limit(accounts::LOGIN_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 100)]
    pub login: Option<String>,
    /// Password or client secret, at least 12 characters.
    #[validate(required, length(min = 12, max = limit(accounts::SECRET_MAX)))]
    #[schema(required = true, nullable = false, min_length = 12, max_length = 1024, format = Password)]
    pub secret: Option<String>,
    /// Role its tokens carry.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub role: Option<Role>,
    /// Organisation it acts for (required for `municipal` and `organization`).
    pub organization_id: Option<Uuid>,
    /// Person it is (required for `teacher` and `tutor`).
    pub person_id: Option<Uuid>,
}

impl crate::extract::ValueChecks for AccountWrite {}

/// Create an account (administrators only).
#[utoipa::path(
    tag = "accounts",
    request_body = AccountWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses((status = 201, description = "Created", body = AccountView), CreateErrors),
    security(("bearer" = []))
)]
#[post("/accounts")]
pub async fn create_account(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Body(dto): Body<AccountWrite>,
) -> ApiResult<HttpResponse> {
    let (Some(kind), Some(login), Some(secret), Some(role)) = (dto.kind, dto.login, dto.secret, dto.role) else {
        return Err(ApiError::internal());
    };
    // Hashed only when the domain awaits it (after its role check).
    let secret_hash = async move {
        let hashed = web::block(move || hash_secret(&secret)).await;
        hashed.ok().and_then(Result::ok).ok_or_else(|| DomainError::internal("hashing the secret failed"))
    };
    let new = NewAccount {
        kind,
        login,
        secret_hash: String::new(),
        role,
        organization_id: dto.organization_id,
        person_id: dto.person_id,
    };
    let deps = rsnms_domain::accounts::Deps {
        accounts: state.accounts.as_ref(),
        orgs: state.organizations.as_ref(),
        persons: state.persons.as_ref(),
    };
    let account = rsnms_domain::accounts::create_account(deps, &ctx, new, secret_hash).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/accounts/{}", account.id)))
        .json(AccountView::new(account, &ctx.actor)))
}
