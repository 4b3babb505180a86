//! Deadline policies (правила сроков ответа) and the stored production calendars they are
//! counted in: the repository traits and the actions of `/api/v1/deadline-policies` and
//! `/api/v1/calendars`. The arithmetic itself lives in [`crate::calendar`].

mod calendars;
mod policies;

pub use calendars::{CalendarRepository, StoredCalendarYear, put_calendar_year};
pub use policies::{
    DeadlinePolicy, DeadlinePolicyRepository, NewDeadlinePolicy, PolicyInput, create_policy, shipped_policies,
    update_policy,
};

/// Roles that read deadline policies and the production calendar: every role.
pub const READERS: &[crate::auth::Role] = &crate::auth::Role::ALL;

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeZone as _, Utc};

use crate::{
    DomainError, DomainResult, Msg,
    calendar::{CalendarError, Deadline, ProductionCalendar, Term, TermUnit, compute_due, compute_due_hours},
};

/// Computes the deadline of a term received on `received_on` (at `received_at`, local wall-clock
/// time, for hour terms) and extended by `extension` units, in the addressee's calendar.
pub fn deadline_for(
    calendar: &ProductionCalendar,
    term: Term,
    received_on: NaiveDate,
    received_at: Option<NaiveDateTime>,
    extension: u32,
) -> DomainResult<Deadline> {
    let result = match term.unit {
        TermUnit::Hours => {
            let at = received_at.unwrap_or_else(|| received_on.and_time(chrono::NaiveTime::MIN));
            compute_due_hours(calendar, at, term.value.saturating_add(extension))
        }
        _ => compute_due(calendar, received_on, term, extension),
    };
    result.map_err(calendar_error)
}

/// The instant a due date ends in a time zone: the local midnight after `due_on`, in UTC. A
/// request not answered by then is overdue.
pub fn end_of_day_utc(due_on: NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let next = due_on.checked_add_days(Days::new(1)).unwrap_or(due_on);
    let local = next.and_time(chrono::NaiveTime::MIN);
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        chrono::LocalResult::None => Utc.from_utc_datetime(&local),
    }
}

/// Today's date in a time zone.
pub fn today_in(tz: chrono_tz::Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// A calendar error as a domain error: data problems are internal, term problems are the caller's.
pub fn calendar_error(e: CalendarError) -> DomainError {
    match e {
        CalendarError::EmptyTerm | CalendarError::TermTooLong { .. } => DomainError::field(
            "term",
            "invalid_term",
            Msg::new(format!("Недопустимый срок: {e}"), format!("Invalid term: {e}")),
        ),
        CalendarError::OutOfRange => DomainError::field(
            "received_on",
            "out_of_range",
            Msg::new("Дата вне допустимого диапазона", "The date is outside the supported range"),
        ),
        other => DomainError::Internal(other.to_string()),
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn five_working_days_from_friday_31_october_2025_end_on_monday_10_november() {
        let cal = ProductionCalendar::shipped(Some("03")).unwrap();
        let dl = deadline_for(&cal, Term::working_days(5), d("2025-10-31"), None, 0).unwrap();
        assert_eq!(dl.due_on, d("2025-11-10"));
        assert_eq!(dl.starts_on, d("2025-11-01"));
        assert!(!dl.provisional);
    }

    #[test]
    fn the_end_of_a_due_day_is_local_midnight() {
        let t = end_of_day_utc(d("2025-11-10"), chrono_tz::Asia::Irkutsk);
        assert_eq!(t.to_rfc3339(), "2025-11-10T16:00:00+00:00");
        assert_eq!(today_in(chrono_tz::Asia::Irkutsk, t), d("2025-11-11"));
    }
}
