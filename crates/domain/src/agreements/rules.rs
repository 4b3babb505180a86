//! Actions on agreements: who may do them, and the rules of the lifecycle and of amendments.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{
    Agreement, AgreementAction, AgreementAsOf, AgreementDocument, AgreementFilter, AgreementInput, AgreementRepository,
    AgreementVersion, Amendment, Lifecycle, NewAgreement, NewAmendment, Parties, PartyRole, Territory, apply_changes,
    validate_document, version_on,
};
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Actor, Ctx, Role, Scope},
    error::Errors,
    organizations::OrganizationRepository,
};

/// Roles that read agreements: the region's roles every agreement, a municipal or organisation
/// account those its own organisation is a party to ([`reader_scope`]).
pub const READERS: &[Role] = &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization, Role::Integration];
/// Roles that read the region's attainment report: readers and analysts (aggregates only).
pub(super) const REPORT_READERS: &[Role] =
    &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization, Role::Integration, Role::Analyst];

/// The agreements an actor reads (docs/API-DESIGN.md, «Agreements»): an agreement is read by its
/// three parties, each by its own organisation's account (municipal or organisation role), and
/// by the levels above them, the region's roles. Another organisation of the party
/// municipality, or a municipal account acting for any organisation other than the municipal
/// party, reads none.
pub fn reader_scope(actor: &Actor) -> Scope {
    match actor.role {
        Role::Municipal | Role::Organization => actor.organization_id.map_or(Scope::Nothing, Scope::Organization),
        _ => actor.scope(),
    }
}
/// Roles that create, sign, amend and terminate agreements.
pub const WRITERS: &[Role] = &[Role::Admin, Role::Operator];
/// Roles that report actual values (a municipal authority for its own agreement).
pub const REPORTERS: &[Role] = &[Role::Admin, Role::Operator, Role::Municipal];

/// The route a signed agreement changes through.
fn amendments_route(id: Uuid) -> String {
    format!("/api/v1/agreements/{id}/amendments")
}

/// 409: the lifecycle does not allow the action; `allowed` names the actions it allows.
fn wrong_state(a: &Agreement, ru: &str, en: &str) -> DomainError {
    let allowed = crate::actions::wire_names(a.lifecycle.allowed_actions(), AgreementAction::as_str);
    DomainError::Conflict { field: Some("status".into()), message: Msg::new(ru, en), allowed }
}

/// The guard of every action on an agreement (in the caller's reading scope), which the action
/// calls before it changes anything and [`allowed_actions`] runs for every action: the role
/// (403: writers sign, edit, amend and terminate; reporters report values) and the lifecycle
/// (409 naming the actions it allows).
pub fn check_action(actor: &Actor, a: &Agreement, action: AgreementAction) -> DomainResult<()> {
    use AgreementAction as A;
    actor.require(if action == A::ReportValue { REPORTERS } else { WRITERS })?;
    if a.lifecycle.allowed_actions().contains(&action) {
        return Ok(());
    }
    let route = amendments_route(a.id);
    Err(match action {
        A::Update => wrong_state(
            a,
            &format!("Подписанное соглашение меняется только дополнительным соглашением: POST {route}"),
            &format!("A signed agreement changes only through an amendment: POST {route}"),
        ),
        A::Sign => wrong_state(a, "Соглашение уже подписано", "The agreement is already signed"),
        A::Terminate => wrong_state(
            a,
            "Расторгнуть можно только подписанное соглашение",
            "Only a signed agreement can be terminated",
        ),
        A::Amend => wrong_state(
            a,
            "Дополнительное соглашение заключают к подписанному, не расторгнутому соглашению; проект меняют напрямую",
            "Amendments apply to a signed agreement that is not terminated; a draft is edited directly",
        ),
        A::ReportValue => {
            wrong_state(a, "Значения сообщают по подписанному соглашению", "Values are reported for a signed agreement")
        }
    })
}

/// The actions the caller may take on an agreement it reads now (`allowed_actions` of its
/// views): those of the lifecycle whose guard ([`check_action`]) passes.
pub fn allowed_actions(actor: &Actor, a: &Agreement) -> Vec<AgreementAction> {
    crate::actions::allowed(a.lifecycle.allowed_actions(), |action| check_action(actor, a, action)).unwrap_or_default()
}

