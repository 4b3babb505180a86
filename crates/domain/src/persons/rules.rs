//! Creating, reading, changing and deleting persons.

use std::collections::HashSet;

use chrono::NaiveDate;
use uuid::Uuid;

use super::{Person, PersonFilter, PersonRepository, PersonRole};
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    audit::AuditRepository,
    auth::{Ctx, Role},
    error::Errors,
    organizations::OrganizationRepository,
    page::{Page, PageRequest},
    values::{Email, Phone, Snils},
};

/// A person as a client describes them (create, or the merged state of an update).
#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    /// Фамилия.
    pub surname: Option<String>,
    /// Имя.
    pub first_name: Option<String>,
    /// Отчество.
    pub patronymic: Option<String>,
    /// Должность.
    pub position: Option<String>,
    /// Organisation.
    pub organization_id: Option<Uuid>,
    /// Roles.
    pub roles: Vec<PersonRole>,
    /// Teaching subjects as written.
    pub subjects: Vec<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// СНИЛС.
    pub snils: Option<String>,
    /// Birth date.
    pub birth_date: Option<NaiveDate>,
    /// Hire date.
    pub hire_date: Option<NaiveDate>,
}

impl From<&Person> for PersonInput {
    fn from(p: &Person) -> Self {
        Self {
            surname: Some(p.surname.clone()),
            first_name: Some(p.first_name.clone()),
            patronymic: p.patronymic.clone(),
            position: p.position.clone(),
            organization_id: Some(p.organization_id),
            roles: p.roles.clone(),
            subjects: p.subjects.clone(),
            email: p.email.clone(),
            phone: p.phone.clone(),
            snils: p.snils.clone(),
            birth_date: p.birth_date,
            hire_date: p.hire_date,
        }
    }
}

/// A validated person, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    /// Фамилия.
    pub surname: String,
    /// Имя.
    pub first_name: String,
    /// Отчество.
    pub patronymic: Option<String>,
    /// Должность.
    pub position: Option<String>,
    /// Organisation.
    pub organization_id: Uuid,
    /// Roles, sorted and unique.
    pub roles: Vec<PersonRole>,
    /// Teaching subjects, normalised, sorted and unique.
    pub subjects: Vec<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone, normalised.
    pub phone: Option<String>,
    /// СНИЛС digits.
    pub snils: Option<String>,
    /// Birth date.
    pub birth_date: Option<NaiveDate>,
    /// Hire date.
    pub hire_date: Option<NaiveDate>,
}

fn name_part(e: &mut Errors, field: &str, v: Option<String>, required: bool) -> Option<String> {
    let v = v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    match v {
        None if required => {
            e.push(FieldError::required(field));
            None
        }
        Some(s) if s.chars().count() > NAME_MAX => {
            e.push(FieldError::new(
                field,
                "too_long",
                Msg::new(format!("Не длиннее {NAME_MAX} символов"), format!("At most {NAME_MAX} characters")),
            ));
            None
        }
        v => v,
    }
}

/// The longest surname, first name, patronymic or position, in characters.
pub const NAME_MAX: usize = 200;

/// The longest teaching subject, in characters.
pub const SUBJECT_MAX: usize = 100;

/// The most teaching subjects of one person.
pub const MAX_SUBJECTS: usize = 20;

/// The most roles of one person (each role once).
pub const MAX_ROLES: usize = 5;

/// The most bases of processing one write of a person records.
pub const MAX_BASES: usize = 20;

/// The length limits of a person's own fields, by field: the contract states the same numbers
/// (`maxLength`/`maxItems` of `PersonWrite` and `PersonPatch`), which a test compares with this
/// list. (E-mail, phone and СНИЛС are bounded by their value types.)
pub const LIMITS: &[(&str, usize)] = &[
    ("surname", NAME_MAX),
    ("first_name", NAME_MAX),
    ("patronymic", NAME_MAX),
    ("position", NAME_MAX),
    ("roles", MAX_ROLES),
    ("subjects", MAX_SUBJECTS),
    ("email", crate::values::EMAIL_MAX),
    ("phone", crate::values::PHONE_MAX),
    ("snils", crate::values::SNILS_MAX),
    ("processing_bases", MAX_BASES),
];

