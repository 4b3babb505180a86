//! Methodological events (методические мероприятия) of the region and municipalities, and
//! internship sites (стажировочные площадки): the means of closing deficits besides programmes.
//! Both are the region's shared catalogue, readable by every role.

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
    /// Kind of a methodological event.
    EventKind {
        /// Семинар.
        Seminar = "seminar",
        /// Конференция.
        Conference = "conference",
        /// Мастер-класс.
        MasterClass = "master_class",
        /// Вебинар.
        Webinar = "webinar",
        /// Круглый стол.
        RoundTable = "round_table",
        /// Конкурс профессионального мастерства.
        Competition = "competition",
        /// Иное.
        Other = "other",
    }
}

wire_enum! {
    /// Level of an event (the count of regional events is an agreement indicator, BU app. 1).
    EventLevel {
        /// Региональный.
        Regional = "regional",
        /// Муниципальный.
        Municipal = "municipal",
        /// Институциональный.
        Institutional = "institutional",
    }
}

/// What a catalogue entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferingKind {
    /// A methodological event.
    Event,
    /// An internship site.
    InternshipSite,
}

impl OfferingKind {
    fn resource(self) -> &'static str {
        match self {
            OfferingKind::Event => "event",
            OfferingKind::InternshipSite => "internship_site",
        }
    }
}

/// An event or an internship site. Events use `kind`, `level`, `starts_on` (the date),
/// `participants` and optionally `capacity` (places for registrations); sites use `starts_on`…`ends_on`, `capacity` and `decision`.
#[derive(Debug, Clone, PartialEq)]
pub struct Offering {
    /// Id.
    pub id: Uuid,
    /// Event or site.
    pub offering: OfferingKind,
    /// Title of the event, or theme of the site.
    pub title: String,
    /// Event kind.
    pub kind: Option<EventKind>,
    /// Event level.
    pub level: Option<EventLevel>,
    /// The event's date, or the first day of the site's period.
    pub starts_on: NaiveDate,
    /// The site's last day.
    pub ends_on: Option<NaiveDate>,
    /// Organiser of the event, or organisation of the site.
    pub organization_id: Uuid,
    /// Competencies it develops.
    pub competency_ids: Vec<Uuid>,
    /// Number of participants of the event.
    pub participants: Option<i32>,
    /// Places at the site.
    pub capacity: Option<i32>,
    /// The decision that selected the site (приказ, реквизиты).
    pub decision: Option<String>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version.
    pub version: i64,
}

/// An entry as a client describes it.
#[derive(Debug, Clone, Default)]
pub struct OfferingInput {
    /// Title or theme.
    pub title: Option<String>,
    /// Event kind.
    pub kind: Option<EventKind>,
    /// Event level.
    pub level: Option<EventLevel>,
    /// Date or first day.
    pub starts_on: Option<NaiveDate>,
    /// Last day.
    pub ends_on: Option<NaiveDate>,
    /// Organisation.
    pub organization_id: Option<Uuid>,
    /// Competencies.
    pub competency_ids: Vec<Uuid>,
    /// Participants.
    pub participants: Option<i32>,
    /// Capacity.
    pub capacity: Option<i32>,
    /// Selection decision.
    pub decision: Option<String>,
}

impl From<&Offering> for OfferingInput {
    fn from(o: &Offering) -> Self {
        Self {
            title: Some(o.title.clone()),
            kind: o.kind,
            level: o.level,
            starts_on: Some(o.starts_on),
            ends_on: o.ends_on,
            organization_id: Some(o.organization_id),
            competency_ids: o.competency_ids.clone(),
            participants: o.participants,
            capacity: o.capacity,
            decision: o.decision.clone(),
        }
    }
}

/// A validated entry.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOffering {
    /// Title or theme.
    pub title: String,
    /// Event kind.
    pub kind: Option<EventKind>,
    /// Event level.
    pub level: Option<EventLevel>,
    /// Date or first day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: Option<NaiveDate>,
    /// Organisation.
    pub organization_id: Uuid,
    /// Competencies.
    pub competency_ids: Vec<Uuid>,
    /// Participants.
    pub participants: Option<i32>,
    /// Capacity.
    pub capacity: Option<i32>,
    /// Selection decision.
    pub decision: Option<String>,
}

