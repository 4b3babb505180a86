//! Monitoring (мониторинг): the system's indicators computed from its own data (issue 7).
//!
//! An indicator definition is data built from a few blocks: a numerator [`Measure`] (what is
//! counted), an optional denominator [`Population`], and an [`Accumulation`] rule (the same
//! rules agreements use). Counting happens in the database (aggregate SQL grouped by
//! municipality); this module holds the definitions, the window arithmetic of the rules, and
//! the assembly of values, targets and reconciliation. No personal data ever leaves it: only
//! counts, and figures about persons are withheld by the disclosure rules of every aggregate
//! ([`crate::disclosure`]: small groups and their complements, decided on the whole region).

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use crate::agreements::{Accumulation, Unit};
use crate::{DomainResult, auth::Scope};

mod assemble;
pub mod checklist;
mod definitions;
pub use assemble::{
    Deps, IndicatorRow, MunicipalityReport, READERS, Report, indicators, report, routes_disclosed, territory,
};
pub use definitions::{
    DefinitionInput, DefinitionOrigin, DefinitionRecord, DefinitionStatus, MAX_ACTIVE_CUSTOM, active_definitions,
    agreement_key_error, block_errors, code_error, create_definition, get_definition, known_measures,
    known_populations, list_definitions, retire_definition, unknown_block, update_definition,
};

/// What a numerator counts (a building block; each is one aggregate query). Measures of persons
/// count the persons of their population ([`Measure::natural_population`]) in the year — by their
/// employment periods as of the year — who have the fact; their municipality is that of the
/// employer they are counted at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Teachers with an individual route (ИОМ) approved (approved, in progress or completed)
    /// whose tutor works in an organisation of kind `cnppm`; dated by the route's period start.
    TeachersWithCnppmRoute,
    /// Teachers with a route step of activity `program` (a programme linked) marked `done`;
    /// dated by the step's planned end.
    TeachersCompletedProgramme,
    /// As above, restricted to programmes developed by an organisation of kind `cnppm`.
    TeachersCompletedCnppmProgramme,
    /// Events of level `regional` (dated by their start). A municipality counts the events
    /// organised in it and those its people attended (participation `attended`, by the
    /// employer on the event's date); the region counts each event once.
    RegionalEvents,
    /// Schools (`educational_organization`) with at least one mentoring pair of theirs active
    /// in the window.
    SchoolsWithMentoringPair,
    /// Schools whose managers (persons with role `manager`) are a mentor or a mentee in a
    /// mentoring pair active in the window.
    SchoolsWithManagersInMentoring,
    /// Teachers and managers of general, additional and vocational education
    /// ([`Population::EducationStaff`]) with a route step with a programme (ДПП) done.
    StaffCompletedProgramme,
    /// Staff of the ЦНППМ ([`Population::CnppmStaff`]) with a route step done with a programme
    /// provided by the federal operator (kind `federal_operator`).
    CnppmStaffTrainedByFederalOperator,
    /// Educational organisations ([`Population::EducationalOrganizations`]) with a head or a
    /// deputy head (employed there in the year) who did a programme for management teams (its
    /// audience names «управленческие» команды or кадры).
    OrganizationsWithManagementTeamTrained,
    /// Programmes of the federal registry (`federal_registry`) with a step done by anyone.
    FederalRegistryProgrammesCompleted,
    /// The regional system is formed and functions (indicator 2): `1` when every criterion of
    /// the checklist holds in the year ([`checklist`]), else `0`; a regional figure.
    RegionalSystemFunctions,
}

