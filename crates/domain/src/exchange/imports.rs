//! Bulk imports: options, the summary, and the unit of work every line of an import runs in.
//!
//! An import is a sequence of records applied through the resources' own actions (the same
//! rules, scope checks, audit and outbox as the API). Every line runs in a nested unit (a
//! savepoint), so a failing line leaves nothing behind; the whole import runs in one unit that
//! is committed only when every line passed (all-or-nothing), or in batches when good lines are
//! to be kept.

use async_trait::async_trait;
use uuid::Uuid;

use crate::{
    DomainResult, FieldError, Msg,
    agreements::AgreementRepository,
    auth::{Ctx, Role},
    deadlines::{CalendarRepository, DeadlinePolicyRepository},
    development::{
        competencies::CompetencyRepository, diagnostics::DiagnosticRepository, events::OfferingRepository,
        mentoring::MentoringRepository, programs::ProgramRepository,
    },
    network_requests::NetworkRequestRepository,
    organizations::OrganizationRepository,
    persons::PersonRepository,
};

/// Roles that may import a dataset unless it names its own (each record is checked again by its
/// action): the region's administration and operator, municipalities and organisations.
pub const IMPORTERS: &[Role] = &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization];

/// Refuses (403) a caller whose role may not import a dataset written by `writers` — before any
/// of the body is read or a job is queued; every record is then checked by its own action.
pub fn authorize_import(ctx: &Ctx, writers: &[Role]) -> DomainResult<()> {
    ctx.actor.require(writers)
}

/// Whether existing records may be changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportMode {
    /// Only create; a record that matches an existing one is rejected.
    Create,
    /// Create or update the matching record (as a merge patch).
    #[default]
    Upsert,
    /// Only update: a record that matches nothing is rejected (`not_found`), never created.
    Update,
    /// Delete the matching record (where the resource may be deleted); a record that matches
    /// nothing is rejected (`not_found`).
    Delete,
}

impl ImportMode {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Upsert => "upsert",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "create" => Some(Self::Create),
            "upsert" => Some(Self::Upsert),
            "update" => Some(Self::Update),
            "delete" => Some(Self::Delete),
            _ => None,
        }
    }
}

/// How records are matched with existing ones: by id or by a natural key (`inn`, `snils`, …),
/// as DHIS2's `idScheme`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdScheme(pub String);

impl IdScheme {
    /// Matching by the record's `id`.
    pub fn id() -> Self {
        Self("id".into())
    }

    /// The scheme's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The schemes references to other resources are given in (`id` by default; see the import
/// service's `refs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefSchemes {
    /// Organisations: `id`, `inn` or `municipality_code`.
    pub organization: IdScheme,
    /// Persons: `id` or `snils`.
    pub person: IdScheme,
    /// Competencies: `id` or `code`.
    pub competency: IdScheme,
}

impl Default for RefSchemes {
    fn default() -> Self {
        Self { organization: IdScheme::id(), person: IdScheme::id(), competency: IdScheme::id() }
    }
}

/// Options of one import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// Validate and count, write nothing.
    pub dry_run: bool,
    /// Create only, or create and update.
    pub mode: ImportMode,
    /// All-or-nothing (default) or keep the good lines.
    pub atomic: bool,
    /// How records are matched.
    pub id_scheme: IdScheme,
    /// How records name the resources they refer to.
    pub ref_schemes: RefSchemes,
    /// Whether the summary reports every line's result ([`LineResult`], `results=lines`).
    pub line_results: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            dry_run: false,
            mode: ImportMode::Upsert,
            atomic: true,
            id_scheme: IdScheme::id(),
            ref_schemes: RefSchemes::default(),
            line_results: false,
        }
    }
}

/// What a line did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new record.
    Created,
    /// An existing record changed.
    Updated,
    /// An existing record already held these values (nothing written).
    Unchanged,
    /// An existing record was deleted.
    Deleted,
}

impl Outcome {
    /// The outcome for the record of an id.
    pub fn of(self, id: Uuid) -> Applied {
        Applied { outcome: self, id: Some(id) }
    }

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Unchanged => "unchanged",
            Self::Deleted => "deleted",
        }
    }
}

/// What a line did, and to which record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// What it did.
    pub outcome: Outcome,
    /// The record it created, changed, found unchanged or deleted (none where a line writes no
    /// record of its own).
    pub id: Option<Uuid>,
}

/// Per-line results the summary keeps at most (`results=lines`); a larger body streams them.
pub const MAX_LINE_RESULTS: usize = 10_000;

/// The result of one line (`results=lines`): `created`, `updated`, `unchanged`, `deleted` or
/// `rejected`, with the record's id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LineResult {
    /// Line number in the body.
    pub line: u64,
    /// `created`, `updated`, `unchanged`, `deleted` or `rejected`.
    pub result: String,
    /// The record's id (none for a rejected line).
    pub id: Option<Uuid>,
}