async fn current(repo: &dyn AgreementRepository, ctx: &Ctx, id: Uuid, expected: i64) -> DomainResult<Agreement> {
    let a = repo.get(&reader_scope(&ctx.actor), id).await?;
    if a.version != expected {
        return Err(DomainError::PreconditionFailed);
    }
    Ok(a)
}

/// Checks that each party is an organisation of its kind, all in one region; returns the
/// territory of the municipal party.
async fn resolve_parties(orgs: &dyn OrganizationRepository, parties: &Parties) -> DomainResult<Territory> {
    let mut e = Errors::new();
    let mut found = Vec::new();
    for role in PartyRole::ALL.iter().copied() {
        let field = format!("parties.{}.organization_id", role.as_str());
        match orgs.get(&Scope::All, parties.get(role).organization_id).await {
            Ok(o) if o.kind == role.organization_kind() => found.push((role, o)),
            Ok(o) => e.push(FieldError::new(
                field,
                "wrong_kind",
                Msg::new(
                    format!(
                        "Сторона «{}» должна быть организацией вида «{}», а не «{}»",
                        role.as_str(),
                        role.organization_kind().as_str(),
                        o.kind.as_str()
                    ),
                    format!(
                        "The '{}' party must be an organisation of kind '{}', not '{}'",
                        role.as_str(),
                        role.organization_kind().as_str(),
                        o.kind.as_str()
                    ),
                ),
            )),
            Err(DomainError::NotFound) => e.push(FieldError::new(
                field,
                "not_found",
                Msg::new("Организация не найдена", "The organisation does not exist"),
            )),
            Err(other) => return Err(other),
        }
    }
    let municipal = found.iter().find(|(r, _)| *r == PartyRole::MunicipalAuthority).map(|(_, o)| o.clone());
    if let Some(m) = &municipal {
        for (role, o) in &found {
            if o.region_code != m.region_code {
                e.push(FieldError::new(
                    format!("parties.{}.organization_id", role.as_str()),
                    "region_mismatch",
                    Msg::new("Стороны должны быть из одного региона", "The parties must belong to one region"),
                ));
            }
        }
    }
    e.finish()?;
    match municipal {
        Some(m) => Ok(Territory {
            region_code: m.region_code,
            municipality_code: m.municipality_code.unwrap_or_default(),
            municipality_name: m.municipality_name,
        }),
        None => Err(DomainError::internal("municipal party lost")),
    }
}

/// One agreement per number, signing date and parties: a second one is a 409 naming the
/// existing one (the import matches it the same way).
async fn ensure_unique(
    repo: &dyn AgreementRepository,
    doc: &AgreementDocument,
    except: Option<Uuid>,
) -> DomainResult<()> {
    let p = &doc.parties;
    let filter = AgreementFilter {
        party_id: Some(p.municipal_authority.organization_id),
        ..AgreementFilter::new(doc.valid_until)
    };
    let same = repo.all(&Scope::All, &filter).await?.into_iter().find(|a| {
        let q = &a.document.parties;
        Some(a.id) != except
            && a.document.number == doc.number
            && a.document.signed_on == doc.signed_on
            && q.regional_authority.organization_id == p.regional_authority.organization_id
            && q.regional_institute.organization_id == p.regional_institute.organization_id
            && q.municipal_authority.organization_id == p.municipal_authority.organization_id
    });
    match same {
        None => Ok(()),
        Some(a) => {
            let date = doc.signed_on.map_or_else(|| "без даты".to_owned(), |d| d.format("%d.%m.%Y").to_string());
            let date_en = doc.signed_on.map_or_else(|| "undated".to_owned(), |d| d.to_string());
            Err(DomainError::Conflict {
                field: Some("number".into()),
                message: Msg::new(
                    format!("Соглашение № {} от {date} с этими сторонами уже есть: {}", doc.number, a.id),
                    format!("Agreement No. {} of {date_en} between these parties already exists: {}", doc.number, a.id),
                ),
                allowed: vec![format!("/api/v1/agreements/{}", a.id)],
            })
        }
    }
}

