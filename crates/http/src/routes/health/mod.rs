//! Operations: liveness, readiness and metrics (outside `/api/v1`).

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{AppState, metrics::Metrics, openapi::ReadErrors, problem::ApiResult};

/// Registers the operations routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(live).service(ready).service(metrics);
}

/// Health status.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

/// Liveness: the process answers.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Alive", body = Health)), security(()))]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok".into() })
}

/// Readiness: the database answers (503 with `Retry-After` when it does not).
#[utoipa::path(tag = "operations", responses((status = 200, description = "Ready", body = Health), ReadErrors), security(()))]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    if let Err(e) = state.health.ping().await {
        // Requests that come next wait for the database (see `middleware::wait_for_database`).
        state.health.outage_seen();
        return Err(e.into());
    }
    Ok(HttpResponse::Ok().json(Health { status: "ok".into() }))
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(tag = "operations", responses((status = 200, description = "Metrics", body = String, content_type = "text/plain")), security(()))]
#[get("/metrics")]
pub async fn metrics(m: web::Data<Metrics>) -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(m.render())
}
