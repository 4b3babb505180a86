use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use rsnms_domain::monitoring::report;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{dto::ReportView, html};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    problem::{ApiError, ApiResult},
};

/// Output format of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    /// JSON (default).
    Json,
    /// A printable HTML page with inline SVG charts.
    Html,
}

/// Parameters of the report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// Reporting year (default: the current year).
    year: Option<i32>,
    /// `json` or `html`; without it, `Accept: text/html` selects HTML.
    #[param(inline)]
    format: Option<ReportFormat>,
}

/// The monitoring report of a year (отчёт мониторинга): per municipality the indicators with
/// targets and attainment, overdue network requests and routes by status. JSON, or with
/// `Accept: text/html` / `?format=html` a printable HTML page with one inline SVG bar chart
/// per indicator (no external assets, no scripts). Aggregates only; small groups and
/// their complements withheld (disclosure control).
#[utoipa::path(
    tag = "monitoring",
    params(ReportQuery),
    responses(
        (status = 200, description = "The report: JSON, or a printable HTML page with `Accept: text/html` / `?format=html`",
         content((ReportView = "application/json"), (String = "text/html"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/monitoring/report")]
pub async fn get_monitoring_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<ReportQuery>,
) -> ApiResult<HttpResponse> {
    let year = q.year.unwrap_or_else(rsnms_domain::clock::region_year);
    let r = report(super::deps(&state), &ctx, year, state.min_group_size).await?;
    let view = ReportView::new(r, state.min_group_size);
    let wants_html = match q.format {
        Some(f) => f == ReportFormat::Html,
        None => {
            req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"))
        }
    };
    if wants_html {
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html::render(&view).map_err(|_| ApiError::internal())?));
    }
    Ok(HttpResponse::Ok().json(view))
}
