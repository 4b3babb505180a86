//! Additional professional programmes (ДПП): the catalogue routes draw on, federal-registry
//! programmes first (DOMAIN §6).

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{
    competencies::{CompetencyRepository, NodeKind},
    lost, required, text,
};
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Role},
    error::Errors,
    organizations::OrganizationRepository,
    page::{Page, PageRequest},
};

wire_enum! {
    /// Kind of a programme.
    ProgramKind {
        /// Повышение квалификации (не менее 16 часов).
        QualificationUpgrade = "qualification_upgrade",
        /// Профессиональная переподготовка (не менее 250 часов).
        Retraining = "retraining",
    }
}

impl ProgramKind {
    /// The least number of hours of the kind.
    pub fn min_hours(self) -> i32 {
        match self {
            ProgramKind::QualificationUpgrade => 16,
            ProgramKind::Retraining => 250,
        }
    }
}

wire_enum! {
    /// Form of study.
    StudyForm {
        /// Очная.
        InPerson = "in_person",
        /// Дистанционная.
        Distance = "distance",
        /// Смешанная.
        Blended = "blended",
    }
}

/// A programme.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: ProgramKind,
    /// Hours.
    pub hours: i32,
    /// Form.
    pub form: StudyForm,
    /// Developer organisation.
    pub developer_id: Uuid,
    /// Target audience.
    pub audience: Option<String>,
    /// Annotation.
    pub annotation: Option<String>,
    /// Planned results.
    pub planned_results: Option<String>,
    /// Competencies it develops.
    pub competency_ids: Vec<Uuid>,
    /// In the federal registry of DPP.
    pub federal_registry: bool,
    /// Id in the federal registry.
    pub registry_id: Option<String>,
    /// Date of inclusion in the registry.
    pub registry_included_on: Option<NaiveDate>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version.
    pub version: i64,
}

/// A programme as a client describes it.
#[derive(Debug, Clone, Default)]
pub struct ProgramInput {
    /// Title.
    pub title: Option<String>,
    /// Kind.
    pub kind: Option<ProgramKind>,
    /// Hours.
    pub hours: Option<i32>,
    /// Form.
    pub form: Option<StudyForm>,
    /// Developer.
    pub developer_id: Option<Uuid>,
    /// Audience.
    pub audience: Option<String>,
    /// Annotation.
    pub annotation: Option<String>,
    /// Planned results.
    pub planned_results: Option<String>,
    /// Competencies.
    pub competency_ids: Vec<Uuid>,
    /// Federal registry flag.
    pub federal_registry: Option<bool>,
    /// Registry id.
    pub registry_id: Option<String>,
    /// Inclusion date.
    pub registry_included_on: Option<NaiveDate>,
}

impl From<&Program> for ProgramInput {
    fn from(p: &Program) -> Self {
        Self {
            title: Some(p.title.clone()),
            kind: Some(p.kind),
            hours: Some(p.hours),
            form: Some(p.form),
            developer_id: Some(p.developer_id),
            audience: p.audience.clone(),
            annotation: p.annotation.clone(),
            planned_results: p.planned_results.clone(),
            competency_ids: p.competency_ids.clone(),
            federal_registry: Some(p.federal_registry),
            registry_id: p.registry_id.clone(),
            registry_included_on: p.registry_included_on,
        }
    }
}

/// A validated programme.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProgram {
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: ProgramKind,
    /// Hours.
    pub hours: i32,
    /// Form.
    pub form: StudyForm,
    /// Developer.
    pub developer_id: Uuid,
    /// Audience.
    pub audience: Option<String>,
    /// Annotation.
    pub annotation: Option<String>,
    /// Planned results.
    pub planned_results: Option<String>,
    /// Competencies.
    pub competency_ids: Vec<Uuid>,
    /// Federal registry flag.
    pub federal_registry: bool,
    /// Registry id.
    pub registry_id: Option<String>,
    /// Inclusion date.
    pub registry_included_on: Option<NaiveDate>,
}

