//! Accounts that obtain tokens: users (login and password) and service accounts (API clients:
//! client credentials, or tokens minted by `rsnms token --client NAME`). Secrets are stored only as
//! argon2 hashes. Every access token carries its account's token generation; raising the
//! generation (disable, delete, password reset, revoke) ends every token already issued.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Actor, Ctx, Role, Scope},
    error::Errors,
    organizations::OrganizationRepository,
    page::{Page, PageRequest},
    persons::PersonRepository,
};

/// Roles that read accounts: administrators.
pub const READERS: &[Role] = &[Role::Admin];

/// The repositories creating an account uses (the `Deps` style, docs/API-DESIGN.md).
#[derive(Clone, Copy)]
pub struct Deps<'a> {
    /// Accounts.
    pub accounts: &'a dyn AccountRepository,
    /// Organisations (the account's binding).
    pub orgs: &'a dyn OrganizationRepository,
    /// Persons (the account's binding).
    pub persons: &'a dyn PersonRepository,
}

/// User or API client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A person who signs in with a password.
    User,
    /// A program that uses client credentials.
    Client,
}

impl AccountKind {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::User => "user",
            AccountKind::Client => "client",
        }
    }
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Id.
    pub id: Uuid,
    /// Kind.
    pub kind: AccountKind,
    /// Login (user name or client id), unique.
    pub login: String,
    /// argon2 PHC string of the password or client secret.
    pub secret_hash: String,
    /// Role its tokens carry.
    pub role: Role,
    /// Organisation it acts for.
    pub organization_id: Option<Uuid>,
    /// Person it is.
    pub person_id: Option<Uuid>,
    /// Disabled accounts get no tokens.
    pub disabled: bool,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Token generation: tokens carrying another one are refused.
    pub token_generation: i64,
}

/// What decides, now, whether an account may hold tokens: read per account through a short
/// cache by the token check, and at every sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountStanding {
    /// Current token generation.
    pub generation: i64,
    /// Disabled by an administrator.
    pub disabled: bool,
    /// Deleted.
    pub deleted: bool,
    /// The organisation it acts for: its closing date and time zone (`None`: no organisation).
    pub organization: Option<(Option<NaiveDate>, String)>,
    /// It names an organisation that no longer exists.
    pub organization_missing: bool,
    /// It names a person who no longer exists.
    pub person_missing: bool,
    /// Sessions (sign-ins) revoked recently: their access tokens are refused too.
    pub revoked_sessions: Vec<Uuid>,
}

impl AccountStanding {
    /// Whether the account may hold tokens at `now`: not disabled or deleted, its organisation
    /// not closed (on or before today in the organisation's time zone) and its person not deleted.
    pub fn usable(&self, now: DateTime<Utc>) -> bool {
        let closed = self
            .organization
            .as_ref()
            .is_some_and(|(closed_on, tz)| closed_on.is_some_and(|c| c <= crate::clock::date_at(tz, now)));
        !(self.disabled || self.deleted || closed || self.organization_missing || self.person_missing)
    }
}

/// A change of an account's status by an administrator; every one but `Enable` also raises the
/// token generation, so that tokens already issued stop working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountChange {
    /// No more tokens until enabled.
    Disable,
    /// Tokens again (those revoked stay revoked).
    Enable,
    /// Gone: no tokens, hidden from lists; the login stays taken.
    Delete,
    /// A new password or client secret (its argon2 hash).
    SetSecret(String),
    /// Revoke every token issued so far.
    RevokeTokens,
}

impl AccountChange {
    /// The audit action name.
    pub fn action(&self) -> &'static str {
        match self {
            AccountChange::Disable => "disable",
            AccountChange::Enable => "enable",
            AccountChange::Delete => "delete",
            AccountChange::SetSecret(_) => "set_secret",
            AccountChange::RevokeTokens => "revoke_tokens",
        }
    }
}

/// Filters of the account list.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// Only users, or only service accounts.
    pub kind: Option<AccountKind>,
}

/// A validated new account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Kind.
    pub kind: AccountKind,
    /// Login.
    pub login: String,
    /// argon2 hash of the secret.
    pub secret_hash: String,
    /// Role.
    pub role: Role,
    /// Organisation.
    pub organization_id: Option<Uuid>,
    /// Person.
    pub person_id: Option<Uuid>,
}

/// Storage of accounts.
#[async_trait]
pub trait AccountRepository: Send + Sync {
    /// Finds an enabled or disabled (not deleted) account by kind and login.
    async fn find_by_login(&self, kind: AccountKind, login: &str) -> DomainResult<Option<Account>>;
    /// An account that is not deleted (`NotFound` otherwise).
    async fn get(&self, id: Uuid) -> DomainResult<Account>;
    /// Creates an account (409 on a duplicate login). `ctx` is `None` at bootstrap.
    async fn create(&self, ctx: Option<&Ctx>, new: NewAccount) -> DomainResult<Account>;
    /// Whether any administrator account exists.
    async fn admin_exists(&self) -> DomainResult<bool>;
    /// Lists accounts that are not deleted.
    async fn list(&self, filter: &AccountFilter, page: PageRequest) -> DomainResult<Page<Account>>;
    /// Applies a status change (journaled; all but `Enable` raise the token generation).
    async fn change(&self, ctx: &Ctx, id: Uuid, change: AccountChange) -> DomainResult<Account>;
    /// The account's standing (`None`: no such account), with the sessions revoked since `since`.
    async fn standing(&self, id: Uuid, since: DateTime<Utc>) -> DomainResult<Option<AccountStanding>>;
}

