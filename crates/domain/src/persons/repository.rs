use async_trait::async_trait;
use uuid::Uuid;

use super::{Employment, NewPerson, Person, PersonRole};
use crate::{
    DomainResult,
    auth::{Ctx, Scope},
    organizations::OrganizationKind,
    page::{Page, PageRequest},
};

/// Filters of the person list (AND-combined). The registry of municipal methodological staff is
/// `role=methodologist` with `organization_kind=municipal_methodological_service`.
#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    /// Has this role.
    pub role: Option<PersonRole>,
    /// Works in this organisation.
    pub organization_id: Option<Uuid>,
    /// Works in an organisation of this kind.
    pub organization_kind: Option<OrganizationKind>,
    /// Works in this municipality.
    pub municipality_code: Option<String>,
    /// Full name contains (case-insensitive, ё = е).
    pub name: Option<String>,
    /// Exact СНИЛС digits (only for callers who may read personal data).
    pub snils: Option<String>,
    /// Teaches this subject (normalised with [`normalize_subject`](super::normalize_subject)).
    pub subject: Option<String>,
    /// Only these persons (a batched read, e.g. the persons of a page of routes).
    pub ids: Option<Vec<Uuid>>,
}

/// Storage of persons, scoped inside every query; changes are audited and emit outbox events.
#[async_trait]
pub trait PersonRepository: Send + Sync {
    /// Reads one person visible in the scope.
    async fn get(&self, scope: &Scope, id: Uuid) -> DomainResult<Person>;
    /// Lists persons visible in the scope.
    async fn list(&self, scope: &Scope, filter: &PersonFilter, page: PageRequest) -> DomainResult<Page<Person>>;
    /// The persons visible in the scope with any of these ids or СНИЛС (digits), unordered — one
    /// read per chunk of keys, for matching a bulk import's batch.
    async fn find_many(&self, scope: &Scope, ids: &[Uuid], snils: &[String]) -> DomainResult<Vec<Person>>;
    /// Creates a person.
    async fn create(&self, ctx: &Ctx, new: NewPerson) -> DomainResult<Person>;
    /// Creates many persons at once (multi-row writes, a bulk import's batch): all of them, in
    /// order, or none (a conflict, e.g. a СНИЛС already stored, fails the whole call).
    async fn create_many(&self, ctx: &Ctx, new: Vec<NewPerson>) -> DomainResult<Vec<Person>>;
    /// Replaces a person's data when the version matches.
    async fn update(&self, ctx: &Ctx, id: Uuid, expected_version: i64, new: NewPerson) -> DomainResult<Person>;
    /// Replaces the data of many persons at once (multi-row writes, a bulk import's batch), each
    /// `(current, new)` when the stored version still is `current.version`: all of them, in order,
    /// or none (a person changed meanwhile is [`DomainError::PreconditionFailed`](crate::DomainError),
    /// a conflict fails the whole call).
    async fn update_many(&self, ctx: &Ctx, changes: Vec<(Person, NewPerson)>) -> DomainResult<Vec<Person>>;
    /// Deletes a person when the version matches (409 when other records still refer to them).
    async fn delete(&self, ctx: &Ctx, id: Uuid, expected_version: i64) -> DomainResult<()>;
    /// A person's employment periods, oldest first (the caller has read the person).
    async fn employments(&self, id: Uuid) -> DomainResult<Vec<Employment>>;
    /// Replaces a person's employment periods when the version matches: a new version of the
    /// person, journaled, in one transaction.
    async fn replace_employments(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        periods: Vec<Employment>,
    ) -> DomainResult<(Person, Vec<Employment>)>;
}
