//! The subject access report (152-ФЗ art. 14): everything held about a person and who read her
//! personal data when.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{PersonalDataRepository, ProcessingBasis};
use crate::{
    DomainResult,
    audit::{AuditFilter, AuditRecord, AuditRepository},
    auth::Ctx,
    development::{
        diagnostics::{DiagnosticRepository, DiagnosticResult},
        iom::{Route, RouteFilter, RouteRepository},
    },
    page::{MAX_LIMIT, PageRequest},
    persons::{Person, PersonRepository},
};

/// A network request that names the person as its author (by e-mail, or by surname and first
/// name), as the report lists it: the register's fields, not its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestMention {
    /// Request id.
    pub id: Uuid,
    /// Outgoing number, once sent.
    pub outgoing_number: Option<String>,
    /// Subject line.
    pub subject: Option<String>,
    /// Status.
    pub status: String,
    /// Sent on.
    pub sent_on: Option<NaiveDate>,
}

/// Everything held about a person.
#[derive(Debug, Clone)]
pub struct AccessReport {
    /// The person as stored (personal data included).
    pub person: Person,
    /// When she was depersonalised, if she was.
    pub depersonalised_at: Option<DateTime<Utc>>,
    /// Bases and consents, oldest first.
    pub bases: Vec<ProcessingBasis>,
    /// Diagnostic results.
    pub results: Vec<DiagnosticResult>,
    /// Individual routes.
    pub routes: Vec<Route>,
    /// Network requests naming her.
    pub requests: Vec<RequestMention>,
    /// Reads of her personal data, oldest first (this report's own read included).
    pub reads: Vec<AuditRecord>,
    /// When the report was made.
    pub generated_at: DateTime<Utc>,
}

/// The repositories the report reads.
pub struct ReportSources<'a> {
    /// Persons.
    pub persons: &'a dyn PersonRepository,
    /// Bases and requests naming her.
    pub personal_data: &'a dyn PersonalDataRepository,
    /// Results.
    pub diagnostics: &'a dyn DiagnosticRepository,
    /// Routes.
    pub routes: &'a dyn RouteRepository,
    /// The audit trail.
    pub audit: &'a dyn AuditRepository,
}

/// Builds the report: roles that may read the person and her personal data (404 outside the
/// scope, 403 inside it for a role that sees no personal data); the report is itself audited as
/// a read of her personal data.
pub async fn subject_access_report(src: ReportSources<'_>, ctx: &Ctx, person_id: Uuid) -> DomainResult<AccessReport> {
    let person = super::bases::readable_person(src.personal_data, src.persons, ctx, person_id).await?;
    src.audit.record_reads(ctx, "person", &[person_id]).await?;
    let bases = src.personal_data.bases_of(&[person_id]).await?;
    let depersonalised_at = src.personal_data.depersonalised_at(person_id).await?;
    let results = src.diagnostics.person_results(person_id).await?;
    let requests = src.personal_data.requests_naming(&person).await?;
    let mut routes = Vec::new();
    let filter = RouteFilter { person_id: Some(person_id), ..RouteFilter::default() };
    let mut page = PageRequest { limit: MAX_LIMIT, after: None, ..PageRequest::default() };
    loop {
        let found = src.routes.list(&crate::auth::Scope::All, &filter, page.clone()).await?;
        routes.extend(found.items);
        match found.next_after {
            Some(a) => page.after = Some(a),
            None => break,
        }
    }
    let mut reads = Vec::new();
    let filter = AuditFilter {
        resource_type: Some("person".into()),
        resource_id: Some(person_id),
        action: Some("read_personal_data".into()),
        ..AuditFilter::default()
    };
    let mut page = PageRequest { limit: MAX_LIMIT, after: None, ..PageRequest::default() };
    loop {
        let found = src.audit.list(&filter, page.clone()).await?;
        reads.extend(found.items);
        match found.next_after {
            Some(a) => page.after = Some(a),
            None => break,
        }
    }
    Ok(AccessReport { person, depersonalised_at, bases, results, routes, requests, reads, generated_at: Utc::now() })
}
