//! Wire shapes of agreements: the whole document as a client writes it, the agreement as of a
//! date, amendments, versions, actual values and attainment reports.

mod amendment;
mod report;
mod values;
mod view;
mod write;

pub use amendment::*;
pub use report::*;
pub use values::*;
pub use view::*;
pub use write::*;

/// A number as JSON writes it: integral values without a fraction.
pub fn num(v: f64) -> serde_json::Number {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        #[expect(clippy::cast_possible_truncation, reason = "integral and within i64")]
        serde_json::Number::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).unwrap_or_else(|| serde_json::Number::from(0))
    }
}
