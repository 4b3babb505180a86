//! Handlers, one action per file, grouped by resource.

pub mod accounts;
pub mod agreements;
pub mod audit;
pub mod auth;
pub mod calendars;
pub mod changes;
pub mod competencies;
pub mod deadline_policies;
pub mod diagnostics;
pub mod event_participants;
pub mod events;
pub mod exports;
pub mod health;
pub mod import_jobs;
pub mod imports;
pub mod individual_routes;
pub mod internship_sites;
pub mod mentoring_pairs;
pub mod monitoring;
pub mod network_requests;
pub mod organizations;
pub mod personal_data;
pub mod persons;
pub mod programs;
pub mod request_numbering;
pub mod webhooks;