/// The normal form of a teaching subject, so that spellings group together: trimmed, inner
/// whitespace collapsed to one space, lower case (`« Физическая  культура »` →
/// `физическая культура`). Empty when nothing is left.
pub fn normalize_subject(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Normalises a list of subjects: blank entries dropped, repeats merged, sorted; an entry over
/// [`SUBJECT_MAX`] characters or more than [`MAX_SUBJECTS`] distinct subjects is an error.
fn subjects(e: &mut Errors, list: Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    for (i, raw) in list.iter().enumerate() {
        let s = normalize_subject(raw);
        if s.chars().count() > SUBJECT_MAX {
            e.push(FieldError::new(
                format!("subjects[{i}]"),
                "too_long",
                Msg::new(format!("Не длиннее {SUBJECT_MAX} символов"), format!("At most {SUBJECT_MAX} characters")),
            ));
        } else if !s.is_empty() {
            out.push(s);
        }
    }
    out.sort();
    out.dedup();
    if out.len() > MAX_SUBJECTS {
        e.push(FieldError::new(
            "subjects",
            "too_many",
            Msg::new(format!("Не больше {MAX_SUBJECTS} предметов"), format!("At most {MAX_SUBJECTS} subjects")),
        ));
    }
    out
}

/// Validates a person's data (meaning; the wire shape was checked at the edge).
pub fn validate(input: PersonInput, today: NaiveDate) -> DomainResult<NewPerson> {
    let mut e = Errors::new();
    let surname = name_part(&mut e, "surname", input.surname, true);
    let first_name = name_part(&mut e, "first_name", input.first_name, true);
    let patronymic = name_part(&mut e, "patronymic", input.patronymic, false);
    let position = name_part(&mut e, "position", input.position, false);
    if input.organization_id.is_none() {
        e.push(FieldError::required("organization_id"));
    }
    let email = input.email.as_deref().and_then(|m| e.take(Email::parse("email", m)));
    let phone = input.phone.as_deref().and_then(|p| e.take(Phone::parse("phone", p)));
    let snils = input.snils.as_deref().and_then(|s| e.take(Snils::parse("snils", s)));
    if let Some(b) = input.birth_date {
        if b >= today || super::age_on(b, today) > 120 {
            e.push(FieldError::new(
                "birth_date",
                "out_of_range",
                Msg::new("Дата рождения вне допустимого диапазона", "Birth date is out of range"),
            ));
        } else if super::age_on(b, today) < 14 {
            e.push(FieldError::new(
                "birth_date",
                "out_of_range",
                Msg::new("Работнику не может быть меньше 14 лет", "A worker cannot be younger than 14"),
            ));
        }
    }
    if let Some(h) = input.hire_date {
        if h > today {
            e.push(FieldError::new(
                "hire_date",
                "in_future",
                Msg::new("Дата приёма на работу в будущем", "Hire date is in the future"),
            ));
        }
        if input.birth_date.is_some_and(|b| h <= b) {
            e.push(FieldError::new(
                "hire_date",
                "before_birth",
                Msg::new("Дата приёма раньше даты рождения", "Hire date precedes the birth date"),
            ));
        }
    }
    let mut roles = input.roles;
    roles.sort();
    roles.dedup();
    let subjects = subjects(&mut e, input.subjects);
    e.finish()?;
    match (surname, first_name, input.organization_id) {
        (Some(surname), Some(first_name), Some(organization_id)) => Ok(NewPerson {
            surname,
            first_name,
            patronymic,
            position,
            organization_id,
            roles,
            subjects,
            email: email.map(|m| m.as_str().to_owned()),
            phone: phone.map(|p| p.as_str().to_owned()),
            snils: snils.map(|s| s.digits().to_owned()),
            birth_date: input.birth_date,
            hire_date: input.hire_date,
        }),
        _ => Err(DomainError::internal("person validation lost a field")),
    }
}

const WRITERS: &[Role] = &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization];

