//! Professional development of teachers and managers (DOMAIN §5–6): the competency framework,
//! deficit diagnostics and their results, derived deficits, the programme catalogue and
//! individual educational routes (ИОМ).

/// Declares a wire enum: snake_case on the wire, `as_str`/`parse`, and an OpenAPI schema.
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vm])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire),+
                }
            }

            /// Parses a wire name.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

pub mod competencies;
pub mod diagnostics;
pub mod events;
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
