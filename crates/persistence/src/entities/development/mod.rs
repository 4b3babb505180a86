//! Tables of professional development: competencies, diagnostics, programmes, routes.

pub mod competencies;
pub mod diagnostic_campaigns;
pub mod diagnostic_results;
pub mod individual_routes;
pub mod program_competencies;
pub mod programs;
pub mod route_evidence;
