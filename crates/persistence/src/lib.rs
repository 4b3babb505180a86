//! Persistence of rsnms: sea-orm entities and the repository implementations of the domain's
//! traits, on SQLite (the zero-set-up default) and PostgreSQL (production and scale).

mod bulk;
pub mod db;
pub mod entities;
mod error;
mod journal;
pub mod keyset;
pub mod repositories;
mod scope;
mod versioned;

pub use db::{Database, DbSettings};
pub use repositories::Store;
