//! Accounts on sea-orm: the accounts themselves, their standing (read by the token check), failed
//! sign-ins and refresh-token sessions.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rsnms_domain::{
    DomainError, DomainResult,
    accounts::{Account, AccountChange, AccountFilter, AccountKind, AccountRepository, AccountStanding, NewAccount},
    auth::{Ctx, Role},
    changes::{Change, ChangeKind, ChangeScope},
    page::{Page, PageRequest},
    sign_in::{FailedSignIn, Rotation, SignInPolicy, SignInRepository},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    Database,
    entities::{
        accounts::{ActiveModel, Column, Entity, Model},
        audit_log, auth_sessions, organizations, persons, refresh_tokens, sign_in_failures,
    },
    error::DbResultExt,
    journal,
};

/// Accounts repository.
#[derive(Debug, Clone)]
pub struct AccountStore {
    pub(crate) db: Database,
}

fn to_domain(m: Model) -> DomainResult<Account> {
    Ok(Account {
        kind: match m.kind.as_str() {
            "client" => AccountKind::Client,
            _ => AccountKind::User,
        },
        role: Role::parse(&m.role)
            .ok_or_else(|| DomainError::internal(format!("account {} has unknown role", m.id)))?,
        id: m.id,
        login: m.login,
        secret_hash: m.secret_hash,
        organization_id: m.organization_id,
        person_id: m.person_id,
        disabled: m.disabled,
        created_at: m.created_at,
        token_generation: m.token_generation,
    })
}

pub(super) fn change_of(account: &Account, kind: ChangeKind, action: &'static str) -> Change {
    Change {
        resource_type: "account",
        resource_id: account.id,
        kind,
        action,
        payload: serde_json::json!({
            "id": account.id, "kind": account.kind, "login": account.login,
            "role": account.role, "organization_id": account.organization_id,
            "disabled": account.disabled,
        }),
        personal_data: false,
        scope: ChangeScope { organization_id: account.organization_id, ..ChangeScope::default() },
    }
}

#[async_trait]
impl AccountRepository for AccountStore {
    async fn find_by_login(&self, kind: AccountKind, login: &str) -> DomainResult<Option<Account>> {
        Entity::find()
            .filter(Column::Kind.eq(kind.as_str()))
            .filter(Column::Login.eq(login))
            .filter(Column::DeletedAt.is_null())
            .one(&self.db.exec())
            .await
            .db()?
            .map(to_domain)
            .transpose()
    }

    async fn get(&self, id: Uuid) -> DomainResult<Account> {
        let m = Entity::find_by_id(id).filter(Column::DeletedAt.is_null()).one(&self.db.exec()).await.db()?;
        to_domain(m.ok_or(DomainError::NotFound)?)
    }

    async fn create(&self, ctx: Option<&Ctx>, new: NewAccount) -> DomainResult<Account> {
        let am = ActiveModel {
            id: Set(Uuid::now_v7()),
            kind: Set(new.kind.as_str().to_owned()),
            login: Set(new.login),
            secret_hash: Set(new.secret_hash),
            role: Set(new.role.as_str().to_owned()),
            organization_id: Set(new.organization_id),
            person_id: Set(new.person_id),
            disabled: Set(false),
            created_at: Set(Utc::now()),
            token_generation: Set(0),
            deleted_at: Set(None),
        };
        let txn = self.db.begin_write().await?;
        let m = Entity::insert(am).exec_with_returning(&txn).await.db_unique(&["login"])?;
        let account = to_domain(m)?;
        journal::record(&txn, ctx, change_of(&account, ChangeKind::Created, "create")).await?;
        txn.commit().await.db()?;
        Ok(account)
    }

    async fn admin_exists(&self) -> DomainResult<bool> {
        let n = Entity::find()
            .filter(Column::Role.eq(Role::Admin.as_str()))
            .filter(Column::Kind.eq(AccountKind::User.as_str()))
            .filter(Column::DeletedAt.is_null())
            .count(&self.db.exec())
            .await
            .db()?;
        Ok(n > 0)
    }

    async fn list(&self, filter: &AccountFilter, page: PageRequest) -> DomainResult<Page<Account>> {
        let mut q = Entity::find().filter(Column::DeletedAt.is_null()).order_by_asc(Column::Id).limit(page.limit + 1);
        if let Some(k) = filter.kind {
            q = q.filter(Column::Kind.eq(k.as_str()));
        }
        if let Some(a) = page.after {
            q = q.filter(Column::Id.gt(a));
        }
        let rows = q.all(&self.db.exec()).await.db()?;
        let items = rows.into_iter().map(to_domain).collect::<DomainResult<Vec<_>>>()?;
        Ok(Page::from_probe(items, page.limit, |a| a.id))
    }

