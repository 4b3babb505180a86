//! Purposes and bases of processing: listing, recording, withdrawing.

use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::{BasisKind, ConsentForm, PersonalDataRepository, ProcessingBasis, Purpose};
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Role},
    error::Errors,
    persons::PersonRepository,
};

/// Roles that record bases: those that write persons, in their scope.
const RECORDERS: &[Role] = &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization];

/// A basis as a client describes it.
#[derive(Debug, Clone, Default)]
pub struct BasisInput {
    /// Purpose code.
    pub purpose: Option<String>,
    /// The basis.
    pub kind: Option<BasisKind>,
    /// A consent's form.
    pub consent_form: Option<ConsentForm>,
    /// The document reference.
    pub document_ref: Option<String>,
    /// The act named for another basis.
    pub legal_act: Option<String>,
    /// Given / in force from.
    pub given_on: Option<NaiveDate>,
    /// Valid until (inclusive).
    pub valid_until: Option<NaiveDate>,
}

fn text(e: &mut Errors, field: &str, v: Option<String>, max: usize) -> Option<String> {
    let v = v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if v.as_ref().is_some_and(|s| s.chars().count() > max) {
        e.push(FieldError::new(
            field,
            "too_long",
            Msg::new(format!("Не длиннее {max} символов"), format!("At most {max} characters")),
        ));
        return None;
    }
    v
}

/// Checks a basis against the rules of art. 6 and 9: a consent names its form, another basis
/// names its act; a known purpose; dates in order, not in the future.
fn validate(
    input: BasisInput,
    purposes: &[Purpose],
    ctx: &Ctx,
    person_id: Uuid,
    today: NaiveDate,
) -> DomainResult<ProcessingBasis> {
    let mut e = Errors::new();
    let purpose = text(&mut e, "purpose", input.purpose, super::PURPOSE_CODE_MAX);
    match &purpose {
        None => e.push(FieldError::required("purpose")),
        Some(p) if !purposes.iter().any(|k| &k.code == p) => e.push(FieldError::new(
            "purpose",
            "unknown",
            Msg::new(format!("Цель обработки «{p}» не зарегистрирована"), format!("Purpose `{p}` is not registered")),
        )),
        Some(_) => {}
    }
    let document_ref = text(&mut e, "document_ref", input.document_ref, super::DOCUMENT_REF_MAX);
    let legal_act = text(&mut e, "legal_act", input.legal_act, super::LEGAL_ACT_MAX);
    match input.kind {
        None => e.push(FieldError::required("kind")),
        Some(BasisKind::Consent) if input.consent_form.is_none() => e.push(FieldError::new(
            "consent_form",
            "required",
            Msg::new("Для согласия укажите его форму", "A consent needs its form"),
        )),
        Some(k) if k != BasisKind::Consent && legal_act.is_none() => e.push(FieldError::new(
            "legal_act",
            "required",
            Msg::new("Для основания, кроме согласия, укажите акт", "A basis other than consent names its act"),
        )),
        Some(_) => {}
    }
    if input.kind.is_some_and(|k| k != BasisKind::Consent) && input.consent_form.is_some() {
        e.push(FieldError::new(
            "consent_form",
            "not_applicable",
            Msg::new("Форма согласия указывается только для согласия", "Only a consent has a form"),
        ));
    }
    let given_on = input.given_on.unwrap_or(today);
    if given_on > today {
        e.push(FieldError::new("given_on", "in_future", Msg::new("Дата в будущем", "The date is in the future")));
    }
    if input.valid_until.is_some_and(|v| v < given_on) {
        e.push(FieldError::new(
            "valid_until",
            "before_start",
            Msg::new("Срок действия кончается раньше начала", "Valid until precedes the start"),
        ));
    }
    e.finish()?;
    let (Some(purpose), Some(kind)) = (purpose, input.kind) else {
        return Err(DomainError::internal("basis validation lost a field"));
    };
    Ok(ProcessingBasis {
        id: Uuid::now_v7(),
        person_id,
        purpose,
        kind,
        consent_form: input.consent_form,
        document_ref,
        legal_act,
        given_on,
        valid_until: input.valid_until,
        recorded_by: ctx.actor.subject.clone(),
        recorded_at: Utc::now(),
        withdrawn_on: None,
        withdrawn_by: None,
        version: 1,
    })
}

/// The purposes of processing: every authenticated role may read the register's list.
pub async fn list_purposes(repo: &dyn PersonalDataRepository, ctx: &Ctx) -> DomainResult<Vec<Purpose>> {
    ctx.actor.require(&Role::ALL)?;
    repo.purposes().await
}

