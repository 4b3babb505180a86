use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Channel, NetworkRequest, RequestStatus, StoredNumbering};
use crate::{
    DomainResult,
    auth::{Ctx, Scope},
    organizations::Organization,
    page::{Page, PageRequest},
};

/// Filters of the request list (AND-combined).
#[derive(Debug, Clone, Default)]
pub struct NetworkRequestFilter {
    /// Sender organisation.
    pub sender_organization_id: Option<Uuid>,
    /// Addressee organisation.
    pub addressee_organization_id: Option<Uuid>,
    /// Status.
    pub status: Option<RequestStatus>,
    /// Channel.
    pub channel: Option<Channel>,
    /// Sent on or after.
    pub sent_from: Option<NaiveDate>,
    /// Sent on or before.
    pub sent_to: Option<NaiveDate>,
    /// Only overdue (`true`) or only not overdue (`false`) at the given instant.
    pub overdue: Option<bool>,
    /// Due strictly before this date.
    pub due_before: Option<NaiveDate>,
    /// The instant "overdue" is judged at.
    pub now: Option<DateTime<Utc>>,
    /// Outgoing registration number (exact; with the sender it is a sent request's natural key).
    pub outgoing_number: Option<String>,
}

/// How a saved state came about, for the journal and the outgoing number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveKind {
    /// A draft edit.
    Update,
    /// Sending: allocate the sender's next outgoing number for the year sent.
    Send,
    /// Any other lifecycle action.
    Action(&'static str),
}

/// Counts of requests by status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusCounts {
    /// Drafts.
    pub draft: u64,
    /// Sent.
    pub sent: u64,
    /// Received.
    pub received: u64,
    /// Awaiting the sender's clarification, the term paused.
    pub clarification: u64,
    /// Answered.
    pub answered: u64,
    /// Withdrawn.
    pub withdrawn: u64,
    /// Forwarded to another participant (closed).
    pub forwarded: u64,
    /// Received and overdue.
    pub overdue: u64,
    /// Answered late (a breach recorded).
    pub late: u64,
}

impl StatusCounts {
    /// Adds `n` requests of a status.
    pub fn add(&mut self, status: RequestStatus, n: u64) {
        match status {
            RequestStatus::Draft => self.draft += n,
            RequestStatus::Sent => self.sent += n,
            RequestStatus::Received => self.received += n,
            RequestStatus::Clarification => self.clarification += n,
            RequestStatus::Answered => self.answered += n,
            RequestStatus::Withdrawn => self.withdrawn += n,
            RequestStatus::Forwarded => self.forwarded += n,
        }
    }
}

/// Counts by status, per organisation and per municipality, each as sender and as addressee.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestStats {
    /// `(organisation, as sender, as addressee)`.
    pub organizations: Vec<(Uuid, StatusCounts, StatusCounts)>,
    /// `(region, municipality, as sender, as addressee)`.
    pub municipalities: Vec<(String, Option<String>, StatusCounts, StatusCounts)>,
}

/// Storage of network requests. Reads apply the caller's scope inside the query: a request is
/// visible when its sender is in scope, or its addressee is and it was sent (a date sent and an
/// outgoing number), whatever its later status.
#[async_trait]
pub trait NetworkRequestRepository: Send + Sync {
    /// One request visible in the scope.
    async fn get(&self, scope: &Scope, id: Uuid) -> DomainResult<NetworkRequest>;
    /// Requests visible in the scope.
    async fn list(
        &self,
        scope: &Scope,
        filter: &NetworkRequestFilter,
        page: PageRequest,
    ) -> DomainResult<Page<NetworkRequest>>;
    /// Stores a new draft with its territorial data.
    async fn create(&self, ctx: &Ctx, new: NetworkRequest) -> DomainResult<NetworkRequest>;
    /// Writes the new state of a request when its stored version is `expected_version`; on
    /// [`SaveKind::Send`] allocates the outgoing number in the same transaction.
    async fn save(
        &self,
        ctx: &Ctx,
        expected_version: i64,
        state: NetworkRequest,
        kind: SaveKind,
    ) -> DomainResult<NetworkRequest>;
    /// Forwarding: writes the closed original when its stored version is `expected_version` and
    /// stores the new request (sent, with the original's outgoing number), in one transaction;
    /// returns both.
    async fn forward(
        &self,
        ctx: &Ctx,
        expected_version: i64,
        original: NetworkRequest,
        new: NetworkRequest,
    ) -> DomainResult<(NetworkRequest, NetworkRequest)>;
    /// The outgoing-number template of a sender and the last number it gave in `year` (the
    /// caller has checked the organisation is in its scope).
    async fn numbering(&self, organization_id: Uuid, year: i32) -> DomainResult<StoredNumbering>;
    /// Sets the template of a sender when its stored version is `expected_version` (`0`: never
    /// set; 412 otherwise), journaled as `request_numbering` updated; returns it with the last
    /// number given in `year`.
    async fn set_numbering(
        &self,
        ctx: &Ctx,
        organization: &Organization,
        expected_version: i64,
        format: String,
        year: i32,
    ) -> DomainResult<StoredNumbering>;
    /// Counts by status within the scope.
    async fn stats(&self, scope: &Scope, now: DateTime<Utc>) -> DomainResult<RequestStats>;
    /// Claims and journals due-soon and overdue events not yet emitted (each once, even with
    /// several instances running). Returns `(due_soon, overdue)` emitted.
    async fn notify_deadlines(&self, now: DateTime<Utc>, batch: u64) -> DomainResult<(u64, u64)>;
}
