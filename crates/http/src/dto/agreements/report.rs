//! Attainment reports on the wire.

use rsnms_domain::agreements::{Accumulation, AttainmentStatus, IndicatorKind, Unit, ValueFlag};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::num;

/// Thresholds of the attainment statuses.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThresholdsView {
    /// Ratio at or above which a target is met.
    pub met: f64,
    /// Ratio at or above which an unmet target is at risk.
    pub at_risk: f64,
}

impl ThresholdsView {
    /// The thresholds in use.
    pub fn current() -> Self {
        ThresholdsView {
            met: rsnms_domain::agreements::MET_THRESHOLD,
            at_risk: rsnms_domain::agreements::AT_RISK_THRESHOLD,
        }
    }
}

/// How many indicators are in each status.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct SummaryView {
    /// Met.
    pub met: usize,
    /// At risk.
    pub at_risk: usize,
    /// Not met.
    pub not_met: usize,
    /// No data.
    pub no_data: usize,
    /// All indicators.
    pub total: usize,
}

impl SummaryView {
    /// Counts a status.
    pub fn add(&mut self, s: AttainmentStatus) {
        self.total += 1;
        match s {
            AttainmentStatus::Met => self.met += 1,
            AttainmentStatus::AtRisk => self.at_risk += 1,
            AttainmentStatus::NotMet => self.not_met += 1,
            AttainmentStatus::NoData => self.no_data += 1,
        }
    }
}

/// One indicator of an attainment report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportItemView {
    /// Indicator id.
    pub indicator_id: Uuid,
    /// Key, e.g. `result.2`.
    pub key: String,
    /// Indicator or result.
    pub kind: IndicatorKind,
    /// Number within its kind.
    pub number: u32,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: Unit,
    /// Accumulation rule.
    pub accumulation: Accumulation,
    /// Target of the year.
    #[schema(value_type = Option<f64>)]
    pub target: Option<serde_json::Number>,
    /// Actual value of the year (the year's value, else the latest quarter's).
    #[schema(value_type = Option<f64>)]
    pub actual: Option<serde_json::Number>,
    /// actual / target, 4 places.
    pub attainment: Option<f64>,
    /// Status.
    pub status: AttainmentStatus,
    /// Warnings of the value that counts.
    pub flags: Vec<ValueFlag>,
    /// Source of the value that counts.
    pub source: Option<String>,
    /// Quarter of the value that counts (`null`: the year's value).
    pub quarter: Option<i16>,
}

/// The attainment of one agreement in a year (достижение показателей).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgreementReportView {
    /// The agreement.
    pub agreement_id: Uuid,
    /// Its number.
    pub number: String,
    /// Municipality of the municipal party.
    pub municipality_code: String,
    /// Its name.
    pub municipality_name: Option<String>,
    /// Year.
    pub year: i32,
    /// Version whose targets count (in effect on 31 December of the year).
    pub revision: Option<i32>,
    /// Thresholds.
    pub thresholds: ThresholdsView,
    /// Counts by status.
    pub summary: SummaryView,
    /// Mean attainment of the indicators that have one.
    pub mean_attainment: Option<f64>,
    /// Every indicator.
    pub items: Vec<ReportItemView>,
}

impl AgreementReportView {
    /// Builds the report view of a row.
    pub fn new(row: rsnms_domain::agreements::ReportRow, year: i32) -> Self {
        let mut summary = SummaryView::default();
        let mut ratios = Vec::new();
        let items = row
            .items
            .into_iter()
            .map(|it| {
                summary.add(it.attainment.status);
                if let Some(r) = it.attainment.ratio {
                    ratios.push(r);
                }
                let spec = it.indicator.spec;
                let target = spec.targets.iter().find(|t| t.year == year).map(|t| t.value.clone());
                ReportItemView {
                    indicator_id: it.indicator.id,
                    key: spec.key(),
                    kind: spec.kind,
                    number: spec.number,
                    name: spec.name,
                    unit: spec.unit,
                    accumulation: spec.accumulation,
                    target,
                    actual: it.attainment.actual.map(num),
                    attainment: it.attainment.ratio,
                    status: it.attainment.status,
                    flags: it.value.as_ref().map(|v| v.flags.clone()).unwrap_or_default(),
                    source: it.value.as_ref().map(|v| v.source.clone()),
                    quarter: it.value.as_ref().and_then(|v| v.quarter),
                }
            })
            .collect();
        #[expect(clippy::cast_precision_loss, reason = "a handful of indicators")]
        let mean = (!ratios.is_empty())
            .then(|| (ratios.iter().sum::<f64>() / ratios.len() as f64 * 10_000.0).round() / 10_000.0);
        let a = row.agreement;
        AgreementReportView {
            agreement_id: a.id,
            number: row.version.as_ref().map_or(a.document.number.clone(), |v| v.document.number.clone()),
            municipality_code: a.municipality_code,
            municipality_name: a.municipality_name,
            year,
            revision: row.version.map(|v| v.number),
            thresholds: ThresholdsView::current(),
            summary,
            mean_attainment: mean,
            items,
        }
    }
}

/// One municipality's point of an indicator series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriesPointView {
    /// Municipality.
    pub municipality_code: String,
    /// Its name.
    pub municipality_name: Option<String>,
    /// The agreement.
    pub agreement_id: Uuid,
    /// Target.
    #[schema(value_type = Option<f64>)]
    pub target: Option<serde_json::Number>,
    /// Actual.
    #[schema(value_type = Option<f64>)]
    pub actual: Option<serde_json::Number>,
    /// Attainment ratio.
    pub attainment: Option<f64>,
    /// Status.
    pub status: AttainmentStatus,
}

/// One indicator across municipalities (a chart series).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorSeriesView {
    /// Key, e.g. `indicator.1`.
    pub key: String,
    /// Name (of the first agreement that has it).
    pub name: String,
    /// Unit.
    pub unit: Unit,
    /// One point per municipality.
    pub points: Vec<SeriesPointView>,
}

/// Attainment across the region's agreements in a year, by municipality.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionReportView {
    /// Year.
    pub year: i32,
    /// Thresholds.
    pub thresholds: ThresholdsView,
    /// Counts by status over every agreement.
    pub summary: SummaryView,
    /// One entry per agreement (municipality), ordered by municipality code.
    pub municipalities: Vec<AgreementReportView>,
    /// One series per indicator key, one point per municipality.
    pub indicators: Vec<IndicatorSeriesView>,
}

impl RegionReportView {
    /// Builds the region view from the per-agreement reports.
    pub fn new(year: i32, reports: Vec<AgreementReportView>) -> Self {
        let mut summary = SummaryView::default();
        let mut series: Vec<IndicatorSeriesView> = Vec::new();
        for r in &reports {
            for it in &r.items {
                summary.add(it.status);
                let point = SeriesPointView {
                    municipality_code: r.municipality_code.clone(),
                    municipality_name: r.municipality_name.clone(),
                    agreement_id: r.agreement_id,
                    target: it.target.clone(),
                    actual: it.actual.clone(),
                    attainment: it.attainment,
                    status: it.status,
                };
                match series.iter_mut().find(|s| s.key == it.key) {
                    Some(s) => s.points.push(point),
                    None => series.push(IndicatorSeriesView {
                        key: it.key.clone(),
                        name: it.name.clone(),
                        unit: it.unit,
                        points: vec![point],
                    }),
                }
            }
        }
        RegionReportView {
            year,
            thresholds: ThresholdsView::current(),
            summary,
            municipalities: reports,
            indicators: series,
        }
    }
}
