//! Turning database errors into domain errors: constraint violations name their field, lost
//! connections are "unavailable", everything else is internal (and logged, never shown).

use rsnms_domain::{DomainError, DomainResult, Msg};
use sea_orm::{DbErr, SqlErr};

/// Maps a database error. Unique violations become a 409 naming the field when it can be told
/// from the constraint (`fields` lists the unique columns of the table at hand).
pub fn db_err_fields(e: DbErr, fields: &[&str]) -> DomainError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(detail)) => {
            let field = fields.iter().find(|f| detail.contains(*f)).map(|f| (*f).to_owned());
            DomainError::Conflict {
                message: Msg::new(
                    format!("Значение уже занято{}", field.as_ref().map(|f| format!(": {f}")).unwrap_or_default()),
                    format!(
                        "The value is already taken{}",
                        field.as_ref().map(|f| format!(": {f}")).unwrap_or_default()
                    ),
                ),
                field,
                allowed: Vec::new(),
            }
        }
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => DomainError::Conflict {
            field: None,
            message: Msg::new(
                "Запись связана с другими записями",
                "The record is referenced by or refers to other records",
            ),
            allowed: Vec::new(),
        },
        _ => match e {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => DomainError::Unavailable(e.to_string()),
            other => {
                let text = rsnms_domain::error::error_chain(&other);
                if is_connection_error(&text) {
                    DomainError::Unavailable(text)
                } else {
                    DomainError::internal_caused("database", other)
                }
            }
        },
    }
}

fn is_connection_error(text: &str) -> bool {
    [
        "connection refused",
        "pool timed out",
        "broken pipe",
        "connection reset",
        "closed",
        "terminating connection",
        "no connection",
    ]
    .iter()
    .any(|s| text.to_lowercase().contains(s))
}

/// Maps a database error with no unique fields to name.
pub fn db_err(e: DbErr) -> DomainError {
    db_err_fields(e, &[])
}

/// `.db()?` in place of `.map_err(db_err)?`: a database result as a domain result.
pub trait DbResultExt<T> {
    /// Maps a database error ([`db_err`]).
    fn db(self) -> DomainResult<T>;
    /// Maps a database error, naming the table's unique column on a conflict ([`db_err_fields`]).
    fn db_unique(self, fields: &[&str]) -> DomainResult<T>;
}

impl<T> DbResultExt<T> for Result<T, DbErr> {
    fn db(self) -> DomainResult<T> {
        self.map_err(db_err)
    }

    fn db_unique(self, fields: &[&str]) -> DomainResult<T> {
        self.map_err(|e| db_err_fields(e, fields))
    }
}
