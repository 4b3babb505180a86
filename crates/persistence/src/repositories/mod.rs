//! Repository implementations, one per aggregate.

mod accounts;
mod agreements;
mod attachments;
mod audit;
mod calendars;
mod changes;
mod deadline_policies;
mod development;
mod health;
pub(crate) mod idempotency;
mod identities;
mod import_jobs;
mod monitoring;
mod monitoring_definitions;
mod network_requests;
mod organizations;
mod personal_data;
mod persons;
mod secrets;
mod units;
mod webhooks;

use std::sync::Arc;

pub use accounts::AccountStore;
pub use agreements::AgreementStore;
pub use attachments::{AttachmentStore, BlobTable};
pub use audit::AuditStore;
pub use calendars::CalendarStore;
pub use changes::ChangeStore;
pub use deadline_policies::DeadlinePolicyStore;
pub use development::{
    CompetencyStore, DiagnosticStore, MentoringStore, OfferingStore, ParticipationStore, ProgramStore, RouteStore,
    RouteTemplateStore,
};
pub use health::HealthStore;
pub use idempotency::IdempotencyKeys;
pub use import_jobs::ImportJobStore;
pub use monitoring::MonitoringStore;
pub use network_requests::{DEFAULT_NUMBER_FORMAT, NetworkRequestStore};
pub use organizations::OrganizationStore;
pub use personal_data::PersonalDataStore;
pub use persons::PersonStore;
pub use secrets::SecretStore;
pub use units::{UnitStore, Units};
pub use webhooks::WebhookStore;

use crate::Database;

/// Every repository over one database.
#[derive(Clone)]
pub struct Store {
    /// The database.
    pub db: Database,
    /// Organisations.
    pub organizations: Arc<OrganizationStore>,
    /// Persons.
    pub persons: Arc<PersonStore>,
    /// Tripartite agreements.
    pub agreements: Arc<AgreementStore>,
    /// Accounts.
    pub accounts: Arc<AccountStore>,
    /// Audit trail.
    pub audit: Arc<AuditStore>,
    /// Idempotency keys.
    pub idempotency: Arc<IdempotencyKeys>,
    /// Health.
    pub health: Arc<HealthStore>,
    /// Server secrets.
    pub secrets: Arc<SecretStore>,
    /// Units of work (imports).
    pub units: Arc<Units>,
    /// The change feed.
    pub changes: Arc<ChangeStore>,
    /// Webhooks.
    pub webhooks: Arc<WebhookStore>,
    /// Network requests.
    pub network_requests: Arc<NetworkRequestStore>,
    /// References of parents to stored attachments.
    pub attachments: Arc<AttachmentStore>,
    /// Contents of attachments (the database's [`rsnms_domain::attachments::BlobStore`]).
    pub blobs: Arc<BlobTable>,
    /// Deadline policies.
    pub deadline_policies: Arc<DeadlinePolicyStore>,
    /// Production calendar years.
    pub calendars: Arc<CalendarStore>,
    /// Competency framework.
    pub competencies: Arc<CompetencyStore>,
    /// Diagnostic campaigns and results.
    pub diagnostics: Arc<DiagnosticStore>,
    /// Programmes (ДПП).
    pub programs: Arc<ProgramStore>,
    /// Individual educational routes.
    pub routes: Arc<RouteStore>,
    /// Route templates.
    pub route_templates: Arc<RouteTemplateStore>,
    /// Events and internship sites.
    pub offerings: Arc<OfferingStore>,
    /// Mentoring pairs.
    pub mentoring: Arc<MentoringStore>,
    /// Event registrations.
    pub participations: Arc<ParticipationStore>,
    /// Asynchronous import jobs.
    pub import_jobs: Arc<ImportJobStore>,
    /// Purposes and bases of processing; depersonalisation.
    pub personal_data: Arc<PersonalDataStore>,
}

impl Store {
    /// Builds every repository over the database.
    pub fn new(db: Database) -> Self {
        Self {
            organizations: Arc::new(OrganizationStore { db: db.clone() }),
            persons: Arc::new(PersonStore { db: db.clone() }),
            agreements: Arc::new(AgreementStore { db: db.clone() }),
            accounts: Arc::new(AccountStore { db: db.clone() }),
            audit: Arc::new(AuditStore { db: db.clone() }),
            idempotency: Arc::new(IdempotencyKeys { db: db.clone() }),
            health: Arc::new(HealthStore { db: db.clone() }),
            secrets: Arc::new(SecretStore { db: db.clone() }),
            units: Arc::new(Units { db: db.clone() }),
            changes: Arc::new(ChangeStore { db: db.clone() }),
            webhooks: Arc::new(WebhookStore { db: db.clone() }),
            network_requests: Arc::new(NetworkRequestStore { db: db.clone() }),
            attachments: Arc::new(AttachmentStore { db: db.clone() }),
            blobs: Arc::new(BlobTable { db: db.clone() }),
            deadline_policies: Arc::new(DeadlinePolicyStore { db: db.clone() }),
            calendars: Arc::new(CalendarStore { db: db.clone() }),
            competencies: Arc::new(CompetencyStore { db: db.clone() }),
            diagnostics: Arc::new(DiagnosticStore { db: db.clone() }),
            programs: Arc::new(ProgramStore { db: db.clone() }),
            routes: Arc::new(RouteStore { db: db.clone() }),
            route_templates: Arc::new(RouteTemplateStore { db: db.clone() }),
            offerings: Arc::new(OfferingStore { db: db.clone() }),
            mentoring: Arc::new(MentoringStore { db: db.clone() }),
            participations: Arc::new(ParticipationStore { db: db.clone() }),
            import_jobs: Arc::new(ImportJobStore { db: db.clone() }),
            personal_data: Arc::new(PersonalDataStore { db: db.clone() }),
            db,
        }
    }
}
