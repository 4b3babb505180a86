use actix_web::{HttpResponse, get, web};
use chrono::Utc;

use super::dto::NetworkRequestStats;
use crate::{AppState, auth::Auth, openapi::ReadErrors, problem::ApiResult};

/// Counts of requests by status (сводка по запросам), per organisation and per municipality.
///
/// Within the caller's scope; each party is counted as sender and as addressee; `overdue`
/// counts received requests whose due day has ended. Analysts may read it.
#[utoipa::path(
    tag = "network-requests",
    responses((status = 200, description = "Counts", body = NetworkRequestStats), ReadErrors),
    security(("bearer" = []))
)]
#[get("/network-requests/stats")]
pub async fn network_request_stats(state: web::Data<AppState>, Auth(ctx): Auth) -> ApiResult<HttpResponse> {
    let stats =
        rsnms_domain::network_requests::network_request_stats(state.network_requests.as_ref(), &ctx, Utc::now())
            .await?;
    Ok(HttpResponse::Ok().json(NetworkRequestStats::from(stats)))
}
