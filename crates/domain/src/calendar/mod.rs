//! The production calendar (производственный календарь) of the Russian Federation and the
//! arithmetic of legal deadlines built on it.
//!
//! * [`CalendarYear`] is one year of one layer: the federal layer (Labour Code art. 112 holidays
//!   plus the yearly Government decree on transfers of days off, «О переносе выходных дней») or a
//!   regional layer (days off declared by a constituent entity, e.g. Сагаалган in Buryatia).
//! * [`ProductionCalendar`] merges the federal layer with the regional layer of one region and
//!   answers "is this a working day?". For a year without federal data it falls back to the bare
//!   rule of art. 112 and marks that year as provisional.
//! * [`compute_due`] and [`compute_due_hours`] compute the last day of a term under the Civil Code
//!   (art. 191: a term starts the day after the event; art. 193: a term ending on a non-working
//!   day ends on the next working day).
//!
//! The shipped data (federal 2021–2026, Buryatia) is embedded in the binary, see
//! [`shipped_calendars`]. Everything here is pure: no clock, no time zone, no I/O.

mod data;
mod deadline;
mod error;
mod production;
mod statutory;
mod year;

#[cfg(test)]
mod tests;

pub use data::{SHIPPED_CALENDAR_JSON, parse_calendars, shipped_calendars};
pub use deadline::{
    Deadline, MAX_TERM_UNITS, Term, TermUnit, compute_due, compute_due_hours, due_instant_hours, naive_due_working_days,
};
pub use error::CalendarError;
pub use production::ProductionCalendar;
pub use statutory::{STATUTORY_HOLIDAYS, statutory_calendar_year};
pub use year::{CalendarIssue, CalendarLayer, CalendarYear, DayList};