/// Filters of the catalogue.
#[derive(Debug, Clone, Default)]
pub struct OfferingFilter {
    /// Develops this competency.
    pub competency_id: Option<Uuid>,
    /// Event level.
    pub level: Option<EventLevel>,
    /// On or after.
    pub from: Option<NaiveDate>,
    /// On or before.
    pub to: Option<NaiveDate>,
    /// Organisation.
    pub organization_id: Option<Uuid>,
}

/// Storage of events and internship sites.
#[async_trait]
pub trait OfferingRepository: Send + Sync {
    /// Reads an entry of the kind.
    async fn get(&self, kind: OfferingKind, id: Uuid) -> DomainResult<Offering>;
    /// Lists entries of the kind.
    async fn list(
        &self,
        kind: OfferingKind,
        filter: &OfferingFilter,
        page: PageRequest,
    ) -> DomainResult<Page<Offering>>;
    /// Entries of the kind developing any of the competencies and not over before `from`.
    async fn covering(
        &self,
        kind: OfferingKind,
        competency_ids: &[Uuid],
        from: NaiveDate,
    ) -> DomainResult<Vec<Offering>>;
    /// Creates an entry.
    async fn create(&self, ctx: &Ctx, kind: OfferingKind, new: NewOffering) -> DomainResult<Offering>;
    /// Replaces an entry when the version matches.
    async fn update(
        &self,
        ctx: &Ctx,
        kind: OfferingKind,
        id: Uuid,
        expected_version: i64,
        new: NewOffering,
    ) -> DomainResult<Offering>;
}

/// Roles that create and change entries of a kind.
/// Roles that read events and internship sites: every role.
pub const READERS: &[Role] = &Role::ALL;

/// Roles that create and change entries of a kind.
pub fn writers(kind: OfferingKind) -> &'static [Role] {
    match kind {
        OfferingKind::Event => &[Role::Admin, Role::Operator, Role::Municipal],
        OfferingKind::InternshipSite => &[Role::Admin, Role::Operator],
    }
}

async fn validate(
    comps: &dyn CompetencyRepository,
    orgs: &dyn OrganizationRepository,
    ctx: &Ctx,
    kind: OfferingKind,
    input: OfferingInput,
) -> DomainResult<NewOffering> {
    let mut e = Errors::new();
    let (title_field, org_field, start_field) = match kind {
        OfferingKind::Event => ("title", "organizer_id", "held_on"),
        OfferingKind::InternshipSite => ("theme", "organization_id", "period_start"),
    };
    let title = text(&mut e, title_field, input.title, TITLE_MAX, true);
    let starts_on = required(&mut e, start_field, input.starts_on);
    let organization_id = required(&mut e, org_field, input.organization_id);
    if let Some(o) = organization_id {
        match orgs.get(&ctx.actor.scope(), o).await {
            Ok(_) => {}
            Err(DomainError::NotFound) => e.push(FieldError::new(
                org_field,
                "not_found",
                Msg::new("Организация не найдена", "The organisation does not exist"),
            )),
            Err(other) => return Err(other),
        }
    }
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
    let negative = |e: &mut Errors, f: &str| {
        e.push(FieldError::new(f, "out_of_range", Msg::new("Не может быть меньше нуля", "Cannot be negative")))
    };
    let (kind_v, level, ends_on, participants, capacity, decision) = match kind {
        OfferingKind::Event => {
            let k = required(&mut e, "kind", input.kind);
            let l = required(&mut e, "level", input.level);
            if input.participants.is_some_and(|p| p < 0) {
                negative(&mut e, "participants");
            }
            // Places are optional for an event (no limit when absent).
            if input.capacity.is_some_and(|c| c < 1) {
                e.push(FieldError::new(
                    "capacity",
                    "out_of_range",
                    Msg::new("Нужно хотя бы одно место", "At least one place"),
                ));
            }
            (k, l, None, input.participants, input.capacity, None)
        }
        OfferingKind::InternshipSite => {
            let end = required(&mut e, "period_end", input.ends_on);
            if let (Some(s), Some(t)) = (starts_on, end)
                && t < s
            {
                e.push(FieldError::new(
                    "period_end",
                    "before_start",
                    Msg::new("Окончание раньше начала", "The period ends before it starts"),
                ));
            }
            let cap = required(&mut e, "capacity", input.capacity);
            if cap.is_some_and(|c| c < 1) {
                e.push(FieldError::new(
                    "capacity",
                    "out_of_range",
                    Msg::new("Нужно хотя бы одно место", "At least one place"),
                ));
            }
            let d = text(&mut e, "selection_decision", input.decision, DECISION_MAX, false);
            (None, None, end, None, cap, d)
        }
    };
    e.finish()?;
    match (title, starts_on, organization_id) {
        (Some(title), Some(starts_on), Some(organization_id)) => Ok(NewOffering {
            title,
            kind: kind_v,
            level,
            starts_on,
            ends_on,
            organization_id,
            competency_ids: input.competency_ids,
            participants,
            capacity,
            decision,
        }),
        _ => Err(lost(kind.resource())),
    }
}