/// Checks that a role's binding (organisation, person) is complete and exists; returns the
/// binding to store. Used by account creation and by the `rsnms token` command.
pub async fn check_binding(
    orgs: &dyn OrganizationRepository,
    persons: &dyn PersonRepository,
    role: Role,
    organization_id: Option<Uuid>,
    person_id: Option<Uuid>,
) -> DomainResult<(Option<Uuid>, Option<Uuid>)> {
    let mut e = Errors::new();
    if role.needs_organization() && organization_id.is_none() {
        e.push(FieldError::new(
            "organization_id",
            "required",
            Msg::new(
                format!("Роль «{}» действует от имени организации", role.as_str()),
                format!("The role '{}' acts for an organisation", role.as_str()),
            ),
        ));
    }
    if role.needs_person() && person_id.is_none() {
        e.push(FieldError::new(
            "person_id",
            "required",
            Msg::new(
                format!("Роль «{}» принадлежит человеку", role.as_str()),
                format!("The role '{}' belongs to a person", role.as_str()),
            ),
        ));
    }
    e.finish()?;
    let mut organization_id = organization_id;
    if let Some(pid) = person_id {
        match persons.get(&Scope::All, pid).await {
            Ok(p) => {
                organization_id.get_or_insert(p.organization_id);
            }
            Err(DomainError::NotFound) => {
                return Err(DomainError::field(
                    "person_id",
                    "not_found",
                    Msg::new("Человек не найден", "The person does not exist"),
                ));
            }
            Err(err) => return Err(err),
        }
    }
    if let Some(oid) = organization_id {
        match orgs.get(&Scope::All, oid).await {
            Ok(o) if role == Role::Municipal && o.municipality_code.is_none() => {
                return Err(DomainError::field(
                    "organization_id",
                    "not_municipal",
                    Msg::new(
                        "Муниципальная роль требует организацию с муниципалитетом",
                        "The municipal role needs an organisation with a municipality",
                    ),
                ));
            }
            Ok(_) => {}
            Err(DomainError::NotFound) => {
                return Err(DomainError::field(
                    "organization_id",
                    "not_found",
                    Msg::new("Организация не найдена", "The organisation does not exist"),
                ));
            }
            Err(err) => return Err(err),
        }
    }
    Ok((organization_id, person_id))
}

/// Who manages accounts: administrators only. Municipal accounts do not manage accounts (an
/// account's role is not bounded by a municipality's scope: a municipal administrator could mint
/// an `operator`), so the decision stays with the region's administrators.
pub const MANAGERS: &[Role] = &[Role::Admin];

/// Lists accounts (not deleted): administrators only.
pub async fn list_accounts(
    repo: &dyn AccountRepository,
    ctx: &Ctx,
    filter: &AccountFilter,
    page: PageRequest,
) -> DomainResult<Page<Account>> {
    ctx.actor.require(READERS)?;
    repo.list(filter, page).await
}

/// Reads one account: administrators only.
pub async fn get_account(repo: &dyn AccountRepository, ctx: &Ctx, id: Uuid) -> DomainResult<Account> {
    ctx.actor.require(READERS)?;
    repo.get(id).await
}

wire_enum! {
    /// An action on an account: `disable`, `enable`, `revoke_tokens`
    /// (`POST /accounts/{id}/<action>` with `-` for `_`), `reset_password`
    /// (`POST /accounts/{id}/password`), `delete` (`DELETE /accounts/{id}`).
    AccountAction {
        /// Disable (отключить).
        Disable = "disable",
        /// Enable again (включить).
        Enable = "enable",
        /// Set a new password or client secret (сбросить пароль).
        ResetPassword = "reset_password",
        /// Revoke every token issued so far (отозвать токены).
        RevokeTokens = "revoke_tokens",
        /// Delete (удалить).
        Delete = "delete",
    }
}

impl AccountChange {
    /// The action this change is.
    pub fn as_action(&self) -> AccountAction {
        match self {
            AccountChange::Disable => AccountAction::Disable,
            AccountChange::Enable => AccountAction::Enable,
            AccountChange::Delete => AccountAction::Delete,
            AccountChange::SetSecret(_) => AccountAction::ResetPassword,
            AccountChange::RevokeTokens => AccountAction::RevokeTokens,
        }
    }
}

