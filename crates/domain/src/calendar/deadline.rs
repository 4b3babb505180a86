//! Legal deadlines: the last day of a term under the Civil Code (arts. 191–193).

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};

use super::error::CalendarError;
use super::production::ProductionCalendar;

/// The largest term (value plus extension) accepted, in its own units. Far above any legal term
/// (100 000 working days are about four centuries); it bounds the work and the size of
/// [`Deadline::skipped_days`].
pub const MAX_TERM_UNITS: u32 = 100_000;

/// The unit a term is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermUnit {
    /// Working days (рабочие дни) of the production calendar.
    WorkingDays,
    /// Calendar days (календарные дни); a term ending on a non-working day ends on the next
    /// working day (Civil Code art. 193).
    CalendarDays,
    /// Hours (часы) of working days, counted from the instant of receipt; see
    /// [`due_instant_hours`].
    Hours,
}

/// A term (срок) set by a law or an act: a number of units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Term {
    /// How many units.
    pub value: u32,
    /// Which units.
    pub unit: TermUnit,
}

impl Term {
    /// A term of `value` working days.
    pub const fn working_days(value: u32) -> Self {
        Self { value, unit: TermUnit::WorkingDays }
    }

    /// A term of `value` calendar days.
    pub const fn calendar_days(value: u32) -> Self {
        Self { value, unit: TermUnit::CalendarDays }
    }

    /// A term of `value` hours.
    pub const fn hours(value: u32) -> Self {
        Self { value, unit: TermUnit::Hours }
    }
}

/// The computed end of a term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// The first day of the term: the day after receipt (Civil Code art. 191). For an hour term,
    /// which runs from the instant of receipt, the day of receipt.
    pub starts_on: NaiveDate,
    /// The last day of the term (the obligation may be performed until its end).
    pub due_on: NaiveDate,
    /// Units counted: term value plus extension in working or calendar days; for an hour term,
    /// the working days from the day of receipt to the day the hours run out.
    pub counted_days: u32,
    /// Non-working days passed over: for a working-day term, every non-working day between
    /// `starts_on` and `due_on`; for a calendar-day term, the non-working days the end was moved
    /// over by art. 193; for an hour term, every non-working day from the day of receipt to
    /// `due_on` (the clock stood still on them). Ascending.
    pub skipped_days: Vec<NaiveDate>,
    /// Whether any year whose days were consulted had no federal data loaded, so the art. 112
    /// fallback was used and the result may change once the decree is known.
    pub provisional: bool,
    /// The extension granted, in the term's units (included in `counted_days`).
    pub extended_by: u32,
}

fn total_units(value: u32, extension: u32) -> Result<u32, CalendarError> {
    let total = u64::from(value) + u64::from(extension);
    if total == 0 {
        return Err(CalendarError::EmptyTerm);
    }
    if total > u64::from(MAX_TERM_UNITS) {
        return Err(CalendarError::TermTooLong { requested: total, max: MAX_TERM_UNITS });
    }
    u32::try_from(total).map_err(|_| CalendarError::TermTooLong { requested: total, max: MAX_TERM_UNITS })
}

fn days_between(from: NaiveDate, to: NaiveDate) -> u32 {
    u32::try_from((to - from).num_days()).unwrap_or(0)
}

/// The deadline of a term of days received on `received_on`, extended by `extension_days` units
/// of the same kind (pass 0 for no extension).
///
/// * Working days: the term starts the day after receipt (art. 191) and ends on the
///   `value + extension`-th working day counted from `starts_on` inclusive.
/// * Calendar days: the term ends `value + extension` days after receipt; if that day is not a
///   working day, the term ends on the next working day (art. 193). The extension is added before
///   art. 193 is applied, so the move happens once.
///
/// Hour terms are refused with [`CalendarError::HoursNeedInstant`]: use [`compute_due_hours`].
/// Fails on an empty term, a term above [`MAX_TERM_UNITS`] and dates outside the representable
/// range. Allocates only the skipped-days list.
pub fn compute_due(
    calendar: &ProductionCalendar,
    received_on: NaiveDate,
    term: Term,
    extension_days: u32,
) -> Result<Deadline, CalendarError> {
    let total = total_units(term.value, extension_days)?;
    let starts_on = received_on.succ_opt().ok_or(CalendarError::OutOfRange)?;
    match term.unit {
        TermUnit::WorkingDays => {
            let due_on = calendar.add_working_days(received_on, total)?;
            let span = days_between(starts_on, due_on) + 1;
            let mut skipped_days = Vec::with_capacity(span.saturating_sub(total) as usize);
            calendar.collect_non_working(starts_on, due_on, &mut skipped_days)?;
            Ok(Deadline {
                starts_on,
                due_on,
                counted_days: total,
                skipped_days,
                provisional: calendar.any_provisional(starts_on.year(), due_on.year()),
                extended_by: extension_days,
            })
        }
        TermUnit::CalendarDays => {
            let raw_due = received_on.checked_add_days(Days::new(u64::from(total))).ok_or(CalendarError::OutOfRange)?;
            let due_on = calendar.next_working_day_on_or_after(raw_due)?;
            let mut skipped_days = Vec::with_capacity(days_between(raw_due, due_on) as usize);
            calendar.collect_non_working(raw_due, due_on, &mut skipped_days)?;
            Ok(Deadline {
                starts_on,
                due_on,
                counted_days: total,
                skipped_days,
                provisional: calendar.any_provisional(raw_due.year(), due_on.year()),
                extended_by: extension_days,
            })
        }
        TermUnit::Hours => Err(CalendarError::HoursNeedInstant),
    }
}