impl Measure {
    /// Every block.
    pub const ALL: &'static [Measure] = &[
        Measure::TeachersWithCnppmRoute,
        Measure::TeachersCompletedProgramme,
        Measure::TeachersCompletedCnppmProgramme,
        Measure::RegionalEvents,
        Measure::SchoolsWithMentoringPair,
        Measure::SchoolsWithManagersInMentoring,
        Measure::StaffCompletedProgramme,
        Measure::CnppmStaffTrainedByFederalOperator,
        Measure::OrganizationsWithManagementTeamTrained,
        Measure::FederalRegistryProgrammesCompleted,
        Measure::RegionalSystemFunctions,
    ];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::TeachersWithCnppmRoute => "teachers_with_cnppm_route",
            Measure::TeachersCompletedProgramme => "teachers_completed_programme",
            Measure::TeachersCompletedCnppmProgramme => "teachers_completed_cnppm_programme",
            Measure::RegionalEvents => "regional_events",
            Measure::SchoolsWithMentoringPair => "schools_with_mentoring_pair",
            Measure::SchoolsWithManagersInMentoring => "schools_with_managers_in_mentoring",
            Measure::StaffCompletedProgramme => "staff_completed_programme",
            Measure::CnppmStaffTrainedByFederalOperator => "cnppm_staff_trained_by_federal_operator",
            Measure::OrganizationsWithManagementTeamTrained => "organizations_with_management_team_trained",
            Measure::FederalRegistryProgrammesCompleted => "federal_registry_programmes_completed",
            Measure::RegionalSystemFunctions => "regional_system_functions",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|m| m.as_str() == s)
    }

    /// The units a plain count of this measure may be given in (its subjects, or bare units).
    pub fn count_units(self) -> &'static [Unit] {
        match self.natural_population() {
            Some(p) if p.of_persons() => &[Unit::People, Unit::Units],
            Some(_) => &[Unit::Organizations, Unit::Units],
            None => &[Unit::Units],
        }
    }

    /// The population a share of this measure is taken of, when one is meaningful.
    pub fn natural_population(self) -> Option<Population> {
        match self {
            Measure::RegionalEvents
            | Measure::FederalRegistryProgrammesCompleted
            | Measure::RegionalSystemFunctions => None,
            Measure::SchoolsWithMentoringPair | Measure::SchoolsWithManagersInMentoring => Some(Population::Schools),
            Measure::StaffCompletedProgramme => Some(Population::EducationStaff),
            Measure::CnppmStaffTrainedByFederalOperator => Some(Population::CnppmStaff),
            Measure::OrganizationsWithManagementTeamTrained => Some(Population::EducationalOrganizations),
            Measure::TeachersWithCnppmRoute
            | Measure::TeachersCompletedProgramme
            | Measure::TeachersCompletedCnppmProgramme => Some(Population::Teachers),
        }
    }
}

/// A denominator population (a building block): persons by position category and the kind of
/// their employer, or organisations by kind, taken as of the year (employment periods covering
/// it; organisations not closed before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Population {
    /// Педагогические работники общеобразовательных организаций: category `teacher` at an
    /// `educational_organization`.
    Teachers,
    /// Общеобразовательные организации (`educational_organization`) not closed before the year.
    Schools,
    /// Педагогические работники и управленческие кадры общего, дополнительного и
    /// профессионального образования: categories `teacher`, `head`, `deputy_head` at a general
    /// (`educational_organization`), additional (`additional_education_organization`) or
    /// vocational (`spo_organization`) organisation.
    EducationStaff,
    /// Управленческие команды школ: categories `head` and `deputy_head` at an
    /// `educational_organization`.
    SchoolManagers,
    /// Методисты: category `methodologist` at any organisation.
    Methodologists,
    /// Сотрудники ЦНППМ: anyone employed at a `cnppm` (category `cnppm_staff` or any other).
    CnppmStaff,
    /// Сотрудники института развития образования: anyone employed at a `regional_institute`.
    InstituteStaff,
    /// Образовательные организации общего, дополнительного и профессионального образования
    /// not closed before the year.
    EducationalOrganizations,
}

