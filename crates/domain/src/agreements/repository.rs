use async_trait::async_trait;
use chrono::NaiveDate;
use uuid::Uuid;

use super::{
    Agreement, AgreementDocument, AgreementStatus, AgreementVersion, Amendment, AmendmentChanges, IndicatorSpec,
    IndicatorValue, Lifecycle,
};
use crate::{
    DomainResult,
    auth::{Ctx, Scope},
    page::{Page, PageRequest},
};

/// Filters of the agreement list; every one is optional and they combine with AND.
#[derive(Debug, Clone)]
pub struct AgreementFilter {
    /// Municipality of the municipal party.
    pub municipality_code: Option<String>,
    /// Status on `today`.
    pub status: Option<AgreementStatus>,
    /// An organisation that is one of the parties.
    pub party_id: Option<Uuid>,
    /// Signed and in force on this date.
    pub valid_on: Option<NaiveDate>,
    /// Signed and in force at some day of this period (inclusive).
    pub active_between: Option<(NaiveDate, NaiveDate)>,
    /// The date statuses are derived for.
    pub today: NaiveDate,
}

impl AgreementFilter {
    /// No filter, statuses as of today (the region's: [`crate::clock::region_today`]).
    pub fn current() -> Self {
        Self::new(crate::clock::region_today())
    }

    /// No filter, statuses as of `today`.
    pub fn new(today: NaiveDate) -> Self {
        Self { municipality_code: None, status: None, party_id: None, valid_on: None, active_between: None, today }
    }
}

/// Where an agreement belongs: the municipal party's territory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Territory {
    /// Region code.
    pub region_code: String,
    /// Municipality code of the municipal party.
    pub municipality_code: String,
    /// Municipality name.
    pub municipality_name: Option<String>,
}

/// A validated agreement, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAgreement {
    /// Draft or signed (a signed one gets its first version, effective from `valid_from`).
    pub lifecycle: Lifecycle,
    /// Territory.
    pub territory: Territory,
    /// The document.
    pub document: AgreementDocument,
}

/// A validated amendment, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAmendment {
    /// Number.
    pub number: String,
    /// Date signed.
    pub signed_on: NaiveDate,
    /// Takes effect on.
    pub effective_from: NaiveDate,
    /// Description.
    pub description: Option<String>,
    /// Changes.
    pub changes: AmendmentChanges,
}

/// A validated actual value, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewIndicatorValue {
    /// Indicator.
    pub indicator_id: Uuid,
    /// Year.
    pub year: i32,
    /// Quarter.
    pub quarter: Option<i16>,
    /// Value.
    pub value: f64,
    /// Source.
    pub source: String,
    /// Comment.
    pub comment: Option<String>,
    /// The indicator as the agreement defines it; the repository raises the value's flags with
    /// [`super::value_flags`] against the values stored, read in the same transaction (the
    /// agreement row locked), so that concurrent reports cannot hide a broken rule.
    pub indicator: IndicatorSpec,
}

/// Storage of agreements, their versions, amendments and actual values. Every method applies the
/// caller's scope inside its query; every change writes its audit record and outbox event in the
/// same transaction.
#[async_trait]
pub trait AgreementRepository: Send + Sync {
    /// Reads one agreement visible in the scope.
    async fn get(&self, scope: &Scope, id: Uuid) -> DomainResult<Agreement>;
    /// Lists agreements visible in the scope.
    async fn list(&self, scope: &Scope, filter: &AgreementFilter, page: PageRequest) -> DomainResult<Page<Agreement>>;
    /// Every agreement visible in the scope that passes the filter (for reports).
    async fn all(&self, scope: &Scope, filter: &AgreementFilter) -> DomainResult<Vec<Agreement>>;
    /// Creates an agreement (and its first version when signed).
    async fn create(&self, ctx: &Ctx, new: NewAgreement) -> DomainResult<Agreement>;
    /// Replaces a draft's document.
    async fn update_draft(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        territory: Territory,
        document: AgreementDocument,
    ) -> DomainResult<Agreement>;
    /// Signs a draft: stores the signed document as version 1, effective from `valid_from`.
    async fn sign(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        document: AgreementDocument,
    ) -> DomainResult<Agreement>;
    /// Terminates a signed agreement.
    async fn terminate(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        on: NaiveDate,
        reason: Option<String>,
    ) -> DomainResult<Agreement>;
    /// Stores an amendment and the version it makes.
    async fn amend(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        amendment: NewAmendment,
        document: AgreementDocument,
    ) -> DomainResult<(Agreement, Amendment)>;
    /// The versions of agreements visible in the scope, by agreement and number.
    async fn versions(&self, scope: &Scope, agreement_ids: &[Uuid]) -> DomainResult<Vec<AgreementVersion>>;
    /// Stores an actual value.
    async fn add_value(&self, ctx: &Ctx, agreement: &Agreement, new: NewIndicatorValue)
    -> DomainResult<IndicatorValue>;
    /// The actual values of agreements visible in the scope, in reporting order.
    async fn values(&self, scope: &Scope, agreement_ids: &[Uuid]) -> DomainResult<Vec<IndicatorValue>>;
}
