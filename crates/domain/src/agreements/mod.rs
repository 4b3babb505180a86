//! Tripartite agreements (трёхсторонние соглашения) between the region's education authority, the
//! regional institute and one municipal education authority (DOMAIN §4; BU № 535 of 25.08.2021):
//! parties and signatories, numbered obligations and rights, indicators and results with yearly
//! targets, reported actual values, supplementary agreements (amendments, BU 5.3) with a full
//! version history, and attainment reports.
//!
//! Every version of a signed agreement is kept whole as an [`AgreementDocument`] with the date it
//! takes effect; the agreement "as of" a date is the last version effective on that date.

mod attainment;
mod document;
mod reporting;
mod repository;
mod rules;
#[cfg(test)]
mod tests;

pub use attainment::{
    AT_RISK_THRESHOLD, Attainment, IndicatorAttainment, MET_THRESHOLD, actual_for_year, assess, attainment_of,
    value_flags,
};
pub use document::{AgreementInput, apply_changes, clause_number, clause_order, validate_document};
pub use reporting::{
    IndicatorValueInput, ReportRow, agreement_report, list_indicator_values, region_report, report_indicator_value,
};
pub use repository::{AgreementFilter, AgreementRepository, NewAgreement, NewAmendment, NewIndicatorValue, Territory};
pub use rules::{READERS, REPORTERS, WRITERS, allowed_actions, check_action, reader_scope};
pub use rules::{
    amend_agreement, create_agreement, get_agreement_as_of, list_agreements, list_versions, sign_agreement,
    terminate_agreement, update_agreement,
};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::organizations::OrganizationKind;

wire_enum! {
    /// The stored lifecycle of an agreement; the status shown is derived from it and the dates.
    Lifecycle {
        /// Проект: editable in place.
        Draft = "draft",
        /// Подписано: changes only through amendments.
        Signed = "signed",
        /// Расторгнуто.
        Terminated = "terminated",
    }
}

impl Lifecycle {
    /// The actions the lifecycle allows from this state (who may take them is the guard's:
    /// [`check_action`]).
    pub fn allowed_actions(self) -> &'static [AgreementAction] {
        use AgreementAction as A;
        match self {
            Lifecycle::Draft => &[A::Update, A::Sign],
            Lifecycle::Signed => &[A::Amend, A::Terminate, A::ReportValue],
            Lifecycle::Terminated => &[A::ReportValue],
        }
    }
}

wire_enum! {
    /// An action on an agreement: `update` (`PATCH /agreements/{id}`), `sign`, `terminate`
    /// (`POST /agreements/{id}/<action>`), `amend` (`POST /agreements/{id}/amendments`),
    /// `report_value` (`POST /agreements/{id}/indicators/{indicator_id}/values`).
    AgreementAction {
        /// Edit the draft (изменить проект).
        Update = "update",
        /// Sign (подписать).
        Sign = "sign",
        /// Conclude a supplementary agreement (заключить дополнительное соглашение).
        Amend = "amend",
        /// Terminate (расторгнуть).
        Terminate = "terminate",
        /// Report an actual value of an indicator (сообщить фактическое значение).
        ReportValue = "report_value",
    }
}

wire_enum! {
    /// Status of an agreement on a date (статус соглашения): `draft`; `signed` (not yet in force);
    /// `in_force` (signed and the date within the term); `expired` (the term is over);
    /// `terminated` (terminated on or before the date).
    AgreementStatus {
        /// Проект.
        Draft = "draft",
        /// Подписано, ещё не вступило в силу.
        Signed = "signed",
        /// Действует.
        InForce = "in_force",
        /// Срок действия истёк.
        Expired = "expired",
        /// Расторгнуто.
        Terminated = "terminated",
    }
}

wire_enum! {
    /// The role of a party in a tripartite agreement (сторона соглашения).
    PartyRole {
        /// Региональный орган управления образованием (в BU — Министерство).
        RegionalAuthority = "regional_authority",
        /// Региональный институт развития образования (в BU — Институт).
        RegionalInstitute = "regional_institute",
        /// Муниципальный орган управления образованием.
        MunicipalAuthority = "municipal_authority",
    }
}

