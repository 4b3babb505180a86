use std::collections::{BTreeMap, HashSet};

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::Datelike;
use rsnms_domain::{
    DomainResult,
    auth::{Ctx, Scope},
    development::{iom::RouteFilter, programs::ProgramFilter},
    monitoring::{IndicatorRow, report},
    organizations::{Level, Organization, OrganizationFilter, OrganizationKind},
    page::{MAX_LIMIT, PageRequest},
    persons::{PersonFilter, PersonRole},
};
use uuid::Uuid;

use super::dto::{
    ExportQuery, FederalRegionalPassportV1, MethodologistV1, ParticipantV1, PassportIndicatorV1, PassportTotalsV1,
    PeriodV1, ResponsiblePersonV1, TerritoryV1,
};
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// Export the regional passport (региональный паспорт) for the federal ecosystem of DPO.
///
/// Versioned JSON (`schema` = `rsnms.federal.regional-passport`, `schema_version` = `1.2`) for a
/// period and territory: the participants active during the period, the registry of municipal
/// methodological staff (full name and position only), the person each regional and municipal
/// organisation names responsible for the system (BU 2.2.4, 2.3.4; with work contacts, since
/// the exchange must reach them — those reads are audited), the indicator values of the
/// period's last year (aggregates, small groups suppressed) and counts of programmes and
/// routes. A person without a basis in force for the purpose `federal_exchange` (152-ФЗ art. 6;
/// e.g. her consent withdrawn) is left out of the staff registry and the responsible persons.
/// Incremental: `updated_since` keeps the participants, methodologists and responsible persons
/// changed after an instant (as the change feed tells them: `organization` and `person`
/// events); `limit` and `cursor` read the records page by page (`next_cursor`,
/// `Link: rel="next"`); the indicators and totals are always the whole territory's.
/// Administrators, operators and the federal integration export; a municipal authority its own
/// municipality only.
#[utoipa::path(
    tag = "exports",
    params(ExportQuery),
    responses((status = 200, description = "The passport", body = FederalRegionalPassportV1), ReadErrors),
    security(("bearer" = []))
)]
#[get("/exports/federal/regional-passport")]
pub async fn get_federal_regional_passport(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<ExportQuery>,
) -> ApiResult<HttpResponse> {
    let territory = super::territory(&ctx, q.region_code, q.municipality_code)?;
    let period = super::period(q.period_from, q.period_to)?;
    let slice = super::Slice::of(q.updated_since, q.limit, q.cursor.as_ref())?;
    let doc = document(&state, &ctx, period, territory, &slice).await?;
    let next = doc.next_cursor.clone();
    let mut res = HttpResponse::Ok().json(doc);
    super::link_next(&req, &mut res, next.as_ref());
    Ok(res)
}

