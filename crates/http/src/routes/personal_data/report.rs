use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::dto::PersonalDataReport;
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    problem::{ApiError, ApiResult},
};

/// The form of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PersonalDataFormat {
    /// JSON.
    Json,
    /// A printable HTML page.
    Html,
}

/// Parameters of the report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PersonalDataQuery {
    /// `json` or `html`; without it, `Accept: text/html` selects HTML.
    #[param(inline)]
    format: Option<PersonalDataFormat>,
}

/// The subject access report (сведения об обработке персональных данных, 152-ФЗ art. 14):
/// everything held about the person — her fields, bases and consents, diagnostic results,
/// routes, network requests naming her — and who read her personal data when. JSON, or with
/// `Accept: text/html` / `?format=html` a printable page. Roles that may read her personal data
/// (administrators, operators, her municipality and organisation, the integration, and she
/// herself); others get 403, or 404 outside their scope. The report is itself audited.
#[utoipa::path(
    tag = "personal-data",
    params(("id" = Uuid, Path, description = "Person id"), PersonalDataQuery),
    responses(
        (status = 200, description = "The report: JSON, or a printable HTML page with `Accept: text/html` / `?format=html`",
         content((PersonalDataReport = "application/json"), (String = "text/html"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/persons/{id}/personal-data")]
pub async fn get_person_personal_data(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Params(q): Params<PersonalDataQuery>,
) -> ApiResult<HttpResponse> {
    use rsnms_domain::personal_data::{ReportSources, subject_access_report};
    let sources = ReportSources {
        persons: state.persons.as_ref(),
        personal_data: state.personal_data.as_ref(),
        diagnostics: state.diagnostics.as_ref(),
        routes: state.routes.as_ref(),
        audit: state.audit.as_ref(),
    };
    let report = subject_access_report(sources, &ctx, id.into_inner()).await?;
    let view = PersonalDataReport::new(report);
    let wants_html = match q.format {
        Some(f) => f == PersonalDataFormat::Html,
        None => {
            req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"))
        }
    };
    if wants_html {
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(super::html::render(&view).map_err(|_| ApiError::internal())?));
    }
    Ok(HttpResponse::Ok().json(view))
}