impl PartyRole {
    /// The organisation kind a party in this role must be.
    pub fn organization_kind(self) -> OrganizationKind {
        match self {
            PartyRole::RegionalAuthority => OrganizationKind::RegionalAuthority,
            PartyRole::RegionalInstitute => OrganizationKind::RegionalInstitute,
            PartyRole::MunicipalAuthority => OrganizationKind::MunicipalAuthority,
        }
    }
}

wire_enum! {
    /// What a clause is (вид пункта).
    ClauseKind {
        /// Общие, заключительные положения, ответственность (BU I, IV, V).
        General = "general",
        /// Обязанность стороны (BU II).
        Obligation = "obligation",
        /// Право стороны (BU III).
        Right = "right",
    }
}

wire_enum! {
    /// Indicator (показатель) or result (результат) of the appendix.
    IndicatorKind {
        /// Показатель.
        Indicator = "indicator",
        /// Результат.
        Result = "result",
    }
}

wire_enum! {
    /// Unit of measure (единица измерения).
    Unit {
        /// Процент.
        Percent = "percent",
        /// Единица (штук, мероприятий; 1/0 for yes/no items).
        Units = "units",
        /// Человек.
        People = "people",
        /// Организаций.
        Organizations = "organizations",
        /// Часов.
        Hours = "hours",
        /// Рублей.
        Rubles = "rubles",
    }
}

wire_enum! {
    /// How yearly values accumulate.
    Accumulation {
        /// Нарастающим итогом: a year's value includes the previous years' and must not fall.
        Cumulative = "cumulative",
        /// За год: each year stands alone.
        PerYear = "per_year",
        /// Последнее значение (yes/no items such as "the system is formed").
        LastValue = "last_value",
    }
}

wire_enum! {
    /// A warning attached to a reported value (the value is stored, never silently).
    ValueFlag {
        /// A cumulative value is below an earlier period's value (or above a later one's).
        CumulativeDecrease = "cumulative_decrease",
        /// A percentage outside 0–100.
        PercentOutOfRange = "percent_out_of_range",
    }
}

wire_enum! {
    /// Attainment of a yearly target (достижение планового значения): the ratio actual / target is
    /// `met` at or above 1.0, `at_risk` from 0.9, `not_met` below; `no_data` without an actual
    /// value or without a target for the year.
    AttainmentStatus {
        /// Достигнуто (≥ 100 %).
        Met = "met",
        /// Под угрозой (90–100 %).
        AtRisk = "at_risk",
        /// Не достигнуто (< 90 %).
        NotMet = "not_met",
        /// Нет данных.
        NoData = "no_data",
    }
}

/// Who signs for a party (подписант).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    /// Full name, nominative (ФИО).
    pub name: String,
    /// Position (должность).
    pub position: String,
    /// Acting basis (действует на основании), e.g. «на основании Устава».
    pub acting_basis: String,
}

/// One party of the agreement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// The organisation (участник сети) of the required kind.
    pub organization_id: Uuid,
    /// How the agreement names it («именуемое в дальнейшем – Министерство»).
    pub designation: Option<String>,
    /// Its signatory.
    pub signatory: Signatory,
}

/// The three parties.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parties {
    /// Региональный орган управления образованием.
    pub regional_authority: Party,
    /// Региональный институт.
    pub regional_institute: Party,
    /// Муниципальный орган управления образованием.
    pub municipal_authority: Party,
}

impl Parties {
    /// The party in a role.
    pub fn get(&self, role: PartyRole) -> &Party {
        match role {
            PartyRole::RegionalAuthority => &self.regional_authority,
            PartyRole::RegionalInstitute => &self.regional_institute,
            PartyRole::MunicipalAuthority => &self.municipal_authority,
        }
    }
}

