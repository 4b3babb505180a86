use std::collections::{BTreeMap, HashMap, HashSet};

use actix_web::{HttpRequest, HttpResponse, get, http::header, web, web::Bytes};
use futures_util::{StreamExt, stream};
use rsnms_domain::{
    DomainError, DomainResult,
    auth::{Ctx, Scope},
    development::{
        iom::{Route, RouteFilter},
        programs::ProgramFilter,
    },
    organizations::Organization,
    page::{MAX_LIMIT, PageRequest},
    persons::{Person, PersonFilter},
};
use serde::Serialize;
use uuid::Uuid;

use super::{
    csv::{self, Csv},
    dto::{
        FederalRoutesV1, PeriodV1, RoutePersonV1, RouteStepV1, RouteTransferV1, RouteV1, RoutesTotalsV1,
        TableExportQuery, TerritoryV1,
    },
};
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// Routes read per database round trip while streaming.
const ROUTES_PER_PAGE: u64 = 200;

/// Columns of the CSV form: one row per step (a route without steps has one row with empty step
/// cells); the route's cells repeat on each of its rows.
const COLUMNS: &[&str] = &[
    "route_id",
    "person_id",
    "person_snils",
    "organization_id",
    "organization_name",
    "organization_inn",
    "region_code",
    "municipality_code",
    "municipality_name",
    "period_from",
    "period_to",
    "status",
    "progress_percent",
    "tutor_organization_id",
    "tutor_organization_name",
    "deficit_competency_codes",
    "completed_on",
    "transfer_forms",
    "repeat_diagnostic_on",
    "step_id",
    "step_title",
    "step_activity",
    "step_program_id",
    "step_program_registry_id",
    "step_competency_codes",
    "step_planned_start",
    "step_planned_end",
    "step_status",
    "step_reporting_form",
];

/// The head of the JSON document (every field of `FederalRoutesV1` before `routes`).
#[derive(Serialize)]
struct Head {
    schema: &'static str,
    schema_version: &'static str,
    generated_at: chrono::DateTime<chrono::Utc>,
    period: PeriodV1,
    territory: TerritoryV1,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// What every page needs: organisations and the federal registry ids of programmes.
struct Lookup {
    organizations: HashMap<Uuid, Organization>,
    registry_ids: HashMap<Uuid, Option<String>>,
}

pub(super) enum Shape {
    Json,
    Csv(Csv),
}

/// Walks the routes page by page and renders each page as one chunk of the body.
pub(super) struct Walk {
    state: web::Data<AppState>,
    ctx: Ctx,
    filter: RouteFilter,
    lookup: Lookup,
    shape: Shape,
    head: String,
    after: Option<Uuid>,
    started: bool,
    finished: bool,
    pub(super) totals: RoutesTotalsV1,
    /// Only routes changed after this instant.
    since: Option<chrono::DateTime<chrono::Utc>>,
    /// With a page asked: routes still to answer.
    remaining: Option<u64>,
    /// With a page asked, once finished: the cursor of the next page, if more may follow.
    next: Option<Uuid>,
}

impl Walk {
    /// The next chunk of the body, `None` after the last.
    pub(super) async fn next_chunk(&mut self) -> DomainResult<Option<Bytes>> {
        if self.finished {
            return Ok(None);
        }
        let page = PageRequest { limit: ROUTES_PER_PAGE, after: self.after, ..PageRequest::default() };
        let found = self.state.routes.list(&Scope::All, &self.filter, page).await?;
        let since = self.since;
        let mut items: Vec<Route> =
            found.items.into_iter().filter(|r| since.is_none_or(|s| r.updated_at > s)).collect();
        let mut next_after = found.next_after;
        if let Some(left) = self.remaining {
            let left = usize::try_from(left).unwrap_or(usize::MAX);
            if items.len() > left {
                items.truncate(left);
                next_after = items.last().map(|r| r.id);
            }
            self.remaining = Some((left - items.len()) as u64);
            if left == items.len() && next_after.is_some() {
                // The page is full: more may follow after its last route.
                self.next = items.last().map(|r| r.id).or(next_after);
                next_after = None;
            }
        }
        let routes = self.convert(items).await?;
        let mut out = String::new();
        if !self.started {
            self.started = true;
            out.push_str(&self.head);
        }
        for r in &routes {
            match &self.shape {
                Shape::Json => {
                    if self.totals.routes > 0 {
                        out.push(',');
                    }
                    out.push_str(
                        &serde_json::to_string(r).map_err(|e| DomainError::internal_caused("serialising", e))?,
                    );
                }
                Shape::Csv(w) => out.push_str(&csv_rows(w, r)),
            }
            self.totals.routes += 1;
            self.totals.steps += r.steps.len() as u64;
            *self.totals.routes_by_status.entry(r.status.clone()).or_default() += 1;
        }
        self.after = next_after;
        if self.after.is_none() {
            self.finished = true;
            if let Shape::Json = self.shape {
                let totals =
                    serde_json::to_string(&self.totals).map_err(|e| DomainError::internal_caused("serialising", e))?;
                out.push_str(&format!("],\"totals\":{totals}"));
                if self.remaining.is_some() {
                    let next = serde_json::to_string(&self.next_cursor()).unwrap_or_else(|_| "null".into());
                    out.push_str(&format!(",\"next_cursor\":{next}"));
                }
                out.push('}');
            }
        }
        Ok(Some(Bytes::from(out)))
    }

