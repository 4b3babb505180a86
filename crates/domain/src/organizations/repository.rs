use async_trait::async_trait;
use chrono::NaiveDate;
use uuid::Uuid;

use super::{Level, NewOrganization, Organization, OrganizationKind};
use crate::{
    DomainResult,
    auth::{Ctx, Scope},
    page::{Page, PageRequest},
};

/// Filters of the organisation list; every one is optional and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct OrganizationFilter {
    /// Kind.
    pub kind: Option<OrganizationKind>,
    /// Level.
    pub level: Option<Level>,
    /// Direct parent.
    pub parent_id: Option<Uuid>,
    /// Region code.
    pub region_code: Option<String>,
    /// Municipality code.
    pub municipality_code: Option<String>,
    /// Name contains (case-insensitive, ё = е).
    pub name: Option<String>,
    /// Only open (`Some(false)`) or only closed (`Some(true)`).
    pub closed: Option<bool>,
    /// Exact ИНН (the natural key of imports).
    pub inn: Option<String>,
}

/// Storage of organisations. Every method applies the caller's scope inside its query; every
/// change writes its audit record and outbox event in the same transaction.
#[async_trait]
pub trait OrganizationRepository: Send + Sync {
    /// Reads one organisation visible in the scope.
    async fn get(&self, scope: &Scope, id: Uuid) -> DomainResult<Organization>;
    /// Reads the organisations `ids` visible in the scope, in one query; those not found or
    /// outside the scope are left out (order by id).
    async fn get_many(&self, scope: &Scope, ids: &[Uuid]) -> DomainResult<Vec<Organization>>;
    /// Lists organisations visible in the scope.
    async fn list(
        &self,
        scope: &Scope,
        filter: &OrganizationFilter,
        page: PageRequest,
    ) -> DomainResult<Page<Organization>>;
    /// Which of the organisations `ids` are visible in the scope (their ids only: a batched
    /// check, e.g. of the organisations an import's records name).
    async fn visible(&self, scope: &Scope, ids: &[Uuid]) -> DomainResult<Vec<Uuid>>;
    /// Creates an organisation (already validated against its parent).
    async fn create(&self, ctx: &Ctx, new: NewOrganization) -> DomainResult<Organization>;
    /// Applies changes when the stored version equals `expected_version`.
    async fn update(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        changes: NewOrganization,
    ) -> DomainResult<Organization>;
    /// Closes an organisation on a date.
    async fn close(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        closed_on: NaiveDate,
    ) -> DomainResult<Organization>;
}
