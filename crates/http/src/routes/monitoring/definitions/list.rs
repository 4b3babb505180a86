use actix_web::{HttpResponse, get, web};
use rsnms_domain::monitoring::list_definitions;

use super::super::dto::{DefinitionList, DefinitionView};
use crate::{AppState, auth::Auth, openapi::ReadErrors, problem::ApiResult};

/// Indicator definitions (определения показателей): what each counts, of what population, how
/// years accumulate, the unit and the legal source. Built from a small set of blocks (numerator
/// measure, denominator population, accumulation): first the built-in ones (defined by the
/// code, read-only), then the region's own (`origin: custom`), retired ones included.
#[utoipa::path(
    tag = "monitoring",
    responses((status = 200, description = "The definitions", body = DefinitionList), ReadErrors),
    security(("bearer" = []))
)]
#[get("/monitoring/definitions")]
pub async fn list_monitoring_definitions(state: web::Data<AppState>, Auth(ctx): Auth) -> ApiResult<HttpResponse> {
    let items = list_definitions(state.monitoring.as_ref(), &ctx).await?;
    Ok(HttpResponse::Ok().json(DefinitionList { items: items.into_iter().map(DefinitionView::from).collect() }))
}