/// The organisation named is not visible to the caller.
fn unknown_organization() -> DomainError {
    DomainError::field(
        "organization_id",
        "not_found",
        Msg::new("Организация не найдена", "The organisation does not exist"),
    )
}

/// The organisation must be visible to the caller (else the field is reported as unknown).
async fn check_organization(orgs: &dyn OrganizationRepository, ctx: &Ctx, id: Uuid) -> DomainResult<()> {
    match orgs.get(&ctx.actor.scope(), id).await {
        Ok(_) => Ok(()),
        Err(DomainError::NotFound) => Err(unknown_organization()),
        Err(e) => Err(e),
    }
}

/// Organisations read in one query by a batched check.
const ORGANIZATIONS_PER_READ: usize = 1000;

/// Which of the organisations are visible to the caller, in one read per 1 000 of them.
async fn visible_organizations(
    orgs: &dyn OrganizationRepository,
    ctx: &Ctx,
    mut ids: Vec<Uuid>,
) -> DomainResult<HashSet<Uuid>> {
    ids.sort_unstable();
    ids.dedup();
    let scope = ctx.actor.scope();
    let mut visible = HashSet::with_capacity(ids.len());
    for chunk in ids.chunks(ORGANIZATIONS_PER_READ) {
        visible.extend(orgs.visible(&scope, chunk).await?);
    }
    Ok(visible)
}

/// A person together with whether the caller may see their personal data.
pub type Visible<T> = (T, bool);

/// Creates a person in an organisation inside the caller's scope.
pub async fn create_person(
    repo: &dyn PersonRepository,
    orgs: &dyn OrganizationRepository,
    ctx: &Ctx,
    input: PersonInput,
) -> DomainResult<Person> {
    let today = crate::clock::region_today();
    ctx.actor.require(WRITERS)?;
    let new = validate(input, today);
    if let Ok(n) = &new {
        check_organization(orgs, ctx, n.organization_id).await?;
    }
    repo.create(ctx, new?).await
}

/// Creates many persons at once — a bulk import's batch — with the same rules as
/// [`create_person`]: each input is validated alone, the organisations are checked in one read,
/// and the valid persons are stored together. Returns, in input order, each new person or what
/// is wrong with that input; a failure of the store (e.g. a СНИЛС already taken) fails the whole
/// call and writes nothing.
pub async fn create_persons(
    repo: &dyn PersonRepository,
    orgs: &dyn OrganizationRepository,
    ctx: &Ctx,
    inputs: Vec<PersonInput>,
) -> DomainResult<Vec<DomainResult<Person>>> {
    let today = crate::clock::region_today();
    ctx.actor.require(WRITERS)?;
    let mut checked: Vec<DomainResult<NewPerson>> = inputs.into_iter().map(|i| validate(i, today)).collect();
    let named = checked.iter().filter_map(|n| n.as_ref().ok().map(|n| n.organization_id)).collect();
    let visible = visible_organizations(orgs, ctx, named).await?;
    for n in &mut checked {
        if n.as_ref().is_ok_and(|n| !visible.contains(&n.organization_id)) {
            *n = Err(unknown_organization());
        }
    }
    let mut valid = Vec::with_capacity(checked.len());
    let refused: Vec<Option<DomainError>> = checked
        .into_iter()
        .map(|n| match n {
            Ok(n) => {
                valid.push(n);
                None
            }
            Err(e) => Some(e),
        })
        .collect();
    let mut created = repo.create_many(ctx, valid).await?.into_iter();
    refused
        .into_iter()
        .map(|refusal| match refusal {
            None => created.next().map(Ok).ok_or_else(|| DomainError::internal("create_many lost a person")),
            Some(e) => Ok(Err(e)),
        })
        .collect()
}

/// What a batched update of one person gave: the person as stored after it, and whether
/// anything but the bookkeeping changed (an unchanged person is not written).
pub type Updated = (Person, bool);

