use std::collections::BTreeMap;

use crate::dto::limit;
use chrono::{DateTime, Utc};
use rsnms_domain::monitoring;
use rsnms_domain::{
    FieldError,
    monitoring::{
        Accumulation, DefinitionInput, DefinitionOrigin, DefinitionRecord, DefinitionStatus, IndicatorRow, Measure,
        MunicipalityReport, NoData, Population, Report, Unit, agreement_key_error, block_errors, code_error,
        known_measures, known_populations, unknown_block,
    },
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// An indicator definition as a client writes it (create; merge-patched for updates). The
/// blocks are named by their wire names; an unknown name is a 422 naming the field and listing
/// the known blocks.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(as = MonitoringDefinitionWrite)]
pub struct DefinitionWrite {
    /// Stable code (код): 3–64 lower-case Latin letters, digits and `_`, starting with a letter;
    /// unique among built-in and custom definitions (409), never changes.
    #[validate(required, length(min = 3, max = limit(monitoring::CODE_MAX)))]
    #[schema(
        required = true,
        nullable = false,
        min_length = 3,
        max_length = 64,
        pattern = "^[a-z][a-z0-9_]{2,63}$",
        example = "teachers_completed_pd_per_year"
    )]
    pub code: Option<String>,
    /// Name in Russian (наименование показателя).
    #[validate(required, length(min = 1, max = limit(monitoring::NAME_MAX)))]
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 500,
        example = "Доля педагогических работников, прошедших повышение квалификации в отчётном году"
    )]
    pub name: Option<String>,
    /// English description.
    #[validate(length(max = limit(monitoring::DESCRIPTION_MAX)))]
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// What is counted (числитель): a measure block.
    #[validate(required)]
    #[schema(required = true, nullable = false, value_type = Measure)]
    pub numerator: Option<String>,
    /// Of what population (знаменатель): the measure's own population (`teachers` for measures
    /// of teachers, `schools` for measures of schools; none for events), or absent for a count.
    #[schema(value_type = Option<Population>)]
    pub denominator: Option<String>,
    /// How years accumulate (нарастающим итогом, за год, последнее значение).
    #[validate(required)]
    #[schema(required = true, nullable = false, value_type = Accumulation)]
    pub accumulation: Option<String>,
    /// Unit: `percent` for a share; for a count `units`, or `people` / `organizations` as the
    /// measure counts teachers or schools.
    #[validate(required)]
    #[schema(required = true, nullable = false, value_type = Unit)]
    pub unit: Option<String>,
    /// Legal source (правовое основание), e.g. the order and item that define the indicator.
    #[validate(required, length(min = 1, max = limit(monitoring::NAME_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 500)]
    pub source: Option<String>,
    /// Target source: the agreement indicator (`indicator.N`, `result.N`) whose yearly targets
    /// and reported values the computed value is compared with.
    #[validate(length(max = limit(monitoring::AGREEMENT_KEY_MAX)))]
    #[schema(max_length = 16, pattern = "^(indicator|result)\\.[1-9][0-9]{0,2}$", example = "result.2")]
    pub agreement_key: Option<String>,
}

/// Parses a block name, recording an unknown one.
fn block<T>(
    out: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    known: impl Fn() -> String,
) -> Option<T> {
    let v = value?;
    let parsed = parse(v);
    if parsed.is_none() {
        out.push(unknown_block(field, v, &known()));
    }
    parsed
}

fn known<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> String {
    all.iter().map(|v| name(*v)).collect::<Vec<_>>().join(", ")
}

impl crate::extract::ValueChecks for DefinitionWrite {
    fn value_errors(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if let Some(e) = self.code.as_deref().and_then(|c| code_error(c.trim())) {
            out.push(e);
        }
        if let Some(e) = self.agreement_key.as_deref().and_then(|k| agreement_key_error(k.trim())) {
            out.push(e);
        }
        let numerator = block(&mut out, "numerator", self.numerator.as_deref(), Measure::parse, known_measures);
        let denominator =
            block(&mut out, "denominator", self.denominator.as_deref(), Population::parse, known_populations);
        block(&mut out, "accumulation", self.accumulation.as_deref(), Accumulation::parse, || {
            known(Accumulation::ALL, Accumulation::as_str)
        });
        let unit = block(&mut out, "unit", self.unit.as_deref(), Unit::parse, || known(Unit::ALL, Unit::as_str));
        // Only what a partial document (a merge patch) already decides; the rest after merging.
        out.extend(block_errors(numerator, denominator, unit, false));
        out
    }
}

impl From<DefinitionWrite> for DefinitionInput {
    fn from(w: DefinitionWrite) -> Self {
        Self {
            code: w.code,
            name: w.name,
            description: w.description,
            numerator: w.numerator.as_deref().and_then(Measure::parse),
            denominator: w.denominator.as_deref().and_then(Population::parse),
            accumulation: w.accumulation.as_deref().and_then(Accumulation::parse),
            unit: w.unit.as_deref().and_then(Unit::parse),
            source: w.source,
            agreement_key: w.agreement_key,
        }
    }
}

