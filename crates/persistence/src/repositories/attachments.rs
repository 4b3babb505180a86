//! Stored attachments on sea-orm: the contents in `blobs` (the default [`BlobStore`], whole
//! blobs: the limit per file keeps them small — 20 MiB by default — so one row per content is
//! simpler than chunks and reads a range with `substr`), the references in `attachments`.

use async_trait::async_trait;
use futures_util::StreamExt;
use rsnms_domain::{
    DomainError, DomainResult, Msg,
    attachments::{AttachmentRepository, BlobRef, BlobStore, BlobStream, Parent, Part, StoredAttachment},
    auth::Ctx,
    changes::ChangeKind,
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr,
    sea_query::{Expr, ExprTrait, Func, OnConflict, Query},
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    Database,
    entities::{attachments as att, blobs, network_requests},
    error::{DbResultExt, db_err},
    journal,
};

/// Contents in the database, one row per distinct SHA-256.
#[derive(Debug, Clone)]
pub struct BlobTable {
    pub(crate) db: Database,
}

/// References of parents to contents.
#[derive(Debug, Clone)]
pub struct AttachmentStore {
    pub(crate) db: Database,
}

fn too_large(limit: u64) -> DomainError {
    DomainError::TooLarge {
        limit, message: Msg::new("Файл больше допустимого размера", "The file exceeds the limit")
    }
}

fn int(v: u64) -> DomainResult<i32> {
    i32::try_from(v).map_err(|_| DomainError::internal("blob offset beyond i32"))
}

#[async_trait(?Send)]
impl BlobStore for BlobTable {
    async fn put(&self, media_type: &str, mut content: BlobStream<'_>, max_bytes: u64) -> DomainResult<BlobRef> {
        let mut hasher = Sha256::new();
        let mut bytes = Vec::new();
        while let Some(chunk) = content.next().await {
            let chunk = chunk?;
            if (bytes.len() + chunk.len()) as u64 > max_bytes {
                return Err(too_large(max_bytes));
            }
            hasher.update(&chunk);
            bytes.extend_from_slice(&chunk);
        }
        let sha256 = hex::encode(hasher.finalize());
        let size = bytes.len() as u64;
        let kept = blobs::Entity::find_by_id(sha256.clone())
            .select_only()
            .column(blobs::Column::Sha256)
            .into_tuple::<String>()
            .one(&self.db.exec())
            .await
            .db()?;
        if kept.is_none() {
            let row = blobs::ActiveModel {
                sha256: Set(sha256.clone()),
                size: Set(i64::try_from(size).map_err(|_| too_large(max_bytes))?),
                media_type: Set(media_type.to_owned()),
                content: Set(bytes),
                created_at: Set(chrono::Utc::now()),
            };
            blobs::Entity::insert(row)
                .on_conflict(OnConflict::column(blobs::Column::Sha256).do_nothing().to_owned())
                .exec_without_returning(&self.db.exec())
                .await
                .db()?;
        }
        Ok(BlobRef { sha256, size })
    }

    async fn get(&self, sha256: &str, range: Option<(u64, u64)>) -> DomainResult<Vec<u8>> {
        let q = blobs::Entity::find_by_id(sha256.to_owned()).select_only();
        let q = match range {
            None => q.column(blobs::Column::Content),
            // `substr` counts from 1, in bytes for BLOB (SQLite) and BYTEA (PostgreSQL).
            Some((first, last)) => q.column_as(
                Expr::expr(
                    Func::cust("substr")
                        .arg(Expr::col(blobs::Column::Content))
                        .arg(int(first + 1)?)
                        .arg(int(last - first + 1)?),
                ),
                "content",
            ),
        };
        q.into_tuple::<Vec<u8>>().one(&self.db.exec()).await.db()?.ok_or(DomainError::NotFound)
    }

    async fn delete(&self, sha256: &str) -> DomainResult<bool> {
        delete_unreferenced(&self.db.exec(), sha256).await
    }
}

/// Removes a content nothing refers to any more; one still referred to stays.
async fn delete_unreferenced<C: ConnectionTrait>(conn: &C, sha256: &str) -> DomainResult<bool> {
    let referenced = Query::select()
        .expr(Expr::val(1))
        .from(att::Entity)
        .and_where(Expr::col((att::Entity, att::Column::Sha256)).eq(sha256))
        .to_owned();
    let res = blobs::Entity::delete_many()
        .filter(blobs::Column::Sha256.eq(sha256))
        .filter(Expr::exists(referenced).not())
        .exec(conn)
        .await;
    match res {
        Ok(r) => Ok(r.rows_affected > 0),
        // A reference being stored concurrently holds it (the foreign key): it stays.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::ForeignKeyConstraintViolation(_))) => Ok(false),
        Err(e) => Err(db_err(e)),
    }
}

/// Removes every file of a parent (both parts of a request), and the contents nothing else
/// refers to, in the caller's transaction: the retention of a request's personal data takes
/// its stored files with the copies in its row.
pub(crate) async fn delete_files_of<C: ConnectionTrait>(conn: &C, parent: &Parent) -> DomainResult<()> {
    let shas: Vec<String> = att::Entity::find()
        .select_only()
        .column(att::Column::Sha256)
        .filter(of_parent(parent))
        .into_tuple()
        .all(conn)
        .await
        .db()?;
    if shas.is_empty() {
        return Ok(());
    }
    att::Entity::delete_many().filter(of_parent(parent)).exec(conn).await.db()?;
    let mut shas = shas;
    shas.sort_unstable();
    shas.dedup();
    for sha in shas {
        delete_unreferenced(conn, &sha).await?;
    }
    Ok(())
}