/// The guard of every action on an account, which the action calls and [`allowed_actions`]
/// runs: administrators only (403); an administrator cannot disable or delete the account they
/// act as (409: no lock-out by a slip).
pub fn check_action(actor: &Actor, id: Uuid, action: AccountAction) -> DomainResult<()> {
    actor.require(MANAGERS)?;
    if matches!(action, AccountAction::Disable | AccountAction::Delete) && actor.subject == id.to_string() {
        let left: Vec<AccountAction> = AccountAction::ALL
            .iter()
            .copied()
            .filter(|a| !matches!(a, AccountAction::Disable | AccountAction::Delete))
            .collect();
        return Err(DomainError::Conflict {
            field: None,
            message: Msg::new(
                "Нельзя отключить или удалить собственную учётную запись",
                "You cannot disable or delete your own account",
            ),
            allowed: crate::actions::wire_names(&left, AccountAction::as_str),
        });
    }
    Ok(())
}

/// The actions the caller may take on an account now (`allowed_actions` of its views).
pub fn allowed_actions(actor: &Actor, account: &Account) -> Vec<AccountAction> {
    crate::actions::allowed(AccountAction::ALL, |a| check_action(actor, account.id, a)).unwrap_or_default()
}

/// Changes an account's status: the guard ([`check_action`]), then the change.
pub async fn change_account(
    repo: &dyn AccountRepository,
    ctx: &Ctx,
    id: Uuid,
    change: AccountChange,
) -> DomainResult<Account> {
    check_action(&ctx.actor, id, change.as_action())?;
    repo.change(ctx, id, change).await
}

/// The caller's own account (user accounts only: a password belongs to a person).
pub async fn own_account(repo: &dyn AccountRepository, ctx: &Ctx) -> DomainResult<Account> {
    let id = ctx.actor.subject.parse::<Uuid>().map_err(|_| not_a_user())?;
    match repo.get(id).await {
        Ok(a) if a.kind == AccountKind::User => Ok(a),
        Ok(_) | Err(DomainError::NotFound) => Err(not_a_user()),
        Err(e) => Err(e),
    }
}

fn not_a_user() -> DomainError {
    DomainError::Forbidden(Msg::new(
        "Пароль меняют только пользователи, вошедшие по паролю",
        "Only users signed in with a password change a password",
    ))
}

/// Changes the caller's own password: the current one must have been verified
/// (`current_ok`); every token issued before (other sessions included) stops working.
pub async fn change_own_password(
    repo: &dyn AccountRepository,
    ctx: &Ctx,
    account: &Account,
    current_ok: bool,
    new_hash: String,
) -> DomainResult<Account> {
    if !current_ok {
        return Err(DomainError::field(
            "current_password",
            "wrong_password",
            Msg::new("Текущий пароль неверен", "The current password is wrong"),
        ));
    }
    repo.change(ctx, account.id, AccountChange::SetSecret(new_hash)).await
}

/// Creates an account: administrators only. `secret_hash` is the (lazy) hashing of the secret,
/// awaited only once the caller may create accounts and the account is valid, so that nobody
/// else makes the server hash; it replaces `new.secret_hash`.
pub async fn create_account(
    deps: Deps<'_>,
    ctx: &Ctx,
    mut new: NewAccount,
    secret_hash: impl std::future::Future<Output = DomainResult<String>>,
) -> DomainResult<Account> {
    ctx.actor.require(MANAGERS)?;
    let login = new.login.trim().to_owned();
    if login.is_empty() || login.len() > LOGIN_MAX || login.chars().any(char::is_whitespace) {
        return Err(DomainError::field(
            "login",
            "invalid_login",
            Msg::new(
                format!("Логин — от 1 до {LOGIN_MAX} символов без пробелов"),
                format!("A login is 1–{LOGIN_MAX} characters without spaces"),
            ),
        ));
    }
    new.login = login;
    let (org, person) = check_binding(deps.orgs, deps.persons, new.role, new.organization_id, new.person_id).await?;
    new.organization_id = org;
    new.person_id = person;
    new.secret_hash = secret_hash.await?;
    deps.accounts.create(Some(ctx), new).await
}

/// The actor an account acts as: its role, and the region and municipality of its
/// organisation (read now, carried in the token).
pub async fn actor_for(orgs: &dyn OrganizationRepository, account: &Account) -> DomainResult<crate::auth::Actor> {
    let org = match account.organization_id {
        Some(id) => match orgs.get(&Scope::All, id).await {
            Ok(o) => Some(o),
            Err(DomainError::NotFound) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    Ok(crate::auth::Actor {
        subject: account.id.to_string(),
        role: account.role,
        organization_id: account.organization_id,
        region_code: org.as_ref().map(|o| o.region_code.clone()),
        municipality_code: org.and_then(|o| o.municipality_code),
        person_id: account.person_id,
    })
}

/// The longest login (and service account id), in characters.
pub const LOGIN_MAX: usize = 100;
/// The longest password or client secret, in characters.
pub const SECRET_MAX: usize = 1024;

/// The length limits of an account's write, by field: the contract states the same numbers
/// (`AccountWrite`; `SecretReset`, `PasswordChange` and the token request take the same
/// constants), which a test compares with this list.
pub const LIMITS: &[(&str, usize)] = &[("login", LOGIN_MAX), ("secret", SECRET_MAX)];
