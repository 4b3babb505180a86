use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use rsnms_domain::development::iom::{RouteStatus, RouteVersion};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::StepView;
use crate::{AppState, auth::Auth, openapi::ReadErrors, problem::ApiResult};

/// One version of a route (версия маршрута): its plan and state after a change, who made it and when.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RouteVersionView {
    /// The route's version after the change (its `ETag` then).
    pub version: i64,
    /// The change: `create`, `update`, `replan` (the plan of an approved or running route changed:
    /// sent back for approval), `approve`, `start`, `complete`, `cancel`.
    pub action: String,
    /// The account that made it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
    /// State after the change.
    pub status: RouteStatus,
    /// Tutor.
    pub tutor_id: Uuid,
    /// First day.
    pub period_start: NaiveDate,
    /// Last day.
    pub period_end: NaiveDate,
    /// Deficits addressed.
    pub deficit_competency_ids: Vec<Uuid>,
    /// Steps.
    pub steps: Vec<StepView>,
    /// Who approved this plan.
    pub approved_by: Option<String>,
    /// When.
    pub approved_at: Option<DateTime<Utc>>,
}

impl From<RouteVersion> for RouteVersionView {
    fn from(v: RouteVersion) -> Self {
        Self {
            version: v.version,
            action: v.action,
            recorded_by: v.recorded_by,
            recorded_at: v.recorded_at,
            status: v.status,
            tutor_id: v.tutor_id,
            period_start: v.period_start,
            period_end: v.period_end,
            deficit_competency_ids: v.deficit_competency_ids,
            steps: v.steps.into_iter().map(StepView::from).collect(),
            approved_by: v.approved_by,
            approved_at: v.approved_at,
        }
    }
}

/// Every version of a route, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RouteVersionLog {
    /// Versions.
    pub items: Vec<RouteVersionView>,
}

/// A route's versions (история версий), oldest first: every change with who and when, and the
/// plan the route had after it.
#[utoipa::path(
    tag = "routes",
    params(("id" = Uuid, Path, description = "Route id")),
    responses((status = 200, description = "The versions", body = RouteVersionLog), ReadErrors),
    security(("bearer" = []))
)]
#[get("/routes/{id}/versions")]
pub async fn list_route_versions(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let items = rsnms_domain::development::iom::route_versions(super::deps(&state), &ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(RouteVersionLog { items: items.into_iter().map(RouteVersionView::from).collect() }))
}