/// The instant an hour term ends: `hours` clock hours of working days counted from
/// `received_at`. The clock stops on non-working days of the calendar (hours never run on a day
/// off): a term whose hours reach a non-working day resumes at the start of the next working day,
/// and a receipt on a non-working day starts counting at the start of the next working day. On
/// working days only, the end is exactly `received_at + hours`; across a day off, the same time of
/// day on a later working day. The end never moves earlier when the hours grow (an extension) or
/// a day becomes non-working, which the earlier rule ("the same time on the next working day when
/// the end falls on a day off") did not guarantee.
///
/// `received_at` is the local wall-clock time of receipt in the region (for a zoned instant pass
/// `instant.naive_local()`); no time zone of the process is consulted.
pub fn due_instant_hours(
    calendar: &ProductionCalendar,
    received_at: NaiveDateTime,
    hours: u32,
) -> Result<NaiveDateTime, CalendarError> {
    hours_deadline(calendar, received_at, hours).map(|(instant, _)| instant)
}

/// The deadline of a term of `hours` hours received at `received_at` (local wall-clock time),
/// counted as [`due_instant_hours`] says: `due_on` is the working day in which the hours run out
/// (the instant may be its very end, midnight after it), `skipped_days` every non-working day from
/// the day of receipt to `due_on`, `counted_days` the other days of that span. `starts_on` is the
/// day of receipt and `extended_by` is 0.
pub fn compute_due_hours(
    calendar: &ProductionCalendar,
    received_at: NaiveDateTime,
    hours: u32,
) -> Result<Deadline, CalendarError> {
    hours_deadline(calendar, received_at, hours).map(|(_, deadline)| deadline)
}

fn hours_deadline(
    calendar: &ProductionCalendar,
    received_at: NaiveDateTime,
    hours: u32,
) -> Result<(NaiveDateTime, Deadline), CalendarError> {
    let total = total_units(hours, 0)?;
    let mut remaining = TimeDelta::hours(i64::from(total));
    let mut day = received_at.date();
    let mut from = received_at;
    let mut skipped_days = Vec::new();
    let instant = loop {
        let next = day.succ_opt().ok_or(CalendarError::OutOfRange)?;
        if calendar.is_working_day(day) {
            let left = next.and_time(NaiveTime::MIN) - from;
            if remaining <= left {
                break from + remaining;
            }
            remaining -= left;
        } else {
            skipped_days.push(day);
        }
        day = next;
        from = next.and_time(NaiveTime::MIN);
    };
    let span = days_between(received_at.date(), day) + 1;
    let deadline = Deadline {
        starts_on: received_at.date(),
        due_on: day,
        counted_days: span.saturating_sub(u32::try_from(skipped_days.len()).unwrap_or(u32::MAX)),
        skipped_days,
        provisional: calendar.any_provisional(received_at.year(), day.year()),
        extended_by: 0,
    };
    Ok((instant, deadline))
}

/// The benchmark baseline and test oracle for a working-day term: walks day by day from the day
/// after `received_on`, asking [`ProductionCalendar::is_working_day_naive`] (the raw layer lists,
/// not the bitsets) about each day until `working_days` working days are counted.
///
/// Must return exactly what [`compute_due`] returns for `Term::working_days(working_days)` and no
/// extension. O(days × list length); do not use in production paths.
pub fn naive_due_working_days(
    calendar: &ProductionCalendar,
    received_on: NaiveDate,
    working_days: u32,
) -> Result<Deadline, CalendarError> {
    let total = total_units(working_days, 0)?;
    let starts_on = received_on.succ_opt().ok_or(CalendarError::OutOfRange)?;
    let mut day = starts_on;
    let mut counted = 0;
    let mut skipped_days = Vec::new();
    loop {
        if calendar.is_working_day_naive(day) {
            counted += 1;
            if counted == total {
                break;
            }
        } else {
            skipped_days.push(day);
        }
        day = day.succ_opt().ok_or(CalendarError::OutOfRange)?;
    }
    let provisional = (starts_on.year()..=day.year()).any(|year| calendar.provisional_for(year));
    Ok(Deadline { starts_on, due_on: day, counted_days: total, skipped_days, provisional, extended_by: 0 })
}
