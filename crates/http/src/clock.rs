//! "Today" as the handlers and the import datasets judge dates, in one place below both.

use chrono::NaiveDate;

/// Today in Moscow, the date young-specialist status and date checks of persons are judged on.
pub fn moscow_today() -> NaiveDate {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Moscow).date_naive()
}

/// Today's date (UTC), the date agreement statuses are derived for.
pub fn utc_today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}