/// The passport of a period, territory and slice (the responsible persons it shows are audited
/// reads).
pub(super) async fn document(
    state: &AppState,
    ctx: &Ctx,
    (from, to): (chrono::NaiveDate, chrono::NaiveDate),
    territory: TerritoryV1,
    slice: &super::Slice,
) -> DomainResult<FederalRegionalPassportV1> {
    let filter = OrganizationFilter {
        region_code: territory.region_code.clone(),
        municipality_code: territory.municipality_code.clone(),
        ..OrganizationFilter::default()
    };
    let mut active: Vec<Organization> = Vec::new();
    let mut page = PageRequest { limit: MAX_LIMIT, after: None, ..PageRequest::default() };
    loop {
        let found = state.organizations.list(&Scope::All, &filter, page.clone()).await?;
        active.extend(
            found
                .items
                .into_iter()
                .filter(|o| o.opened_on.is_none_or(|d| d <= to) && o.closed_on.is_none_or(|d| d >= from)),
        );
        match found.next_after {
            Some(a) => page.after = Some(a),
            None => break,
        }
    }
    let responsible = responsible_persons(state, &active, slice).await?;
    let changed_orgs: Vec<Uuid> = active.iter().filter(|o| slice.changed(o.updated_at)).map(|o| o.id).collect();
    let participants: Vec<ParticipantV1> = active
        .into_iter()
        .map(|o| ParticipantV1 {
            id: o.id,
            name: o.name,
            kind: o.kind,
            level: o.level,
            parent_id: o.parent_id,
            inn: o.inn,
            region_code: o.region_code,
            municipality_code: o.municipality_code,
            municipality_name: o.municipality_name,
            opened_on: o.opened_on,
            closed_on: o.closed_on,
        })
        .collect();
    let services: BTreeMap<_, _> = participants
        .iter()
        .filter(|p| p.kind == OrganizationKind::MunicipalMethodologicalService)
        .map(|p| (p.id, p.municipality_code.clone()))
        .collect();
    let staff_filter = PersonFilter {
        role: Some(PersonRole::Methodologist),
        organization_kind: Some(OrganizationKind::MunicipalMethodologicalService),
        municipality_code: territory.municipality_code.clone(),
        ..PersonFilter::default()
    };
    let mut methodologists = Vec::new();
    let mut changed_staff = Vec::new();
    let mut page = PageRequest { limit: MAX_LIMIT, after: None, ..PageRequest::default() };
    loop {
        let found = state.persons.list(&Scope::All, &staff_filter, page.clone()).await?;
        let ids: Vec<Uuid> = found.items.iter().map(|p| p.id).collect();
        // A person without a basis for the federal exchange is left out (her name is personal data).
        let allowed = super::federal_exchange_allowed(state, &ids).await?;
        for p in found.items.into_iter().filter(|p| allowed.contains(&p.id)) {
            if let Some(municipality_code) = services.get(&p.organization_id) {
                if slice.changed(p.updated_at) {
                    changed_staff.push(p.id);
                }
                methodologists.push(MethodologistV1 {
                    id: p.id,
                    full_name: p.full_name(),
                    position: p.position,
                    organization_id: p.organization_id,
                    municipality_code: municipality_code.clone(),
                });
            }
        }
        match found.next_after {
            Some(a) => page.after = Some(a),
            None => break,
        }
    }
    let mut by_level: BTreeMap<String, u64> = BTreeMap::new();
    for p in &participants {
        *by_level.entry(p.level.as_str().to_owned()).or_default() += 1;
    }
    let (programs, federal_registry_programs) = program_counts(state, to).await?;
    let routes_by_status = route_counts(state, from, to, &territory).await?;
    let totals = PassportTotalsV1 {
        participants: participants.len() as u64,
        participants_by_level: by_level,
        methodologists: methodologists.len() as u64,
        programs,
        federal_registry_programs,
        routes: routes_by_status.values().sum(),
        routes_by_status,
    };
    // The slice: the records changed after `since`, then one page of them by key (an
    // organisation's id; a methodologist's own; a responsible person's, her designating
    // organisation's).
    let changed_orgs: HashSet<Uuid> = changed_orgs.into_iter().collect();
    let changed_staff: HashSet<Uuid> = changed_staff.into_iter().collect();
    let changed_responsible: Vec<&(ResponsiblePersonV1, bool)> =
        responsible.iter().filter(|(_, changed)| *changed).collect();
    let window = slice.window(
        changed_orgs
            .iter()
            .chain(changed_staff.iter())
            .copied()
            .chain(changed_responsible.iter().map(|(r, _)| r.designated_by.id)),
    );
    let participants: Vec<ParticipantV1> =
        participants.into_iter().filter(|p| changed_orgs.contains(&p.id) && window.holds(p.id)).collect();
    let methodologists: Vec<MethodologistV1> =
        methodologists.into_iter().filter(|m| changed_staff.contains(&m.id) && window.holds(m.id)).collect();
    let responsible_persons: Vec<ResponsiblePersonV1> = changed_responsible
        .into_iter()
        .filter(|(r, _)| window.holds(r.designated_by.id))
        .map(|(r, _)| r.clone())
        .collect();
    let mut shown: Vec<Uuid> = responsible_persons.iter().map(|r| r.person_id).collect();
    shown.sort();
    shown.dedup();
    super::audit_export_reads(state.audit.as_ref(), ctx, &shown).await?;
    let r = report(crate::routes::monitoring::deps(state), ctx, to.year(), state.min_group_size).await?;
    let mut indicators = Vec::new();
    if territory.municipality_code.is_none() {
        indicators.extend(r.total.iter().map(|i| indicator(r.year, None, None, i)));
    }
    for m in r
        .municipalities
        .iter()
        .filter(|m| territory.municipality_code.as_ref().is_none_or(|c| *c == m.municipality_code))
    {
        indicators.extend(
            m.indicators.iter().map(|i| indicator(r.year, Some(&m.municipality_code), Some(&m.municipality_name), i)),
        );
    }
    Ok(FederalRegionalPassportV1 {
        schema: "rsnms.federal.regional-passport".into(),
        schema_version: "1.2".into(),
        generated_at: chrono::Utc::now(),
        period: PeriodV1 { from, to },
        territory,
        responsible_persons,
        indicators,
        participants,
        methodologists,
        totals,
        updated_since: slice.since,
        next_cursor: window.next_cursor,
    })
}

