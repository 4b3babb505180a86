//! Creating, changing and closing organisations: the rules of the hierarchy and of who may do it.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{Contacts, Level, Organization, OrganizationKind, OrganizationRepository};
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Actor, Ctx, Role, Scope},
    error::Errors,
    persons::PersonRepository,
    values::{Email, Inn, MunicipalityCode, Phone, RegionCode, TimeZone},
};

/// An organisation as a client describes it (create, or the merged state of an update).
#[derive(Debug, Clone, Default)]
pub struct OrganizationInput {
    /// Full name.
    pub name: Option<String>,
    /// Short name.
    pub short_name: Option<String>,
    /// Kind.
    pub kind: Option<OrganizationKind>,
    /// Level (derived from the kind; required only for `other`).
    pub level: Option<Level>,
    /// Parent.
    pub parent_id: Option<Uuid>,
    /// Region code.
    pub region_code: Option<String>,
    /// Municipality code.
    pub municipality_code: Option<String>,
    /// Municipality name.
    pub municipality_name: Option<String>,
    /// ИНН.
    pub inn: Option<String>,
    /// IANA time zone.
    pub time_zone: Option<String>,
    /// Contacts (raw).
    pub contacts: Contacts,
    /// Opened on.
    pub opened_on: Option<NaiveDate>,
    /// The person responsible for the regional system (BU 2.2.4, 2.3.4).
    pub responsible_person_id: Option<Uuid>,
}

impl From<&Organization> for OrganizationInput {
    fn from(o: &Organization) -> Self {
        Self {
            name: Some(o.name.clone()),
            short_name: o.short_name.clone(),
            kind: Some(o.kind),
            level: Some(o.level),
            parent_id: o.parent_id,
            region_code: Some(o.region_code.clone()),
            municipality_code: o.municipality_code.clone(),
            municipality_name: o.municipality_name.clone(),
            inn: o.inn.clone(),
            time_zone: Some(o.time_zone.clone()),
            contacts: o.contacts.clone(),
            opened_on: o.opened_on,
            responsible_person_id: o.responsible_person_id,
        }
    }
}

/// A validated organisation, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrganization {
    /// Full name.
    pub name: String,
    /// Short name.
    pub short_name: Option<String>,
    /// Kind.
    pub kind: OrganizationKind,
    /// Level.
    pub level: Level,
    /// Parent.
    pub parent_id: Option<Uuid>,
    /// Region code.
    pub region_code: String,
    /// Municipality code.
    pub municipality_code: Option<String>,
    /// Municipality name.
    pub municipality_name: Option<String>,
    /// ИНН.
    pub inn: Option<String>,
    /// IANA time zone.
    pub time_zone: String,
    /// Contacts, normalised.
    pub contacts: Contacts,
    /// Opened on.
    pub opened_on: Option<NaiveDate>,
    /// The person responsible for the regional system (checked against the persons on create and update).
    pub responsible_person_id: Option<Uuid>,
}

fn text(errors: &mut Errors, field: &str, v: Option<String>, max: usize, required: bool) -> Option<String> {
    let v = v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    match v {
        None if required => {
            errors.push(FieldError::required(field));
            None
        }
        Some(s) if s.chars().count() > max => {
            errors.push(FieldError::new(
                field,
                "too_long",
                Msg::new(format!("Не длиннее {max} символов"), format!("At most {max} characters")),
            ));
            None
        }
        v => v,
    }
}

fn mismatch(field: &str, ru: &str, en: &str) -> FieldError {
    FieldError::new(field, "parent_mismatch", Msg::new(ru, en))
}