    /// With a page asked, once finished: the cursor of the next page, if more may follow.
    fn next_cursor(&self) -> Option<String> {
        self.next.map(crate::page::encode_cursor)
    }

    async fn convert(&self, mut routes: Vec<Route>) -> DomainResult<Vec<RouteV1>> {
        // Step statuses and progress come from the linked records (attendance, a placement over,
        // a pair closed), as the route's own GET shows them.
        let deps = crate::routes::individual_routes::deps(&self.state);
        for r in &mut routes {
            rsnms_domain::development::iom::resolve_linked_steps(deps, r).await?;
        }
        let ids: Vec<Uuid> =
            routes.iter().flat_map(|r| [r.person_id, r.tutor_id]).collect::<HashSet<_>>().into_iter().collect();
        let mut persons = persons(&self.state, &ids).await?;
        // A person without a basis for the federal exchange is exported without her СНИЛС.
        let allowed = super::federal_exchange_allowed(&self.state, &ids).await?;
        for p in persons.values_mut().filter(|p| !allowed.contains(&p.id)) {
            p.snils = None;
        }
        let snils_read: Vec<Uuid> =
            routes.iter().map(|r| r.person_id).filter(|p| persons.get(p).is_some_and(|p| p.snils.is_some())).collect();
        super::audit_export_reads(self.state.audit.as_ref(), &self.ctx, &snils_read).await?;
        let comp_ids: Vec<Uuid> = routes
            .iter()
            .flat_map(|r| r.deficit_competency_ids.iter().chain(r.steps.iter().flat_map(|s| s.competency_ids.iter())))
            .copied()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let comps = super::competencies(self.state.competencies.as_ref(), &comp_ids).await?;
        let orgs = &self.lookup.organizations;
        let mut out = Vec::with_capacity(routes.len());
        for r in routes {
            let person = persons.get(&r.person_id).ok_or_else(|| lost(r.id))?;
            let organization = orgs.get(&person.organization_id).ok_or_else(|| lost(r.id))?;
            let tutor_organization =
                persons.get(&r.tutor_id).and_then(|t| orgs.get(&t.organization_id)).map(super::organization_ref);
            out.push(RouteV1 {
                id: r.id,
                person: RoutePersonV1 { id: person.id, snils: person.snils.clone() },
                organization: super::organization_ref(organization),
                period: PeriodV1 { from: r.period_start, to: r.period_end },
                status: r.status.as_str().to_owned(),
                progress_percent: r.progress(),
                tutor_organization,
                deficits: r.deficit_competency_ids.iter().map(|c| super::competency(&comps, *c)).collect(),
                steps: r
                    .steps
                    .iter()
                    .map(|s| RouteStepV1 {
                        id: s.id,
                        title: s.title.clone(),
                        activity: s.activity.as_str().to_owned(),
                        program_id: s.program_id,
                        program_registry_id: s
                            .program_id
                            .and_then(|p| self.lookup.registry_ids.get(&p).cloned().flatten()),
                        competencies: s.competency_ids.iter().map(|c| super::competency(&comps, *c)).collect(),
                        planned_start: s.planned_start,
                        planned_end: s.planned_end,
                        status: s.status.as_str().to_owned(),
                        reporting_form: s.reporting_form.as_str().to_owned(),
                    })
                    .collect(),
                completed_on: r.completed_at.map(|t| t.date_naive()),
                transfer: r
                    .transfer
                    .iter()
                    .map(|t| RouteTransferV1 {
                        form: t.form.as_str().to_owned(),
                        held_on: t.held_on,
                        description: t.description.clone(),
                    })
                    .collect(),
                repeat_diagnostic_on: r.repeat_diagnostic_on,
            });
        }
        Ok(out)
    }
}

fn lost(route: Uuid) -> DomainError {
    DomainError::internal(format!("route {route} refers to a person or organisation that does not exist"))
}

/// The persons with these ids.
async fn persons(state: &AppState, ids: &[Uuid]) -> DomainResult<HashMap<Uuid, Person>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(MAX_LIMIT as usize) {
        let filter = PersonFilter { ids: Some(chunk.to_vec()), ..PersonFilter::default() };
        let mut page = PageRequest { limit: MAX_LIMIT, after: None, ..PageRequest::default() };
        loop {
            let found = state.persons.list(&Scope::All, &filter, page.clone()).await?;
            out.extend(found.items.into_iter().map(|p| (p.id, p)));
            match found.next_after {
                Some(a) => page.after = Some(a),
                None => break,
            }
        }
    }
    Ok(out)
}

