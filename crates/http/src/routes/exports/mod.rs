//! `/api/v1/exports/federal/…`: documented, versioned JSON for the federal digital ecosystem of
//! DPO (цифровая экосистема ДПО), which publishes no open API: exchange is by files. Each body
//! names its schema and version (`schema`, `schema_version`); a change that breaks a consumer
//! publishes a new schema version beside the old one.

mod dto;
mod programs;
mod regional_passport;

use chrono::NaiveDate;
use rsnms_domain::{
    DomainResult, FieldError, Msg,
    auth::{Ctx, Role},
};
use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::{FederalProgramsV1, FederalRegionalPassportV1};

use crate::problem::ApiError;

/// Registers the export routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(regional_passport::get_federal_regional_passport).service(programs::get_federal_programs);
}

/// Roles that may export: the region's administration, the operator and the federal integration.
const EXPORTERS: &[Role] = &[Role::Admin, Role::Operator, Role::Integration];

fn may_export(ctx: &Ctx) -> DomainResult<()> {
    ctx.actor.require(EXPORTERS)
}

/// A reporting period, both ends inclusive (default: the current calendar year).
#[allow(clippy::result_large_err)] // ApiError is the HTTP layer's one error type.
pub(crate) fn period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<(NaiveDate, NaiveDate), ApiError> {
    use chrono::Datelike;
    let year = chrono::Utc::now().date_naive().year();
    let from = from.or_else(|| NaiveDate::from_ymd_opt(year, 1, 1));
    let to = to.or_else(|| NaiveDate::from_ymd_opt(year, 12, 31));
    match (from, to) {
        (Some(f), Some(t)) if f <= t => Ok((f, t)),
        _ => Err(ApiError::validation(vec![FieldError::new(
            "period_to",
            "out_of_range",
            Msg::new("Конец периода раньше начала", "The period ends before it starts"),
        )])),
    }
}
