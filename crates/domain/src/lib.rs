//! Domain of rsnms: the rules and types of the regional system of methodological support for
//! teachers (РСНМС), and the repository traits that persistence implements.
//!
//! This crate knows neither HTTP nor SQL. Dependencies point inward: `http → domain ← persistence`.

pub mod accounts;
pub mod agreements;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod changes;
pub mod deadlines;
pub mod development;
pub mod disclosure;
pub mod error;
pub mod exchange;
pub mod health;
pub mod idempotency;
pub mod identities;
pub mod monitoring;
pub mod network_requests;
pub mod organizations;
pub mod page;
pub mod personal_data;
pub mod persons;
pub mod sign_in;
pub mod text;
pub mod values;

pub use error::{DomainError, DomainResult, FieldError, Msg};