fn to_domain(m: att::Model) -> DomainResult<StoredAttachment> {
    let bad = || DomainError::internal(format!("attachment {} has a bad parent", m.id));
    let parent = match (m.parent_type.as_str(), Part::parse(&m.part)) {
        ("network_request", Some(part)) => Parent::NetworkRequest { id: m.parent_id, part },
        _ => return Err(bad()),
    };
    Ok(StoredAttachment {
        id: m.id,
        parent,
        name: m.name,
        media_type: m.media_type,
        size: u64::try_from(m.size).map_err(|_| bad())?,
        sha256: m.sha256,
        created_by: m.created_by,
        created_at: m.created_at,
    })
}

fn of_parent(parent: &Parent) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(att::Column::ParentType.eq(parent.type_name()))
        .add(att::Column::ParentId.eq(parent.id()))
}

async fn total<C: ConnectionTrait>(conn: &C, parent: &Parent) -> DomainResult<u64> {
    let sum = att::Entity::find()
        .select_only()
        .column_as(Expr::cust("CAST(COALESCE(SUM(size), 0) AS BIGINT)"), "total")
        .filter(of_parent(parent))
        .into_tuple::<i64>()
        .one(conn)
        .await
        .db()?
        .unwrap_or(0);
    Ok(u64::try_from(sum).unwrap_or(0))
}

/// Journals a change of the parent's files as a change of the parent (its feed audience and
/// personal-data flag), with the row of the parent locked for the rest of the transaction, so
/// that concurrent uploads are counted against the per-parent limit one after the other.
async fn journal_parent<C: ConnectionTrait>(
    conn: &C,
    ctx: &Ctx,
    parent: &Parent,
    action: &'static str,
) -> DomainResult<()> {
    match parent {
        Parent::NetworkRequest { id, .. } => {
            let m = network_requests::Entity::find_by_id(*id)
                .lock_exclusive()
                .one(conn)
                .await
                .db()?
                .ok_or(DomainError::NotFound)?;
            let r = super::network_requests::to_domain(m.clone())?;
            let change = super::network_requests::change(&m, &r, action, ChangeKind::Updated);
            journal::record(conn, Some(ctx), change).await
        }
    }
}

#[async_trait]
impl AttachmentRepository for AttachmentStore {
    async fn create(&self, ctx: &Ctx, new: StoredAttachment, parent_max_bytes: u64) -> DomainResult<StoredAttachment> {
        let txn = self.db.begin_write().await?;
        journal_parent(&txn, ctx, &new.parent, "attach").await?;
        if total(&txn, &new.parent).await?.saturating_add(new.size) > parent_max_bytes {
            return Err(DomainError::TooLarge {
                limit: parent_max_bytes,
                message: Msg::new("Вложения больше допустимого размера", "The attachments exceed the limit"),
            });
        }
        let row = att::ActiveModel {
            id: Set(new.id),
            parent_type: Set(new.parent.type_name().to_owned()),
            parent_id: Set(new.parent.id()),
            part: Set(new.parent.part().as_str().to_owned()),
            name: Set(new.name.clone()),
            media_type: Set(new.media_type.clone()),
            size: Set(i64::try_from(new.size).map_err(|_| DomainError::internal("size beyond i64"))?),
            sha256: Set(new.sha256.clone()),
            created_by: Set(new.created_by.clone()),
            created_at: Set(new.created_at),
        };
        att::Entity::insert(row).exec_without_returning(&txn).await.db()?;
        txn.commit().await.db()?;
        Ok(new)
    }

    async fn list(&self, parent: &Parent) -> DomainResult<Vec<StoredAttachment>> {
        let rows = att::Entity::find()
            .filter(of_parent(parent))
            .order_by_asc(att::Column::Id)
            .all(&self.db.exec())
            .await
            .db()?;
        rows.into_iter().map(to_domain).collect()
    }

    async fn get(&self, parent: &Parent, id: Uuid) -> DomainResult<StoredAttachment> {
        let m = att::Entity::find_by_id(id)
            .filter(of_parent(parent))
            .one(&self.db.exec())
            .await
            .db()?
            .ok_or(DomainError::NotFound)?;
        to_domain(m)
    }

    async fn total_size(&self, parent: &Parent) -> DomainResult<u64> {
        total(&self.db.exec(), parent).await
    }

    async fn delete(&self, ctx: &Ctx, a: &StoredAttachment) -> DomainResult<()> {
        let txn = self.db.begin_write().await?;
        journal_parent(&txn, ctx, &a.parent, "detach").await?;
        let gone = att::Entity::delete_by_id(a.id).exec(&txn).await.db()?;
        if gone.rows_affected == 0 {
            return Err(DomainError::NotFound);
        }
        txn.commit().await.db()
    }

    async fn references(&self, sha256: &str) -> DomainResult<u64> {
        att::Entity::find().filter(att::Column::Sha256.eq(sha256)).count(&self.db.exec()).await.db()
    }
}