/// Adds a purpose: administrators only; the code is `[a-z0-9_]{2,64}`.
pub async fn record_purpose(
    repo: &dyn PersonalDataRepository,
    ctx: &Ctx,
    code: String,
    name_ru: String,
    name_en: String,
) -> DomainResult<Purpose> {
    ctx.actor.require(&[Role::Admin])?;
    let mut e = Errors::new();
    let code = code.trim().to_owned();
    if code.len() < 2
        || code.len() > super::PURPOSE_CODE_MAX
        || !code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        e.push(FieldError::new(
            "code",
            "invalid",
            Msg::new(
                format!("Код: 2–{} символа a-z, 0-9, _", super::PURPOSE_CODE_MAX),
                format!("Code: 2 to {} characters a-z, 0-9, _", super::PURPOSE_CODE_MAX),
            ),
        ));
    }
    let name_ru = text(&mut e, "name_ru", Some(name_ru), super::PURPOSE_NAME_MAX);
    let name_en = text(&mut e, "name_en", Some(name_en), super::PURPOSE_NAME_MAX);
    if name_ru.is_none() {
        e.push(FieldError::required("name_ru"));
    }
    e.finish()?;
    let name_ru = name_ru.unwrap_or_default();
    let name_en = name_en.unwrap_or_else(|| name_ru.clone());
    repo.create_purpose(ctx, Purpose { code, name_ru, name_en, shipped: false }).await
}

/// The person, when the caller may read her personal data (else 404 outside the scope, 403
/// inside it).
pub(super) async fn readable_person(
    repo: &dyn PersonalDataRepository,
    persons: &dyn PersonRepository,
    ctx: &Ctx,
    person_id: Uuid,
) -> DomainResult<crate::persons::Person> {
    ctx.actor.require(crate::persons::READERS)?;
    let person = persons.get(&ctx.actor.scope(), person_id).await?;
    if !super::ReadBases::load(repo, &ctx.actor, &[person_id]).await?.may_read(&ctx.actor, person_id) {
        return Err(DomainError::Forbidden(Msg::new(
            "Ваша роль не может видеть персональные данные этого человека",
            "Your role may not see this person's personal data",
        )));
    }
    Ok(person)
}

/// The bases of a person, oldest first: roles that may read her personal data.
pub async fn list_bases(
    repo: &dyn PersonalDataRepository,
    persons: &dyn PersonRepository,
    ctx: &Ctx,
    person_id: Uuid,
) -> DomainResult<Vec<ProcessingBasis>> {
    readable_person(repo, persons, ctx, person_id).await?;
    repo.bases_of(&[person_id]).await
}

/// Records a basis for a person in the caller's scope (roles that write persons).
pub async fn record_basis(
    repo: &dyn PersonalDataRepository,
    persons: &dyn PersonRepository,
    ctx: &Ctx,
    person_id: Uuid,
    input: BasisInput,
) -> DomainResult<ProcessingBasis> {
    let today = crate::clock::region_today();
    ctx.actor.require(RECORDERS)?;
    persons.get(&ctx.actor.scope(), person_id).await?;
    let purposes = repo.purposes().await?;
    let basis = validate(input, &purposes, ctx, person_id, today)?;
    repo.create_basis(ctx, basis).await
}

/// Records a withdrawal (отзыв): from today processing for that purpose stops. Roles that write
/// persons in their scope, and the person herself for her own consent (152-ФЗ art. 9 part 2).
pub async fn withdraw_basis(
    repo: &dyn PersonalDataRepository,
    persons: &dyn PersonRepository,
    ctx: &Ctx,
    person_id: Uuid,
    basis_id: Uuid,
) -> DomainResult<ProcessingBasis> {
    let today = crate::clock::region_today();
    let own = ctx.actor.person_id == Some(person_id);
    if !own {
        ctx.actor.require(RECORDERS)?;
    }
    persons.get(&ctx.actor.scope(), person_id).await?;
    let basis =
        repo.bases_of(&[person_id]).await?.into_iter().find(|b| b.id == basis_id).ok_or(DomainError::NotFound)?;
    if own && !RECORDERS.contains(&ctx.actor.role) && basis.kind != BasisKind::Consent {
        return Err(DomainError::Forbidden(Msg::new(
            "Субъект отзывает только своё согласие",
            "A person withdraws only her own consent",
        )));
    }
    repo.withdraw_basis(ctx, person_id, basis_id, today).await
}

/// Records the bases a person's record carries (`processing_bases` of `POST`/`PATCH /persons`,
/// the persons import): each checked by the one validator of [`record_basis`], failures named
/// `processing_bases[i].<field>` (every one at once); roles that record bases. The caller runs
/// it inside the unit of work that writes the person, so that all is written or nothing.
pub async fn record_bases(
    repo: &dyn PersonalDataRepository,
    ctx: &Ctx,
    person_id: Uuid,
    inputs: Vec<BasisInput>,
) -> DomainResult<Vec<ProcessingBasis>> {
    let today = crate::clock::region_today();
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    ctx.actor.require(RECORDERS)?;
    let purposes = repo.purposes().await?;
    let checked = check_all(inputs, &purposes, ctx, person_id, today)?;
    let mut out = Vec::with_capacity(checked.len());
    for b in checked {
        out.push(repo.create_basis(ctx, b).await?);
    }
    Ok(out)
}

