//! Mentoring pairs (наставнические пары, RO 3.4.3): a mentor and a mentee in an organisation for a
//! period. Schools implementing the target mentoring model are counted from them.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{
    competencies::{CompetencyRepository, NodeKind},
    lost, required,
};
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Role, Scope},
    error::Errors,
    organizations::OrganizationRepository,
    page::{Page, PageRequest},
    persons::{PersonRepository, PersonRole},
};

wire_enum! {
    /// Form of mentoring (целевая модель наставничества).
    MentoringForm {
        /// Наставник — молодой специалист.
        MentorYoungSpecialist = "mentor_young_specialist",
        /// Педагог — педагог (равный — равному).
        Peer = "peer",
        /// Руководитель — педагог.
        ManagerTeacher = "manager_teacher",
        /// Иная форма.
        Other = "other",
    }
}

/// A mentoring pair.
#[derive(Debug, Clone, PartialEq)]
pub struct MentoringPair {
    /// Id.
    pub id: Uuid,
    /// Mentor (a person with role mentor).
    pub mentor_id: Uuid,
    /// Mentee.
    pub mentee_id: Uuid,
    /// Form.
    pub form: MentoringForm,
    /// First day.
    pub period_start: NaiveDate,
    /// Last day (open-ended when absent).
    pub period_end: Option<NaiveDate>,
    /// Organisation where the mentoring takes place.
    pub organization_id: Uuid,
    /// Competencies worked on.
    pub competency_ids: Vec<Uuid>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version.
    pub version: i64,
}

/// A pair as a client describes it.
#[derive(Debug, Clone, Default)]
pub struct MentoringInput {
    /// Mentor.
    pub mentor_id: Option<Uuid>,
    /// Mentee.
    pub mentee_id: Option<Uuid>,
    /// Form.
    pub form: Option<MentoringForm>,
    /// First day.
    pub period_start: Option<NaiveDate>,
    /// Last day.
    pub period_end: Option<NaiveDate>,
    /// Organisation.
    pub organization_id: Option<Uuid>,
    /// Competencies.
    pub competency_ids: Vec<Uuid>,
}

impl From<&MentoringPair> for MentoringInput {
    fn from(p: &MentoringPair) -> Self {
        Self {
            mentor_id: Some(p.mentor_id),
            mentee_id: Some(p.mentee_id),
            form: Some(p.form),
            period_start: Some(p.period_start),
            period_end: p.period_end,
            organization_id: Some(p.organization_id),
            competency_ids: p.competency_ids.clone(),
        }
    }
}

/// A validated pair.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMentoringPair {
    /// Mentor.
    pub mentor_id: Uuid,
    /// Mentee.
    pub mentee_id: Uuid,
    /// Form.
    pub form: MentoringForm,
    /// First day.
    pub period_start: NaiveDate,
    /// Last day.
    pub period_end: Option<NaiveDate>,
    /// Organisation.
    pub organization_id: Uuid,
    /// Competencies.
    pub competency_ids: Vec<Uuid>,
}

/// Filters of the pair list.
#[derive(Debug, Clone, Default)]
pub struct MentoringFilter {
    /// Organisation.
    pub organization_id: Option<Uuid>,
    /// Mentor or mentee.
    pub person_id: Option<Uuid>,
    /// Form.
    pub form: Option<MentoringForm>,
}

/// Storage of pairs, scoped by organisation (a person sees the pairs they are in).
#[async_trait]
pub trait MentoringRepository: Send + Sync {
    /// Reads a pair visible in the scope.
    async fn get(&self, scope: &Scope, id: Uuid) -> DomainResult<MentoringPair>;
    /// Lists pairs visible in the scope.
    async fn list(
        &self,
        scope: &Scope,
        filter: &MentoringFilter,
        page: PageRequest,
    ) -> DomainResult<Page<MentoringPair>>;
    /// Every pair (whatever the scope: pairs are counted, never shown) working on any of the
    /// competencies and not over before `from` (open-ended, or its last day on or after it).
    async fn running(&self, competency_ids: &[Uuid], from: NaiveDate) -> DomainResult<Vec<MentoringPair>>;
    /// Creates a pair.
    async fn create(&self, ctx: &Ctx, new: NewMentoringPair) -> DomainResult<MentoringPair>;
    /// Replaces a pair when the version matches.
    async fn update(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        new: NewMentoringPair,
    ) -> DomainResult<MentoringPair>;
}

/// Roles that create and change pairs (each within its scope).
pub const WRITERS: &[Role] = &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization];
/// Roles that read pairs (within their scope).
pub const READERS: &[Role] =
    &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization, Role::Tutor, Role::Teacher, Role::Integration];

fn unknown(field: &str, ru: &str, en: &str) -> FieldError {
    FieldError::new(field, "not_found", Msg::new(ru, en))
}

