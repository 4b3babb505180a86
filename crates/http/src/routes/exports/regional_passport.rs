use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, web};
use rsnms_domain::{
    auth::Scope,
    organizations::{OrganizationFilter, OrganizationKind},
    page::{MAX_LIMIT, PageRequest},
    persons::{PersonFilter, PersonRole},
};

use super::dto::{
    ExportQuery, FederalRegionalPassportV1, MethodologistV1, ParticipantV1, PassportTotalsV1, PeriodV1, TerritoryV1,
};
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// Export the regional passport (региональный паспорт) for the federal ecosystem of DPO.
///
/// Versioned JSON (`schema` = `rsnms.federal.regional-passport`, `schema_version` = `1.0`) for a
/// period and territory: the participants active during the period and the registry of municipal
/// methodological staff, without personal data beyond full name and position. Administrators,
/// operators and the federal integration export.
#[utoipa::path(
    tag = "exports",
    params(ExportQuery),
    responses((status = 200, description = "The passport", body = FederalRegionalPassportV1), ReadErrors),
    security(("bearer" = []))
)]
#[get("/exports/federal/regional-passport")]
pub async fn get_federal_regional_passport(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<ExportQuery>,
) -> ApiResult<HttpResponse> {
    super::may_export(&ctx)?;
    let (from, to) = super::period(q.period_from, q.period_to)?;
    let filter = OrganizationFilter {
        region_code: q.region_code.clone(),
        municipality_code: q.municipality_code.clone(),
        ..OrganizationFilter::default()
    };
    let mut participants = Vec::new();
    let mut page = PageRequest { limit: MAX_LIMIT, after: None };
    loop {
        let found = state.organizations.list(&Scope::All, &filter, page).await?;
        for o in found.items {
            let active = o.opened_on.is_none_or(|d| d <= to) && o.closed_on.is_none_or(|d| d >= from);
            if active {
                participants.push(ParticipantV1 {
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
                });
            }
        }
        match found.next_after {
            Some(a) => page.after = Some(a),
            None => break,
        }
    }
    let services: BTreeMap<_, _> = participants
        .iter()
        .filter(|p| p.kind == OrganizationKind::MunicipalMethodologicalService)
        .map(|p| (p.id, p.municipality_code.clone()))
        .collect();
    let staff_filter = PersonFilter {
        role: Some(PersonRole::Methodologist),
        organization_kind: Some(OrganizationKind::MunicipalMethodologicalService),
        municipality_code: q.municipality_code.clone(),
        ..PersonFilter::default()
    };
    let mut methodologists = Vec::new();
    let mut page = PageRequest { limit: MAX_LIMIT, after: None };
    loop {
        let found = state.persons.list(&Scope::All, &staff_filter, page).await?;
        for p in found.items {
            if let Some(municipality_code) = services.get(&p.organization_id) {
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
    let totals = PassportTotalsV1 {
        participants: participants.len() as u64,
        participants_by_level: by_level,
        methodologists: methodologists.len() as u64,
    };
    Ok(HttpResponse::Ok().json(FederalRegionalPassportV1 {
        schema: "rsnms.federal.regional-passport".into(),
        schema_version: "1.0".into(),
        generated_at: chrono::Utc::now(),
        period: PeriodV1 { from, to },
        territory: TerritoryV1 { region_code: q.region_code, municipality_code: q.municipality_code },
        participants,
        methodologists,
        totals,
    }))
}
