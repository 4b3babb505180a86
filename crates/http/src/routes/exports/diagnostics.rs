use std::collections::HashSet;

use actix_web::{HttpRequest, HttpResponse, get, web};
use rsnms_domain::{
    DomainResult,
    development::diagnostics::{AnalyticsRow, CampaignFilter, Decisions, Place, protected, share_percent},
    page::{MAX_LIMIT, PageRequest},
};
use uuid::Uuid;

use super::{
    csv,
    dto::{DiagnosticCampaignV1, DiagnosticCellV1, FederalDiagnosticsV1, PeriodV1, TableExportQuery, TerritoryV1},
};
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// Columns of the CSV form: one row per campaign, competency and municipality (an empty
/// municipality is the whole territory).
const COLUMNS: &[&str] = &[
    "campaign_id",
    "campaign_name",
    "instrument",
    "target_group",
    "campaign_from",
    "campaign_to",
    "competency_id",
    "competency_code",
    "competency_name",
    "municipality_code",
    "municipality_name",
    "participants",
    "with_deficit",
    "share_percent",
    "suppressed",
];

/// Export deficit diagnostics (диагностика профессиональных дефицитов) for the federal ecosystem
/// of DPO.
///
/// Versioned JSON (`schema` = `rsnms.federal.diagnostics`, `schema_version` = `1.1`): every
/// campaign whose period overlaps the reporting period, with per competency the participants,
/// those with a deficit and their share — per municipality and for the whole territory. Only
/// aggregates: the exchange needs the picture of deficits to plan programmes, not persons'
/// results, so no person-level data is exported. Per person the latest result in the campaign
/// counts; figures are withheld by the disclosure rules of `/diagnostics/analytics` (small
/// groups and complementary cells, decided on the whole campaign whatever the territory asked).
/// With `Accept: text/csv` or `?format=csv` one row per campaign, competency and municipality.
/// Incremental: `updated_since` keeps the campaigns changed after an instant — the campaign
/// itself or any of its results (the change feed's `diagnostic` and `diagnostic_result`
/// events), each with its aggregates computed whole; `limit` and `cursor` read the campaigns
/// page by page (`next_cursor`, `Link: rel="next"`). Administrators, operators and the federal
/// integration export; a municipal authority its own municipality only.
#[utoipa::path(
    tag = "exports",
    params(TableExportQuery),
    responses(
        (status = 200, description = "The campaigns with aggregates: JSON, or CSV with `Accept: text/csv` / `?format=csv`",
         content((FederalDiagnosticsV1 = "application/json"), (String = "text/csv"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/exports/federal/diagnostics")]
pub async fn get_federal_diagnostics(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<TableExportQuery>,
) -> ApiResult<HttpResponse> {
    let territory = super::territory(&ctx, q.region_code.clone(), q.municipality_code.clone())?;
    let (from, to) = super::period(q.period_from, q.period_to)?;
    let slice = super::Slice::of_table(&q)?;
    let doc = document(&state, (from, to), territory, &slice).await?;
    let next = doc.next_cursor.clone();
    let mut res = if csv::wanted(&req, q.format) {
        let w = csv::writer(q.delimiter);
        let mut body = w.head(COLUMNS);
        for c in &doc.campaigns {
            for cell in &c.cells {
                body.push_str(&w.line(&[
                    c.id.to_string(),
                    c.name.clone(),
                    c.instrument.clone(),
                    c.target_group.clone(),
                    c.period.from.to_string(),
                    c.period.to.to_string(),
                    cell.competency.id.to_string(),
                    cell.competency.code.clone(),
                    cell.competency.name.clone(),
                    csv::opt(cell.municipality_code.as_ref()),
                    csv::opt(cell.municipality_name.as_ref()),
                    csv::opt(cell.participants),
                    csv::opt(cell.with_deficit),
                    csv::opt(cell.share_percent),
                    cell.suppressed.to_string(),
                ]));
            }
        }
        csv::respond(&format!("diagnostics-{from}-{to}"), body)
    } else {
        HttpResponse::Ok().json(doc)
    };
    super::link_next(&req, &mut res, next.as_ref());
    Ok(res)
}

/// The diagnostics document of a period, territory and slice: the campaigns changed after
/// `since` (the campaign or one of its results), one page of them by id, or all.
pub(super) async fn document(
    state: &AppState,
    (from, to): (chrono::NaiveDate, chrono::NaiveDate),
    territory: TerritoryV1,
    slice: &super::Slice,
) -> DomainResult<FederalDiagnosticsV1> {
    let min = state.min_group_size;
    let mut found_campaigns = Vec::new();
    let mut page = PageRequest { limit: MAX_LIMIT, after: None, ..PageRequest::default() };
    loop {
        let found = state.diagnostics.list_campaigns(&CampaignFilter::default(), page.clone()).await?;
        found_campaigns.extend(found.items.into_iter().filter(|c| c.period_start <= to && c.period_end >= from));
        match found.next_after {
            Some(a) => page.after = Some(a),
            None => break,
        }
    }
    if slice.since.is_some() {
        // A campaign changed when it did or one of its results did (one campaign's rows at a time).
        let mut changed = Vec::with_capacity(found_campaigns.len());
        for c in found_campaigns {
            let moved = slice.changed(c.updated_at)
                || state.diagnostics.campaign_rows(c.id, None, None).await?.iter().any(|r| slice.changed(r.updated_at));
            if moved {
                changed.push(c);
            }
        }
        found_campaigns = changed;
    }
    let window = slice.window(found_campaigns.iter().map(|c| c.id));
    found_campaigns.retain(|c| window.holds(c.id));
    found_campaigns.sort_by_key(|c| c.id);
    let comp_ids: Vec<Uuid> = found_campaigns
        .iter()
        .flat_map(|c| c.competency_ids.iter().copied())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let comps = super::competencies(state.competencies.as_ref(), &comp_ids).await?;
    let mut campaigns = Vec::with_capacity(found_campaigns.len());
    for c in found_campaigns {
        // Decisions on the whole campaign, whatever the territory asked: every request
        // publishes the same figure set. Results outside any municipality count in the whole
        // but have no row of their own, so they count as withheld.
        let every = state.diagnostics.campaign_rows(c.id, None, None).await?;
        let places = |r: &AnalyticsRow| {
            vec![(Place::Whole, None), (Place::Municipality(r.municipality_code.clone()), Some(Place::Whole))]
        };
        let decisions = Decisions::take(&every, places, &[Place::Municipality(None)], None, None, min);
        let rows = match (&territory.region_code, &territory.municipality_code) {
            (None, None) => every,
            (r, m) => state.diagnostics.campaign_rows(c.id, r.as_deref(), m.as_deref()).await?,
        };
        let whole_place = territory.municipality_code.clone().map_or(Place::Whole, |m| Place::Municipality(Some(m)));
        let whole: Vec<AnalyticsRow> =
            rows.iter().map(|r| AnalyticsRow { group_key: None, group_name: None, ..r.clone() }).collect();
        let mut cells: Vec<DiagnosticCellV1> = protected(&whole, &decisions, |_| whole_place.clone(), min)
            .into_iter()
            .chain(
                protected(&rows, &decisions, |k| Place::Municipality(k.clone()), min)
                    .into_iter()
                    .filter(|g| g.1.is_some()),
            )
            .map(|(competency, key, name, assessed, deficits)| DiagnosticCellV1 {
                competency: super::competency(&comps, competency),
                municipality_code: key,
                municipality_name: name,
                participants: assessed,
                with_deficit: deficits,
                share_percent: share_percent(assessed, deficits),
                suppressed: assessed.is_none(),
            })
            .collect();
        cells.sort_by(|a, b| {
            (&a.competency.code, a.competency.id, &a.municipality_code).cmp(&(
                &b.competency.code,
                b.competency.id,
                &b.municipality_code,
            ))
        });
        campaigns.push(DiagnosticCampaignV1 {
            id: c.id,
            name: c.name,
            instrument: c.instrument.as_str().to_owned(),
            target_group: c.target_group.as_str().to_owned(),
            period: PeriodV1 { from: c.period_start, to: c.period_end },
            organizer_id: c.organizer_id,
            cells,
        });
    }
    Ok(FederalDiagnosticsV1 {
        schema: "rsnms.federal.diagnostics".into(),
        schema_version: "1.1".into(),
        generated_at: chrono::Utc::now(),
        period: PeriodV1 { from, to },
        territory,
        min_group_size: min,
        updated_since: slice.since,
        campaigns,
        next_cursor: window.next_cursor,
    })
}