async fn validate(deps: Deps<'_>, ctx: &Ctx, input: MentoringInput) -> DomainResult<NewMentoringPair> {
    let Deps { persons, orgs, competencies: comps, .. } = deps;
    let mut e = Errors::new();
    let mentor_id = required(&mut e, "mentor_id", input.mentor_id);
    if let Some(m) = mentor_id {
        // A mentor may come from another organisation (a resource centre, another school).
        match persons.get(&Scope::All, m).await {
            Ok(p) if p.roles.contains(&PersonRole::Mentor) => {}
            Ok(_) => e.push(FieldError::new(
                "mentor_id",
                "not_a_mentor",
                Msg::new("У наставника нет роли mentor", "The mentor has no role mentor"),
            )),
            Err(DomainError::NotFound) => e.push(unknown("mentor_id", "Наставник не найден", "Unknown mentor")),
            Err(other) => return Err(other),
        }
    }
    let mentee_id = required(&mut e, "mentee_id", input.mentee_id);
    if let Some(m) = mentee_id {
        match persons.get(&ctx.actor.scope(), m).await {
            Ok(_) if Some(m) == mentor_id => e.push(FieldError::new(
                "mentee_id",
                "same_person",
                Msg::new("Наставник и наставляемый — разные люди", "Mentor and mentee must differ"),
            )),
            Ok(_) => {}
            Err(DomainError::NotFound) => e.push(unknown("mentee_id", "Наставляемый не найден", "Unknown mentee")),
            Err(other) => return Err(other),
        }
    }
    let form = required(&mut e, "form", input.form);
    let start = required(&mut e, "period_start", input.period_start);
    if let (Some(s), Some(t)) = (start, input.period_end)
        && t < s
    {
        e.push(FieldError::new(
            "period_end",
            "before_start",
            Msg::new("Окончание раньше начала", "The period ends before it starts"),
        ));
    }
    let organization_id = required(&mut e, "organization_id", input.organization_id);
    if let Some(o) = organization_id {
        match orgs.get(&ctx.actor.scope(), o).await {
            Ok(_) => {}
            Err(DomainError::NotFound) => {
                e.push(unknown("organization_id", "Организация не найдена", "The organisation does not exist"))
            }
            Err(other) => return Err(other),
        }
    }
    let found = comps.get_many(&input.competency_ids).await?;
    let mut seen = HashSet::new();
    for (i, id) in input.competency_ids.iter().enumerate() {
        if !seen.insert(*id) || !found.iter().any(|c| c.id == *id && c.node == NodeKind::Competency) {
            e.push(unknown(
                &format!("competency_ids[{i}]"),
                "Компетенция не найдена или повторяется",
                "Unknown or repeated competency",
            ));
        }
    }
    e.finish()?;
    match (mentor_id, mentee_id, form, start, organization_id) {
        (Some(mentor_id), Some(mentee_id), Some(form), Some(period_start), Some(organization_id)) => {
            Ok(NewMentoringPair {
                mentor_id,
                mentee_id,
                form,
                period_start,
                period_end: input.period_end,
                organization_id,
                competency_ids: input.competency_ids,
            })
        }
        _ => Err(lost("mentoring pair")),
    }
}

/// The repositories creating and changing a mentoring pair use (the `Deps` style,
/// docs/API-DESIGN.md).
#[derive(Clone, Copy)]
pub struct Deps<'a> {
    /// Mentoring pairs.
    pub mentoring: &'a dyn MentoringRepository,
    /// Persons (mentor and mentee).
    pub persons: &'a dyn PersonRepository,
    /// Organisations (the pair's, within the caller's scope).
    pub orgs: &'a dyn OrganizationRepository,
    /// The competency framework (the pair's competencies).
    pub competencies: &'a dyn CompetencyRepository,
}

/// Creates a pair in an organisation within the caller's scope.
pub async fn create_mentoring_pair(deps: Deps<'_>, ctx: &Ctx, input: MentoringInput) -> DomainResult<MentoringPair> {
    ctx.actor.require(WRITERS)?;
    let new = validate(deps, ctx, input).await?;
    deps.mentoring.create(ctx, new).await
}

/// Reads a pair.
pub async fn get_mentoring_pair(repo: &dyn MentoringRepository, ctx: &Ctx, id: Uuid) -> DomainResult<MentoringPair> {
    ctx.actor.require(READERS)?;
    repo.get(&ctx.actor.scope(), id).await
}

/// Lists pairs.
pub async fn list_mentoring_pairs(
    repo: &dyn MentoringRepository,
    ctx: &Ctx,
    filter: &MentoringFilter,
    page: PageRequest,
) -> DomainResult<Page<MentoringPair>> {
    ctx.actor.require(READERS)?;
    repo.list(&ctx.actor.scope(), filter, page).await
}

/// Changes a pair with a merge patch.
pub async fn update_mentoring_pair(
    deps: Deps<'_>,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    patch: impl FnOnce(MentoringInput) -> DomainResult<MentoringInput>,
) -> DomainResult<MentoringPair> {
    let repo = deps.mentoring;
    ctx.actor.require(WRITERS)?;
    let current = repo.get(&ctx.actor.scope(), id).await?;
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    let new = validate(deps, ctx, patch(MentoringInput::from(&current))?).await?;
    repo.update(ctx, id, expected_version, new).await
}

/// The most competencies a mentoring pair develops.
pub const COMPETENCIES_MAX: usize = 100;

/// The length limits of a pair's fields, by field: the contract states the same numbers
/// (`MentoringPairWrite`), which a test compares with this list.
pub const LIMITS: &[(&str, usize)] = &[("competency_ids", COMPETENCIES_MAX)];