fn csv_rows(w: &Csv, r: &RouteV1) -> String {
    let codes = |cs: &[super::dto::CompetencyRefV1]| w.list(cs.iter().map(|c| c.code.as_str()));
    let route = [
        r.id.to_string(),
        r.person.id.to_string(),
        csv::opt(r.person.snils.as_ref()),
        r.organization.id.to_string(),
        r.organization.name.clone(),
        csv::opt(r.organization.inn.as_ref()),
        r.organization.region_code.clone(),
        csv::opt(r.organization.municipality_code.as_ref()),
        csv::opt(r.organization.municipality_name.as_ref()),
        r.period.from.to_string(),
        r.period.to.to_string(),
        r.status.clone(),
        r.progress_percent.to_string(),
        csv::opt(r.tutor_organization.as_ref().map(|o| o.id)),
        csv::opt(r.tutor_organization.as_ref().map(|o| &o.name)),
        codes(&r.deficits),
        csv::opt(r.completed_on),
        w.list(r.transfer.iter().map(|t| t.form.as_str())),
        csv::opt(r.repeat_diagnostic_on),
    ];
    if r.steps.is_empty() {
        let mut cells = route.to_vec();
        cells.resize(COLUMNS.len(), String::new());
        return w.line(&cells);
    }
    let mut out = String::new();
    for s in &r.steps {
        let mut cells = route.to_vec();
        cells.extend([
            s.id.to_string(),
            s.title.clone(),
            s.activity.clone(),
            csv::opt(s.program_id),
            csv::opt(s.program_registry_id.as_ref()),
            codes(&s.competencies),
            s.planned_start.to_string(),
            s.planned_end.to_string(),
            s.status.clone(),
            s.reporting_form.clone(),
        ]);
        out.push_str(&w.line(&cells));
    }
    out
}