/// Validates an input against its parent (already read within the caller's scope).
pub fn validate(input: OrganizationInput, parent: Option<&Organization>) -> DomainResult<NewOrganization> {
    let mut e = Errors::new();
    let name = text(&mut e, "name", input.name, super::NAME_MAX, true);
    let short_name = text(&mut e, "short_name", input.short_name, super::SHORT_NAME_MAX, false);
    let municipality_name = text(&mut e, "municipality_name", input.municipality_name, super::SHORT_NAME_MAX, false);
    if input.kind.is_none() {
        e.push(FieldError::required("kind"));
    }
    let level = match (input.kind.and_then(OrganizationKind::level), input.level) {
        (Some(derived), Some(given)) if derived != given => {
            e.push(FieldError::new(
                "level",
                "level_mismatch",
                Msg::new(
                    format!("Вид организации относится к уровню «{}»", derived.as_str()),
                    format!("This kind of organisation works at the '{}' level", derived.as_str()),
                ),
            ));
            None
        }
        (Some(derived), _) => Some(derived),
        (None, Some(given)) => Some(given),
        (None, None) => {
            if input.kind.is_some() {
                e.push(FieldError::new(
                    "level",
                    "required",
                    Msg::new("Для вида «other» укажите уровень", "Give the level for kind 'other'"),
                ));
            }
            None
        }
    };
    if let (Some(p), Some(l)) = (parent, level)
        && p.level > l
    {
        {
            e.push(mismatch(
                "parent_id",
                "Вышестоящая организация не может быть на более низком уровне",
                "The parent cannot work at a lower level",
            ));
        }
    }
    // Territory: inherited from a regional-or-lower parent, and must agree with it.
    let territorial_parent = parent.filter(|p| p.level >= Level::Regional);
    let region_raw = input.region_code.or_else(|| territorial_parent.map(|p| p.region_code.clone()));
    let region_code = match region_raw {
        None => {
            e.push(FieldError::required("region_code"));
            None
        }
        Some(r) => e.take(RegionCode::parse("region_code", &r)),
    };
    if let (Some(p), Some(r)) = (territorial_parent, &region_code)
        && p.region_code != r.as_str()
    {
        {
            e.push(mismatch(
                "region_code",
                "Регион не совпадает с регионом вышестоящей организации",
                "The region differs from the parent's",
            ));
        }
    }
    let municipal_parent = parent.and_then(|p| p.municipality_code.as_ref().map(|m| (p, m)));
    let below_region = matches!(level, Some(Level::Municipal | Level::Institutional));
    let mun_raw = input.municipality_code.or_else(|| municipal_parent.filter(|_| below_region).map(|(_, m)| m.clone()));
    let municipality_code = match (level, mun_raw) {
        (Some(Level::Municipal | Level::Institutional), None) => {
            e.push(FieldError::new(
                "municipality_code",
                "required",
                Msg::new(
                    "Для муниципального и институционального уровня укажите муниципалитет",
                    "Give the municipality for municipal and institutional levels",
                ),
            ));
            None
        }
        (Some(Level::Federal | Level::Regional), Some(_)) => {
            e.push(FieldError::new(
                "municipality_code",
                "not_allowed",
                Msg::new(
                    "У федеральных и региональных организаций нет муниципалитета",
                    "Federal and regional organisations have no municipality",
                ),
            ));
            None
        }
        (_, Some(m)) => e.take(MunicipalityCode::parse("municipality_code", &m)),
        (_, None) => None,
    };
    if let (Some((_, pm)), Some(m), true) = (municipal_parent, &municipality_code, below_region)
        && pm != m.as_str()
    {
        {
            e.push(mismatch(
                "municipality_code",
                "Муниципалитет не совпадает с муниципалитетом вышестоящей организации",
                "The municipality differs from the parent's",
            ));
        }
    }
    let municipality_name =
        municipality_name.or_else(|| municipal_parent.and_then(|(p, _)| p.municipality_name.clone()));
    let inn = input.inn.as_deref().and_then(|i| e.take(Inn::parse("inn", i)));
    let tz_raw = input.time_zone.or_else(|| parent.map(|p| p.time_zone.clone()));
    let time_zone = e.take(TimeZone::parse("time_zone", tz_raw.as_deref().unwrap_or(TimeZone::DEFAULT)));
    let c = input.contacts;
    let contacts = Contacts {
        address: text(&mut e, "contacts.address", c.address, super::ADDRESS_MAX, false),
        phone: c
            .phone
            .as_deref()
            .and_then(|p| e.take(Phone::parse("contacts.phone", p)))
            .map(|p| p.as_str().to_owned()),
        email: c
            .email
            .as_deref()
            .and_then(|m| e.take(Email::parse("contacts.email", m)))
            .map(|m| m.as_str().to_owned()),
        website: text(&mut e, "contacts.website", c.website, super::ADDRESS_MAX, false),
    };
    if let (Some(_), Some(kind)) = (input.responsible_person_id, input.kind)
        && !kind.names_responsible_person()
    {
        e.push(FieldError::new(
            "responsible_person_id",
            "not_allowed",
            Msg::new(
                "Ответственного назначают только региональный орган, институт, ЦНППМ, муниципальный орган и муниципальная методическая служба",
                "Only regional and municipal authorities, the regional institute, the ЦНППМ and municipal methodological services name a responsible person",
            ),
        ));
    }
    e.finish()?;
    match (name, input.kind, level, region_code, time_zone) {
        (Some(name), Some(kind), Some(level), Some(region), Some(tz)) => Ok(NewOrganization {
            name,
            short_name,
            kind,
            level,
            parent_id: parent.map(|p| p.id),
            region_code: region.as_str().to_owned(),
            municipality_code: municipality_code.map(|m| m.as_str().to_owned()),
            municipality_name,
            inn: inn.map(|i| i.as_str().to_owned()),
            time_zone: tz.as_str().to_owned(),
            contacts,
            opened_on: input.opened_on,
            responsible_person_id: input.responsible_person_id,
        }),
        _ => Err(DomainError::internal("organization validation lost a field")),
    }
}

