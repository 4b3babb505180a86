//! Domain of rsnms: the rules and types of the regional system of methodological support for
//! teachers (РСНМС), and the repository traits that persistence implements.
//!
//! This crate knows neither HTTP nor SQL. Dependencies point inward: `http → domain ← persistence`.

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

pub mod accounts;
pub mod actions;
pub mod agreements;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod changes;
pub mod clock;
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

pub use error::{DomainError, DomainResult, FieldError, InternalError, Msg};