impl Population {
    /// Every block.
    pub const ALL: &'static [Population] = &[
        Population::Teachers,
        Population::Schools,
        Population::EducationStaff,
        Population::SchoolManagers,
        Population::Methodologists,
        Population::CnppmStaff,
        Population::InstituteStaff,
        Population::EducationalOrganizations,
    ];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Population::Teachers => "teachers",
            Population::Schools => "schools",
            Population::EducationStaff => "education_staff",
            Population::SchoolManagers => "school_managers",
            Population::Methodologists => "methodologists",
            Population::CnppmStaff => "cnppm_staff",
            Population::InstituteStaff => "institute_staff",
            Population::EducationalOrganizations => "educational_organizations",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.as_str() == s)
    }

    /// Whether the population is of persons (its figures are personal data under disclosure
    /// control) rather than of organisations.
    pub fn of_persons(self) -> bool {
        !matches!(self, Population::Schools | Population::EducationalOrganizations)
    }

    /// The employer kinds of a population (organisations' kinds for populations of
    /// organisations; empty: any kind).
    pub fn organization_kinds(self) -> &'static [&'static str] {
        const GENERAL: &str = "educational_organization";
        match self {
            Population::Teachers | Population::Schools | Population::SchoolManagers => &[GENERAL],
            Population::EducationStaff | Population::EducationalOrganizations => {
                &[GENERAL, "additional_education_organization", "spo_organization"]
            }
            Population::Methodologists => &[],
            Population::CnppmStaff => &["cnppm"],
            Population::InstituteStaff => &["regional_institute"],
        }
    }

    /// The position categories of a population of persons (empty: any).
    pub fn categories(self) -> &'static [&'static str] {
        match self {
            Population::Teachers => &["teacher"],
            Population::EducationStaff => &["teacher", "head", "deputy_head"],
            Population::SchoolManagers => &["head", "deputy_head"],
            Population::Methodologists => &["methodologist"],
            _ => &[],
        }
    }
}

/// An indicator definition (определение показателя).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    /// Stable code.
    pub code: String,
    /// Name (Russian, as in the appendix).
    pub name: String,
    /// English description.
    pub description: Option<String>,
    /// What is counted.
    pub numerator: Measure,
    /// Of what (`None`: the value is the count itself).
    pub denominator: Option<Population>,
    /// How years accumulate.
    pub accumulation: Accumulation,
    /// Unit.
    pub unit: Unit,
    /// Legal source.
    pub source: String,
    /// The agreement indicator it is reconciled with: the key of the appendix item
    /// (`indicator.1`, `result.2`, as `IndicatorSpec::key`).
    pub agreement_key: Option<String>,
}

fn def(
    code: &str,
    name: &str,
    description: &str,
    numerator: Measure,
    denominator: Option<Population>,
    source: &str,
    key: &str,
) -> Definition {
    Definition {
        code: code.into(),
        name: name.into(),
        description: Some(description.into()),
        numerator,
        unit: if denominator.is_some() { Unit::Percent } else { Unit::Units },
        denominator,
        accumulation: Accumulation::Cumulative,
        source: source.into(),
        agreement_key: Some(key.into()),
    }
}

