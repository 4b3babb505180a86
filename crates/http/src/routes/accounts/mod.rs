//! `/api/v1/accounts`: users and service accounts (administrators only). Service accounts
//! (`kind: client`) are the identities of scripts and integrations: each has its own subject,
//! so audit records, idempotency keys and rate limits tell callers apart.

mod create;
mod delete;
mod disable;
mod enable;
mod get;
mod link_identity;
mod list;
mod list_identities;
mod reset_password;
mod revoke_tokens;
mod unlink_identity;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use rsnms_domain::{
    accounts::{Account, AccountAction, AccountChange, AccountKind, allowed_actions},
    auth::{Actor, Ctx, Role},
};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{AppState, auth::Standings, problem::ApiResult};

/// Registers the account routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list::list_accounts)
        .service(create::create_account)
        .service(get::get_account)
        .service(delete::delete_account)
        .service(disable::disable_account)
        .service(enable::enable_account)
        .service(reset_password::reset_account_password)
        .service(revoke_tokens::revoke_account_tokens)
        .service(list_identities::list_account_identities)
        .service(link_identity::link_account_identity)
        .service(unlink_identity::unlink_account_identity);
}

/// An account (secrets are never shown).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    /// Id; the `sub` of its tokens.
    pub id: Uuid,
    /// `user` (signs in with a password) or `client` (a service account: client credentials, or
    /// tokens minted by `rsnms token --client NAME`).
    pub kind: AccountKind,
    /// Login, or the service account's name.
    pub login: String,
    /// Role its tokens carry.
    pub role: Role,
    /// Organisation it acts for.
    pub organization_id: Option<Uuid>,
    /// Person it is.
    pub person_id: Option<Uuid>,
    /// Disabled accounts get no tokens, and their tokens stop working.
    pub disabled: bool,
    /// The actions the caller may take now (допустимые действия): every one, but an
    /// administrator does not disable or delete her own account.
    pub allowed_actions: Vec<AccountAction>,
    /// Created at (UTC).
    pub created_at: DateTime<Utc>,
}

impl AccountView {
    /// The view of an account for the caller.
    pub fn new(a: Account, actor: &Actor) -> Self {
        AccountView {
            allowed_actions: allowed_actions(actor, &a),
            id: a.id,
            kind: a.kind,
            login: a.login,
            role: a.role,
            organization_id: a.organization_id,
            person_id: a.person_id,
            disabled: a.disabled,
            created_at: a.created_at,
        }
    }
}

/// A subject of a trusted identity provider linked to an account (связанная внешняя учётная
/// запись): the provider's tokens for it act as the account.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdentityView {
    /// Id of the link.
    pub id: Uuid,
    /// The account.
    pub account_id: Uuid,
    /// The provider's configured name.
    pub provider: String,
    /// The subject as the provider names it.
    pub subject: String,
    /// Linked at (UTC).
    pub created_at: DateTime<Utc>,
}

impl From<rsnms_domain::identities::Identity> for IdentityView {
    fn from(i: rsnms_domain::identities::Identity) -> Self {
        IdentityView {
            id: i.id,
            account_id: i.account_id,
            provider: i.provider,
            subject: i.subject,
            created_at: i.created_at,
        }
    }
}

crate::list_schema!(AccountList, AccountView, "A page of accounts.");

/// Applies a status change and forgets this instance's cached standing of the account, so that
/// its tokens stop here at once (and on other instances within the check's cache lifetime).
async fn apply(
    state: &AppState,
    standings: &Standings,
    ctx: &Ctx,
    id: Uuid,
    change: AccountChange,
) -> ApiResult<HttpResponse> {
    let deleted = change == AccountChange::Delete;
    let account = rsnms_domain::accounts::change_account(state.accounts.as_ref(), ctx, id, change).await?;
    standings.forget(account.id);
    Ok(if deleted {
        HttpResponse::NoContent().finish()
    } else {
        HttpResponse::Ok().json(AccountView::new(account, &ctx.actor))
    })
}

/// The state and the account check, as every status handler takes them.
type Deps = (web::Data<AppState>, web::Data<Standings>);
