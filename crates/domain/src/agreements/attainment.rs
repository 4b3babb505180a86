//! Actual values against targets: which reported value counts for a year, the warnings a new
//! value raises, and the attainment of each indicator.

use uuid::Uuid;

use super::{
    Accumulation, AgreementDocument, AttainmentStatus, Indicator, IndicatorSpec, IndicatorValue, Unit, ValueFlag,
};

/// Attainment ratio at or above which a target is met.
pub const MET_THRESHOLD: f64 = 1.0;
/// Attainment ratio at or above which an unmet target is "at risk" rather than "not met".
pub const AT_RISK_THRESHOLD: f64 = 0.9;

/// The position of a period in time: quarters 1–4, the year's own value after them.
fn period(year: i32, quarter: Option<i16>) -> (i32, i16) {
    (year, quarter.unwrap_or(5))
}

/// The value that stands for each period of an indicator (the latest report of the period).
fn standing(values: &[IndicatorValue], indicator_id: Uuid) -> Vec<&IndicatorValue> {
    let mut mine: Vec<&IndicatorValue> = values.iter().filter(|v| v.indicator_id == indicator_id).collect();
    mine.sort_by_key(|v| (period(v.year, v.quarter), v.id));
    let mut out: Vec<&IndicatorValue> = Vec::new();
    for v in mine {
        match out.last_mut() {
            Some(last) if period(last.year, last.quarter) == period(v.year, v.quarter) => *last = v,
            _ => out.push(v),
        }
    }
    out
}

/// The actual value of a year: the year's own value when reported, else the latest quarter's
/// (quarterly values are "as at the end of the quarter"). A later report of a period replaces an
/// earlier one.
pub fn actual_for_year(values: &[IndicatorValue], indicator_id: Uuid, year: i32) -> Option<&IndicatorValue> {
    standing(values, indicator_id).into_iter().rfind(|v| v.year == year)
}

/// The warnings a new value raises against the values already reported for the indicator: a
/// cumulative value below an earlier period's (or above a later period's), a percentage outside
/// 0–100.
pub fn value_flags(
    spec: &IndicatorSpec,
    indicator_id: Uuid,
    existing: &[IndicatorValue],
    year: i32,
    quarter: Option<i16>,
    value: f64,
) -> Vec<ValueFlag> {
    let mut flags = Vec::new();
    if spec.accumulation == Accumulation::Cumulative {
        let here = period(year, quarter);
        let others: Vec<&IndicatorValue> =
            standing(existing, indicator_id).into_iter().filter(|v| period(v.year, v.quarter) != here).collect();
        let before = others.iter().rfind(|v| period(v.year, v.quarter) < here);
        let after = others.iter().find(|v| period(v.year, v.quarter) > here);
        if before.is_some_and(|b| value < b.value) || after.is_some_and(|a| value > a.value) {
            flags.push(ValueFlag::CumulativeDecrease);
        }
    }
    if spec.unit == Unit::Percent && !(0.0..=100.0).contains(&value) {
        flags.push(ValueFlag::PercentOutOfRange);
    }
    flags
}

/// Target, actual and how far the target is attained.
#[derive(Debug, Clone, PartialEq)]
pub struct Attainment {
    /// Target of the year.
    pub target: Option<f64>,
    /// Actual value of the year.
    pub actual: Option<f64>,
    /// actual / target, rounded to 4 places (none without both, or for a zero target).
    pub ratio: Option<f64>,
    /// Status.
    pub status: AttainmentStatus,
}

/// Attainment of a target by an actual value.
pub fn attainment_of(target: Option<f64>, actual: Option<f64>) -> Attainment {
    let (ratio, status) = match (target, actual) {
        (Some(t), Some(a)) if t > 0.0 => {
            let r = (a / t * 10_000.0).round() / 10_000.0;
            let s = if r >= MET_THRESHOLD {
                AttainmentStatus::Met
            } else if r >= AT_RISK_THRESHOLD {
                AttainmentStatus::AtRisk
            } else {
                AttainmentStatus::NotMet
            };
            (Some(r), s)
        }
        (Some(_), Some(_)) => (None, AttainmentStatus::Met),
        _ => (None, AttainmentStatus::NoData),
    };
    Attainment { target, actual, ratio, status }
}

/// One indicator of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorAttainment {
    /// The indicator (as in the version in effect).
    pub indicator: Indicator,
    /// Its attainment.
    pub attainment: Attainment,
    /// The value that counts, if any.
    pub value: Option<IndicatorValue>,
}

/// Every indicator of a document with its attainment in a year.
pub fn assess(doc: &AgreementDocument, values: &[IndicatorValue], year: i32) -> Vec<IndicatorAttainment> {
    doc.indicators
        .iter()
        .map(|i| {
            let value = actual_for_year(values, i.id, year).cloned();
            IndicatorAttainment {
                indicator: i.clone(),
                attainment: attainment_of(i.spec.target(year), value.as_ref().map(|v| v.value)),
                value,
            }
        })
        .collect()
}