/// The built-in definitions: the ten items of appendix 1 to the tripartite agreement (№535 of
/// Buryatia, 2021–2024), in the appendix's order, each reconciled with its appendix item.
pub fn builtin() -> Vec<Definition> {
    use Measure as M;
    use Population as P;
    vec![
        def(
            "teachers_completed_pd",
            "Доля педагогических работников общеобразовательных организаций, прошедших повышение квалификации, нарастающим итогом",
            "Share of teachers who completed a route step with a programme (cumulative)",
            M::TeachersCompletedProgramme,
            Some(P::Teachers),
            "BU appendix 1, indicator 1",
            "indicator.1",
        ),
        Definition {
            accumulation: Accumulation::LastValue,
            ..def(
                "regional_system_functions",
                "Сформирована и функционирует единая федеральная система научно-методического сопровождения педагогических работников и управленческих кадров",
                "The regional system is formed and functions: 1 when every criterion of the checklist holds in the year (its participants exist, responsible persons are named, activity happened), else 0",
                M::RegionalSystemFunctions,
                None,
                "BU appendix 1, indicator 2",
                "indicator.2",
            )
        },
        def(
            "staff_completed_pd",
            "Педагогические работники и управленческие кадры системы общего, дополнительного образования детей и профессионального образования повысили уровень профессионального мастерства по дополнительным профессиональным программам, нарастающим итогом",
            "Share of teachers and managers of general, additional and vocational education who completed a route step with a programme (ДПП, cumulative)",
            M::StaffCompletedProgramme,
            Some(P::EducationStaff),
            "BU appendix 1, indicator 3",
            "indicator.3",
        ),
        def(
            "teachers_with_cnppm_route",
            "Доля педагогических работников, для которых в ЦНППМ были разработаны индивидуальные образовательные маршруты, нарастающим итогом",
            "Share of teachers with an individual route approved with a tutor of the ЦНППМ (cumulative)",
            M::TeachersWithCnppmRoute,
            Some(P::Teachers),
            "BU appendix 1, result 1",
            "result.1",
        ),
        def(
            "teachers_completed_pd_cnppm",
            "Доля педагогических работников общеобразовательных организаций, прошедших повышение квалификации в ЦНППМ, нарастающим итогом",
            "Share of teachers who completed a route step with a programme developed by the ЦНППМ (cumulative)",
            M::TeachersCompletedCnppmProgramme,
            Some(P::Teachers),
            "BU appendix 1, result 2",
            "result.2",
        ),
        def(
            "cnppm_staff_federal_operator",
            "Доля сотрудников ЦНППМ, прошедших обучение на базе Федерального оператора, нарастающим итогом",
            "Share of ЦНППМ staff who completed a programme of the federal operator (cumulative)",
            M::CnppmStaffTrainedByFederalOperator,
            Some(P::CnppmStaff),
            "BU appendix 1, result 3",
            "result.3",
        ),
        def(
            "regional_events",
            "Количество проведённых мероприятий регионального уровня, нарастающим итогом",
            "Number of regional-level events held (cumulative); a municipality counts those its people attended",
            M::RegionalEvents,
            None,
            "BU appendix 1, result 4",
            "result.4",
        ),
        def(
            "organizations_management_teams",
            "Доля образовательных организаций, принявших участие в программах повышения квалификации управленческих команд (руководителей и заместителей руководителей), нарастающим итогом",
            "Share of educational organisations whose head or deputy head completed a programme for management teams (cumulative)",
            M::OrganizationsWithManagementTeamTrained,
            Some(P::EducationalOrganizations),
            "BU appendix 1, result 5",
            "result.5",
        ),
        def(
            "schools_mentoring_model",
            "Доля школ, реализующих целевую модель наставничества педагогических работников, нарастающим итогом",
            "Share of schools with at least one mentoring pair (target mentoring model, cumulative)",
            M::SchoolsWithMentoringPair,
            Some(P::Schools),
            "BU appendix 1, result 6",
            "result.6",
        ),
        def(
            "schools_managers_mentoring",
            "Доля школ, управленческие команды которых вовлечены в систему менторства, нарастающим итогом",
            "Share of schools whose managers take part in a mentoring pair (cumulative)",
            M::SchoolsWithManagersInMentoring,
            Some(P::Schools),
            "BU appendix 1, result 7",
            "result.7",
        ),
    ]
}

/// The dates a measure's facts must fall into for a year: a fact spans `[start, end]` (`end`
/// open when unknown); it counts when it started on or before `started_by` and, if `ended_from`
/// is set, had not ended before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Started on or after (per-year facts).
    pub started_from: Option<NaiveDate>,
    /// Started on or before.
    pub started_by: NaiveDate,
    /// Not ended before (`None`: ends do not matter).
    pub ended_from: Option<NaiveDate>,
}

