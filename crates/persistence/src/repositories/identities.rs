//! Identity links (provider subjects of local accounts) on sea-orm, kept beside the accounts
//! they belong to: each link and unlink is journaled as a change of its account.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rsnms_domain::{
    DomainError, DomainResult,
    accounts::{Account, AccountRepository},
    auth::Ctx,
    changes::ChangeKind,
    identities::{Identity, IdentityRepository, Link, LinkedAccount},
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use uuid::Uuid;

use super::{AccountStore, accounts::change_of};
use crate::{
    entities::account_identities::{ActiveModel, Column, Entity, Model},
    error::DbResultExt,
    journal,
};

fn to_domain(m: Model) -> Identity {
    Identity { id: m.id, account_id: m.account_id, provider: m.provider, subject: m.subject, created_at: m.created_at }
}

/// The account's change event naming the identity linked or unlinked.
fn identity_change(account: &Account, identity: &Identity, action: &'static str) -> rsnms_domain::changes::Change {
    let mut change = change_of(account, ChangeKind::Updated, action);
    if let Some(p) = change.payload.as_object_mut() {
        p.insert(
            "identity".into(),
            serde_json::json!({ "id": identity.id, "provider": identity.provider, "subject": identity.subject }),
        );
    }
    change
}

#[async_trait]
impl IdentityRepository for AccountStore {
    async fn link(&self, ctx: &Ctx, account: &Account, provider: &str, subject: &str) -> DomainResult<Identity> {
        let am = ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(account.id),
            provider: Set(provider.to_owned()),
            subject: Set(subject.to_owned()),
            generation: Set(account.token_generation),
            tokens_valid_after: Set(None),
            created_at: Set(Utc::now()),
        };
        let txn = self.db.begin_write().await?;
        let m = Entity::insert(am).exec_with_returning(&txn).await.db_unique(&["subject"])?;
        let identity = to_domain(m);
        journal::record(&txn, Some(ctx), identity_change(account, &identity, "link_identity")).await?;
        txn.commit().await.db()?;
        Ok(identity)
    }

    async fn list(&self, account_id: Uuid) -> DomainResult<Vec<Identity>> {
        let rows = Entity::find()
            .filter(Column::AccountId.eq(account_id))
            .order_by_asc(Column::Id)
            .all(&self.db.exec())
            .await
            .db()?;
        Ok(rows.into_iter().map(to_domain).collect())
    }

    async fn unlink(&self, ctx: &Ctx, account_id: Uuid, identity_id: Uuid) -> DomainResult<()> {
        let account = self.get(account_id).await?;
        let txn = self.db.begin_write().await?;
        let row = Entity::find_by_id(identity_id)
            .filter(Column::AccountId.eq(account_id))
            .one(&txn)
            .await
            .db()?
            .ok_or(DomainError::NotFound)?;
        Entity::delete_by_id(row.id).exec(&txn).await.db()?;
        journal::record(&txn, Some(ctx), identity_change(&account, &to_domain(row), "unlink_identity")).await?;
        txn.commit().await.db()?;
        Ok(())
    }

    async fn resolve(&self, provider: &str, subject: &str, now: DateTime<Utc>) -> DomainResult<Option<Link>> {
        let conn = &self.db.exec();
        let row = Entity::find()
            .filter(Column::Provider.eq(provider))
            .filter(Column::Subject.eq(subject))
            .one(conn)
            .await
            .db()?;
        let Some(row) = row else { return Ok(None) };
        let account = match self.get(row.account_id).await {
            Ok(a) => a,
            Err(DomainError::NotFound) => return Ok(Some(Link::DeletedAccount)),
            Err(e) => return Err(e),
        };
        let mut tokens_valid_after = row.tokens_valid_after;
        if row.generation != account.token_generation {
            // The account's tokens were revoked since the link last looked: provider tokens
            // issued until now end with them. Written only while the generation differs, so that
            // every instance agrees on one moment (the first to notice).
            let updated = Entity::update_many()
                .col_expr(Column::Generation, Expr::value(account.token_generation))
                .col_expr(Column::TokensValidAfter, Expr::value(now))
                .filter(Column::Id.eq(row.id))
                .filter(Column::Generation.eq(row.generation))
                .exec(conn)
                .await
                .db()?;
            tokens_valid_after = if updated.rows_affected == 1 {
                Some(now)
            } else {
                Entity::find_by_id(row.id).one(conn).await.db()?.and_then(|r| r.tokens_valid_after)
            };
        }
        Ok(Some(Link::Account(LinkedAccount { account, tokens_valid_after })))
    }
}