/// Filters of the programme list.
#[derive(Debug, Clone, Default)]
pub struct ProgramFilter {
    /// Develops this competency.
    pub competency_id: Option<Uuid>,
    /// Kind.
    pub kind: Option<ProgramKind>,
    /// Form.
    pub form: Option<StudyForm>,
    /// In the federal registry.
    pub federal_registry: Option<bool>,
}

/// Storage of programmes.
#[async_trait]
pub trait ProgramRepository: Send + Sync {
    /// Reads a programme.
    async fn get(&self, id: Uuid) -> DomainResult<Program>;
    /// Lists programmes.
    async fn list(&self, filter: &ProgramFilter, page: PageRequest) -> DomainResult<Page<Program>>;
    /// The programme with this federal registry id (реестровый номер), if any.
    async fn by_registry_id(&self, registry_id: &str) -> DomainResult<Option<Program>>;
    /// Every programme developing any of these competencies.
    async fn covering(&self, competency_ids: &[Uuid]) -> DomainResult<Vec<Program>>;
    /// Creates a programme.
    async fn create(&self, ctx: &Ctx, new: NewProgram) -> DomainResult<Program>;
    /// Replaces a programme when the version matches.
    async fn update(&self, ctx: &Ctx, id: Uuid, expected_version: i64, new: NewProgram) -> DomainResult<Program>;
}

/// Roles that add and change programmes.
pub const WRITERS: &[Role] = &[Role::Admin, Role::Operator];
/// Roles that read the catalogue: every role (it is public).
pub const READERS: &[Role] = &Role::ALL;

/// The most characters of a title.
pub const TITLE_MAX: usize = 1000;
/// The most characters of the target audience.
pub const AUDIENCE_MAX: usize = 1000;
/// The most characters of the annotation and of the planned results.
pub const ANNOTATION_MAX: usize = 8000;
/// The most competencies a programme develops.
pub const COMPETENCIES_MAX: usize = 100;
/// The most characters of the federal registry id.
pub const REGISTRY_ID_MAX: usize = 64;
/// The most hours of a programme.
pub const HOURS_MAX: i32 = 5000;

/// Every length limit of a programme's fields, by field: the contract states the same numbers
/// (`maxLength`/`maxItems` of `ProgramWrite`), which a test compares with this list.
pub const LIMITS: &[(&str, usize)] = &[
    ("title", TITLE_MAX),
    ("audience", AUDIENCE_MAX),
    ("annotation", ANNOTATION_MAX),
    ("planned_results", ANNOTATION_MAX),
    ("competency_ids", COMPETENCIES_MAX),
    ("registry_id", REGISTRY_ID_MAX),
];