/// The repositories creating and changing an entry (event or site) use (the `Deps` style,
/// docs/API-DESIGN.md).
#[derive(Clone, Copy)]
pub struct Deps<'a> {
    /// Events and internship sites.
    pub offerings: &'a dyn OfferingRepository,
    /// The competency framework (the entry's competencies).
    pub competencies: &'a dyn CompetencyRepository,
    /// Organisations (the organiser, within the caller's scope).
    pub orgs: &'a dyn OrganizationRepository,
}

/// Creates an event (region, operators, municipalities for their organisers) or an internship
/// site (region, operators).
pub async fn create_offering(
    deps: Deps<'_>,
    ctx: &Ctx,
    kind: OfferingKind,
    input: OfferingInput,
) -> DomainResult<Offering> {
    let Deps { offerings: repo, competencies: comps, orgs } = deps;
    ctx.actor.require(writers(kind))?;
    let new = validate(comps, orgs, ctx, kind, input).await?;
    repo.create(ctx, kind, new).await
}

/// Reads an entry (every role).
pub async fn get_offering(
    repo: &dyn OfferingRepository,
    ctx: &Ctx,
    kind: OfferingKind,
    id: Uuid,
) -> DomainResult<Offering> {
    ctx.actor.require(READERS)?;
    repo.get(kind, id).await
}

/// Lists entries (every role).
pub async fn list_offerings(
    repo: &dyn OfferingRepository,
    ctx: &Ctx,
    kind: OfferingKind,
    filter: &OfferingFilter,
    page: PageRequest,
) -> DomainResult<Page<Offering>> {
    ctx.actor.require(READERS)?;
    repo.list(kind, filter, page).await
}

/// Changes an entry with a merge patch; a municipality only changes events it organises.
pub async fn update_offering(
    deps: Deps<'_>,
    ctx: &Ctx,
    kind: OfferingKind,
    id: Uuid,
    expected_version: i64,
    patch: impl FnOnce(OfferingInput) -> DomainResult<OfferingInput>,
) -> DomainResult<Offering> {
    let Deps { offerings: repo, competencies: comps, orgs } = deps;
    ctx.actor.require(writers(kind))?;
    let current = repo.get(kind, id).await?;
    if ctx.actor.role == Role::Municipal && orgs.get(&ctx.actor.scope(), current.organization_id).await.is_err() {
        return Err(DomainError::NotFound);
    }
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    let new = validate(comps, orgs, ctx, kind, patch(OfferingInput::from(&current))?).await?;
    repo.update(ctx, kind, id, expected_version, new).await
}

/// The longest title of an event or theme of an internship site, in characters.
pub const TITLE_MAX: usize = 1000;
/// The most competencies an event or an internship site develops.
pub const COMPETENCIES_MAX: usize = 100;
/// The longest selection decision of an internship site, in characters.
pub const DECISION_MAX: usize = 1000;

/// The length limits of an event's fields, by field: the contract states the same numbers
/// (`EventWrite`; `InternshipSiteWrite` for [`SITE_LIMITS`]), which a test compares with these
/// lists.
pub const LIMITS: &[(&str, usize)] = &[("title", TITLE_MAX), ("competency_ids", COMPETENCIES_MAX)];
/// The length limits of an internship site's fields, by field.
pub const SITE_LIMITS: &[(&str, usize)] =
    &[("theme", TITLE_MAX), ("competency_ids", COMPETENCIES_MAX), ("selection_decision", DECISION_MAX)];