impl From<DefinitionInput> for DefinitionWrite {
    fn from(i: DefinitionInput) -> Self {
        Self {
            code: i.code,
            name: i.name,
            description: i.description,
            numerator: i.numerator.map(|m| m.as_str().to_owned()),
            denominator: i.denominator.map(|p| p.as_str().to_owned()),
            accumulation: i.accumulation.map(|a| a.as_str().to_owned()),
            unit: i.unit.map(|u| u.as_str().to_owned()),
            source: i.source,
            agreement_key: i.agreement_key,
        }
    }
}

/// An indicator definition (определение показателя): a numerator measure, an optional
/// denominator population and an accumulation rule, with its unit and legal source. Built-in
/// definitions are defined by the code (read-only); custom ones are the region's own.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DefinitionView {
    /// Stable code.
    pub code: String,
    /// Name in Russian, as in the legal source.
    pub name: String,
    /// English description.
    pub description: Option<String>,
    /// What is counted (числитель).
    pub numerator: Measure,
    /// Of what population (знаменатель); absent for counts.
    pub denominator: Option<Population>,
    /// Accumulation: `cumulative` (нарастающим итогом: everything up to the end of the year,
    /// each subject once), `per_year` (what started in the year or was still running in it),
    /// `last_value` (what stands at the end of the year).
    pub accumulation: Accumulation,
    /// Unit.
    pub unit: Unit,
    /// Legal source, e.g. "BU appendix 1, result 1".
    pub source: String,
    /// The agreement indicator it is reconciled with, by appendix key (`result.1`, `indicator.1`).
    pub agreement_key: Option<String>,
    /// `builtin` (defined by the code, read-only) or `custom` (added by the region).
    pub origin: DefinitionOrigin,
    /// `active` (computed) or `retired` (kept, no longer computed; the code stays taken).
    pub status: DefinitionStatus,
    /// When retired.
    pub retired_at: Option<DateTime<Utc>>,
    /// Created at (UTC; custom definitions).
    pub created_at: Option<DateTime<Utc>>,
    /// Updated at (UTC; custom definitions).
    pub updated_at: Option<DateTime<Utc>>,
    /// Version (raised by every change; always 1 for built-ins); the `ETag`.
    pub version: i64,
}

impl From<DefinitionRecord> for DefinitionView {
    fn from(r: DefinitionRecord) -> Self {
        let d = r.definition;
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
            origin: r.origin,
            status: r.status,
            retired_at: r.retired_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// The definitions: every built-in one, then the region's own in creation order (retired ones
/// included). Not paged: the set is small by construction (at most
/// `MAX_ACTIVE_CUSTOM` = 50 active custom definitions).
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
    /// Figures withheld by disclosure control: a population smaller than
    /// `RSNMS_MIN_GROUP_SIZE`, or one whose figure would give such a group away by subtraction.
    pub suppressed: bool,
    /// Why `value` is null (нет данных): `empty_population` — the share's population is empty
    /// in the period and territory (no data, never 0 %); `suppressed` — withheld by disclosure
    /// control. Absent when there is a value.
    pub no_data: Option<NoData>,
    /// Target for the year from the applicable agreement.
    pub target: Option<f64>,
    /// Attainment, per cent of the target.
    pub attainment: Option<f64>,
    /// Actual value reported against the agreement for the year (отчётное значение).
    pub reported: Option<f64>,
    /// Computed value minus the reported one.
    pub difference: Option<f64>,
    /// The checklist behind the value (перечень критериев; indicator 2 «система сформирована и
    /// функционирует»): each criterion and whether it holds in the year. Absent for other
    /// indicators.
    pub checklist: Option<Vec<CriterionView>>,
}

/// One criterion of a checklist (критерий) and whether it holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriterionView {
    /// Stable code: `participants`, `municipal_services`, `responsible_persons`,
    /// `regional_events`, `professional_development`.
    pub code: String,
    /// What it requires (ru).
    pub name: String,
    /// What it requires (en).
    pub name_en: String,
    /// Whether it holds in the year (выполнен).
    pub holds: bool,
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
            no_data: r.computed.no_data,
            target: r.target,
            attainment: r.attainment,
            reported: r.reported,
            difference: r.difference,
            checklist: (!r.checklist.is_empty()).then(|| {
                r.checklist
                    .into_iter()
                    .map(|c| CriterionView { code: c.code, name: c.name.ru, name_en: c.name.en, holds: c.holds })
                    .collect()
            }),
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
    /// Individual routes (ИОМ) of its teachers by status; `null`: withheld by disclosure control
    /// (a small group of routes, or one that a published figure would let a caller derive).
    pub routes_by_status: BTreeMap<String, Option<u64>>,
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