/// Whether a validated organisation lies inside the scope of a municipal actor.
fn inside(scope: &Scope, o: &NewOrganization) -> bool {
    match scope {
        Scope::All => true,
        Scope::Municipality { region_code, municipality_code } => {
            &o.region_code == region_code && o.municipality_code.as_ref() == Some(municipality_code)
        }
        _ => false,
    }
}

fn outside_territory() -> DomainError {
    DomainError::Forbidden(Msg::new(
        "Организация должна остаться в вашем муниципалитете",
        "The organisation must stay within your municipality",
    ))
}

async fn read_parent(
    repo: &dyn OrganizationRepository,
    scope: &Scope,
    parent_id: Option<Uuid>,
) -> DomainResult<Option<Organization>> {
    let Some(id) = parent_id else { return Ok(None) };
    match repo.get(scope, id).await {
        Ok(p) => Ok(Some(p)),
        // Regional parents are readable by everyone who may create institutions.
        Err(DomainError::NotFound) => match repo.get(&Scope::All, id).await {
            Ok(p) if p.level <= Level::Regional => Ok(Some(p)),
            Ok(_) | Err(DomainError::NotFound) => Err(DomainError::field(
                "parent_id",
                "not_found",
                Msg::new("Вышестоящая организация не найдена", "The parent organisation does not exist"),
            )),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    }
}

/// Checks the responsible person of a validated organisation: visible to the caller, and working
/// in the organisation's region — for a municipal organisation, in its municipality.
async fn check_responsible(
    repo: &dyn OrganizationRepository,
    persons: &dyn PersonRepository,
    scope: &Scope,
    o: &NewOrganization,
) -> DomainResult<()> {
    const FIELD: &str = "responsible_person_id";
    let Some(person_id) = o.responsible_person_id else { return Ok(()) };
    let person = match persons.get(scope, person_id).await {
        Ok(p) => p,
        Err(DomainError::NotFound) => {
            return Err(DomainError::field(
                FIELD,
                "not_found",
                Msg::new("Работник не найден", "The person does not exist"),
            ));
        }
        Err(e) => return Err(e),
    };
    let workplace = repo.get(&Scope::All, person.organization_id).await?;
    let same_region = workplace.region_code == o.region_code;
    let same_municipality = o.level != Level::Municipal || workplace.municipality_code == o.municipality_code;
    if same_region && same_municipality {
        Ok(())
    } else {
        Err(DomainError::field(
            FIELD,
            "outside_territory",
            Msg::new(
                "Ответственный должен работать в организации того же региона (для муниципального уровня — того же муниципалитета)",
                "The responsible person must work in the same region (at municipal level, the same municipality)",
            ),
        ))
    }
}

/// Roles that read individual organisations; analysts work with aggregates only.
pub const READERS: &[Role] =
    &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization, Role::Tutor, Role::Teacher, Role::Integration];

/// Reads an organisation in the caller's scope.
pub async fn get_organization(repo: &dyn OrganizationRepository, ctx: &Ctx, id: Uuid) -> DomainResult<Organization> {
    ctx.actor.require(READERS)?;
    repo.get(&ctx.actor.scope(), id).await
}

/// Lists organisations in the caller's scope.
pub async fn list_organizations(
    repo: &dyn OrganizationRepository,
    ctx: &Ctx,
    filter: &super::OrganizationFilter,
    page: crate::page::PageRequest,
) -> DomainResult<crate::page::Page<Organization>> {
    ctx.actor.require(READERS)?;
    repo.list(&ctx.actor.scope(), filter, page).await
}

wire_enum! {
    /// An action on an organisation: `update` (`PATCH /organizations/{id}`), `close`
    /// (`POST /organizations/{id}/close`).
    OrganizationAction {
        /// Change it (изменить сведения).
        Update = "update",
        /// Close it on a date (закрыть).
        Close = "close",
    }
}

/// Roles that update organisations (an organisation's own account its names and contacts).
const UPDATERS: &[Role] = &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization];
/// Roles that create and close organisations.
const MANAGERS: &[Role] = &[Role::Admin, Role::Operator, Role::Municipal];

/// The guard of every action on an organisation in the caller's scope, which the action calls
/// and [`allowed_actions`] runs: the role (403), and `close` only while open (409).
pub fn check_action(actor: &Actor, o: &Organization, action: OrganizationAction) -> DomainResult<()> {
    match action {
        OrganizationAction::Update => actor.require(UPDATERS),
        OrganizationAction::Close => {
            actor.require(MANAGERS)?;
            if o.closed_on.is_some() {
                return Err(DomainError::Conflict {
                    field: Some("closed_on".into()),
                    message: Msg::new("Организация уже закрыта", "The organisation is already closed"),
                    allowed: vec![OrganizationAction::Update.as_str().into()],
                });
            }
            Ok(())
        }
    }
}

