//! Deadline policies (правила сроков ответа) and the stored production calendars they are
//! counted in: the repository traits and the actions of `/api/v1/deadline-policies` and
//! `/api/v1/calendars`. The arithmetic itself lives in [`crate::calendar`].

mod calendars;
mod policies;

pub use calendars::{CalendarRepository, StoredCalendarYear, get_calendar_year, put_calendar_year};
pub use policies::{
    DEFAULT_DUE_SOON_HOURS, DeadlinePolicy, DeadlinePolicyRepository, NewDeadlinePolicy, PolicyInput, create_policy,
    get_deadline_policy, list_deadline_policies, shipped_policies, update_policy,
};

/// Roles that read deadline policies and the production calendar: every role.
pub const READERS: &[crate::auth::Role] = &crate::auth::Role::ALL;

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeZone as _, Utc};

use crate::{
    DomainError, DomainResult, Msg,
    calendar::{
        CalendarError, Deadline, ProductionCalendar, Term, TermUnit, compute_due, compute_due_hours, due_instant_hours,
    },
};

/// The end of a term received at the instant `received_at`, extended by `extension` units, in the
/// addressee's calendar and time zone: the computation and the instant it ends (overdue from
/// then on). Every computation of a request's deadline — receipt, extension, recomputation after
/// a calendar correction — starts from the stored instant of receipt, never from midnight.
///
/// * Days (working or calendar): the term starts the day after the local date of receipt
///   (Civil Code art. 191) and ends when its last day ends in the time zone (art. 194).
/// * Hours: clock hours from the instant of receipt (`value + extension` of them); when that
///   instant falls on a non-working day, the same time of day on the next working day. The term
///   ends at that instant, not at the end of its day.
pub fn term_end(
    calendar: &ProductionCalendar,
    term: Term,
    received_at: DateTime<Utc>,
    tz: chrono_tz::Tz,
    extension: u32,
) -> DomainResult<(Deadline, DateTime<Utc>)> {
    let local = received_at.with_timezone(&tz).naive_local();
    match term.unit {
        TermUnit::Hours => {
            // Saturating: a sum beyond the maximum term is refused as too long all the same.
            let hours = term.value.saturating_add(extension);
            let instant = due_instant_hours(calendar, local, hours).map_err(calendar_error)?;
            let mut deadline = compute_due_hours(calendar, local, hours).map_err(calendar_error)?;
            deadline.extended_by = extension;
            Ok((deadline, local_to_utc(instant, tz)))
        }
        _ => {
            let deadline = compute_due(calendar, local.date(), term, extension).map_err(calendar_error)?;
            let due_at = end_of_day_utc(deadline.due_on, tz);
            Ok((deadline, due_at))
        }
    }
}

/// The instant of a local wall-clock time in a time zone (the earlier one when ambiguous; read
/// as UTC when the zone skips it).
pub fn local_to_utc(local: NaiveDateTime, tz: chrono_tz::Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        chrono::LocalResult::None => Utc.from_utc_datetime(&local),
    }
}

/// The instant a day starts in a time zone (its local midnight, in UTC).
pub fn start_of_day_utc(day: NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    local_to_utc(day.and_time(chrono::NaiveTime::MIN), tz)
}

/// The instant a due date ends in a time zone: the local midnight after `due_on`, in UTC. A
/// request not answered by then is overdue.
pub fn end_of_day_utc(due_on: NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    start_of_day_utc(due_on.checked_add_days(Days::new(1)).unwrap_or(due_on), tz)
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
        other => DomainError::internal_caused("computing a deadline", other),
    }
}

/// The longest code of a deadline policy, in characters.
pub const POLICY_CODE_MAX: usize = 64;
/// The longest name of a deadline policy, in characters.
pub const POLICY_NAME_MAX: usize = 500;
/// The longest legal basis of a deadline policy or source of a calendar year, in characters.
pub const SOURCE_MAX: usize = 1000;

/// The length limits of a deadline policy, by field: the contract states the same numbers
/// (`DeadlinePolicyWrite`; `CalendarYearWrite` for [`CALENDAR_LIMITS`]), which a test compares
/// with these lists.
pub const POLICY_LIMITS: &[(&str, usize)] =
    &[("code", POLICY_CODE_MAX), ("name", POLICY_NAME_MAX), ("legal_basis", SOURCE_MAX)];
/// The length limits of a calendar year, by field.
pub const CALENDAR_LIMITS: &[(&str, usize)] = &[("source", SOURCE_MAX)];

#[cfg(test)]
mod tests {

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn five_working_days_from_friday_31_october_2025_end_on_monday_10_november() {
        let cal = ProductionCalendar::shipped(Some("03")).unwrap();
        let received = start_of_day_utc(d("2025-10-31"), chrono_tz::Asia::Irkutsk);
        let (dl, due_at) = term_end(&cal, Term::working_days(5), received, chrono_tz::Asia::Irkutsk, 0).unwrap();
        assert_eq!(due_at, end_of_day_utc(d("2025-11-10"), chrono_tz::Asia::Irkutsk));
        assert_eq!(dl.due_on, d("2025-11-10"));
        assert_eq!(dl.starts_on, d("2025-11-01"));
        assert!(!dl.provisional);
    }

