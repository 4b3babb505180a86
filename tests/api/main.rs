//! Black-box API tests. They run on SQLite by default and on PostgreSQL when
//! `TEST_DATABASE_URL` is set; each test starts its own server on a fresh database.

#![expect(clippy::unwrap_used, clippy::expect_used, reason = "a test harness fails loudly on what it did not expect")]

mod agreement_documents;
mod agreements;
mod allowed_actions;
mod attachments;
mod auth;
mod calendars;
mod changes;
mod diagnostics;
mod disclosure;
mod edge_safety;
mod errors;
mod event_participation;
mod exports;
mod exports_incremental;
mod faults;
mod feed_by_role;
mod idempotency;
mod import_jobs;
mod imports;
mod imports_development;
mod imports_exchange;
mod imports_json;
mod imports_reimport;
mod imports_results;
mod imports_strategies;
mod limits;
mod linked_steps;
mod monitoring;
mod monitoring_definitions;
mod monitoring_over_time;
mod monitoring_seed;
mod network_requests;
mod network_requests_depth;
mod offerings;
mod oidc;
mod openapi;
mod operations;
mod organizations;
mod personal_data;
mod personal_data_duties;
mod persons;
mod request_numbering;
mod route_integrity;
mod routes;
mod scope;
mod scope_matrix;
mod screens;
mod security_auth;
mod security_review;
mod subjects;
mod webhooks;
