//! `/api/v1/exports/federal/…`: documented, versioned JSON for the federal digital ecosystem of
//! DPO (цифровая экосистема ДПО), which publishes no open API: exchange is by files. Each body
//! names its schema and version (`schema`, `schema_version`); a change that breaks a consumer
//! publishes a new schema version beside the old one.

mod bundle;
mod csv;
mod diagnostics;
mod dto;
mod programs;
mod regional_passport;
mod routes;

use std::collections::HashMap;

use chrono::NaiveDate;
use rsnms_domain::{
    DomainResult, FieldError, Msg,
    auth::Scope,
    development::competencies::CompetencyRepository,
    organizations::{Organization, OrganizationFilter, OrganizationRepository},
    page::{MAX_LIMIT, PageRequest},
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

pub use dto::{
    FederalDiagnosticsV1, FederalManifestV1, FederalProgramsV1, FederalRegionalPassportV1, FederalRoutesV1,
    ManifestFileV1,
};

use crate::{page::PageQuery, problem::ApiError};
use dto::{CompetencyRefV1, OrganizationRefV1, TableExportQuery};

/// What part of an export is asked: the records changed after an instant, one page.
#[derive(Debug, Clone, Default)]
pub(crate) struct Slice {
    /// Only records changed after this instant.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// One page (the API's keyset paging: `limit`, `cursor`), or the whole export.
    pub page: Option<PageRequest>,
}

/// The records of a page: those whose key lies after the cursor and up to the page's last key.
#[derive(Debug, Clone, Default)]
pub(crate) struct Window {
    after: Option<Uuid>,
    last: Option<Uuid>,
    /// With a page asked: the cursor of the next page (`None` inside on the last page).
    pub next_cursor: Option<Option<String>>,
}

impl Window {
    /// Whether the record keyed `key` belongs to the page.
    pub fn holds(&self, key: Uuid) -> bool {
        self.after.is_none_or(|a| key > a) && self.last.is_none_or(|l| key <= l)
    }
}

impl Slice {
    /// The slice a query asks (422 naming `limit` or `cursor` when they are wrong).
    fn of(
        since: Option<chrono::DateTime<chrono::Utc>>,
        limit: Option<u64>,
        cursor: Option<&String>,
    ) -> Result<Self, ApiError> {
        let page = if limit.is_none() && cursor.is_none() {
            None
        } else {
            Some(PageQuery { limit, cursor: cursor.cloned(), ..PageQuery::default() }.to_request()?)
        };
        Ok(Self { since, page })
    }

    /// The slice of a table export's query.
    fn of_table(q: &TableExportQuery) -> Result<Self, ApiError> {
        Self::of(q.updated_since, q.limit, q.cursor.as_ref())
    }

    /// Whether a record last changed at `updated_at` belongs to the slice's change window.
    fn changed(&self, updated_at: chrono::DateTime<chrono::Utc>) -> bool {
        self.since.is_none_or(|since| updated_at > since)
    }

    /// The page of an export built in memory from records keyed by id (the API's one keyset
    /// order, the cursor the lists' own): the first `limit` keys after the cursor; every key
    /// when no page is asked. Several records may share a key (they then travel together).
    fn window(&self, keys: impl IntoIterator<Item = Uuid>) -> Window {
        let Some(page) = &self.page else { return Window::default() };
        let mut keys: Vec<Uuid> = keys.into_iter().filter(|k| page.after.is_none_or(|a| *k > a)).collect();
        keys.sort_unstable();
        keys.dedup();
        let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
        let last = (keys.len() > limit).then(|| keys.get(limit.saturating_sub(1)).copied()).flatten();
        Window { after: page.after, last, next_cursor: Some(last.map(crate::page::encode_cursor)) }
    }
}

/// Sets `Link: <…>; rel="next"` on an answer that has a next page.
fn link_next(req: &actix_web::HttpRequest, res: &mut actix_web::HttpResponse, next: Option<&Option<String>>) {
    if let Some(Some(c)) = next
        && let Ok(v) = actix_web::http::header::HeaderValue::from_str(&crate::page::next_link(req, c))
    {
        res.headers_mut().insert(actix_web::http::header::LINK, v);
    }
}

/// Registers the export routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(regional_passport::get_federal_regional_passport)
        .service(routes::get_federal_routes)
        .service(diagnostics::get_federal_diagnostics)
        .service(programs::get_federal_programs)
        .service(bundle::get_federal_bundle);
}