/// The person each active regional or municipal organisation names responsible, with the
/// contacts the exchange needs, and whether she or the organisation changed in the slice's
/// window (nothing audited here: the caller audits those it shows).
async fn responsible_persons(
    state: &AppState,
    active: &[Organization],
    slice: &super::Slice,
) -> DomainResult<Vec<(ResponsiblePersonV1, bool)>> {
    let designating: Vec<&Organization> =
        active.iter().filter(|o| o.kind.names_responsible_person() && o.responsible_person_id.is_some()).collect();
    if designating.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = designating.iter().filter_map(|o| o.responsible_person_id).collect();
    let filter = PersonFilter { ids: Some(ids.clone()), ..PersonFilter::default() };
    let people = state
        .persons
        .list(&Scope::All, &filter, PageRequest { limit: MAX_LIMIT, after: None, ..PageRequest::default() })
        .await?;
    let people: BTreeMap<Uuid, _> = people.items.into_iter().map(|p| (p.id, p)).collect();
    let orgs = super::organizations(state.organizations.as_ref()).await?;
    // A person without a basis for the federal exchange is left out (her name is personal data).
    let allowed = super::federal_exchange_allowed(state, &ids).await?;
    let mut out = Vec::new();
    for o in designating {
        let Some(p) = o.responsible_person_id.and_then(|id| people.get(&id)) else { continue };
        if !allowed.contains(&p.id) {
            continue;
        }
        let Some(workplace) = orgs.get(&p.organization_id) else { continue };
        out.push((
            ResponsiblePersonV1 {
                level: if o.level == Level::Municipal { "municipal" } else { "regional" }.to_owned(),
                region_code: o.region_code.clone(),
                municipality_code: o.municipality_code.clone(),
                municipality_name: o.municipality_name.clone(),
                designated_by: super::organization_ref(o),
                person_id: p.id,
                full_name: p.full_name(),
                position: p.position.clone(),
                organization: super::organization_ref(workplace),
                email: p.email.clone(),
                phone: p.phone.clone(),
            },
            slice.changed(p.updated_at.max(o.updated_at)),
        ));
    }
    out.sort_by(|a, b| {
        (&a.0.municipality_code, &a.0.designated_by.name).cmp(&(&b.0.municipality_code, &b.0.designated_by.name))
    });
    Ok(out)
}

/// Programmes that existed by the end of the period, and those of them in the federal registry.
async fn program_counts(state: &AppState, to: chrono::NaiveDate) -> rsnms_domain::DomainResult<(u64, u64)> {
    let (mut all, mut registry) = (0, 0);
    let mut page = PageRequest { limit: MAX_LIMIT, after: None, ..PageRequest::default() };
    loop {
        let found = state.programs.list(&ProgramFilter::default(), page.clone()).await?;
        for p in found.items.iter().filter(|p| p.created_at.date_naive() <= to) {
            all += 1;
            registry += u64::from(p.federal_registry);
        }
        match found.next_after {
            Some(a) => page.after = Some(a),
            None => return Ok((all, registry)),
        }
    }
}

/// Routes overlapping the period in the territory, by status.
async fn route_counts(
    state: &AppState,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    territory: &TerritoryV1,
) -> rsnms_domain::DomainResult<BTreeMap<String, u64>> {
    let filter = RouteFilter {
        overlaps: Some((from, to)),
        region_code: territory.region_code.clone(),
        municipality_code: territory.municipality_code.clone(),
        ..RouteFilter::default()
    };
    let mut out = BTreeMap::new();
    let mut page = PageRequest { limit: MAX_LIMIT, after: None, ..PageRequest::default() };
    loop {
        let found = state.routes.list(&Scope::All, &filter, page.clone()).await?;
        for r in &found.items {
            *out.entry(r.status.as_str().to_owned()).or_default() += 1;
        }
        match found.next_after {
            Some(a) => page.after = Some(a),
            None => return Ok(out),
        }
    }
}

fn indicator(year: i32, code: Option<&String>, name: Option<&String>, i: &IndicatorRow) -> PassportIndicatorV1 {
    PassportIndicatorV1 {
        year,
        municipality_code: code.cloned(),
        municipality_name: name.cloned(),
        code: i.definition.code.clone(),
        name: i.definition.name.clone(),
        unit: i.definition.unit.as_str().to_owned(),
        value: i.computed.value,
        numerator: i.computed.numerator,
        denominator: i.computed.denominator,
        suppressed: i.computed.suppressed,
        target: i.target,
        reported: i.reported,
    }
}