/// A numbered clause (пункт): an obligation or a right of a party, or a general provision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clause {
    /// Number, unique within the agreement, e.g. `2.2.19`.
    pub number: String,
    /// Kind.
    pub kind: ClauseKind,
    /// The party it binds or entitles (none for general provisions).
    pub party: Option<PartyRole>,
    /// Text as in the agreement.
    pub text: String,
    /// Keys of the indicators it serves, e.g. `result.2`.
    pub indicators: Vec<String>,
}

/// A yearly target (плановое значение).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// Year.
    pub year: i32,
    /// Value, kept as written (13, 6.8).
    pub value: serde_json::Number,
}

/// An indicator or result as written in the appendix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorSpec {
    /// Indicator or result.
    pub kind: IndicatorKind,
    /// Its number within its kind (1, 2, 3 …).
    pub number: u32,
    /// The appendix it belongs to (номер приложения к соглашению: 1 for «Приложение № 1»).
    #[serde(default)]
    pub appendix_number: Option<u32>,
    /// Name as in the appendix.
    pub name: String,
    /// Unit.
    pub unit: Unit,
    /// Accumulation rule.
    pub accumulation: Accumulation,
    /// For shares: what is counted (числитель).
    pub numerator: Option<String>,
    /// For shares: of what (знаменатель).
    pub denominator: Option<String>,
    /// Yearly targets, ordered by year.
    pub targets: Vec<Target>,
}

impl IndicatorSpec {
    /// The key clauses and amendments refer to it by: `indicator.1`, `result.7`.
    pub fn key(&self) -> String {
        format!("{}.{}", self.kind.as_str(), self.number)
    }

    /// The target of a year.
    pub fn target(&self, year: i32) -> Option<f64> {
        self.targets.iter().find(|t| t.year == year).and_then(|t| t.value.as_f64())
    }
}

/// An indicator with its stable id (actual values are reported against the id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// Id (UUID v7), stable across versions.
    pub id: Uuid,
    /// The indicator.
    #[serde(flatten)]
    pub spec: IndicatorSpec,
}

/// The full text of an agreement (one version).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementDocument {
    /// Number (номер), e.g. `535`.
    pub number: String,
    /// Title (наименование соглашения).
    pub title: Option<String>,
    /// Date signed.
    pub signed_on: Option<NaiveDate>,
    /// Place of signing.
    pub place: Option<String>,
    /// Subject (предмет соглашения, BU 1.1).
    pub subject: String,
    /// Takes effect on.
    pub valid_from: Option<NaiveDate>,
    /// Valid until (inclusive).
    pub valid_until: NaiveDate,
    /// Whether the agreement has mutual financial terms (BU 4.2: none).
    pub mutual_financial_terms: bool,
    /// The three parties.
    pub parties: Parties,
    /// Clauses, in the agreement's order.
    pub clauses: Vec<Clause>,
    /// Indicators and results of the appendix.
    pub indicators: Vec<Indicator>,
}

impl AgreementDocument {
    /// An indicator by id.
    pub fn indicator(&self, id: Uuid) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// The years of the term (first and last), from its start (or the signing date) to its end.
    pub fn term_years(&self) -> (Option<i32>, i32) {
        (self.valid_from.or(self.signed_on).map(|d| d.year()), self.valid_until.year())
    }
}

/// An agreement as stored: its lifecycle, territory and current (latest) document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Stored lifecycle.
    pub lifecycle: Lifecycle,
    /// Terminated on.
    pub terminated_on: Option<NaiveDate>,
    /// Why terminated.
    pub termination_reason: Option<String>,
    /// Region of the parties.
    pub region_code: String,
    /// Municipality of the municipal party.
    pub municipality_code: String,
    /// Its name.
    pub municipality_name: Option<String>,
    /// The latest document (including amendments effective later).
    pub document: AgreementDocument,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version, incremented by every change (the ETag).
    pub version: i64,
}

impl Agreement {
    /// Status on a date, for a document (the term may differ between versions).
    pub fn status_on(&self, doc: &AgreementDocument, on: NaiveDate) -> AgreementStatus {
        derive_status(self.lifecycle, doc.valid_from, doc.valid_until, self.terminated_on, on)
    }
}

