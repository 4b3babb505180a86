//! `Idempotency-Key` for POST: a retry with the same key and body replays the first response;
//! the same key with another body is refused. Keys live in the database, so they hold across
//! several server instances, for at least 24 hours.

use async_trait::async_trait;

use crate::DomainResult;

/// A stored response to replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers worth replaying (`Content-Type`, `Location`, `ETag`).
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

/// What a key's first use found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new and now held by this request.
    Acquired,
    /// The key was used with the same request: replay this.
    Replay(StoredResponse),
    /// The key was used with another request.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
}

/// Storage of idempotency keys, per account.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` for `subject` with the request's fingerprint (a hash of method, path, query
    /// and body).
    async fn claim(&self, subject: &str, key: &str, fingerprint: &str) -> DomainResult<Claim>;
    /// Stores the response of a claimed key.
    async fn complete(&self, subject: &str, key: &str, response: &StoredResponse) -> DomainResult<()>;
    /// Releases a claimed key without a response (the request failed with 5xx and may be retried).
    async fn release(&self, subject: &str, key: &str) -> DomainResult<()>;
    /// Deletes keys older than the given number of hours; returns how many.
    async fn purge_older_than_hours(&self, hours: i64) -> DomainResult<u64>;
}