/// One rejected field of one line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportError {
    /// Line number in the body (1-based; for CSV the header is line 1). 0 for the whole body.
    pub line: u64,
    /// Field path, or `$` for the whole line.
    pub field: String,
    /// Stable code (`malformed`, `required`, `invalid_snils`, `exists`, `conflict`, …).
    pub code: String,
    /// What is wrong, in both languages.
    pub message: Msg,
    /// The offending value as given (masked where it is personal data); none where the line
    /// holds no value at the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl ImportError {
    /// An error of a line from a field error.
    pub fn of(line: u64, e: FieldError) -> Self {
        Self { line, field: e.field, code: e.code, message: e.message, value: None }
    }
}

/// The answer to an import.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportSummary {
    /// Records read.
    pub received: u64,
    /// Records that created a resource.
    pub created: u64,
    /// Records that changed a resource.
    pub updated: u64,
    /// Records equal to the stored resource.
    pub unchanged: u64,
    /// Records that deleted a resource.
    #[serde(default)]
    pub deleted: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Whether the good lines were written (false for a dry run and for an all-or-nothing
    /// import with a rejected line).
    pub committed: bool,
    /// Every error, with its line and field.
    pub errors: Vec<ImportError>,
    /// Every line's result, when asked (at most [`MAX_LINE_RESULTS`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LineResult>,
}

impl ImportSummary {
    /// Counts a line's outcome.
    pub fn count(&mut self, o: Outcome) {
        match o {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Deleted => self.deleted += 1,
        }
    }

    /// Records a rejected line with its errors.
    pub fn reject(&mut self, line: u64, errors: Vec<FieldError>) {
        self.reject_with_values(line, errors.into_iter().map(|e| ImportError::of(line, e)).collect());
    }

    /// Records a rejected line with its errors, their values already shown.
    pub fn reject_with_values(&mut self, line: u64, errors: Vec<ImportError>) {
        debug_assert!(errors.iter().all(|e| e.line == line));
        self.rejected += 1;
        self.errors.extend(errors);
    }
}

/// A unit of work: every repository bound to one transaction. Repositories obtained here see
/// the unit's own uncommitted writes; nothing is visible to others before `commit`.
#[async_trait]
pub trait Unit: Send + Sync {
    /// Organisations inside the unit.
    fn organizations(&self) -> &dyn OrganizationRepository;
    /// Persons inside the unit.
    fn persons(&self) -> &dyn PersonRepository;
    /// The competency framework inside the unit.
    fn competencies(&self) -> &dyn CompetencyRepository;
    /// Programmes (ДПП) inside the unit.
    fn programs(&self) -> &dyn ProgramRepository;
    /// Diagnostic campaigns and results inside the unit.
    fn diagnostics(&self) -> &dyn DiagnosticRepository;
    /// Purposes and bases of processing inside the unit.
    fn personal_data(&self) -> &dyn crate::personal_data::PersonalDataRepository;
    /// Events and internship sites inside the unit.
    fn offerings(&self) -> &dyn OfferingRepository;
    /// Mentoring pairs inside the unit.
    fn mentoring(&self) -> &dyn MentoringRepository;
    /// Network requests inside the unit.
    fn network_requests(&self) -> &dyn NetworkRequestRepository;
    /// Deadline policies inside the unit (read by drafting requests).
    fn deadline_policies(&self) -> &dyn DeadlinePolicyRepository;
    /// Working-day calendars inside the unit (read by the terms of requests).
    fn calendars(&self) -> &dyn CalendarRepository;
    /// Agreements (and their indicator values) inside the unit.
    fn agreements(&self) -> &dyn AgreementRepository;
    /// Individual routes inside the unit (a route's places at internship sites are counted and
    /// taken in one).
    fn routes(&self) -> &dyn crate::development::iom::RouteRepository;
    /// Import jobs inside the unit (a job's checkpoint commits with its records).
    fn import_jobs(&self) -> &dyn super::jobs::ImportJobRepository;
    /// A nested unit (a savepoint) whose writes can be undone alone.
    async fn nested(&self) -> DomainResult<Box<dyn Unit>>;
    /// Makes the unit's writes permanent (or part of the enclosing unit).
    async fn commit(self: Box<Self>) -> DomainResult<()>;
    /// Undoes the unit's writes.
    async fn rollback(self: Box<Self>) -> DomainResult<()>;
}

/// Ends a unit with the outcome of the work done in it: commits it when the work succeeded,
/// rolls it back (nothing half-written) when it failed.
pub async fn finish<T>(unit: Box<dyn Unit>, done: DomainResult<T>) -> DomainResult<T> {
    match done {
        Ok(v) => {
            unit.commit().await?;
            Ok(v)
        }
        Err(e) => {
            unit.rollback().await?;
            Err(e)
        }
    }
}

/// Begins units of work.
#[async_trait]
pub trait UnitOfWork: Send + Sync {
    /// Begins a unit (a write transaction).
    async fn begin(&self) -> DomainResult<Box<dyn Unit>>;
}