    async fn change(&self, ctx: &Ctx, id: Uuid, change: AccountChange) -> DomainResult<Account> {
        let txn = self.db.begin_write().await?;
        let current = Entity::find_by_id(id).filter(Column::DeletedAt.is_null()).one(&txn).await.db()?;
        let current = current.ok_or(DomainError::NotFound)?;
        let generation = current.token_generation;
        let mut am = current.into_active_model();
        let kind = match &change {
            AccountChange::Disable => {
                am.disabled = Set(true);
                ChangeKind::Updated
            }
            AccountChange::Enable => {
                am.disabled = Set(false);
                ChangeKind::Updated
            }
            AccountChange::Delete => {
                am.deleted_at = Set(Some(Utc::now()));
                ChangeKind::Deleted
            }
            AccountChange::SetSecret(hash) => {
                am.secret_hash = Set(hash.clone());
                ChangeKind::Updated
            }
            AccountChange::RevokeTokens => ChangeKind::Updated,
        };
        if change != AccountChange::Enable {
            am.token_generation = Set(generation + 1);
        }
        let account = to_domain(am.update(&txn).await.db()?)?;
        journal::record(&txn, Some(ctx), change_of(&account, kind, change.action())).await?;
        txn.commit().await.db()?;
        Ok(account)
    }

    async fn standing(&self, id: Uuid, since: DateTime<Utc>) -> DomainResult<Option<AccountStanding>> {
        let conn = &self.db.exec();
        let Some(a) = Entity::find_by_id(id).one(conn).await.db()? else { return Ok(None) };
        let org = match a.organization_id {
            Some(oid) => Some(organizations::Entity::find_by_id(oid).one(conn).await.db()?),
            None => None,
        };
        let person_missing = match a.person_id {
            Some(pid) => persons::Entity::find_by_id(pid).count(conn).await.db()? == 0,
            None => false,
        };
        let revoked_sessions = auth_sessions::Entity::find()
            .select_only()
            .column(auth_sessions::Column::Id)
            .filter(auth_sessions::Column::AccountId.eq(id))
            .filter(auth_sessions::Column::RevokedAt.gt(since))
            .into_tuple::<Uuid>()
            .all(conn)
            .await
            .db()?;
        Ok(Some(AccountStanding {
            generation: a.token_generation,
            disabled: a.disabled,
            deleted: a.deleted_at.is_some(),
            organization_missing: matches!(org, Some(None)),
            organization: org.flatten().map(|o| (o.closed_on, o.time_zone)),
            person_missing,
            revoked_sessions,
        }))
    }
}

#[async_trait]
impl SignInRepository for AccountStore {
    async fn locked_until(&self, login_key: &str, now: DateTime<Utc>) -> DomainResult<Option<DateTime<Utc>>> {
        let row = sign_in_failures::Entity::find_by_id(login_key.to_owned()).one(&self.db.exec()).await.db()?;
        Ok(row.and_then(|r| r.locked_until).filter(|until| *until > now))
    }

    async fn record_failure(
        &self,
        failure: &FailedSignIn<'_>,
        policy: &SignInPolicy,
        now: DateTime<Utc>,
    ) -> DomainResult<Option<DateTime<Utc>>> {
        let txn = self.db.begin_write().await?;
        let mut locked_until = None;
        let mut failures = 0;
        if failure.counts {
            let row = sign_in_failures::Entity::find_by_id(failure.login_key.to_owned()).one(&txn).await.db()?;
            let forget = chrono::Duration::seconds(policy.forget_after_seconds);
            let previous = row.as_ref().filter(|r| now - r.last_failed_at < forget).map_or(0, |r| r.failures);
            failures = previous.saturating_add(1);
            locked_until = policy.lock_for(u32::try_from(failures).unwrap_or(u32::MAX)).map(|d| now + d);
            let am = sign_in_failures::ActiveModel {
                login_key: Set(failure.login_key.to_owned()),
                failures: Set(failures),
                last_failed_at: Set(now),
                locked_until: Set(locked_until),
            };
            if row.is_some() {
                am.update(&txn).await.db()?;
            } else {
                sign_in_failures::Entity::insert(am).exec(&txn).await.db()?;
            }
        }
        let audit = audit_log::ActiveModel {
            id: Set(Uuid::now_v7()),
            at: Set(now),
            actor_subject: Set("anonymous".into()),
            actor_role: Set("anonymous".into()),
            action: Set("sign_in_failed".into()),
            resource_type: Set("account".into()),
            resource_id: Set(failure.account_id),
            request_id: Set(failure.request_id.chars().take(64).collect()),
            details: Set(serde_json::json!({
                "reason": failure.reason,
                "login_key": failure.login_key,
                "failures": failures,
                "locked_until": locked_until,
            })),
        };
        audit_log::Entity::insert(audit).exec(&txn).await.db()?;
        txn.commit().await.db()?;
        Ok(locked_until)
    }