/// The window of a year under an accumulation rule: cumulative counts everything up to the end
/// of the year (a subject counted in 2022 still counts in 2023, once — counts are distinct);
/// per year counts what started in the year or was still running in it; last value counts what
/// stands at the end of the year.
pub fn window(accumulation: Accumulation, year: i32) -> Window {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
    match accumulation {
        Accumulation::Cumulative => Window { started_from: None, started_by: last, ended_from: None },
        Accumulation::PerYear => Window { started_from: None, started_by: last, ended_from: Some(first) },
        Accumulation::LastValue => Window { started_from: None, started_by: last, ended_from: Some(last) },
    }
}

/// The territory filter of a computation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Territory {
    /// Only this municipality.
    pub municipality_code: Option<String>,
    /// Only this organisation (and its direct subdivisions).
    pub organization_id: Option<Uuid>,
}

/// Counts per municipality code (`""`: organisations outside any municipality, e.g. regional).
/// A count whose subjects may count in several municipalities (an event attended from two)
/// carries its whole under [`WHOLE`]; otherwise the whole is the sum.
pub type Counts = BTreeMap<String, u64>;

/// The key of the whole in [`Counts`] whose municipalities overlap.
pub const WHOLE: &str = "*";

/// Aggregate counting (one count per municipality in SQL).
#[async_trait]
pub trait MonitoringRepository: Send + Sync {
    /// Distinct subjects of a measure in a window, per municipality, within scope and territory.
    async fn numerator(&self, scope: &Scope, t: &Territory, m: Measure, w: Window) -> DomainResult<Counts>;
    /// The facts of a year the checklist of indicator 2 is computed from (region-wide).
    async fn checklist_facts(&self, year: i32) -> DomainResult<checklist::ChecklistFacts>;
    /// The population per municipality for a year.
    async fn population(&self, scope: &Scope, t: &Territory, p: Population, year: i32) -> DomainResult<Counts>;
    /// Municipalities (code → name) within scope.
    async fn municipalities(&self, scope: &Scope) -> DomainResult<BTreeMap<String, String>>;
    /// Individual routes of teachers per municipality and status.
    async fn routes_by_status(&self, scope: &Scope, t: &Territory) -> DomainResult<BTreeMap<(String, String), u64>>;
    /// The region's own definitions (custom, stored), retired ones included, in creation order.
    async fn custom_definitions(&self) -> DomainResult<Vec<DefinitionRecord>>;
    /// One custom definition by code (`NotFound` when there is none).
    async fn custom_definition(&self, code: &str) -> DomainResult<DefinitionRecord>;
    /// Stores a new custom definition (audited, with its outbox event).
    async fn create_definition(&self, ctx: &crate::auth::Ctx, d: Definition) -> DomainResult<DefinitionRecord>;
    /// Replaces a custom definition when the version matches (its code never changes).
    async fn update_definition(
        &self,
        ctx: &crate::auth::Ctx,
        code: &str,
        expected_version: i64,
        d: Definition,
    ) -> DomainResult<DefinitionRecord>;
    /// Retires a custom definition when the version matches.
    async fn retire_definition(
        &self,
        ctx: &crate::auth::Ctx,
        code: &str,
        expected_version: i64,
    ) -> DomainResult<DefinitionRecord>;
}

/// Why a computed value is absent (нет данных): never shown as zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoData {
    /// Пустая совокупность: the population of the share is empty in the period and territory
    /// (e.g. a municipality without teachers), so the share has no value.
    EmptyPopulation,
    /// Скрыто: withheld by disclosure control.
    Suppressed,
}

/// A computed value.
#[derive(Debug, Clone, PartialEq)]
pub struct Computed {
    /// Numerator (`None` when suppressed).
    pub numerator: Option<u64>,
    /// Denominator (`None` for counts or when suppressed).
    pub denominator: Option<u64>,
    /// Value: a percentage with one decimal, or the count.
    pub value: Option<f64>,
    /// The group is smaller than the minimum.
    pub suppressed: bool,
    /// Why `value` is absent, if it is.
    pub no_data: Option<NoData>,
}

