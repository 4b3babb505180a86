//! Requests that arrive while the database is away wait for it (up to the pool's acquire
//! timeout) instead of failing at once: once a request was answered 503, the next ones first
//! wait until the database answers again ([`HealthCheck::reachable`]).

use actix_web::{
    Error,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::StatusCode,
    middleware::Next,
    web,
};

use crate::{AppState, problem::ApiError};

/// The outage middleware (inside the rate limit, before anything reads the database).
pub async fn wait_for_database(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    if let Err(e) = state.health.reachable().await {
        return Ok(req.error_response(ApiError::from(e)));
    }
    let res = next.call(req).await?.map_into_boxed_body();
    if res.status() == StatusCode::SERVICE_UNAVAILABLE {
        state.health.outage_seen();
    }
    Ok(res)
}