async fn validate(
    comps: &dyn CompetencyRepository,
    orgs: &dyn OrganizationRepository,
    ctx: &Ctx,
    input: ProgramInput,
) -> DomainResult<NewProgram> {
    let mut e = Errors::new();
    let title = text(&mut e, "title", input.title, TITLE_MAX, true);
    let kind = required(&mut e, "kind", input.kind);
    let hours = required(&mut e, "hours", input.hours);
    if let (Some(k), Some(h)) = (kind, hours)
        && (h < k.min_hours() || h > HOURS_MAX)
    {
        e.push(FieldError::new(
            "hours",
            "out_of_range",
            Msg::new(
                format!("Для этого вида программы — не менее {} часов", k.min_hours()),
                format!("This kind of programme needs at least {} hours", k.min_hours()),
            ),
        ));
    }
    let form = required(&mut e, "form", input.form);
    let developer_id = required(&mut e, "developer_id", input.developer_id);
    if let Some(d) = developer_id {
        match orgs.get(&ctx.actor.scope(), d).await {
            Ok(_) => {}
            Err(DomainError::NotFound) => e.push(FieldError::new(
                "developer_id",
                "not_found",
                Msg::new("Организация не найдена", "The organisation does not exist"),
            )),
            Err(other) => return Err(other),
        }
    }
    let audience = text(&mut e, "audience", input.audience, AUDIENCE_MAX, false);
    let annotation = text(&mut e, "annotation", input.annotation, ANNOTATION_MAX, false);
    let planned_results = text(&mut e, "planned_results", input.planned_results, ANNOTATION_MAX, false);
    let found = comps.get_many(&input.competency_ids).await?;
    let mut seen = HashSet::new();
    for (i, id) in input.competency_ids.iter().enumerate() {
        let field = format!("competency_ids[{i}]");
        if !seen.insert(*id) {
            e.push(FieldError::new(field, "duplicate", Msg::new("Повторяется", "Listed twice")));
        } else if !found.iter().any(|c| c.id == *id && c.node == NodeKind::Competency) {
            e.push(FieldError::new(field, "not_found", Msg::new("Компетенция не найдена", "Unknown competency")));
        }
    }
    let federal_registry = input.federal_registry.unwrap_or(false);
    let registry_id = text(&mut e, "registry_id", input.registry_id, REGISTRY_ID_MAX, false);
    if federal_registry {
        if registry_id.is_none() {
            e.push(FieldError::required("registry_id"));
        }
        if input.registry_included_on.is_none() {
            e.push(FieldError::required("registry_included_on"));
        }
    } else if registry_id.is_some() || input.registry_included_on.is_some() {
        e.push(FieldError::new(
            "federal_registry",
            "inconsistent",
            Msg::new(
                "Реквизиты реестра указаны, а признак реестра — нет",
                "Registry details are given but the registry flag is not set",
            ),
        ));
    }
    e.finish()?;
    match (title, kind, hours, form, developer_id) {
        (Some(title), Some(kind), Some(hours), Some(form), Some(developer_id)) => Ok(NewProgram {
            title,
            kind,
            hours,
            form,
            developer_id,
            audience,
            annotation,
            planned_results,
            competency_ids: input.competency_ids,
            federal_registry,
            registry_id,
            registry_included_on: input.registry_included_on,
        }),
        _ => Err(lost("program")),
    }
}

/// The repositories creating and changing a programme use (the `Deps` style, docs/API-DESIGN.md).
#[derive(Clone, Copy)]
pub struct Deps<'a> {
    /// Programmes.
    pub programs: &'a dyn ProgramRepository,
    /// The competency framework (the programme's competencies).
    pub competencies: &'a dyn CompetencyRepository,
    /// Organisations (the provider).
    pub orgs: &'a dyn OrganizationRepository,
}

/// Creates a programme.
pub async fn create_program(deps: Deps<'_>, ctx: &Ctx, input: ProgramInput) -> DomainResult<Program> {
    let Deps { programs: repo, competencies: comps, orgs } = deps;
    ctx.actor.require(WRITERS)?;
    let new = validate(comps, orgs, ctx, input).await?;
    repo.create(ctx, new).await
}

/// Reads a programme (the catalogue is public to every role).
pub async fn get_program(repo: &dyn ProgramRepository, ctx: &Ctx, id: Uuid) -> DomainResult<Program> {
    ctx.actor.require(READERS)?;
    repo.get(id).await
}

/// Lists programmes.
pub async fn list_programs(
    repo: &dyn ProgramRepository,
    ctx: &Ctx,
    filter: &ProgramFilter,
    page: PageRequest,
) -> DomainResult<Page<Program>> {
    ctx.actor.require(READERS)?;
    repo.list(filter, page).await
}

/// Changes a programme with a merge patch.
pub async fn update_program(
    deps: Deps<'_>,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    patch: impl FnOnce(ProgramInput) -> DomainResult<ProgramInput>,
) -> DomainResult<Program> {
    let Deps { programs: repo, competencies: comps, orgs } = deps;
    ctx.actor.require(WRITERS)?;
    let current = repo.get(id).await?;
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    let new = validate(comps, orgs, ctx, patch(ProgramInput::from(&current))?).await?;
    repo.update(ctx, id, expected_version, new).await
}
