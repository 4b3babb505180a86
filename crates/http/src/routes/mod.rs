//! Handlers, one action per file, grouped by resource.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod health;
pub mod organizations;
pub mod persons;