/// Export individual educational routes (ИОМ) for the federal ecosystem of DPO.
///
/// Versioned JSON (`schema` = `rsnms.federal.routes`, `schema_version` = `1.0`): every route
/// whose period overlaps the reporting period, of persons working in the territory, with the
/// person's organisation and municipality, status and progress, the tutor's organisation,
/// the deficits addressed, the steps (activity, programme and its federal registry id, planned
/// dates, status, reporting form) and the completion with its transfer into practice. The
/// person is identified only by СНИЛС (the ecosystem's key of a learner; reads are audited) —
/// no name, birth date or contacts; the tutor is not named. A person without a basis in force
/// for the purpose `federal_exchange` (152-ФЗ art. 6; e.g. her consent withdrawn) is exported
/// with `snils: null`: her route still counts, her personal data is left out. With `Accept: text/csv` or
/// `?format=csv` the routes flattened to one row per step. The body is streamed page by page,
/// so a large region never sits in memory. Incremental: `updated_since` keeps the routes changed
/// after an instant (as the change feed tells them); `limit` and `cursor` read it page by page
/// (`next_cursor`, `Link: rel="next"`). Administrators, operators and the federal integration
/// export; a municipal authority its own municipality only.
#[utoipa::path(
    tag = "exports",
    params(TableExportQuery),
    responses(
        (status = 200, description = "The routes: JSON, or CSV (one row per step) with `Accept: text/csv` / `?format=csv`",
         content((FederalRoutesV1 = "application/json"), (String = "text/csv"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/exports/federal/routes")]
pub async fn get_federal_routes(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<TableExportQuery>,
) -> ApiResult<HttpResponse> {
    let territory = super::territory(&ctx, q.region_code.clone(), q.municipality_code.clone())?;
    let (from, to) = super::period(q.period_from, q.period_to)?;
    let slice = super::Slice::of_table(&q)?;
    let as_csv = csv::wanted(&req, q.format);
    let shape = if as_csv { Shape::Csv(csv::writer(q.delimiter)) } else { Shape::Json };
    let mut walk = walk(state, ctx, (from, to), territory, &slice, shape).await?;
    let mut res = HttpResponse::Ok();
    if as_csv {
        res.content_type(csv::CONTENT_TYPE)
            .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"routes-{from}-{to}.csv\"")));
    } else {
        res.content_type("application/json");
    }
    if slice.page.is_some() {
        // One page (at most 500 routes): read whole, so that its `Link` can name the next.
        let mut body = Vec::new();
        while let Some(chunk) = walk.next_chunk().await? {
            body.extend_from_slice(&chunk);
        }
        if let Some(c) = walk.next_cursor() {
            res.insert_header((header::LINK, crate::page::next_link(&req, &c)));
        }
        return Ok(res.body(body));
    }
    // The first page is read before answering, so that an early failure is a proper problem.
    let first = walk.next_chunk().await?;
    let rest = stream::try_unfold(walk, |mut walk| async move {
        match walk.next_chunk().await {
            Ok(Some(chunk)) => Ok(Some((chunk, walk))),
            Ok(None) => Ok(None),
            Err(e) => {
                tracing::error!(error = %e, "the routes export failed while streaming");
                Err(std::io::Error::other("the export failed"))
            }
        }
    });
    let body = stream::iter(first.map(Ok::<_, std::io::Error>)).chain(rest);
    Ok(res.streaming(body))
}

/// The walk over the routes of a period, territory and slice, rendering a shape.
pub(super) async fn walk(
    state: web::Data<AppState>,
    ctx: Ctx,
    (from, to): (chrono::NaiveDate, chrono::NaiveDate),
    territory: TerritoryV1,
    slice: &super::Slice,
    shape: Shape,
) -> DomainResult<Walk> {
    let organizations = super::organizations(state.organizations.as_ref()).await?;
    let mut registry_ids = HashMap::new();
    let mut page = PageRequest { limit: MAX_LIMIT, after: None, ..PageRequest::default() };
    loop {
        let found = state.programs.list(&ProgramFilter::default(), page.clone()).await?;
        registry_ids.extend(found.items.into_iter().map(|p| (p.id, p.registry_id)));
        match found.next_after {
            Some(a) => page.after = Some(a),
            None => break,
        }
    }
    let head = match &shape {
        Shape::Csv(w) => w.head(COLUMNS),
        Shape::Json => {
            let head = Head {
                schema: "rsnms.federal.routes",
                schema_version: "1.0",
                generated_at: chrono::Utc::now(),
                period: PeriodV1 { from, to },
                territory: territory.clone(),
                updated_since: slice.since,
            };
            let json = serde_json::to_string(&head).map_err(|e| DomainError::internal_caused("serialising", e))?;
            // `{…}` without its closing brace, then the array opens.
            let open = json.strip_suffix('}').unwrap_or(&json);
            format!("{open},\"routes\":[")
        }
    };
    Ok(Walk {
        state,
        ctx,
        filter: RouteFilter {
            overlaps: Some((from, to)),
            region_code: territory.region_code,
            municipality_code: territory.municipality_code,
            ..RouteFilter::default()
        },
        lookup: Lookup { organizations, registry_ids },
        shape,
        head,
        after: slice.page.as_ref().and_then(|p| p.after),
        started: false,
        finished: false,
        totals: RoutesTotalsV1 { routes: 0, routes_by_status: BTreeMap::new(), steps: 0 },
        since: slice.since,
        remaining: slice.page.as_ref().map(|p| p.limit),
        next: None,
    })
}