/// Derives the status on a date.
pub fn derive_status(
    lifecycle: Lifecycle,
    valid_from: Option<NaiveDate>,
    valid_until: NaiveDate,
    terminated_on: Option<NaiveDate>,
    on: NaiveDate,
) -> AgreementStatus {
    if lifecycle == Lifecycle::Draft {
        return AgreementStatus::Draft;
    }
    if lifecycle == Lifecycle::Terminated && terminated_on.is_none_or(|t| t <= on) {
        return AgreementStatus::Terminated;
    }
    match valid_from {
        Some(f) if on < f => AgreementStatus::Signed,
        None => AgreementStatus::Signed,
        _ if on > valid_until => AgreementStatus::Expired,
        _ => AgreementStatus::InForce,
    }
}

/// A target change made by an amendment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetChange {
    /// Indicator key, e.g. `indicator.1`.
    pub indicator: String,
    /// Year.
    pub year: i32,
    /// New value.
    pub value: serde_json::Number,
}

/// What a supplementary agreement changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AmendmentChanges {
    /// Clauses added (their numbers must be new).
    pub clauses_added: Vec<Clause>,
    /// Clauses replaced, by number.
    pub clauses_replaced: Vec<Clause>,
    /// Numbers of the clauses removed.
    pub clauses_removed: Vec<String>,
    /// Targets set or changed.
    pub targets: Vec<TargetChange>,
    /// Indicators added (their keys must be new).
    pub indicators_added: Vec<IndicatorSpec>,
    /// Indicators replaced whole, by key (they keep their ids and reported values).
    pub indicators_replaced: Vec<IndicatorSpec>,
    /// Keys of the indicators removed.
    pub indicators_removed: Vec<String>,
    /// New start of the term.
    pub valid_from: Option<NaiveDate>,
    /// New end of the term.
    pub valid_until: Option<NaiveDate>,
}

impl AmendmentChanges {
    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.clauses_added.is_empty()
            && self.clauses_replaced.is_empty()
            && self.clauses_removed.is_empty()
            && self.targets.is_empty()
            && self.indicators_added.is_empty()
            && self.indicators_replaced.is_empty()
            && self.indicators_removed.is_empty()
            && self.valid_from.is_none()
            && self.valid_until.is_none()
    }
}

/// A supplementary agreement (дополнительное соглашение).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Amendment {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The agreement.
    pub agreement_id: Uuid,
    /// Its own number, unique within the agreement.
    pub number: String,
    /// Date signed.
    pub signed_on: NaiveDate,
    /// Takes effect on.
    pub effective_from: NaiveDate,
    /// Description.
    pub description: Option<String>,
    /// The changes.
    pub changes: AmendmentChanges,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

/// One version of a signed agreement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementVersion {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The agreement.
    pub agreement_id: Uuid,
    /// Version number: 1 as signed, +1 per amendment.
    pub number: i32,
    /// Takes effect on.
    pub effective_from: NaiveDate,
    /// The amendment that made it (none for the original).
    pub amendment: Option<Amendment>,
    /// The whole document.
    pub document: AgreementDocument,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

/// The agreement as it stood on a date.
#[derive(Debug, Clone, PartialEq)]
pub struct AgreementAsOf {
    /// The stored agreement.
    pub agreement: Agreement,
    /// The date.
    pub as_of: NaiveDate,
    /// The version in effect (none for a draft).
    pub version: Option<AgreementVersion>,
}

impl AgreementAsOf {
    /// The agreement as it stands today (the region's, [`crate::clock::region_today`]), given
    /// its versions.
    pub fn today(agreement: Agreement, versions: &[AgreementVersion]) -> Self {
        let as_of = crate::clock::region_today();
        Self { agreement, as_of, version: version_on(versions, as_of).cloned() }
    }

    /// The document in effect.
    pub fn document(&self) -> &AgreementDocument {
        self.version.as_ref().map_or(&self.agreement.document, |v| &v.document)
    }

    /// The status on the date.
    pub fn status(&self) -> AgreementStatus {
        self.agreement.status_on(self.document(), self.as_of)
    }
}

