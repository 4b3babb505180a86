//! Stored attachments (вложения): files attached to network requests and their replies, kept
//! behind a storage interface ([`BlobStore`]) that holds each distinct content once, by its
//! SHA-256. The references ([`AttachmentRepository`]) carry the file's name and whom it belongs
//! to; reads follow the parent's scope, and the parent's personal-data rule.

mod delete;
mod download;
mod list;
pub mod media;
mod parent;
mod upload;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::stream::LocalBoxStream;
use uuid::Uuid;

pub use delete::delete_attachment;
pub use download::{ByteRange, Download, Ranged, download_attachment};
pub use list::list_attachments;
pub use parent::{Parent, Part};
pub use upload::{Upload, upload_attachment};

use crate::{
    DomainResult, audit::AuditRepository, auth::Ctx, network_requests::NetworkRequestRepository,
    organizations::OrganizationRepository,
};

/// A content as it streams in, chunk by chunk.
pub type BlobStream<'a> = LocalBoxStream<'a, DomainResult<Vec<u8>>>;

/// What a store answers for a content it keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    /// SHA-256 of the content, lower-case hex (computed by the server).
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// Where contents are kept, by SHA-256 (content addressing: a content put twice is kept once).
/// The database implementation (`persistence::BlobTable`) is the default; a deployment could
/// keep them elsewhere (an object store) by implementing this trait and wiring it in
/// `server::lib.rs` instead.
#[async_trait(?Send)]
pub trait BlobStore: Send + Sync {
    /// Reads the stream whole, computing its SHA-256 and size, and keeps it unless a content
    /// with that SHA-256 is kept already. More than `max_bytes` is [`crate::DomainError::TooLarge`]
    /// and keeps nothing.
    async fn put(&self, media_type: &str, content: BlobStream<'_>, max_bytes: u64) -> DomainResult<BlobRef>;
    /// The bytes `range` (inclusive; the whole content when `None`) of a kept content.
    async fn get(&self, sha256: &str, range: Option<(u64, u64)>) -> DomainResult<Vec<u8>>;
    /// Removes a content nothing refers to any more (its last reference gone); one still
    /// referred to stays. Whether it was removed.
    async fn delete(&self, sha256: &str) -> DomainResult<bool>;
}

/// A parent's reference to a stored content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    /// Id.
    pub id: Uuid,
    /// The parent.
    pub parent: Parent,
    /// File name.
    pub name: String,
    /// Media type (one of [`media::ALLOWED`]).
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    /// Who attached it (the account's subject).
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// References of parents to stored contents. Changes are journaled as changes of the parent
/// (action `attach` / `detach`) in their own transaction.
#[async_trait]
pub trait AttachmentRepository: Send + Sync {
    /// Stores a reference when the parent's attachments stay within `parent_max_bytes` in all
    /// (checked in the transaction that stores it; over is [`crate::DomainError::TooLarge`]).
    async fn create(&self, ctx: &Ctx, new: StoredAttachment, parent_max_bytes: u64) -> DomainResult<StoredAttachment>;
    /// The attachments of a parent (both parts of a request), oldest first.
    async fn list(&self, parent: &Parent) -> DomainResult<Vec<StoredAttachment>>;
    /// One attachment of a parent (either part of a request).
    async fn get(&self, parent: &Parent, id: Uuid) -> DomainResult<StoredAttachment>;
    /// Bytes attached to a parent so far.
    async fn total_size(&self, parent: &Parent) -> DomainResult<u64>;
    /// Removes a reference.
    async fn delete(&self, ctx: &Ctx, attachment: &StoredAttachment) -> DomainResult<()>;
    /// How many references a content has.
    async fn references(&self, sha256: &str) -> DomainResult<u64>;
}

/// The limits of uploads (`RSNMS_ATTACHMENT_MAX_BYTES`, `RSNMS_ATTACHMENTS_PER_PARENT_MAX_BYTES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file.
    pub per_file: u64,
    /// Largest sum of the files of one parent (a request with its reply).
    pub per_parent: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { per_file: 20 * 1024 * 1024, per_parent: 100 * 1024 * 1024 }
    }
}

/// What the attachment actions take.
#[derive(Clone, Copy)]
pub struct Deps<'a> {
    /// Network requests (the parents).
    pub requests: &'a dyn NetworkRequestRepository,
    /// Organisations (which side the caller is on).
    pub orgs: &'a dyn OrganizationRepository,
    /// References.
    pub attachments: &'a dyn AttachmentRepository,
    /// Contents.
    pub blobs: &'a dyn BlobStore,
    /// Audit of reads of personal data.
    pub audit: &'a dyn AuditRepository,
    /// Limits.
    pub limits: Limits,
}
