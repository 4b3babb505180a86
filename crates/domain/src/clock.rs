//! "Today", once. Every date rule of the domain — dates not in the future, young specialists,
//! agreement statuses, bases in force, retention terms, numbering years, deadlines — is judged on
//! today in the organisation's time zone: the zone stored on the organisation the rule is about
//! when the rule is about one organisation (network requests, participation, ИОМ links, closed
//! organisations), else the region's zone — the network's configured default
//! ([`TimeZone::DEFAULT`], the zone an organisation inherits when none is given). Domain actions
//! call these; handlers, import datasets and jobs never compute a date of their own.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};

use crate::values::TimeZone;

/// The current instant as both engines store it: whole microseconds (PostgreSQL's `timestamptz`
/// keeps no more). An instant an action computes from it and answers at once — a request's time
/// of receipt and the end of an hour term counted from it — is then the one every later read of
/// the stored row gives, and a term recomputed from the stored instant (an extension) lands on
/// the same sub-second.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Today's date in a time zone at the instant `now`.
pub fn today_in(tz: chrono_tz::Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// The date in an organisation's stored time zone at the instant `now`.
pub fn date_at(time_zone: &str, now: DateTime<Utc>) -> NaiveDate {
    today_in(TimeZone::from_trusted(time_zone.to_owned()).tz(), now)
}

/// Today in an organisation's stored time zone.
pub fn today_at(time_zone: &str) -> NaiveDate {
    date_at(time_zone, Utc::now())
}

/// Today in the region's zone: the day rules not about one organisation are judged on.
pub fn region_today() -> NaiveDate {
    today_at(TimeZone::DEFAULT)
}

/// The current year in the region's zone: the default reporting year.
pub fn region_year() -> i32 {
    chrono::Datelike::year(&region_today())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_local_date_of_the_zone() {
        let t = DateTime::parse_from_rfc3339("2025-11-10T20:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(today_in(chrono_tz::Asia::Irkutsk, t), NaiveDate::from_ymd_opt(2025, 11, 11).unwrap());
        assert_eq!(today_in(chrono_tz::Europe::Moscow, t), NaiveDate::from_ymd_opt(2025, 11, 10).unwrap());
    }
}