/// Picks the version in effect on a date: the last one effective on or before it, else the first
/// (an agreement asked about before it took effect answers as signed).
pub fn version_on(versions: &[AgreementVersion], on: NaiveDate) -> Option<&AgreementVersion> {
    versions.iter().filter(|v| v.effective_from <= on).max_by_key(|v| v.number).or_else(|| versions.first())
}

/// An actual value reported for an indicator (фактическое значение).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorValue {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The agreement.
    pub agreement_id: Uuid,
    /// The indicator.
    pub indicator_id: Uuid,
    /// Year.
    pub year: i32,
    /// Quarter 1–4, or none for the year's value.
    pub quarter: Option<i16>,
    /// Value.
    pub value: f64,
    /// Source (источник данных).
    pub source: String,
    /// Comment.
    pub comment: Option<String>,
    /// Who reported it (account subject).
    pub reported_by: String,
    /// In which role.
    pub reporter_role: String,
    /// Warnings.
    pub flags: Vec<ValueFlag>,
    /// Reported at.
    pub reported_at: DateTime<Utc>,
}

/// The longest number of an agreement or of an amendment, in characters.
pub const NUMBER_MAX: usize = 100;
/// The longest subject of an agreement, in characters.
pub const SUBJECT_MAX: usize = 4000;
/// The longest description of an amendment, in characters.
pub const AMENDMENT_DESCRIPTION_MAX: usize = 4000;
/// The longest clause number (`2.2.19`) or indicator key (`indicator.1`), in characters.
pub const KEY_MAX: usize = 40;
/// The longest text of a clause, in characters.
pub const CLAUSE_TEXT_MAX: usize = 10_000;
/// The longest name of an indicator, in characters.
pub const INDICATOR_NAME_MAX: usize = 2000;
/// The longest source of a reported value, in characters.
pub const VALUE_SOURCE_MAX: usize = 500;
/// The longest designation of a party, in characters.
pub const DESIGNATION_MAX: usize = 300;
/// The longest name of a signatory, in characters.
pub const SIGNATORY_NAME_MAX: usize = 300;
/// The longest position or acting basis of a signatory, in characters.
pub const SIGNATORY_TEXT_MAX: usize = 500;

/// The length limits of an agreement's own fields, by field; the tables below are those of its
/// parts. The contract states the same numbers (`AgreementWrite`, `AmendmentWrite`, `ClauseWrite`,
/// `IndicatorWrite`, `IndicatorValueWrite`, `PartyWrite`, `SignatoryWrite`, `TargetChangeWrite`),
/// which a test compares with these lists.
pub const LIMITS: &[(&str, usize)] = &[("number", NUMBER_MAX), ("subject", SUBJECT_MAX)];
/// The length limits of an amendment, by field.
pub const AMENDMENT_LIMITS: &[(&str, usize)] = &[("number", NUMBER_MAX)];
/// The length limits of a clause, by field.
pub const CLAUSE_LIMITS: &[(&str, usize)] = &[("number", KEY_MAX), ("text", CLAUSE_TEXT_MAX)];
/// The length limits of an indicator, by field.
pub const INDICATOR_LIMITS: &[(&str, usize)] = &[("name", INDICATOR_NAME_MAX)];
/// The length limits of a reported value, by field.
pub const VALUE_LIMITS: &[(&str, usize)] = &[("source", VALUE_SOURCE_MAX)];
/// The length limits of a party, by field.
pub const PARTY_LIMITS: &[(&str, usize)] = &[("designation", DESIGNATION_MAX)];
/// The length limits of a signatory, by field.
pub const SIGNATORY_LIMITS: &[(&str, usize)] =
    &[("name", SIGNATORY_NAME_MAX), ("position", SIGNATORY_TEXT_MAX), ("acting_basis", SIGNATORY_TEXT_MAX)];
/// The length limits of an amendment's target change, by field.
pub const TARGET_CHANGE_LIMITS: &[(&str, usize)] = &[("indicator", KEY_MAX)];
