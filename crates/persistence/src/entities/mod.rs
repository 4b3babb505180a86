//! sea-orm entities: the table shapes, kept apart from the repositories' behaviour.

pub mod accounts;
pub mod agreement_amendments;
pub mod agreement_indicator_values;
pub mod agreement_versions;
pub mod agreements;
pub mod audit_log;
pub mod calendar_years;
pub mod deadline_policies;
pub mod development;
pub mod exchange_cursors;
pub mod idempotency_keys;
pub mod import_job_chunks;
pub mod import_jobs;
pub mod monitoring_definitions;
pub mod network_request_counters;
pub mod network_request_numbering;
pub mod network_requests;
pub mod organizations;
pub mod outbox;
pub mod outbox_feed;
pub mod person_roles;
pub mod person_subjects;
pub mod persons;
pub mod server_secrets;
pub mod webhook_deliveries;
pub mod webhook_subscriptions;