/// The person `current` would become with `new`: the stored bookkeeping kept.
fn with_data(current: &Person, new: &NewPerson) -> Person {
    Person {
        surname: new.surname.clone(),
        first_name: new.first_name.clone(),
        patronymic: new.patronymic.clone(),
        position: new.position.clone(),
        organization_id: new.organization_id,
        roles: new.roles.clone(),
        subjects: new.subjects.clone(),
        email: new.email.clone(),
        phone: new.phone.clone(),
        snils: new.snils.clone(),
        birth_date: new.birth_date,
        hire_date: new.hire_date,
        ..current.clone()
    }
}

/// Updates many persons at once — a bulk re-import's batch of matched records — with the same
/// rules as [`update_person`]: each `(current, merged input)` is validated alone, the
/// organisations a change moves persons to are checked in one read, a person whose data would
/// not change is not written, and the changed ones are stored together (their versions checked
/// against `current`). Returns, in input order, each person with whether it changed, or what is
/// wrong with that input; a failure of the store (a version moved, a СНИЛС taken) fails the
/// whole call and writes nothing.
pub async fn update_persons(
    repo: &dyn PersonRepository,
    orgs: &dyn OrganizationRepository,
    ctx: &Ctx,
    updates: Vec<(Person, DomainResult<PersonInput>)>,
) -> DomainResult<Vec<DomainResult<Updated>>> {
    let today = crate::clock::region_today();
    ctx.actor.require(WRITERS)?;
    let checked: Vec<(Person, DomainResult<NewPerson>)> =
        updates.into_iter().map(|(current, input)| (current, input.and_then(|i| validate(i, today)))).collect();
    let moved = checked
        .iter()
        .filter_map(|(c, n)| n.as_ref().ok().filter(|n| n.organization_id != c.organization_id))
        .map(|n| n.organization_id)
        .collect();
    let visible = visible_organizations(orgs, ctx, moved).await?;
    let mut out: Vec<Option<DomainResult<Updated>>> = Vec::with_capacity(checked.len());
    let mut writes = Vec::new();
    let mut written = Vec::new();
    for (i, (current, new)) in checked.into_iter().enumerate() {
        out.push(match new {
            Err(e) => Some(Err(e)),
            Ok(n) if n.organization_id != current.organization_id && !visible.contains(&n.organization_id) => {
                Some(Err(unknown_organization()))
            }
            Ok(n) if with_data(&current, &n) == current => Some(Ok((current, false))),
            Ok(n) => {
                written.push(i);
                writes.push((current, n));
                None
            }
        });
    }
    for (i, person) in written.into_iter().zip(repo.update_many(ctx, writes).await?) {
        out[i] = Some(Ok((person, true)));
    }
    out.into_iter().map(|o| o.ok_or_else(|| DomainError::internal("update_many lost a person"))).collect()
}

/// Roles that read persons (within their scope; analysts see aggregates only).
pub const READERS: &[Role] =
    &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization, Role::Tutor, Role::Teacher, Role::Integration];

/// The repositories reading persons uses (the `Deps` style, docs/API-DESIGN.md).
#[derive(Clone, Copy)]
pub struct Deps<'a> {
    /// Persons.
    pub persons: &'a dyn PersonRepository,
    /// Bases of processing (who may read whose personal data).
    pub bases: &'a dyn crate::personal_data::PersonalDataRepository,
    /// Audit trail (reads of personal data).
    pub audit: &'a dyn AuditRepository,
}

/// Reads a person; a read that shows personal data is audited.
pub async fn get_person(deps: Deps<'_>, ctx: &Ctx, id: Uuid) -> DomainResult<Visible<Person>> {
    let Deps { persons: repo, bases, audit } = deps;
    ctx.actor.require(READERS)?;
    let p = repo.get(&ctx.actor.scope(), id).await?;
    let pd = crate::personal_data::ReadBases::load(bases, &ctx.actor, &[p.id]).await?.may_read(&ctx.actor, p.id);
    if pd {
        audit.record_reads(ctx, "person", &[p.id]).await?;
    }
    Ok((p, pd))
}

