//! Accounts on sea-orm.

use async_trait::async_trait;
use chrono::Utc;
use rsnms_domain::{
    DomainError, DomainResult,
    accounts::{Account, AccountKind, AccountRepository, NewAccount},
    auth::{Ctx, Role},
    changes::{Change, ChangeKind, ChangeScope},
    page::{Page, PageRequest},
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{
    Database,
    entities::accounts::{ActiveModel, Column, Entity, Model},
    error::{db_err, db_err_fields},
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
            .ok_or_else(|| DomainError::Internal(format!("account {} has unknown role", m.id)))?,
        id: m.id,
        login: m.login,
        secret_hash: m.secret_hash,
        organization_id: m.organization_id,
        person_id: m.person_id,
        disabled: m.disabled,
        created_at: m.created_at,
    })
}

#[async_trait]
impl AccountRepository for AccountStore {
    async fn find_by_login(&self, kind: AccountKind, login: &str) -> DomainResult<Option<Account>> {
        Entity::find()
            .filter(Column::Kind.eq(kind.as_str()))
            .filter(Column::Login.eq(login))
            .one(self.db.conn())
            .await
            .map_err(db_err)?
            .map(to_domain)
            .transpose()
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
        };
        let txn = self.db.begin_write().await?;
        let m = Entity::insert(am).exec_with_returning(&txn).await.map_err(|e| db_err_fields(e, &["login"]))?;
        let account = to_domain(m)?;
        journal::record(
            &txn,
            ctx,
            Change {
                resource_type: "account",
                resource_id: account.id,
                kind: ChangeKind::Created,
                action: "create",
                payload: serde_json::json!({
                    "id": account.id, "kind": account.kind, "login": account.login,
                    "role": account.role, "organization_id": account.organization_id,
                }),
                personal_data: false,
                scope: ChangeScope { organization_id: account.organization_id, ..ChangeScope::default() },
            },
        )
        .await?;
        txn.commit().await.map_err(db_err)?;
        Ok(account)
    }

    async fn admin_exists(&self) -> DomainResult<bool> {
        let n =
            Entity::find().filter(Column::Role.eq(Role::Admin.as_str())).count(self.db.conn()).await.map_err(db_err)?;
        Ok(n > 0)
    }

    async fn list(&self, page: PageRequest) -> DomainResult<Page<Account>> {
        let mut q = Entity::find().order_by_asc(Column::Id).limit(page.limit + 1);
        if let Some(a) = page.after {
            q = q.filter(Column::Id.gt(a));
        }
        let rows = q.all(self.db.conn()).await.map_err(db_err)?;
        let items = rows.into_iter().map(to_domain).collect::<DomainResult<Vec<_>>>()?;
        Ok(Page::from_probe(items, page.limit, |a| a.id))
    }
}
