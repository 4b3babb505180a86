//! External identities: the subjects of trusted OpenID Connect providers (the region's identity
//! provider), and how a provider's verified token becomes the acting [`Actor`].
//!
//! A subject is mapped in one of two ways, tried in this order:
//! 1. **A linked account**: an administrator links `(provider, subject)` to a local account; the
//!    token then acts exactly as that account (role, organisation, person, disabling,
//!    revocation). After the account's tokens are revoked, provider tokens issued before the
//!    revocation was first noticed are refused too.
//! 2. **Claims**: when the provider is configured with a role claim, the role and the
//!    organisation (by ИНН or id) come from the token; the actor's subject is
//!    `<provider>:<subject>`, which is what audit records carry. Only the roles the provider
//!    may grant are accepted, and roles that belong to a person (teacher, tutor) need a link.
//!
//! A subject mapped neither way is refused with 403 naming the provider and the subject.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    DomainError, DomainResult, Msg,
    accounts::{Account, AccountRepository, actor_for},
    auth::{Actor, Ctx, Role, Scope},
    organizations::{OrganizationFilter, OrganizationRepository},
    page::PageRequest,
};

/// Roles that manage identity links: administrators.
pub const MANAGERS: &[Role] = &[Role::Admin];

/// Longest provider name and subject accepted.
pub const MAX_SUBJECT_LEN: usize = 255;

/// The longest provider name, in characters.
pub const MAX_PROVIDER_LEN: usize = 100;

/// The length limits of a link's fields, by field: the contract states the same numbers
/// (`IdentityWrite`), which a test compares with this list.
pub const LIMITS: &[(&str, usize)] = &[("provider", MAX_PROVIDER_LEN), ("subject", MAX_SUBJECT_LEN)];

/// A provider subject linked to a local account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Id of the link.
    pub id: Uuid,
    /// The account it acts as.
    pub account_id: Uuid,
    /// The provider's configured name.
    pub provider: String,
    /// The subject as the provider names it (the configured subject claim).
    pub subject: String,
    /// Linked at.
    pub created_at: DateTime<Utc>,
}

/// The account a subject is linked to, as [`IdentityRepository::resolve`] reads it.
#[derive(Debug, Clone)]
pub struct LinkedAccount {
    /// The account (not deleted; it may be disabled).
    pub account: Account,
    /// Provider tokens issued before this moment are refused: when the account's tokens were
    /// last seen revoked while linked (`None`: never).
    pub tokens_valid_after: Option<DateTime<Utc>>,
}

/// What a subject is linked to, as [`IdentityRepository::resolve`] reads it.
#[derive(Debug, Clone)]
pub enum Link {
    /// A live account (it may be disabled).
    Account(LinkedAccount),
    /// An account that was deleted: the subject stays refused (it never falls back to claims).
    DeletedAccount,
}

/// Storage of identity links.
#[async_trait]
pub trait IdentityRepository: Send + Sync {
    /// Links a subject to an account (journaled; 409 naming `subject` when the pair is linked).
    async fn link(&self, ctx: &Ctx, account: &Account, provider: &str, subject: &str) -> DomainResult<Identity>;
    /// The links of an account.
    async fn list(&self, account_id: Uuid) -> DomainResult<Vec<Identity>>;
    /// Removes one link of an account (journaled; `NotFound` when it is not the account's).
    async fn unlink(&self, ctx: &Ctx, account_id: Uuid, identity_id: Uuid) -> DomainResult<()>;
    /// What a subject is linked to (`None`: not linked). When the account's token generation
    /// rose since the link last saw it, the link records `now` as the moment before which
    /// provider tokens are refused.
    async fn resolve(&self, provider: &str, subject: &str, now: DateTime<Utc>) -> DomainResult<Option<Link>>;
}

/// How an organisation claim names the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationKey {
    /// Its ИНН.
    Inn,
    /// Its id in this API.
    Id,
}

/// How a provider's claims map to an actor when its subject is not linked.
#[derive(Debug, Clone)]
pub struct ClaimMapping {
    /// The provider's configured name.
    pub provider: String,
    /// Whether role and organisation may come from claims at all (a role claim is configured).
    pub from_claims: bool,
    /// Roles the provider may grant through claims.
    pub roles: Vec<Role>,
    /// How the organisation claim names the organisation.
    pub organization_key: OrganizationKey,
}

/// What a verified provider token presents.
#[derive(Debug, Clone, Default)]
pub struct Presented {
    /// The subject (the configured subject claim).
    pub subject: String,
    /// The values of the role claim (a string or a list of strings).
    pub roles: Vec<String>,
    /// The value of the organisation claim.
    pub organization: Option<String>,
    /// `iat`, when present (seconds since the epoch).
    pub issued_at: Option<i64>,
}