/// Completes a document for signing: the signing date is required, the term starts on it unless
/// given (BU 5.1: «вступает в силу с момента его подписания»).
fn signable(mut doc: AgreementDocument, signed_on: Option<NaiveDate>) -> DomainResult<AgreementDocument> {
    let Some(signed) = signed_on.or(doc.signed_on) else {
        return Err(DomainError::Validation(vec![FieldError::required("signed_on")]));
    };
    doc.signed_on = Some(signed);
    let from = doc.valid_from.unwrap_or(signed);
    if from > doc.valid_until {
        return Err(DomainError::field(
            "valid_until",
            "before_start",
            Msg::new("Срок действия заканчивается раньше, чем начинается", "The term ends before it begins"),
        ));
    }
    doc.valid_from = Some(from);
    Ok(doc)
}

/// Creates an agreement from its whole document (parties, clauses, indicators with targets):
/// a draft by default, or already signed (`status: signed`) to load an agreement concluded
/// earlier. This is the function importers call.
pub async fn create_agreement(
    repo: &dyn AgreementRepository,
    orgs: &dyn OrganizationRepository,
    ctx: &Ctx,
    input: AgreementInput,
) -> DomainResult<Agreement> {
    ctx.actor.require(WRITERS)?;
    let lifecycle = input.status.unwrap_or(Lifecycle::Draft);
    if lifecycle == Lifecycle::Terminated {
        return Err(DomainError::field(
            "status",
            "not_allowed",
            Msg::new("Новое соглашение — проект или подписанное", "A new agreement is a draft or signed"),
        ));
    }
    let mut doc = validate_document(&input, &[])?;
    let territory = resolve_parties(orgs, &doc.parties).await?;
    if lifecycle == Lifecycle::Signed {
        doc = signable(doc, None)?;
    }
    ensure_unique(repo, &doc, None).await?;
    repo.create(ctx, NewAgreement { lifecycle, territory, document: doc }).await
}

/// Updates a draft with a merge patch already applied to its current state. A signed agreement
/// is never edited in place: 409 naming the amendments route.
pub async fn update_agreement(
    repo: &dyn AgreementRepository,
    orgs: &dyn OrganizationRepository,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    patch: impl FnOnce(AgreementInput) -> DomainResult<AgreementInput>,
) -> DomainResult<Agreement> {
    ctx.actor.require(WRITERS)?;
    let a = current(repo, ctx, id, expected_version).await?;
    check_action(&ctx.actor, &a, AgreementAction::Update)?;
    let input = patch(AgreementInput::from_document(&a.document))?;
    if input.status.is_some_and(|s| s != Lifecycle::Draft) {
        return Err(DomainError::field(
            "status",
            "not_allowed",
            Msg::new("Статус меняют действия /sign и /terminate", "The status changes through /sign and /terminate"),
        ));
    }
    let doc = validate_document(&input, &a.document.indicators)?;
    let territory = resolve_parties(orgs, &doc.parties).await?;
    ensure_unique(repo, &doc, Some(id)).await?;
    repo.update_draft(ctx, id, expected_version, territory, doc).await
}

/// Signs a draft (on the given date, or the document's).
pub async fn sign_agreement(
    repo: &dyn AgreementRepository,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    signed_on: Option<NaiveDate>,
) -> DomainResult<Agreement> {
    ctx.actor.require(WRITERS)?;
    let a = current(repo, ctx, id, expected_version).await?;
    check_action(&ctx.actor, &a, AgreementAction::Sign)?;
    let doc = signable(a.document, signed_on)?;
    ensure_unique(repo, &doc, Some(id)).await?;
    repo.sign(ctx, id, expected_version, doc).await
}

/// Terminates a signed agreement on a date.
pub async fn terminate_agreement(
    repo: &dyn AgreementRepository,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    on: NaiveDate,
    reason: Option<String>,
) -> DomainResult<Agreement> {
    ctx.actor.require(WRITERS)?;
    let a = current(repo, ctx, id, expected_version).await?;
    check_action(&ctx.actor, &a, AgreementAction::Terminate)?;
    if a.document.signed_on.is_some_and(|s| on < s) {
        return Err(DomainError::field(
            "terminated_on",
            "before_signing",
            Msg::new("Дата расторжения раньше даты подписания", "The termination date precedes the signing date"),
        ));
    }
    let reason = reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    repo.terminate(ctx, id, expected_version, on, reason).await
}