impl Computed {
    /// A value withheld by disclosure control.
    pub fn suppressed() -> Self {
        Self { numerator: None, denominator: None, value: None, suppressed: true, no_data: Some(NoData::Suppressed) }
    }
}

/// Assembles a value: shares of populations smaller than `min_group` are suppressed (the same
/// rule as the diagnostics analytics; `0` disables it for populations that are not persons);
/// counts of events are not about persons and never are. A share of an empty population has
/// no value (`no_data: empty_population`), never 0 %.
pub fn compute(numerator: u64, denominator: Option<u64>, min_group: u64) -> Computed {
    match denominator {
        None => Computed {
            numerator: Some(numerator),
            denominator: None,
            value: Some(numerator as f64),
            suppressed: false,
            no_data: None,
        },
        Some(0) => Computed {
            numerator: None,
            denominator: Some(0),
            value: None,
            suppressed: false,
            no_data: Some(NoData::EmptyPopulation),
        },
        Some(den) if min_group > 0 && crate::disclosure::below_min_group(den, min_group) => Computed::suppressed(),
        Some(den) => Computed {
            numerator: Some(numerator),
            denominator: Some(den),
            value: Some((numerator as f64 * 1000.0 / den as f64).round() / 10.0),
            suppressed: false,
            no_data: None,
        },
    }
}

/// Attainment of a target, per cent with one decimal.
pub fn attainment(value: Option<f64>, target: Option<f64>) -> Option<f64> {
    match (value, target) {
        (Some(v), Some(t)) if t > 0.0 => Some((v * 1000.0 / t).round() / 10.0),
        _ => None,
    }
}

/// The longest code of an indicator definition, in characters (the shortest is 3).
pub const CODE_MAX: usize = 64;
/// The longest name or source of an indicator definition, in characters.
pub const NAME_MAX: usize = 500;
/// The longest description of an indicator definition, in characters.
pub const DESCRIPTION_MAX: usize = 2000;
/// The longest agreement key of an indicator definition (`result.2`), in characters.
pub const AGREEMENT_KEY_MAX: usize = 16;

/// The length limits of an indicator definition, by field: the contract states the same numbers
/// (`MonitoringDefinitionWrite`), which a test compares with this list.
pub const DEFINITION_LIMITS: &[(&str, usize)] = &[
    ("code", CODE_MAX),
    ("name", NAME_MAX),
    ("description", DESCRIPTION_MAX),
    ("source", NAME_MAX),
    ("agreement_key", AGREEMENT_KEY_MAX),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cumulative_windows_reach_back_and_per_year_windows_need_the_fact_running_in_the_year() {
        let c = window(Accumulation::Cumulative, 2023);
        assert_eq!(Some(c.started_by), NaiveDate::from_ymd_opt(2023, 12, 31));
        assert_eq!((c.started_from, c.ended_from), (None, None));
        let p = window(Accumulation::PerYear, 2023);
        assert_eq!(p.ended_from, NaiveDate::from_ymd_opt(2023, 1, 1));
    }

    #[test]
    fn small_populations_are_suppressed_and_shares_are_rounded() {
        assert!(compute(1, Some(2), 5).suppressed);
        let v = compute(1, Some(3), 1);
        assert_eq!(v.value, Some(33.3));
        assert_eq!(attainment(Some(12.5), Some(25.0)), Some(50.0));
        let events = compute(4, None, 5);
        assert_eq!((events.value, events.suppressed), (Some(4.0), false));
    }

    #[test]
    fn every_builtin_definition_has_a_distinct_code_and_an_agreement_key() {
        let defs = builtin();
        let codes: std::collections::HashSet<_> = defs.iter().map(|d| d.code.clone()).collect();
        assert_eq!(codes.len(), defs.len());
        assert!(defs.iter().all(|d| d.agreement_key.is_some()));
    }
}
