//! Professional development of teachers and managers (DOMAIN §5–6): the competency framework,
//! deficit diagnostics and their results, derived deficits, the programme catalogue and
//! individual educational routes (ИОМ).

pub mod competencies;
pub mod diagnostics;
pub mod events;
pub mod gaps;
pub mod iom;
pub mod mentoring;
pub mod participation;
pub mod programs;

use crate::{FieldError, Msg, error::Errors};

/// Trims a text field, enforcing presence and a maximum length in characters.
pub(crate) fn text(e: &mut Errors, field: &str, v: Option<String>, max: usize, required: bool) -> Option<String> {
    let v = v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    match v {
        None if required => {
            e.push(FieldError::required(field));
            None
        }
        Some(s) if s.chars().count() > max => {
            e.push(FieldError::new(
                field,
                "too_long",
                Msg::new(format!("Не длиннее {max} символов"), format!("At most {max} characters")),
            ));
            None
        }
        v => v,
    }
}

/// Records a missing required value.
pub(crate) fn required<T>(e: &mut Errors, field: &str, v: Option<T>) -> Option<T> {
    if v.is_none() {
        e.push(FieldError::required(field));
    }
    v
}

/// The error of a value that should have been checked already.
pub(crate) fn lost(what: &str) -> crate::DomainError {
    crate::DomainError::internal(format!("{what} validation lost a field"))
}
