//! `/api/v1/calendars/{year}`: the production calendar, federal and regional layers.

mod dto;
mod get;
mod put;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the calendar routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get::get_calendar).service(put::put_calendar);
}

/// Checks a year path parameter (422 naming `year`).
pub(crate) fn check_year(year: i32) -> Result<i32, crate::problem::ApiError> {
    if (1900..=2200).contains(&year) {
        Ok(year)
    } else {
        Err(crate::problem::ApiError::validation(vec![rsnms_domain::FieldError::new(
            "year",
            "out_of_range",
            rsnms_domain::Msg::new("Год — от 1900 до 2200", "The year must be 1900–2200"),
        )]))
    }
}