/// Every basis of one record checked ([`validate`]), failures named `processing_bases[i].<field>`
/// (every one at once).
fn check_all(
    inputs: Vec<BasisInput>,
    purposes: &[Purpose],
    ctx: &Ctx,
    person_id: Uuid,
    today: NaiveDate,
) -> DomainResult<Vec<ProcessingBasis>> {
    let mut errors = Vec::new();
    let mut checked = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        match validate(input, purposes, ctx, person_id, today) {
            Ok(b) => checked.push(b),
            Err(DomainError::Validation(found)) => errors.extend(found.into_iter().map(|mut e| {
                e.field = format!("processing_bases[{i}].{}", e.field);
                e
            })),
            Err(e) => return Err(e),
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    Ok(checked)
}

/// The bases many records of a batch carry (a bulk import's), checked before their persons are
/// written, by the same rules and with the same answers as [`record_bases`]: for each record, its
/// checked bases (to be given their person with [`record_checked_bases`]) or what
/// [`record_bases`] would answer. A record without bases is `Ok` and empty.
pub async fn check_bases(
    repo: &dyn PersonalDataRepository,
    ctx: &Ctx,
    records: Vec<Vec<BasisInput>>,
) -> DomainResult<Vec<DomainResult<Vec<ProcessingBasis>>>> {
    let today = crate::clock::region_today();
    if records.iter().all(Vec::is_empty) {
        return Ok(records.into_iter().map(|_| Ok(Vec::new())).collect());
    }
    let purposes = repo.purposes().await?;
    Ok(records
        .into_iter()
        .map(|inputs| {
            if inputs.is_empty() {
                return Ok(Vec::new());
            }
            ctx.actor.require(RECORDERS)?;
            check_all(inputs, &purposes, ctx, Uuid::nil(), today)
        })
        .collect())
}

/// Stores bases checked by [`check_bases`], each given its person (written in the same unit of
/// work): all in one multi-row write.
pub async fn record_checked_bases(
    repo: &dyn PersonalDataRepository,
    ctx: &Ctx,
    bases: Vec<(Uuid, Vec<ProcessingBasis>)>,
) -> DomainResult<Vec<ProcessingBasis>> {
    if bases.iter().all(|(_, bs)| bs.is_empty()) {
        return Ok(Vec::new());
    }
    ctx.actor.require(RECORDERS)?;
    let all = bases
        .into_iter()
        .flat_map(|(person_id, bs)| bs.into_iter().map(move |b| ProcessingBasis { person_id, ..b }))
        .collect();
    repo.create_bases(ctx, all).await
}

/// The stores a person's write carrying bases needs.
pub struct PersonStores<'a> {
    /// Persons.
    pub persons: &'a dyn PersonRepository,
    /// Organisations (the person's must be in the caller's scope).
    pub organizations: &'a dyn crate::organizations::OrganizationRepository,
    /// Units of work: the person and her bases are written in one.
    pub units: &'a dyn crate::exchange::UnitOfWork,
}

use crate::exchange::imports::finish;

/// Creates a person with the bases her record carries ([`crate::persons::create_person`], then
/// [`record_bases`]) in one unit of work; without bases, just the person.
pub async fn create_person_with_bases(
    d: PersonStores<'_>,
    ctx: &Ctx,
    input: crate::persons::PersonInput,
    bases: Vec<BasisInput>,
) -> DomainResult<crate::persons::Person> {
    if bases.is_empty() {
        return crate::persons::create_person(d.persons, d.organizations, ctx, input).await;
    }
    let unit = d.units.begin().await?;
    let done = async {
        let p = crate::persons::create_person(unit.persons(), unit.organizations(), ctx, input).await?;
        record_bases(unit.personal_data(), ctx, p.id, bases).await?;
        Ok(p)
    }
    .await;
    finish(unit, done).await
}

/// Updates a person with a merge patch and records the bases the patch carries (each a new
/// basis; a withdrawal is `…/withdraw`), in one unit of work; without bases, just the update.
pub async fn update_person_with_bases(
    d: PersonStores<'_>,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    patch: impl FnOnce(crate::persons::PersonInput) -> DomainResult<crate::persons::PersonInput> + Send,
    bases: Vec<BasisInput>,
) -> DomainResult<crate::persons::Person> {
    if bases.is_empty() {
        return crate::persons::update_person(d.persons, d.organizations, ctx, id, expected_version, patch).await;
    }
    let unit = d.units.begin().await?;
    let done = async {
        let p = crate::persons::update_person(unit.persons(), unit.organizations(), ctx, id, expected_version, patch)
            .await?;
        record_bases(unit.personal_data(), ctx, p.id, bases).await?;
        Ok(p)
    }
    .await;
    finish(unit, done).await
}
