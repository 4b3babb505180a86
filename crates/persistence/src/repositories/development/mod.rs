//! Repositories of professional development: competencies, diagnostics, programmes, routes.

mod competencies;
mod diagnostics;
mod mentoring;
mod offerings;
mod participation;
mod programs;
mod route_templates;
mod routes;

pub use competencies::CompetencyStore;
pub use diagnostics::DiagnosticStore;
pub use mentoring::MentoringStore;
pub use offerings::OfferingStore;
pub use participation::ParticipationStore;
pub use programs::ProgramStore;
pub use route_templates::RouteTemplateStore;
pub use routes::RouteStore;

use rsnms_domain::DomainError;
use serde::{Serialize, de::DeserializeOwned};

/// A value as a JSON column.
pub(crate) fn to_json<T: Serialize>(v: &T) -> Result<serde_json::Value, DomainError> {
    serde_json::to_value(v).map_err(|e| DomainError::internal_caused("serialising", e))
}

/// A JSON column as a value.
pub(crate) fn from_json<T: DeserializeOwned>(v: serde_json::Value) -> Result<T, DomainError> {
    serde_json::from_value(v).map_err(|e| DomainError::internal_caused("reading a stored document", e))
}

/// A stored wire name as its enum.
pub(crate) fn parse<T>(s: &str, f: impl Fn(&str) -> Option<T>) -> Result<T, DomainError> {
    f(s).ok_or_else(|| DomainError::internal(format!("unknown stored value {s}")))
}
