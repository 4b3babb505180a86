//! Black-box API tests. They run on SQLite by default and on PostgreSQL when
//! `TEST_DATABASE_URL` is set; each test starts its own server on a fresh database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod agreements;
mod auth;
mod calendars;
mod changes;
mod diagnostics;
mod errors;
mod faults;
mod idempotency;
mod imports;
mod limits;
mod monitoring;
mod monitoring_seed;
mod network_requests;
mod offerings;
mod openapi;
mod operations;
mod organizations;
mod persons;
mod routes;
mod scope;
mod scope_matrix;
mod webhooks;