/// Lists persons in the caller's scope; searching by СНИЛС needs the right to see it. Reads that
/// show personal data are audited, one record per person shown.
pub async fn list_persons(
    deps: Deps<'_>,
    ctx: &Ctx,
    filter: &PersonFilter,
    page: PageRequest,
) -> DomainResult<Page<Visible<Person>>> {
    let Deps { persons: repo, bases, audit } = deps;
    ctx.actor.require(READERS)?;
    let mut filter = filter.clone();
    if let Some(s) = filter.snils.take() {
        if !matches!(
            ctx.actor.role,
            Role::Admin | Role::Operator | Role::Municipal | Role::Organization | Role::Integration
        ) {
            return Err(DomainError::Forbidden(Msg::new(
                "Поиск по СНИЛС недоступен вашей роли",
                "Your role may not search by SNILS",
            )));
        }
        filter.snils =
            Some(Snils::parse("snils", &s).map_err(|e| DomainError::Validation(vec![e]))?.digits().to_owned());
    }
    filter.subject = filter.subject.map(|s| normalize_subject(&s)).filter(|s| !s.is_empty());
    let page = repo.list(&ctx.actor.scope(), &filter, page).await?;
    let ids: Vec<Uuid> = page.items.iter().map(|p| p.id).collect();
    let reads = crate::personal_data::ReadBases::load(bases, &ctx.actor, &ids).await?;
    let shown: Vec<Uuid> = ids.into_iter().filter(|id| reads.may_read(&ctx.actor, *id)).collect();
    if !shown.is_empty() {
        audit.record_reads(ctx, "person", &shown).await?;
    }
    Ok(page.map(|p| {
        let pd = reads.may_read(&ctx.actor, p.id);
        (p, pd)
    }))
}

/// Updates a person with a merge patch applied to their current data.
pub async fn update_person(
    repo: &dyn PersonRepository,
    orgs: &dyn OrganizationRepository,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    patch: impl FnOnce(PersonInput) -> DomainResult<PersonInput>,
) -> DomainResult<Person> {
    let today = crate::clock::region_today();
    ctx.actor.require(WRITERS)?;
    let current = repo.get(&ctx.actor.scope(), id).await?;
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    let new = validate(patch(PersonInput::from(&current))?, today)?;
    if new.organization_id != current.organization_id {
        check_organization(orgs, ctx, new.organization_id).await?;
    }
    repo.update(ctx, id, expected_version, new).await
}

/// Deletes a person (152-ФЗ: data no longer needed is destroyed); the audit trail keeps the id.
pub async fn delete_person(
    repo: &dyn PersonRepository,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
) -> DomainResult<()> {
    ctx.actor.require(WRITERS)?;
    let current = repo.get(&ctx.actor.scope(), id).await?;
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    repo.delete(ctx, id, expected_version).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(subjects: &[&str]) -> PersonInput {
        PersonInput {
            surname: Some("Иванова".into()),
            first_name: Some("Анна".into()),
            organization_id: Some(Uuid::nil()),
            subjects: subjects.iter().map(|s| (*s).to_owned()).collect(),
            ..PersonInput::default()
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
    }

    #[test]
    fn subjects_are_normalised_sorted_and_unique() {
        let p =
            validate(input(&[" Физика ", "математика", "МАТЕМАТИКА", "", "Физическая   культура"]), today()).unwrap();
        assert_eq!(p.subjects, vec!["математика", "физика", "физическая культура"]);
    }

    #[test]
    fn a_long_subject_and_too_many_subjects_are_named() {
        let long = "я".repeat(SUBJECT_MAX + 1);
        let Err(DomainError::Validation(errors)) = validate(input(&["физика", &long]), today()) else {
            panic!("expected a validation error");
        };
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), vec!["subjects[1]"]);
        let many: Vec<String> = (0..=MAX_SUBJECTS).map(|i| format!("предмет {i}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let Err(DomainError::Validation(errors)) = validate(input(&refs), today()) else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "subjects");
    }
}
