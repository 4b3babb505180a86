use std::collections::BTreeMap;

use rsnms_domain::monitoring::{
    Accumulation, Definition, IndicatorRow, Measure, MunicipalityReport, Population, Report, Unit,
};
use serde::Serialize;
use utoipa::ToSchema;

/// An indicator definition (определение показателя): a numerator measure, an optional
/// denominator population and an accumulation rule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DefinitionView {
    /// Stable code.
    pub code: String,
    /// Name in Russian, as in the legal source.
    pub name: String,
    /// English description.
    pub description: String,
    /// What is counted (числитель).
    pub numerator: Measure,
    /// Of what population (знаменатель); absent for counts.
    pub denominator: Option<Population>,
    /// Accumulation: `cumulative` (нарастающим итогом: everything up to the end of the year,
    /// each subject once), `per_year`, `last_value`.
    pub accumulation: Accumulation,
    /// Unit.
    pub unit: Unit,
    /// Legal source, e.g. "BU appendix 1, result 1".
    pub source: String,
    /// The agreement indicator it is reconciled with, by appendix key (`result.1`, `indicator.1`).
    pub agreement_key: Option<String>,
}

impl From<Definition> for DefinitionView {
    fn from(d: Definition) -> Self {
        Self {
            code: d.code,
            name: d.name,
            description: d.description,
            numerator: d.numerator,
            denominator: d.denominator,
            accumulation: d.accumulation,
            unit: d.unit,
            source: d.source,
            agreement_key: d.agreement_key,
        }
    }
}

/// The definitions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DefinitionList {
    /// Definitions.
    pub items: Vec<DefinitionView>,
}

/// One computed indicator (показатель) for a territory and year.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MonitoringIndicatorView)]
pub struct IndicatorView {
    /// Definition code.
    pub code: String,
    /// Name (ru).
    pub name: String,
    /// Unit.
    pub unit: Unit,
    /// Counted subjects (absent when suppressed).
    pub numerator: Option<u64>,
    /// Population (absent for counts and when suppressed).
    pub denominator: Option<u64>,
    /// Value: per cent with one decimal, or the count.
    pub value: Option<f64>,
    /// The population is smaller than `RSNMS_MIN_GROUP_SIZE`: figures withheld.
    pub suppressed: bool,
    /// Target for the year from the applicable agreement.
    pub target: Option<f64>,
    /// Attainment, per cent of the target.
    pub attainment: Option<f64>,
    /// Actual value reported against the agreement for the year (отчётное значение).
    pub reported: Option<f64>,
    /// Computed value minus the reported one.
    pub difference: Option<f64>,
}

impl From<IndicatorRow> for IndicatorView {
    fn from(r: IndicatorRow) -> Self {
        Self {
            code: r.definition.code,
            name: r.definition.name,
            unit: r.definition.unit,
            numerator: r.computed.numerator,
            denominator: r.computed.denominator,
            value: r.computed.value,
            suppressed: r.computed.suppressed,
            target: r.target,
            attainment: r.attainment,
            reported: r.reported,
            difference: r.difference,
        }
    }
}

/// Indicators of a year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorList {
    /// Year.
    pub year: i32,
    /// Municipality code when narrowed to one.
    pub municipality_code: Option<String>,
    /// Smallest population shown.
    pub min_group_size: u64,
    /// Indicators.
    pub items: Vec<IndicatorView>,
}

/// One municipality of the report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MunicipalityView {
    /// Municipality code (ОКТМО).
    pub municipality_code: String,
    /// Name.
    pub municipality_name: String,
    /// Indicators with targets and attainment.
    pub indicators: Vec<IndicatorView>,
    /// Network requests addressed to its organisations and overdue.
    pub overdue_requests: u64,
    /// Individual routes of its teachers by status.
    pub routes_by_status: BTreeMap<String, u64>,
}

impl From<MunicipalityReport> for MunicipalityView {
    fn from(m: MunicipalityReport) -> Self {
        Self {
            municipality_code: m.municipality_code,
            municipality_name: m.municipality_name,
            indicators: m.indicators.into_iter().map(IndicatorView::from).collect(),
            overdue_requests: m.overdue_requests,
            routes_by_status: m.routes_by_status,
        }
    }
}

/// The monitoring report of a year.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MonitoringReportView)]
pub struct ReportView {
    /// Year.
    pub year: i32,
    /// Smallest population shown.
    pub min_group_size: u64,
    /// The whole territory in the caller's scope.
    pub total: Vec<IndicatorView>,
    /// Per municipality.
    pub municipalities: Vec<MunicipalityView>,
}

impl ReportView {
    /// From the domain report.
    pub fn new(r: Report, min_group_size: u64) -> Self {
        Self {
            year: r.year,
            min_group_size,
            total: r.total.into_iter().map(IndicatorView::from).collect(),
            municipalities: r.municipalities.into_iter().map(MunicipalityView::from).collect(),
        }
    }
}
