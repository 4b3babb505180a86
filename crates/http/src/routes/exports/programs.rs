use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use rsnms_domain::{
    DomainResult,
    development::programs::ProgramFilter,
    page::{MAX_LIMIT, PageRequest},
};

use super::{
    csv,
    dto::{FederalProgramsV1, PeriodV1, ProgramV1, TableExportQuery},
};
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// Columns of the CSV form, one row per programme.
const COLUMNS: &[&str] = &[
    "id",
    "title",
    "kind",
    "hours",
    "form",
    "developer_id",
    "federal_registry",
    "registry_id",
    "registry_included_on",
    "competency_ids",
];

/// Export the region's programmes (программы ДПП) for the federal ecosystem of DPO.
///
/// Versioned JSON (`schema` = `rsnms.federal.programs`, `schema_version` = `1.0`): every
/// programme that existed by the end of the period, with its federal registry details. The
/// catalogue is regional: the territory parameters do not narrow it. With `Accept: text/csv` or
/// `?format=csv` the same rows as CSV (columns `id, title, kind, hours, form, developer_id,
/// federal_registry, registry_id, registry_included_on, competency_ids`). The federal registry
/// itself is loaded through `POST /api/v1/imports/{dataset}`. Incremental: `updated_since`
/// keeps the programmes changed after an instant (as the change feed tells them); `limit` and
/// `cursor` read it page by page (`next_cursor`, `Link: rel="next"`).
#[utoipa::path(
    tag = "exports",
    params(TableExportQuery),
    responses(
        (status = 200, description = "The programmes: JSON, or CSV with `Accept: text/csv` / `?format=csv`",
         content((FederalProgramsV1 = "application/json"), (String = "text/csv"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/exports/federal/programs")]
pub async fn get_federal_programs(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<TableExportQuery>,
) -> ApiResult<HttpResponse> {
    super::may_export(&ctx)?;
    let (from, to) = super::period(q.period_from, q.period_to)?;
    let slice = super::Slice::of_table(&q)?;
    let doc = document(&state, from, to, &slice).await?;
    let next = doc.next_cursor.clone();
    let mut res = if csv::wanted(&req, q.format) {
        let w = csv::writer(q.delimiter);
        let mut body = w.head(COLUMNS);
        for p in &doc.programs {
            body.push_str(&w.line(&[
                p.id.to_string(),
                p.title.clone(),
                p.kind.clone(),
                p.hours.to_string(),
                p.form.clone(),
                p.developer_id.to_string(),
                p.federal_registry.to_string(),
                csv::opt(p.registry_id.as_ref()),
                csv::opt(p.registry_included_on),
                w.list(p.competency_ids.iter().map(ToString::to_string)),
            ]));
        }
        csv::respond(&format!("programs-{from}-{to}"), body)
    } else {
        HttpResponse::Ok().json(doc)
    };
    super::link_next(&req, &mut res, next.as_ref());
    Ok(res)
}

/// The programmes document of a period and slice (every programme that existed by the end of
/// the period; changed after `since`; one page, or all).
pub(super) async fn document(
    state: &AppState,
    from: NaiveDate,
    to: NaiveDate,
    slice: &super::Slice,
) -> DomainResult<FederalProgramsV1> {
    let filter = ProgramFilter::default();
    let wanted = slice.page.as_ref().map(|p| p.limit);
    let mut programs = Vec::new();
    let mut more = false;
    let mut page =
        PageRequest { limit: MAX_LIMIT, after: slice.page.as_ref().and_then(|p| p.after), ..PageRequest::default() };
    'pages: loop {
        let found = state.programs.list(&filter, page.clone()).await?;
        for p in found.items {
            if p.created_at.date_naive() > to || !slice.changed(p.updated_at) {
                continue;
            }
            if wanted.is_some_and(|w| programs.len() as u64 >= w) {
                more = true;
                break 'pages;
            }
            programs.push(ProgramV1 {
                id: p.id,
                title: p.title,
                kind: p.kind.as_str().to_owned(),
                hours: p.hours,
                form: p.form.as_str().to_owned(),
                developer_id: p.developer_id,
                federal_registry: p.federal_registry,
                registry_id: p.registry_id,
                registry_included_on: p.registry_included_on,
                competency_ids: p.competency_ids,
            });
        }
        match found.next_after {
            Some(a) => page.after = Some(a),
            None => break,
        }
    }
    let next_cursor =
        wanted.map(|_| if more { programs.last().map(|p: &ProgramV1| crate::page::encode_cursor(p.id)) } else { None });
    Ok(FederalProgramsV1 {
        schema: "rsnms.federal.programs".into(),
        schema_version: "1.0".into(),
        generated_at: chrono::Utc::now(),
        period: PeriodV1 { from, to },
        updated_since: slice.since,
        programs,
        next_cursor,
    })
}
