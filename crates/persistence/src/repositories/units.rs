//! Units of work: every repository bound to one transaction, for imports that must be
//! all-or-nothing. The repositories are the usual ones (`Store::new` over a handle bound to
//! the transaction), so no rule or query is duplicated; their own transactions become
//! savepoints of the unit.

use async_trait::async_trait;
use rsnms_domain::{
    DomainResult,
    agreements::AgreementRepository,
    deadlines::{CalendarRepository, DeadlinePolicyRepository},
    development::{
        competencies::CompetencyRepository, diagnostics::DiagnosticRepository, events::OfferingRepository,
        mentoring::MentoringRepository, programs::ProgramRepository,
    },
    exchange::{Unit, UnitOfWork},
    network_requests::NetworkRequestRepository,
    organizations::OrganizationRepository,
    persons::PersonRepository,
};

use crate::{Database, Store};

/// Begins units of work over the database.
#[derive(Debug, Clone)]
pub struct Units {
    pub(crate) db: Database,
}

/// One unit: the repositories over its transaction.
pub struct UnitStore {
    db: Database,
    store: Store,
}

impl UnitStore {
    fn over(db: Database) -> Self {
        Self { store: Store::new(db.clone()), db }
    }

    /// The repositories inside the unit.
    pub fn store(&self) -> &Store {
        &self.store
    }

    async fn finish(self, commit: bool) -> DomainResult<()> {
        let Self { db, store } = self;
        drop(store);
        db.finish_unit(commit).await
    }
}

#[async_trait]
impl UnitOfWork for Units {
    async fn begin(&self) -> DomainResult<Box<dyn Unit>> {
        Ok(Box::new(UnitStore::over(self.db.begin_unit().await?)))
    }
}

#[async_trait]
impl Unit for UnitStore {
    fn organizations(&self) -> &dyn OrganizationRepository {
        self.store.organizations.as_ref()
    }

    fn persons(&self) -> &dyn PersonRepository {
        self.store.persons.as_ref()
    }

    fn competencies(&self) -> &dyn CompetencyRepository {
        self.store.competencies.as_ref()
    }

    fn programs(&self) -> &dyn ProgramRepository {
        self.store.programs.as_ref()
    }

    fn diagnostics(&self) -> &dyn DiagnosticRepository {
        self.store.diagnostics.as_ref()
    }

    fn personal_data(&self) -> &dyn rsnms_domain::personal_data::PersonalDataRepository {
        self.store.personal_data.as_ref()
    }

    fn offerings(&self) -> &dyn OfferingRepository {
        self.store.offerings.as_ref()
    }

    fn mentoring(&self) -> &dyn MentoringRepository {
        self.store.mentoring.as_ref()
    }

    fn network_requests(&self) -> &dyn NetworkRequestRepository {
        self.store.network_requests.as_ref()
    }

    fn deadline_policies(&self) -> &dyn DeadlinePolicyRepository {
        self.store.deadline_policies.as_ref()
    }

    fn calendars(&self) -> &dyn CalendarRepository {
        self.store.calendars.as_ref()
    }

    fn agreements(&self) -> &dyn AgreementRepository {
        self.store.agreements.as_ref()
    }

    fn routes(&self) -> &dyn rsnms_domain::development::iom::RouteRepository {
        self.store.routes.as_ref()
    }

    fn import_jobs(&self) -> &dyn rsnms_domain::exchange::ImportJobRepository {
        self.store.import_jobs.as_ref()
    }

    async fn nested(&self) -> DomainResult<Box<dyn Unit>> {
        Ok(Box::new(UnitStore::over(self.db.begin_unit().await?)))
    }

    async fn commit(self: Box<Self>) -> DomainResult<()> {
        self.finish(true).await
    }

    async fn rollback(self: Box<Self>) -> DomainResult<()> {
        self.finish(false).await
    }
}