/// The actor a provider token acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum External {
    /// A linked account: the actor, and the account's token generation as read.
    Linked {
        /// The actor (its subject is the account id).
        actor: Actor,
        /// The account's current token generation.
        generation: i64,
    },
    /// Mapped from claims (subject `<provider>:<subject>`).
    Claims(Actor),
    /// Issued before the linked account's tokens were revoked: refused as any revoked token.
    Revoked,
    /// Linked to an account that was deleted: refused as the account's own tokens are.
    AccountDeleted,
}

fn refused(en: String, ru: String) -> DomainError {
    DomainError::Forbidden(Msg::new(ru, en))
}

/// Maps a verified provider token to its actor (see the module documentation).
pub async fn resolve_external(
    identities: &dyn IdentityRepository,
    orgs: &dyn OrganizationRepository,
    mapping: &ClaimMapping,
    presented: &Presented,
    now: DateTime<Utc>,
) -> DomainResult<External> {
    let (provider, subject) = (mapping.provider.as_str(), presented.subject.as_str());
    match identities.resolve(provider, subject, now).await? {
        Some(Link::DeletedAccount) => return Ok(External::AccountDeleted),
        Some(Link::Account(linked)) => return linked_actor(orgs, &linked, presented).await,
        None => {}
    }
    if !mapping.from_claims {
        return Err(refused(
            format!(
                "The subject '{subject}' of the identity provider '{provider}' is not linked to an account; ask an administrator to link it"
            ),
            format!(
                "Субъект «{subject}» поставщика удостоверений «{provider}» не связан с учётной записью; обратитесь к администратору"
            ),
        ));
    }
    let role = claimed_role(mapping, presented)?;
    let mut actor = Actor {
        subject: format!("{provider}:{subject}"),
        role,
        organization_id: None,
        region_code: None,
        municipality_code: None,
        person_id: None,
    };
    if role.needs_organization() {
        let org = claimed_organization(orgs, mapping, presented, now).await?;
        if role == Role::Municipal && org.municipality_code.is_none() {
            return Err(refused(
                format!(
                    "The organisation named by the token of '{provider}' has no municipality, which the municipal role needs"
                ),
                format!(
                    "Организация из токена поставщика «{provider}» не относится к муниципалитету, а муниципальной роли он нужен"
                ),
            ));
        }
        actor.organization_id = Some(org.id);
        actor.region_code = Some(org.region_code);
        actor.municipality_code = org.municipality_code;
    }
    Ok(External::Claims(actor))
}

/// The actor of a live linked account, unless the token predates the account's revocation.
async fn linked_actor(
    orgs: &dyn OrganizationRepository,
    linked: &LinkedAccount,
    presented: &Presented,
) -> DomainResult<External> {
    let stale =
        linked.tokens_valid_after.is_some_and(|after| presented.issued_at.is_none_or(|iat| iat <= after.timestamp()));
    if stale {
        return Ok(External::Revoked);
    }
    let actor = actor_for(orgs, &linked.account).await?;
    Ok(External::Linked { actor, generation: linked.account.token_generation })
}

fn claimed_role(mapping: &ClaimMapping, presented: &Presented) -> DomainResult<Role> {
    let provider = &mapping.provider;
    let mut roles: Vec<Role> = presented.roles.iter().filter_map(|r| Role::parse(r.trim())).collect();
    roles.dedup();
    let granted: Vec<Role> = roles.iter().copied().filter(|r| mapping.roles.contains(r)).collect();
    match granted.as_slice() {
        [role] if !role.needs_person() => Ok(*role),
        [role] => Err(refused(
            format!("The role '{}' belongs to a person: link the subject to an account", role.as_str()),
            format!("Роль «{}» принадлежит человеку: свяжите субъекта с учётной записью", role.as_str()),
        )),
        [] => Err(refused(
            format!("The token of '{provider}' carries no role this API accepts from it"),
            format!("Токен поставщика «{provider}» не содержит роли, которую API принимает от него"),
        )),
        _ => Err(refused(
            format!("The token of '{provider}' carries several roles; it must carry one"),
            format!("Токен поставщика «{provider}» содержит несколько ролей; нужна одна"),
        )),
    }
}

