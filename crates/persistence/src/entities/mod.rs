//! sea-orm entities: the table shapes, kept apart from the repositories' behaviour.

pub mod accounts;
pub mod audit_log;
pub mod idempotency_keys;
pub mod organizations;
pub mod outbox;
pub mod person_roles;
pub mod persons;
pub mod server_secrets;
