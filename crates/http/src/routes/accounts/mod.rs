//! `/api/v1/accounts`: users and API clients (administrators only).

mod create;
mod list;

use chrono::{DateTime, Utc};
use rsnms_domain::{
    accounts::{Account, AccountKind},
    auth::Role,
};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// Registers the account routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list::list_accounts).service(create::create_account);
}

/// An account (secrets are never shown).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    /// Id; the `sub` of its tokens.
    pub id: Uuid,
    /// User or client.
    pub kind: AccountKind,
    /// Login or client id.
    pub login: String,
    /// Role its tokens carry.
    pub role: Role,
    /// Organisation it acts for.
    pub organization_id: Option<Uuid>,
    /// Person it is.
    pub person_id: Option<Uuid>,
    /// Disabled accounts get no tokens.
    pub disabled: bool,
    /// Created at (UTC).
    pub created_at: DateTime<Utc>,
}

impl From<Account> for AccountView {
    fn from(a: Account) -> Self {
        AccountView {
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

crate::list_schema!(AccountList, AccountView, "A page of accounts.");
