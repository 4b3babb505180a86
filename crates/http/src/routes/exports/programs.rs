use actix_web::{HttpResponse, get, web};
use rsnms_domain::{
    development::programs::ProgramFilter,
    page::{MAX_LIMIT, PageRequest},
};

use super::dto::{ExportQuery, FederalProgramsV1, PeriodV1, ProgramV1};
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// Export the region's programmes (программы ДПП) for the federal ecosystem of DPO.
///
/// Versioned JSON (`schema` = `rsnms.federal.programs`, `schema_version` = `1.0`): every
/// programme that existed by the end of the period, with its federal registry details. The
/// federal registry itself is loaded through `POST /api/v1/imports/{dataset}`.
#[utoipa::path(
    tag = "exports",
    params(ExportQuery),
    responses((status = 200, description = "The programmes", body = FederalProgramsV1), ReadErrors),
    security(("bearer" = []))
)]
#[get("/exports/federal/programs")]
pub async fn get_federal_programs(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<ExportQuery>,
) -> ApiResult<HttpResponse> {
    super::may_export(&ctx)?;
    let (from, to) = super::period(q.period_from, q.period_to)?;
    let filter = ProgramFilter::default();
    let mut programs = Vec::new();
    let mut page = PageRequest { limit: MAX_LIMIT, after: None };
    loop {
        let found = state.programs.list(&filter, page).await?;
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
    Ok(HttpResponse::Ok().json(FederalProgramsV1 {
        schema: "rsnms.federal.programs".into(),
        schema_version: "1.0".into(),
        generated_at: chrono::Utc::now(),
        period: PeriodV1 { from, to },
        programs,
    }))
}
