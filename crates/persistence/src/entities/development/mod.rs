//! Tables of professional development: competencies, diagnostics, programmes, events and
//! internship sites, mentoring pairs, routes.

pub mod competencies;
pub mod diagnostic_campaigns;
pub mod diagnostic_results;
pub mod event_participants;
pub mod individual_routes;
pub mod mentoring_pairs;
pub mod offering_competencies;
pub mod offerings;
pub mod program_competencies;
pub mod programs;
pub mod route_evidence;
pub mod route_templates;
pub mod route_versions;