use rsnms_domain::exchange::exports::{audit_export_reads, authorize_export as may_export};

/// The territory an export covers for the caller (the domain's rule: a municipal authority's
/// own municipality only).
fn territory(
    ctx: &rsnms_domain::auth::Ctx,
    region_code: Option<String>,
    municipality_code: Option<String>,
) -> DomainResult<dto::TerritoryV1> {
    let (region_code, municipality_code) =
        rsnms_domain::exchange::exports::export_territory(ctx, region_code, municipality_code)?;
    Ok(dto::TerritoryV1 { region_code, municipality_code })
}

/// A reporting period, both ends inclusive (default: the current calendar year).
pub(crate) fn period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let year = rsnms_domain::clock::region_year();
    let from = from.or_else(|| NaiveDate::from_ymd_opt(year, 1, 1));
    let to = to.or_else(|| NaiveDate::from_ymd_opt(year, 12, 31));
    match (from, to) {
        (Some(f), Some(t)) if f <= t => Ok((f, t)),
        _ => Err(ApiError::validation(vec![FieldError::new(
            "period_to",
            "out_of_range",
            Msg::new("Конец периода раньше начала", "The period ends before it starts"),
        )])),
    }
}

/// Every organisation (the registry is small next to the rows an export walks), by id.
async fn organizations(repo: &dyn OrganizationRepository) -> DomainResult<HashMap<Uuid, Organization>> {
    let mut out = HashMap::new();
    let mut page = PageRequest { limit: MAX_LIMIT, after: None, ..PageRequest::default() };
    loop {
        let found = repo.list(&Scope::All, &OrganizationFilter::default(), page.clone()).await?;
        out.extend(found.items.into_iter().map(|o| (o.id, o)));
        match found.next_after {
            Some(a) => page.after = Some(a),
            None => return Ok(out),
        }
    }
}

/// Which of these persons the federal exchange may carry personal data of today (the domain's
/// rule, [`rsnms_domain::exchange::exports::federal_exchange_allowed`]).
async fn federal_exchange_allowed(
    state: &crate::AppState,
    ids: &[Uuid],
) -> DomainResult<std::collections::HashSet<Uuid>> {
    rsnms_domain::exchange::exports::federal_exchange_allowed(state.personal_data.as_ref(), ids).await
}

/// An organisation as exports name it.
fn organization_ref(o: &Organization) -> OrganizationRefV1 {
    OrganizationRefV1 {
        id: o.id,
        name: o.name.clone(),
        inn: o.inn.clone(),
        kind: o.kind.as_str().to_owned(),
        region_code: o.region_code.clone(),
        municipality_code: o.municipality_code.clone(),
        municipality_name: o.municipality_name.clone(),
    }
}

/// Competencies by id, with code and name.
async fn competencies(repo: &dyn CompetencyRepository, ids: &[Uuid]) -> DomainResult<HashMap<Uuid, CompetencyRefV1>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(MAX_LIMIT as usize) {
        for c in repo.get_many(chunk).await? {
            out.insert(c.id, CompetencyRefV1 { id: c.id, code: c.code, name: c.name });
        }
    }
    Ok(out)
}

/// A competency by id; an id the framework no longer holds is exported with empty code and name.
fn competency(known: &HashMap<Uuid, CompetencyRefV1>, id: Uuid) -> CompetencyRefV1 {
    known.get(&id).cloned().unwrap_or(CompetencyRefV1 { id, code: String::new(), name: String::new() })
}
