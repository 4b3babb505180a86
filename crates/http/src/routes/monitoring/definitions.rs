use actix_web::{HttpResponse, get};
use rsnms_domain::monitoring::{READERS, builtin};

use super::dto::{DefinitionList, DefinitionView};
use crate::{auth::Auth, openapi::ReadErrors, problem::ApiResult};

/// Indicator definitions (определения показателей): what each counts, of what population, how
/// years accumulate, the unit and the legal source. Built from a small set of blocks (numerator
/// measure, denominator population, accumulation).
#[utoipa::path(
    tag = "monitoring",
    responses((status = 200, description = "The definitions", body = DefinitionList), ReadErrors),
    security(("bearer" = []))
)]
#[get("/monitoring/definitions")]
pub async fn list_monitoring_definitions(Auth(ctx): Auth) -> ApiResult<HttpResponse> {
    ctx.actor.require(READERS)?;
    Ok(HttpResponse::Ok().json(DefinitionList { items: builtin().into_iter().map(DefinitionView::from).collect() }))
}