    async fn clear_failures(&self, login_key: &str) -> DomainResult<()> {
        sign_in_failures::Entity::delete_by_id(login_key.to_owned()).exec(&self.db.exec()).await.db()?;
        Ok(())
    }

    async fn start_session(
        &self,
        account: &Account,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> DomainResult<Uuid> {
        let now = Utc::now();
        let id = Uuid::now_v7();
        let txn = self.db.begin_write().await?;
        auth_sessions::Entity::insert(auth_sessions::ActiveModel {
            id: Set(id),
            account_id: Set(account.id),
            generation: Set(account.token_generation),
            created_at: Set(now),
            expires_at: Set(expires_at),
            revoked_at: Set(None),
        })
        .exec(&txn)
        .await
        .db()?;
        insert_token(&txn, token_hash, id, now).await?;
        txn.commit().await.db()?;
        Ok(id)
    }

    async fn rotate(&self, old_hash: &str, new_hash: &str, now: DateTime<Utc>) -> DomainResult<Rotation> {
        let txn = self.db.begin_write().await?;
        let Some(token) = refresh_tokens::Entity::find_by_id(old_hash.to_owned()).one(&txn).await.db()? else {
            return Ok(Rotation::Invalid);
        };
        let Some(session) = auth_sessions::Entity::find_by_id(token.session_id).one(&txn).await.db()? else {
            return Ok(Rotation::Invalid);
        };
        if session.revoked_at.is_some() || session.expires_at <= now {
            return Ok(Rotation::Invalid);
        }
        let spent = refresh_tokens::Entity::update_many()
            .col_expr(refresh_tokens::Column::SpentAt, Expr::value(now))
            .filter(refresh_tokens::Column::TokenHash.eq(old_hash))
            .filter(refresh_tokens::Column::SpentAt.is_null())
            .exec(&txn)
            .await
            .db()?;
        if spent.rows_affected == 0 {
            revoke(&txn, session.id, now).await?;
            txn.commit().await.db()?;
            return Ok(Rotation::Reused { account_id: session.account_id });
        }
        insert_token(&txn, new_hash, session.id, now).await?;
        txn.commit().await.db()?;
        Ok(Rotation::Rotated { session_id: session.id, account_id: session.account_id, generation: session.generation })
    }

    async fn revoke_by_token(&self, token_hash: &str, now: DateTime<Utc>) -> DomainResult<Option<Uuid>> {
        let txn = self.db.begin_write().await?;
        let token = refresh_tokens::Entity::find_by_id(token_hash.to_owned()).one(&txn).await.db()?;
        let Some(token) = token else { return Ok(None) };
        revoke(&txn, token.session_id, now).await?;
        let session = auth_sessions::Entity::find_by_id(token.session_id).one(&txn).await.db()?;
        txn.commit().await.db()?;
        Ok(session.map(|s| s.account_id))
    }

    async fn revoke_session(&self, account_id: Uuid, session_id: Uuid, now: DateTime<Utc>) -> DomainResult<()> {
        auth_sessions::Entity::update_many()
            .col_expr(auth_sessions::Column::RevokedAt, Expr::value(now))
            .filter(auth_sessions::Column::Id.eq(session_id))
            .filter(auth_sessions::Column::AccountId.eq(account_id))
            .filter(auth_sessions::Column::RevokedAt.is_null())
            .exec(&self.db.exec())
            .await
            .db()?;
        Ok(())
    }
}

async fn insert_token<C: sea_orm::ConnectionTrait>(
    conn: &C,
    token_hash: &str,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    refresh_tokens::Entity::insert(refresh_tokens::ActiveModel {
        token_hash: Set(token_hash.to_owned()),
        session_id: Set(session_id),
        created_at: Set(now),
        spent_at: Set(None),
    })
    .exec(conn)
    .await
    .db()?;
    Ok(())
}

async fn revoke<C: sea_orm::ConnectionTrait>(conn: &C, session_id: Uuid, now: DateTime<Utc>) -> DomainResult<()> {
    auth_sessions::Entity::update_many()
        .col_expr(auth_sessions::Column::RevokedAt, Expr::value(now))
        .filter(auth_sessions::Column::Id.eq(session_id))
        .filter(auth_sessions::Column::RevokedAt.is_null())
        .exec(conn)
        .await
        .db()?;
    Ok(())
}
