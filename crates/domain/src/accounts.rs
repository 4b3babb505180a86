//! Accounts that obtain tokens: users (login and password) and API clients (client
//! credentials). Secrets are stored only as argon2 hashes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Role, Scope},
    error::Errors,
    organizations::OrganizationRepository,
    page::{Page, PageRequest},
    persons::PersonRepository,
};

/// Roles that read accounts: administrators.
pub const READERS: &[Role] = &[Role::Admin];

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
    /// Finds an enabled or disabled account by kind and login.
    async fn find_by_login(&self, kind: AccountKind, login: &str) -> DomainResult<Option<Account>>;
    /// Creates an account (409 on a duplicate login). `ctx` is `None` at bootstrap.
    async fn create(&self, ctx: Option<&Ctx>, new: NewAccount) -> DomainResult<Account>;
    /// Whether any administrator account exists.
    async fn admin_exists(&self) -> DomainResult<bool>;
    /// Lists accounts.
    async fn list(&self, page: PageRequest) -> DomainResult<Page<Account>>;
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

/// Creates an account: administrators only.
pub async fn create_account(
    repo: &dyn AccountRepository,
    orgs: &dyn OrganizationRepository,
    persons: &dyn PersonRepository,
    ctx: &Ctx,
    mut new: NewAccount,
) -> DomainResult<Account> {
    ctx.actor.require(&[Role::Admin])?;
    let login = new.login.trim().to_owned();
    if login.is_empty() || login.len() > 100 || login.chars().any(char::is_whitespace) {
        return Err(DomainError::field(
            "login",
            "invalid_login",
            Msg::new("Логин — от 1 до 100 символов без пробелов", "A login is 1–100 characters without spaces"),
        ));
    }
    new.login = login;
    let (org, person) = check_binding(orgs, persons, new.role, new.organization_id, new.person_id).await?;
    new.organization_id = org;
    new.person_id = person;
    repo.create(Some(ctx), new).await
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
