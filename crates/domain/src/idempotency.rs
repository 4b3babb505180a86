//! `Idempotency-Key` for POST: a retry with the same key and request replays the first response;
//! the same key with another request is refused. Keys live in the database, so they hold across
//! several server instances, for at least 24 hours.
//!
//! A claim is a **lease** held by one run of the request (its [`KeyHold`]), renewed while the
//! run lasts. The change's own transaction records, through the journal, that the key's run
//! committed — and only while the run still holds the lease (a fence). So after a crash a retry
//! finds either the stored response (replayed), or the committed mark (the change is not made
//! again: [`Claim::Done`]), or an expired lease with nothing committed (the retry runs the
//! request, once: a late commit of the dead run fails its fence).

use std::time::Duration;

use async_trait::async_trait;
use uuid::Uuid;

use crate::DomainResult;

/// A stored response to replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers worth replaying (`Content-Type`, `Location`, `ETag` …).
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
    /// SHA-256 (hex) of the request body that produced it.
    pub request_sha256: String,
}

/// The key held by one run of a request: the fencing token of its lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHold {
    /// The account that owns the key.
    pub subject: String,
    /// The key.
    pub key: String,
    /// This run's token; a retry that takes an expired lease over gets another.
    pub token: Uuid,
}

/// What the first run of a key committed before its response was lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    /// The resource type of its first journaled change.
    pub resource_type: Option<String>,
    /// The resource id of its first journaled change.
    pub resource_id: Option<Uuid>,
}

/// What a key's use found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new (or its last run died without committing) and now held by this run.
    Acquired(KeyHold),
    /// The key was used with the same request: replay this (after comparing the body's hash).
    Replay(StoredResponse),
    /// The key was used with another request (method, path or query).
    Mismatch,
    /// The run holding the key is still alive (its lease runs).
    InProgress,
    /// The first run committed its change but its response was never stored (it crashed between
    /// the two): the change is not made again.
    Done(Committed),
}

/// Storage of idempotency keys, per account.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` for `subject` with the request's fingerprint (a hash of method, path and
    /// query) for a lease of `lease`; an expired lease whose run committed nothing is taken over.
    async fn claim(&self, subject: &str, key: &str, fingerprint: &str, lease: Duration) -> DomainResult<Claim>;
    /// Extends a held lease; `false` when the hold was lost (taken over, or finished).
    async fn renew(&self, hold: &KeyHold, lease: Duration) -> DomainResult<bool>;
    /// Stores the response of a held key.
    async fn complete(&self, hold: &KeyHold, response: &StoredResponse) -> DomainResult<()>;
    /// Frees a held key whose run committed nothing (it failed and may be retried at once); a
    /// key whose run committed stays (a retry gets [`Claim::Done`]).
    async fn release(&self, hold: &KeyHold) -> DomainResult<()>;
    /// Deletes keys older than the given number of hours; returns how many.
    async fn purge_older_than_hours(&self, hours: i64) -> DomainResult<u64>;
}