    #[test]
    fn an_hour_term_ends_at_its_instant_in_the_addressee_zone_and_an_extension_counts_from_receipt() {
        let cal = ProductionCalendar::shipped(Some("03")).unwrap();
        let tz = chrono_tz::Asia::Irkutsk;
        // Received Friday 7 November 2025 at 15:30 in Irkutsk; 24 h of working days: Monday 15:30.
        let received = local_to_utc(d("2025-11-07").and_hms_opt(15, 30, 0).unwrap(), tz);
        let (dl, due_at) = term_end(&cal, Term::hours(24), received, tz, 0).unwrap();
        assert_eq!(due_at.to_rfc3339(), "2025-11-10T07:30:00+00:00");
        assert_eq!(dl.due_on, d("2025-11-10"));
        assert_eq!(dl.skipped_days, vec![d("2025-11-08"), d("2025-11-09")]);
        // Extended by one hour: 16:30 the same Monday, never a day earlier.
        let (dl, due_at) = term_end(&cal, Term::hours(24), received, tz, 1).unwrap();
        assert_eq!(due_at.to_rfc3339(), "2025-11-10T08:30:00+00:00");
        assert_eq!(dl.extended_by, 1);
    }

    /// A copy of the shipped calendar of Buryatia in which `day` is a federal day off.
    fn with_day_off(day: NaiveDate) -> Option<ProductionCalendar> {
        let mut years = crate::calendar::shipped_calendars().ok()?;
        let year =
            years.iter_mut().find(|y| y.layer == crate::calendar::CalendarLayer::Federal && y.year == day.year())?;
        year.non_working_days.push(day);
        year.non_working_days.sort();
        if let Some(short) = year.shortened_days.as_mut() {
            short.retain(|s| *s != day);
        }
        year.working_days_total = None;
        ProductionCalendar::from_layers(years, Some("03")).ok()
    }

    fn any_zone() -> impl Strategy<Value = chrono_tz::Tz> {
        prop_oneof![
            Just(chrono_tz::Europe::Moscow),
            Just(chrono_tz::Asia::Irkutsk),
            Just(chrono_tz::Asia::Kamchatka),
            Just(chrono_tz::Europe::Kaliningrad)
        ]
    }

    fn any_term() -> impl Strategy<Value = Term> {
        prop_oneof![
            (1u32..200).prop_map(Term::hours),
            (1u32..40).prop_map(Term::working_days),
            (1u32..40).prop_map(Term::calendar_days)
        ]
    }

    use chrono::Datelike;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        /// Receipt → due → extension → recomputation: an end never moves earlier, unless a day
        /// became working; recomputing with the same calendar changes nothing.
        #[test]
        fn receipt_extension_and_recomputation_never_move_an_end_earlier(
            minutes in 0i64..(6 * 365 * 24 * 60),
            term in any_term(),
            extension in 1u32..30,
            tz in any_zone(),
            later in 0u64..60,
        ) {
            let cal = ProductionCalendar::shipped(Some("03")).unwrap();
            let received = d("2021-01-01").and_hms_opt(0, 0, 0).unwrap().and_utc() + chrono::TimeDelta::minutes(minutes);
            let (first, due) = term_end(&cal, term, received, tz, 0).unwrap();
            prop_assert!(due > received);
            prop_assert!(cal.is_working_day(first.due_on));
            let (extended, extended_due) = term_end(&cal, term, received, tz, extension).unwrap();
            prop_assert!(extended_due >= due);
            prop_assert_eq!(extended.extended_by, extension);
            if term.unit == TermUnit::Hours {
                prop_assert!(extended_due >= due + chrono::TimeDelta::hours(i64::from(extension)));
            }
            // Recomputed with the same calendar: exactly the same.
            prop_assert_eq!(term_end(&cal, term, received, tz, extension).unwrap(), (extended.clone(), extended_due));
            // A working weekday after receipt becomes a day off: the end never moves earlier.
            let day = received.with_timezone(&tz).date_naive() + chrono::Days::new(later);
            if cal.is_working_day(day) && day.weekday().num_days_from_monday() < 5
                && let Some(corrected) = with_day_off(day)
            {
                let (moved, moved_due) = term_end(&corrected, term, received, tz, extension).unwrap();
                prop_assert!(moved_due >= extended_due, "{day}: {moved_due} < {extended_due}");
                prop_assert!(moved.due_on >= extended.due_on);
                // And back: only that day becoming working again brings the end back.
                prop_assert_eq!(term_end(&cal, term, received, tz, extension).unwrap().1, extended_due);
            }
        }
    }

    #[test]
    fn the_end_of_a_due_day_is_local_midnight() {
        let t = end_of_day_utc(d("2025-11-10"), chrono_tz::Asia::Irkutsk);
        assert_eq!(t.to_rfc3339(), "2025-11-10T16:00:00+00:00");
        assert_eq!(crate::clock::today_in(chrono_tz::Asia::Irkutsk, t), d("2025-11-11"));
    }
}
