use actix_web::{HttpRequest, HttpResponse, get, web};
use rsnms_domain::{
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
/// itself is loaded through `POST /api/v1/imports/{dataset}`.
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
    let filter = ProgramFilter::default();
    let mut programs = Vec::new();
    let mut page = PageRequest { limit: MAX_LIMIT, after: None, ..PageRequest::default() };
    loop {
        let found = state.programs.list(&filter, page.clone()).await?;
        for p in found.items {
            if p.created_at.date_naive() <= to {
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
        }
        match found.next_after {
            Some(a) => page.after = Some(a),
            None => break,
        }
    }
    if csv::wanted(&req, q.format) {
        let w = csv::writer(q.delimiter);
        let mut body = w.head(COLUMNS);
        for p in &programs {
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
        return Ok(csv::respond(&format!("programs-{from}-{to}"), body));
    }
    Ok(HttpResponse::Ok().json(FederalProgramsV1 {
        schema: "rsnms.federal.programs".into(),
        schema_version: "1.0".into(),
        generated_at: chrono::Utc::now(),
        period: PeriodV1 { from, to },
        programs,
    }))
}
