//! The error type of the calendar module.

use super::year::{CalendarIssue, CalendarLayer};

/// Everything loading a calendar or computing a deadline can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The calendar JSON could not be parsed (syntax, unknown field, malformed date).
    #[error("production calendar data is malformed: {0}")]
    Data(String),

    /// A calendar year failed [`CalendarYear::validate`](super::CalendarYear::validate).
    #[error("calendar year {year} ({layer}) is invalid: {}", join_issues(.issues))]
    InvalidYear {
        /// The year that failed.
        year: i32,
        /// The layer of the year that failed.
        layer: CalendarLayer,
        /// Every problem found in it.
        issues: Vec<CalendarIssue>,
    },

    /// The same year of the same layer was supplied twice.
    #[error("calendar year {year} ({layer}) is supplied more than once")]
    DuplicateYear {
        /// The repeated year.
        year: i32,
        /// The layer it was repeated in.
        layer: CalendarLayer,
    },

    /// A year of the wrong layer was passed (e.g. a regional year where federal ones are expected,
    /// or a year of another region).
    #[error("calendar year {year}: expected {expected}, got {found}")]
    WrongLayer {
        /// The year of the misplaced layer.
        year: i32,
        /// What was expected, in words.
        expected: String,
        /// The layer actually supplied.
        found: CalendarLayer,
    },

    /// A calendar already bound to one region was asked to take the layer of another.
    #[error("the calendar is bound to region {current}, cannot add region {requested}")]
    RegionMismatch {
        /// The region the calendar is bound to.
        current: String,
        /// The region that was requested.
        requested: String,
    },

    /// A regional year declares a working-day total that differs from the count obtained by
    /// merging it with the federal layer.
    #[error("region {region_code}, year {year}: declared {declared} working days, computed {computed}")]
    RegionalTotalMismatch {
        /// The region.
        region_code: String,
        /// The year.
        year: i32,
        /// The total written in the data.
        declared: u32,
        /// The total computed from federal plus regional layers.
        computed: u32,
    },

    /// A term of zero units was requested; a term is at least one day or one hour.
    #[error("a term must be at least one unit long")]
    EmptyTerm,

    /// The term plus its extension exceeds [`MAX_TERM_UNITS`](super::MAX_TERM_UNITS).
    #[error("a term of {requested} units exceeds the supported maximum of {max}")]
    TermTooLong {
        /// Term value plus extension.
        requested: u64,
        /// The supported maximum.
        max: u32,
    },

    /// [`compute_due`](super::compute_due) was given an hour term; hour terms need the instant of
    /// receipt, use [`compute_due_hours`](super::compute_due_hours).
    #[error("an hour term needs the instant of receipt: use compute_due_hours")]
    HoursNeedInstant,

    /// The date arithmetic left the range of dates the calendar can represent.
    #[error("date arithmetic left the representable range of dates")]
    OutOfRange,
}

fn join_issues(issues: &[CalendarIssue]) -> String {
    issues.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}
