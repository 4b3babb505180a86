use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{ProcessingBasis, Purpose, report::RequestMention};
use crate::{DomainResult, auth::Ctx, persons::Person};

/// A person whose every basis of processing has ended, with the first day none was in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepCandidate {
    /// The person.
    pub person_id: Uuid,
    /// The first day no basis of hers was in force (processing stopped).
    pub processing_stopped_on: NaiveDate,
}

/// Storage of purposes and bases, and the depersonalisation of persons.
#[async_trait]
pub trait PersonalDataRepository: Send + Sync {
    /// Every purpose, by code.
    async fn purposes(&self) -> DomainResult<Vec<Purpose>>;
    /// Adds a purpose (409 naming `code` when it exists).
    async fn create_purpose(&self, ctx: &Ctx, purpose: Purpose) -> DomainResult<Purpose>;
    /// The bases of these persons (any purpose), oldest first.
    async fn bases_of(&self, persons: &[Uuid]) -> DomainResult<Vec<ProcessingBasis>>;
    /// Stores a new basis (its person was checked by the caller); audited and journaled.
    async fn create_basis(&self, ctx: &Ctx, basis: ProcessingBasis) -> DomainResult<ProcessingBasis>;
    /// Stores many new bases at once (a bulk import's batch; their persons were written and
    /// checked by the caller): one multi-row insert, their audit records and events together.
    async fn create_bases(&self, ctx: &Ctx, bases: Vec<ProcessingBasis>) -> DomainResult<Vec<ProcessingBasis>>;
    /// Records a withdrawal on a day, when the basis is not withdrawn yet (else 409).
    async fn withdraw_basis(
        &self,
        ctx: &Ctx,
        person_id: Uuid,
        basis_id: Uuid,
        on: NaiveDate,
    ) -> DomainResult<ProcessingBasis>;
    /// Persons not yet depersonalised who have bases, none of them in force on `stopped_by` (or
    /// later): ordered by id, at most `limit`.
    async fn stopped_by(&self, stopped_by: NaiveDate, limit: u64) -> DomainResult<Vec<SweepCandidate>>;
    /// Depersonalises up to `limit` persons whose processing stopped by `stopped_by`, claiming each
    /// with `FOR UPDATE SKIP LOCKED` on PostgreSQL (one write transaction on SQLite) so that
    /// several instances never take the same person: names replaced, СНИЛС, birth date and
    /// contacts removed, ids kept; their past change events lose the personal data too. Returns
    /// the persons depersonalised.
    async fn depersonalise(&self, stopped_by: NaiveDate, limit: u64, at: DateTime<Utc>) -> DomainResult<Vec<Uuid>>;
    /// Network requests still holding personal-data copies whose retention counts from a day on
    /// or before `from_by` (sent on, else created on), with that day: ordered by id, at most
    /// `limit`.
    async fn requests_holding_personal_data(
        &self,
        from_by: NaiveDate,
        limit: u64,
    ) -> DomainResult<Vec<(Uuid, NaiveDate)>>;
    /// Removes the personal-data copies ([`super::strip_request_payload`]) from up to `limit`
    /// such requests and from their change events and webhook copies, claiming each with
    /// `FOR UPDATE SKIP LOCKED` on PostgreSQL; journaled as `remove_personal_data` by the system.
    /// Returns the requests stripped.
    async fn remove_request_personal_data(
        &self,
        from_by: NaiveDate,
        limit: u64,
        at: DateTime<Utc>,
    ) -> DomainResult<Vec<Uuid>>;
    /// How many audit records are older than `before`.
    async fn audit_before(&self, before: DateTime<Utc>) -> DomainResult<u64>;
    /// Deletes up to `limit` audit records older than `before`, oldest first; how many.
    async fn delete_audit_before(&self, before: DateTime<Utc>, limit: u64) -> DomainResult<u64>;
    /// When the person was depersonalised, if she was.
    async fn depersonalised_at(&self, person_id: Uuid) -> DomainResult<Option<DateTime<Utc>>>;
    /// Network requests naming the person as their author (by e-mail, or surname and first name)
    /// among those her organisation sent (the author is always the sender's person).
    async fn requests_naming(&self, person: &Person) -> DomainResult<Vec<RequestMention>>;
}