/// Concludes a supplementary agreement (BU 5.3): a new version of the agreement effective from
/// its date. Amendments take effect in order: not before the version they amend.
pub async fn amend_agreement(
    repo: &dyn AgreementRepository,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    new: NewAmendment,
) -> DomainResult<(Agreement, Amendment)> {
    ctx.actor.require(WRITERS)?;
    let a = current(repo, ctx, id, expected_version).await?;
    check_action(&ctx.actor, &a, AgreementAction::Amend)?;
    let mut e = Errors::new();
    let number = new.number.trim().to_owned();
    if number.is_empty() || number.chars().count() > super::NUMBER_MAX {
        e.push(FieldError::new(
            "number",
            "required",
            Msg::new(
                format!("Укажите номер (до {} символов)", super::NUMBER_MAX),
                format!("Give the number (up to {} characters)", super::NUMBER_MAX),
            ),
        ));
    }
    let description = new.description.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
    if description.as_ref().is_some_and(|d| d.chars().count() > super::AMENDMENT_DESCRIPTION_MAX) {
        e.push(FieldError::new(
            "description",
            "too_long",
            Msg::new(
                format!("Не длиннее {} символов", super::AMENDMENT_DESCRIPTION_MAX),
                format!("At most {} characters", super::AMENDMENT_DESCRIPTION_MAX),
            ),
        ));
    }
    e.finish()?;
    let versions = repo.versions(&reader_scope(&ctx.actor), &[id]).await?;
    if versions.iter().filter_map(|v| v.amendment.as_ref()).any(|am| am.number == number) {
        return Err(DomainError::conflict(
            "number",
            Msg::new(
                format!("Дополнительное соглашение № {number} уже есть"),
                format!("Amendment No. {number} already exists"),
            ),
        ));
    }
    if let Some(last) = versions.iter().max_by_key(|v| v.number)
        && new.effective_from < last.effective_from
    {
        return Err(DomainError::conflict(
            "effective_from",
            Msg::new(
                format!("Изменения не могут вступить в силу раньше действующей редакции ({})", last.effective_from),
                format!("Changes cannot take effect before the version they amend ({})", last.effective_from),
            ),
        ));
    }
    let doc = apply_changes(&a.document, &new.changes)?;
    repo.amend(ctx, id, expected_version, NewAmendment { number, description, ..new }, doc).await
}

/// Lists the agreements visible to the caller.
pub async fn list_agreements(
    repo: &dyn AgreementRepository,
    ctx: &Ctx,
    filter: &AgreementFilter,
    page: crate::page::PageRequest,
) -> DomainResult<crate::page::Page<Agreement>> {
    ctx.actor.require(READERS)?;
    repo.list(&reader_scope(&ctx.actor), filter, page).await
}

/// The agreement as it stood on a date (today, the region's, by default).
pub async fn get_agreement_as_of(
    repo: &dyn AgreementRepository,
    ctx: &Ctx,
    id: Uuid,
    as_of: Option<NaiveDate>,
) -> DomainResult<AgreementAsOf> {
    ctx.actor.require(READERS)?;
    let as_of = as_of.unwrap_or_else(crate::clock::region_today);
    let scope = reader_scope(&ctx.actor);
    let agreement = repo.get(&scope, id).await?;
    let versions = repo.versions(&scope, &[id]).await?;
    let version = version_on(&versions, as_of).cloned();
    Ok(AgreementAsOf { agreement, as_of, version })
}

/// Every version of an agreement, oldest first.
pub async fn list_versions(
    repo: &dyn AgreementRepository,
    ctx: &Ctx,
    id: Uuid,
) -> DomainResult<(Agreement, Vec<AgreementVersion>)> {
    ctx.actor.require(READERS)?;
    let scope = reader_scope(&ctx.actor);
    let agreement = repo.get(&scope, id).await?;
    let versions = repo.versions(&scope, &[id]).await?;
    Ok((agreement, versions))
}