async fn claimed_organization(
    orgs: &dyn OrganizationRepository,
    mapping: &ClaimMapping,
    presented: &Presented,
    now: DateTime<Utc>,
) -> DomainResult<crate::organizations::Organization> {
    let value = presented.organization.as_deref().map(str::trim).unwrap_or_default();
    let unknown = || {
        refused(
            format!("The organisation '{value}' named by the token of '{}' is not known here", mapping.provider),
            format!("Организация «{value}», указанная в токене поставщика «{}», здесь не известна", mapping.provider),
        )
    };
    if value.is_empty() {
        return Err(refused(
            format!("The token of '{}' names no organisation, which its role needs", mapping.provider),
            format!("Токен поставщика «{}» не называет организацию, а его роли она нужна", mapping.provider),
        ));
    }
    let found = match mapping.organization_key {
        OrganizationKey::Id => match value.parse::<Uuid>() {
            Ok(id) => match orgs.get(&Scope::All, id).await {
                Ok(o) => Some(o),
                Err(DomainError::NotFound) => None,
                Err(e) => return Err(e),
            },
            Err(_) => None,
        },
        OrganizationKey::Inn => {
            let filter = OrganizationFilter { inn: Some(value.to_owned()), ..OrganizationFilter::default() };
            let page = orgs
                .list(&Scope::All, &filter, PageRequest { limit: 2, after: None, ..PageRequest::default() })
                .await?;
            match page.items.as_slice() {
                [one] => Some(one.clone()),
                _ => None,
            }
        }
    };
    let org = found.ok_or_else(unknown)?;
    if org.closed_on.is_some_and(|c| c <= crate::clock::date_at(&org.time_zone, now)) {
        return Err(unknown());
    }
    Ok(org)
}

/// Links a provider subject to an account: administrators only; the provider must be one of
/// `providers` (the configured ones).
pub async fn link_identity(
    accounts: &dyn AccountRepository,
    identities: &dyn IdentityRepository,
    ctx: &Ctx,
    providers: &[String],
    account_id: Uuid,
    provider: &str,
    subject: &str,
) -> DomainResult<Identity> {
    ctx.actor.require(MANAGERS)?;
    let mut e = crate::error::Errors::new();
    if !providers.iter().any(|p| p == provider) {
        e.push(crate::FieldError::new(
            "provider",
            "unknown_provider",
            Msg::new(
                format!("Поставщик удостоверений «{provider}» не настроен"),
                format!("The identity provider '{provider}' is not configured"),
            ),
        ));
    }
    let subject = subject.trim();
    if subject.is_empty() || subject.chars().count() > MAX_SUBJECT_LEN || subject.chars().any(char::is_control) {
        e.push(crate::FieldError::new(
            "subject",
            "invalid_subject",
            Msg::new(
                format!("Субъект — от 1 до {MAX_SUBJECT_LEN} символов"),
                format!("A subject is 1–{MAX_SUBJECT_LEN} characters"),
            ),
        ));
    }
    e.finish()?;
    let account = accounts.get(account_id).await?;
    identities.link(ctx, &account, provider, subject).await
}

/// The identity links of an account: administrators only.
pub async fn list_identities(
    accounts: &dyn AccountRepository,
    identities: &dyn IdentityRepository,
    ctx: &Ctx,
    account_id: Uuid,
) -> DomainResult<Vec<Identity>> {
    ctx.actor.require(MANAGERS)?;
    accounts.get(account_id).await?;
    identities.list(account_id).await
}

/// Removes an identity link: administrators only.
pub async fn unlink_identity(
    identities: &dyn IdentityRepository,
    ctx: &Ctx,
    account_id: Uuid,
    identity_id: Uuid,
) -> DomainResult<()> {
    ctx.actor.require(MANAGERS)?;
    identities.unlink(ctx, account_id, identity_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping() -> ClaimMapping {
        ClaimMapping {
            provider: "region".into(),
            from_claims: true,
            roles: vec![Role::Operator, Role::Organization, Role::Teacher],
            organization_key: OrganizationKey::Inn,
        }
    }

    fn presented(roles: &[&str]) -> Presented {
        Presented {
            subject: "s".into(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            ..Presented::default()
        }
    }

    #[test]
    fn a_single_granted_role_is_taken_and_others_are_ignored() {
        assert_eq!(claimed_role(&mapping(), &presented(&["offline_access", "operator"])).ok(), Some(Role::Operator));
    }

    #[test]
    fn a_role_the_provider_may_not_grant_is_refused() {
        assert!(claimed_role(&mapping(), &presented(&["admin"])).is_err());
    }

    #[test]
    fn several_roles_or_a_person_role_are_refused() {
        assert!(claimed_role(&mapping(), &presented(&["operator", "organization"])).is_err());
        assert!(claimed_role(&mapping(), &presented(&["teacher"])).is_err());
    }
}