/// The actions the caller may take on an organisation it reads now (`allowed_actions` of its
/// views).
pub fn allowed_actions(actor: &Actor, o: &Organization) -> Vec<OrganizationAction> {
    crate::actions::allowed(OrganizationAction::ALL, |a| check_action(actor, o, a)).unwrap_or_default()
}

/// Creates an organisation: admins and operators anywhere, a municipal authority inside its
/// municipality.
pub async fn create_organization(
    repo: &dyn OrganizationRepository,
    persons: &dyn PersonRepository,
    ctx: &Ctx,
    input: OrganizationInput,
) -> DomainResult<Organization> {
    ctx.actor.require(MANAGERS)?;
    let scope = ctx.actor.scope();
    let parent = read_parent(repo, &scope, input.parent_id).await?;
    let new = validate(input, parent.as_ref())?;
    if !inside(&scope, &new) {
        return Err(outside_territory());
    }
    check_responsible(repo, persons, &scope, &new).await?;
    repo.create(ctx, new).await
}

/// Updates an organisation with a merge patch already applied to its current state.
/// An organisation's own account may change its names, contacts and responsible person, not its
/// place.
pub async fn update_organization(
    repo: &dyn OrganizationRepository,
    persons: &dyn PersonRepository,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    patch: impl FnOnce(OrganizationInput) -> DomainResult<OrganizationInput>,
) -> DomainResult<Organization> {
    ctx.actor.require(UPDATERS)?;
    let scope = ctx.actor.scope();
    let current = repo.get(&scope, id).await?;
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    check_action(&ctx.actor, &current, OrganizationAction::Update)?;
    let input = patch(OrganizationInput::from(&current))?;
    if input.parent_id == Some(id) {
        return Err(DomainError::field(
            "parent_id",
            "cycle",
            Msg::new("Организация не может быть своей вышестоящей", "An organisation cannot be its own parent"),
        ));
    }
    let parent = if input.parent_id.is_some() && input.parent_id == current.parent_id {
        // The current parent is known to the caller already.
        read_parent(repo, &Scope::All, input.parent_id).await?
    } else {
        read_parent(repo, &scope, input.parent_id).await?
    };
    if let Some(p) = &parent {
        check_no_cycle(repo, id, p).await?;
    }
    let new = validate(input, parent.as_ref())?;
    let structural_change = new.kind != current.kind
        || new.parent_id != current.parent_id
        || new.region_code != current.region_code
        || new.municipality_code != current.municipality_code;
    let allowed = match ctx.actor.role {
        Role::Organization => !structural_change,
        Role::Municipal => inside(&scope, &new),
        _ => true,
    };
    if !allowed {
        return Err(outside_territory());
    }
    if structural_change || new.responsible_person_id != current.responsible_person_id {
        check_responsible(repo, persons, &scope, &new).await?;
    }
    repo.update(ctx, id, expected_version, new).await
}

/// Walks up from the new parent: the organisation must not be among its ancestors.
async fn check_no_cycle(repo: &dyn OrganizationRepository, id: Uuid, parent: &Organization) -> DomainResult<()> {
    let mut next = parent.parent_id;
    for _ in 0..32 {
        let Some(pid) = next else { return Ok(()) };
        if pid == id {
            break;
        }
        next = match repo.get(&Scope::All, pid).await {
            Ok(o) => o.parent_id,
            Err(DomainError::NotFound) => return Ok(()),
            Err(e) => return Err(e),
        };
    }
    Err(DomainError::field(
        "parent_id",
        "cycle",
        Msg::new("Организация не может подчиняться сама себе", "An organisation cannot be its own ancestor"),
    ))
}

/// Closes an organisation on a date (it stays in the registry, marked closed).
pub async fn close_organization(
    repo: &dyn OrganizationRepository,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    closed_on: NaiveDate,
) -> DomainResult<Organization> {
    ctx.actor.require(MANAGERS)?;
    let current = repo.get(&ctx.actor.scope(), id).await?;
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    check_action(&ctx.actor, &current, OrganizationAction::Close)?;
    if current.opened_on.is_some_and(|o| closed_on < o) {
        return Err(DomainError::field(
            "closed_on",
            "before_opened",
            Msg::new("Дата закрытия раньше даты открытия", "The closing date precedes the opening date"),
        ));
    }
    repo.close(ctx, id, expected_version, closed_on).await
}
