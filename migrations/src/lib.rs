//! Database schema of rsnms, one file per migration. Runs on SQLite and PostgreSQL alike.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_foundation;
mod m20261123_000100_network_requests;
mod m20261123_000200_agreements;
mod m20261123_000300_development;
mod m20261123_000400_exchange;
mod m20261123_000500_monitoring;
mod m20261124_000100_import_jobs;
mod m20261124_000100_monitoring_definitions;
mod m20261125_000100_responsible_person;
mod m20261126_000100_request_numbering_version;
mod m20261126_000200_person_subjects;
mod m20261201_000100_route_done_programme_steps;
mod m20261201_000200_outbox_publication_indexes;
mod m20261206_000101_account_lifecycle;
mod m20261206_000201_outbox_counterpart;
mod m20261206_000501_request_received_at;
mod m20261206_000502_request_breach;
mod m20261206_000503_due_soon_lead;
mod m20261206_000601_idempotency_leases;
mod m20261206_000801_request_forwarding;
mod m20261206_b00001_route_templates;
mod m20261206_e00001_territory_indexes;
mod m20261207_200001_account_identities;
mod m20261207_300001_personal_data;
mod m20261207_400001_sort_indexes;
mod m20261207_400002_more_sort_indexes;
mod m20261207_600001_event_participants;
mod m20261207_600002_route_versions;
mod m20261208_100001_request_personal_data_removed;
mod m20261208_300001_attachments;
mod m20261208_500001_evidence_rating;
mod m20261208_600001_employments;
mod schema_helpers;

pub use m20261206_000501_request_received_at::backfill_received_at;

/// All migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_foundation::Migration),
            Box::new(m20261123_000100_network_requests::Migration),
            Box::new(m20261123_000200_agreements::Migration),
            Box::new(m20261123_000300_development::Migration),
            Box::new(m20261123_000400_exchange::Migration),
            Box::new(m20261123_000500_monitoring::Migration),
            Box::new(m20261124_000100_import_jobs::Migration),
            Box::new(m20261124_000100_monitoring_definitions::Migration),
            Box::new(m20261125_000100_responsible_person::Migration),
            Box::new(m20261126_000100_request_numbering_version::Migration),
            Box::new(m20261126_000200_person_subjects::Migration),
            Box::new(m20261201_000100_route_done_programme_steps::Migration),
            Box::new(m20261201_000200_outbox_publication_indexes::Migration),
            Box::new(m20261206_000101_account_lifecycle::Migration),
            Box::new(m20261206_000201_outbox_counterpart::Migration),
            Box::new(m20261206_000501_request_received_at::Migration),
            Box::new(m20261206_000502_request_breach::Migration),
            Box::new(m20261206_000503_due_soon_lead::Migration),
            Box::new(m20261206_000601_idempotency_leases::Migration),
            Box::new(m20261206_000801_request_forwarding::Migration),
            Box::new(m20261207_200001_account_identities::Migration),
            Box::new(m20261207_600001_event_participants::Migration),
            Box::new(m20261207_300001_personal_data::Migration),
            Box::new(m20261207_400001_sort_indexes::Migration),
            Box::new(m20261207_600002_route_versions::Migration),
            Box::new(m20261207_400002_more_sort_indexes::Migration),
            Box::new(m20261208_100001_request_personal_data_removed::Migration),
            Box::new(m20261208_300001_attachments::Migration),
            Box::new(m20261208_500001_evidence_rating::Migration),
            Box::new(m20261208_600001_employments::Migration),
            Box::new(m20261206_b00001_route_templates::Migration),
            Box::new(m20261206_e00001_territory_indexes::Migration),
        ]
    }
}
