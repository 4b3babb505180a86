use chrono::{DateTime, NaiveDate, Utc};
use rsnms_domain::organizations::{Level, OrganizationKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Period and territory of an export.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// First day of the period (default 1 January of the current year).
    pub period_from: Option<NaiveDate>,
    /// Last day of the period (default 31 December of the current year).
    pub period_to: Option<NaiveDate>,
    /// Region code (two digits); default every region of the deployment.
    pub region_code: Option<String>,
    /// Municipality code; default the whole region.
    pub municipality_code: Option<String>,
    /// Only records changed after this instant (RFC 3339, e.g. `2026-12-01T00:00:00Z`): the
    /// participants, methodologists and responsible persons whose change-feed events
    /// (`/api/v1/changes`, `occurred_at`) came after it. Indicators and totals stay the whole
    /// territory's figures.
    pub updated_since: Option<DateTime<Utc>>,
    /// Records per page, 1–500: the export then answers one page (records in id order after
    /// `cursor`; a responsible person travels with the organisation that names her), with
    /// `next_cursor` and a `Link: <…>; rel="next"` header while more may follow.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Output format of a tabular export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// The versioned JSON document (default).
    Json,
    /// CSV: UTF-8 with a byte order mark, a header row, RFC 4180 quoting.
    Csv,
}

/// Field separator of a CSV export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CsvDelimiter {
    /// `,` (default, RFC 4180); list cells are joined by `;`.
    #[default]
    Comma,
    /// `;` — what Excel in a Russian locale splits on when the file is opened by double click;
    /// list cells are then joined by `,`.
    Semicolon,
}

/// Period, territory and format of an export that has a table form.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TableExportQuery {
    /// First day of the period (default 1 January of the current year).
    pub period_from: Option<NaiveDate>,
    /// Last day of the period (default 31 December of the current year).
    pub period_to: Option<NaiveDate>,
    /// Region code (two digits); default every region of the deployment.
    pub region_code: Option<String>,
    /// Municipality code; default the whole region.
    pub municipality_code: Option<String>,
    /// `json` or `csv`; without it, `Accept: text/csv` selects CSV (for curl users who cannot
    /// set headers easily, the parameter wins).
    #[param(inline)]
    pub format: Option<ExportFormat>,
    /// CSV field separator: `comma` (default) or `semicolon`.
    #[param(inline)]
    pub delimiter: Option<CsvDelimiter>,
    /// Only records changed after this instant (RFC 3339, e.g. `2026-12-01T00:00:00Z`): exactly
    /// the records whose change-feed events (`/api/v1/changes`, `occurred_at`) came after it —
    /// take the `occurred_at` of the last event a receiver applied. For the diagnostics a
    /// campaign counts as changed when it or one of its results changed (events `diagnostic`,
    /// `diagnostic_result`); its aggregates are then computed whole.
    pub updated_since: Option<DateTime<Utc>>,
    /// Records per page, 1–500: the export then answers one page (the records in id order
    /// after `cursor`), with `next_cursor` in the document and a `Link: <…>; rel="next"` header
    /// while more may follow. Without `limit` and `cursor` the whole export is answered.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// The reporting period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodV1 {
    /// First day (inclusive).
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
}

/// The territory an export covers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TerritoryV1 {
    /// Region code, `null` for every region of the deployment.
    pub region_code: Option<String>,
    /// Municipality code, `null` for the whole region.
    pub municipality_code: Option<String>,
}

/// A participant of the regional system (участник региональной системы).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipantV1 {
    /// Id in rsnms.
    pub id: Uuid,
    /// Full name.
    pub name: String,
    /// Kind.
    pub kind: OrganizationKind,
    /// Level.
    pub level: Level,
    /// Parent organisation.
    pub parent_id: Option<Uuid>,
    /// ИНН.
    pub inn: Option<String>,
    /// Region code.
    pub region_code: String,
    /// Municipality code.
    pub municipality_code: Option<String>,
    /// Municipality name.
    pub municipality_name: Option<String>,
    /// Opened on.
    pub opened_on: Option<NaiveDate>,
    /// Closed on (within or after the period).
    pub closed_on: Option<NaiveDate>,
}

/// A member of the municipal methodological staff (реестр муниципальных методистов). Only the
/// data the exchange requires: no СНИЛС, contacts or birth date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MethodologistV1 {
    /// Id in rsnms.
    pub id: Uuid,
    /// «Фамилия Имя Отчество».
    pub full_name: String,
    /// Position.
    pub position: Option<String>,
    /// The municipal methodological service they work in.
    pub organization_id: Uuid,
    /// Its municipality code.
    pub municipality_code: Option<String>,
}

/// Counts of the passport.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PassportTotalsV1 {
    /// Participants.
    pub participants: u64,
    /// Participants by level (`federal`, `regional`, `municipal`, `institutional`).
    pub participants_by_level: std::collections::BTreeMap<String, u64>,
    /// Municipal methodologists.
    pub methodologists: u64,
    /// Programmes that existed by the end of the period (since 1.1).
    pub programs: u64,
    /// Of them, in the federal registry of programmes (since 1.1).
    pub federal_registry_programs: u64,
    /// Individual routes whose period overlaps the reporting period, in the territory (since 1.1).
    pub routes: u64,
    /// The same routes by status (`draft`, `approved`, `in_progress`, `completed`, `cancelled`;
    /// since 1.1).
    pub routes_by_status: std::collections::BTreeMap<String, u64>,
}

/// An organisation named in an export.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationRefV1 {
    /// Id in rsnms.
    pub id: Uuid,
    /// Full name.
    pub name: String,
    /// ИНН.
    pub inn: Option<String>,
    /// Kind (`cnppm`, `educational_organization`, …).
    pub kind: String,
    /// Region code.
    pub region_code: String,
    /// Municipality code.
    pub municipality_code: Option<String>,
    /// Municipality name.
    pub municipality_name: Option<String>,
}

/// The person an organisation names responsible for the regional system (ответственный): at
/// regional level for the work in the federal digital ecosystem of DPO (BU 2.2.4), at municipal
/// level the specialist of the municipal methodological service who supplies data to it and
/// accompanies teachers (BU 2.3.4). The exchange needs to reach this person, so the work
/// contacts are included (their reads are audited); nothing else personal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResponsiblePersonV1 {
    /// `regional` or `municipal`.
    pub level: String,
    /// Region code.
    pub region_code: String,
    /// Municipality code (`null` at regional level).
    pub municipality_code: Option<String>,
    /// Municipality name.
    pub municipality_name: Option<String>,
    /// The organisation that names the person.
    pub designated_by: OrganizationRefV1,
    /// Person id in rsnms.
    pub person_id: Uuid,
    /// «Фамилия Имя Отчество».
    pub full_name: String,
    /// Position.
    pub position: Option<String>,
    /// Where the person works.
    pub organization: OrganizationRefV1,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

/// One indicator value of the passport (показатель), from the monitoring of the period's last
/// year: aggregates only, small groups suppressed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PassportIndicatorV1 {
    /// Year of the value.
    pub year: i32,
    /// Municipality code (`null`: the whole territory).
    pub municipality_code: Option<String>,
    /// Municipality name.
    pub municipality_name: Option<String>,
    /// Stable indicator code (`teachers_with_cnppm_route`, …).
    pub code: String,
    /// Name, as in the agreement's appendix.
    pub name: String,
    /// Unit: `percent`, `units`, `people`, `organizations`, `hours`, `rubles`.
    pub unit: String,
    /// The value (`null` when suppressed).
    pub value: Option<f64>,
    /// Numerator (`null` when suppressed).
    pub numerator: Option<u64>,
    /// Denominator (`null` for counts or when suppressed).
    pub denominator: Option<u64>,
    /// Withheld by disclosure control: the group is smaller than `RSNMS_MIN_GROUP_SIZE`, or its
    /// figures would give such a group away by subtraction.
    pub suppressed: bool,
    /// Target of the year from the municipality's agreement.
    pub target: Option<f64>,
    /// Value reported against the agreement for the year.
    pub reported: Option<f64>,
}

/// The regional passport for the federal digital ecosystem of DPO, schema version 1
/// (региональный паспорт; BU 2.2.3, LO 5.3). `1.1` added the responsible persons, the
/// indicator values and the programme and route counts; `1.2` the change window and paging
/// (`updated_since`, `next_cursor`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FederalRegionalPassportV1 {
    /// Always `rsnms.federal.regional-passport`.
    pub schema: String,
    /// `1.2` (a `1.x` only adds fields).
    pub schema_version: String,
    /// When the export was made (UTC).
    pub generated_at: DateTime<Utc>,
    /// The period.
    pub period: PeriodV1,
    /// The territory.
    pub territory: TerritoryV1,
    /// The persons responsible for the regional system, per region and municipality (since 1.1).
    pub responsible_persons: Vec<ResponsiblePersonV1>,
    /// Indicator values of the last year of the period (since 1.1).
    pub indicators: Vec<PassportIndicatorV1>,
    /// Participants active during the period (opened before its end, not closed before its
    /// start).
    pub participants: Vec<ParticipantV1>,
    /// The registry of municipal methodological staff.
    pub methodologists: Vec<MethodologistV1>,
    /// Counts (of the whole territory, whatever the slice).
    pub totals: PassportTotalsV1,
    /// With `updated_since`: the instant given (only records changed after it; since 1.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_since: Option<DateTime<Utc>>,
    /// With `limit`: the cursor of the next page (`null` on the last; since 1.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Option<String>>,
}

/// A programme (дополнительная профессиональная программа).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgramV1 {
    /// Id in rsnms.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// `qualification_upgrade` or `retraining`.
    pub kind: String,
    /// Hours.
    pub hours: i32,
    /// `in_person`, `distance` or `blended`.
    pub form: String,
    /// The developing organisation.
    pub developer_id: Uuid,
    /// In the federal registry of programmes.
    pub federal_registry: bool,
    /// Id in the federal registry.
    pub registry_id: Option<String>,
    /// Date of inclusion in the federal registry.
    pub registry_included_on: Option<NaiveDate>,
    /// Competencies it develops.
    pub competency_ids: Vec<Uuid>,
}

/// The programmes of the region for the federal digital ecosystem of DPO, schema version 1.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FederalProgramsV1 {
    /// Always `rsnms.federal.programs`.
    pub schema: String,
    /// Always `1.0` for this shape.
    pub schema_version: String,
    /// When the export was made (UTC).
    pub generated_at: DateTime<Utc>,
    /// The period: programmes that existed by its end.
    pub period: PeriodV1,
    /// With `updated_since`: the instant given (only records changed after it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_since: Option<DateTime<Utc>>,
    /// The programmes.
    pub programs: Vec<ProgramV1>,
    /// With `limit`: the cursor of the next page (`null` on the last).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Option<String>>,
}

/// A competency (компетенция) named in an export.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompetencyRefV1 {
    /// Id in rsnms.
    pub id: Uuid,
    /// Code in the competency framework.
    pub code: String,
    /// Name.
    pub name: String,
}

/// The person a route belongs to, identified as the exchange requires: by СНИЛС, the key by
/// which the federal digital ecosystem of DPO knows a learner. No name, birth date or contacts —
/// the СНИЛС already matches the person, so anything more would be personal data the exchange
/// does not need (152-ФЗ art. 5 p. 5). `snils` is `null` when unknown; such a route still counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoutePersonV1 {
    /// Id in rsnms.
    pub id: Uuid,
    /// СНИЛС, 11 digits without separators.
    pub snils: Option<String>,
}

/// A step of a route (шаг ИОМ).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RouteStepV1 {
    /// Step id (stable across edits).
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Activity: `program`, `internship`, `mentoring`, `event`, `self_education`,
    /// `professional_community`.
    pub activity: String,
    /// The programme, for activity `program`.
    pub program_id: Option<Uuid>,
    /// Its id in the federal registry of programmes (ФР ДПП), when it is registered.
    pub program_registry_id: Option<String>,
    /// Competencies (deficits) the step addresses.
    pub competencies: Vec<CompetencyRefV1>,
    /// Planned start.
    pub planned_start: NaiveDate,
    /// Planned end.
    pub planned_end: NaiveDate,
    /// `planned`, `in_progress`, `done` or `skipped`.
    pub status: String,
    /// Reporting form: `certificate`, `open_lesson`, `methodological_material`, `report`,
    /// `portfolio`, `other`.
    pub reporting_form: String,
}

/// One transfer-into-practice activity (перенос в практику, BU 2.3.7).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RouteTransferV1 {
    /// `internship`, `master_class`, `experience_exchange` or `lesson_visit`.
    pub form: String,
    /// Date held or planned.
    pub held_on: NaiveDate,
    /// What was done.
    pub description: String,
}

/// An individual educational route (индивидуальный образовательный маршрут, ИОМ).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RouteV1 {
    /// Id in rsnms.
    pub id: Uuid,
    /// The teacher or manager.
    pub person: RoutePersonV1,
    /// Where they work (with its municipality).
    pub organization: OrganizationRefV1,
    /// The route's period.
    pub period: PeriodV1,
    /// `draft`, `approved`, `in_progress`, `completed` or `cancelled`.
    pub status: String,
    /// Done steps among those not skipped, per cent.
    pub progress_percent: u8,
    /// The tutor's organisation (e.g. the ЦНППМ); the tutor is not named.
    pub tutor_organization: Option<OrganizationRefV1>,
    /// Deficits (competencies) the route addresses.
    pub deficits: Vec<CompetencyRefV1>,
    /// Steps.
    pub steps: Vec<RouteStepV1>,
    /// Day the route was completed.
    pub completed_on: Option<NaiveDate>,
    /// Transfer into practice recorded on completion.
    pub transfer: Vec<RouteTransferV1>,
    /// Date of the planned repeat diagnostic.
    pub repeat_diagnostic_on: Option<NaiveDate>,
}

/// Counts of the routes export.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoutesTotalsV1 {
    /// Routes.
    pub routes: u64,
    /// Routes by status.
    pub routes_by_status: std::collections::BTreeMap<String, u64>,
    /// Steps of all routes.
    pub steps: u64,
}

/// Individual educational routes for the federal digital ecosystem of DPO, schema version 1:
/// every route whose period overlaps the reporting period, of persons working in the territory.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FederalRoutesV1 {
    /// Always `rsnms.federal.routes`.
    pub schema: String,
    /// `1.0`.
    pub schema_version: String,
    /// When the export was made (UTC).
    pub generated_at: DateTime<Utc>,
    /// The period.
    pub period: PeriodV1,
    /// The territory.
    pub territory: TerritoryV1,
    /// With `updated_since`: the instant given (only routes changed after it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_since: Option<DateTime<Utc>>,
    /// The routes, oldest first.
    pub routes: Vec<RouteV1>,
    /// Counts (of this answer: of the changed routes with `updated_since`, of the page with
    /// `limit`).
    pub totals: RoutesTotalsV1,
    /// With `limit`: the cursor of the next page (`null` on the last).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Option<String>>,
}

/// A file of an export bundle, as its manifest lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ManifestFileV1 {
    /// The member's name in the ZIP (`programs.json`, `routes.json`, `diagnostics.json`,
    /// `regional-passport.json`).
    pub name: String,
    /// The document's schema (`rsnms.federal.programs`).
    pub schema: String,
    /// The document's schema version.
    pub schema_version: String,
    /// Records it holds (programmes, routes, campaigns; for the passport its participants,
    /// methodologists and responsible persons).
    pub records: u64,
    /// Its size in bytes.
    pub bytes: u64,
    /// SHA-256 of its bytes, lowercase hex (what `sha256sum` prints).
    pub sha256: String,
}

/// The manifest of an export bundle (`manifest.json`, the ZIP's last member): what a receiver
/// checks to tell a complete transfer from a cut one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FederalManifestV1 {
    /// Always `rsnms.federal.manifest`.
    pub schema: String,
    /// `1.0`.
    pub schema_version: String,
    /// When the bundle was made (UTC).
    pub generated_at: DateTime<Utc>,
    /// The period.
    pub period: PeriodV1,
    /// The territory (of the routes, the diagnostics and the passport).
    pub territory: TerritoryV1,
    /// With `updated_since`: the instant given.
    pub updated_since: Option<DateTime<Utc>>,
    /// Every other member, with its record count and checksum.
    pub files: Vec<ManifestFileV1>,
}

/// Period, territory and change window of an export bundle.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BundleQuery {
    /// First day of the period (default 1 January of the current year).
    pub period_from: Option<NaiveDate>,
    /// Last day of the period (default 31 December of the current year).
    pub period_to: Option<NaiveDate>,
    /// Region code (two digits) of the routes, diagnostics and passport; default every region
    /// of the deployment.
    pub region_code: Option<String>,
    /// Municipality code of the routes, diagnostics and passport; default the whole region.
    pub municipality_code: Option<String>,
    /// Only records changed after this instant (RFC 3339): as `updated_since` of each export.
    pub updated_since: Option<DateTime<Utc>>,
}

/// One aggregate of a campaign: a competency in a municipality, or in the whole territory.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiagnosticCellV1 {
    /// The competency.
    pub competency: CompetencyRefV1,
    /// Municipality code (`null`: the whole territory of the export).
    pub municipality_code: Option<String>,
    /// Municipality name.
    pub municipality_name: Option<String>,
    /// Persons with a result (`null` when suppressed).
    pub participants: Option<u64>,
    /// Persons whose latest result is below the threshold (`null` when suppressed).
    pub with_deficit: Option<u64>,
    /// Share of participants with a deficit, per cent with one decimal (`null` when suppressed).
    pub share_percent: Option<f64>,
    /// Withheld by disclosure control: fewer participants than `RSNMS_MIN_GROUP_SIZE`, or a
    /// complement of such a group (the figures would give it away by subtraction).
    pub suppressed: bool,
}

/// A diagnostic campaign with its aggregates (диагностика профессиональных дефицитов).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiagnosticCampaignV1 {
    /// Id in rsnms.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// `federal_procedure`, `regional_test`, `checking_work`, `gia_analysis` or
    /// `self_assessment`.
    pub instrument: String,
    /// `teachers`, `managers`, `teachers_and_managers` or `young_specialists`.
    pub target_group: String,
    /// The campaign's period.
    pub period: PeriodV1,
    /// The organiser.
    pub organizer_id: Uuid,
    /// Aggregates by competency, per municipality and for the whole territory.
    pub cells: Vec<DiagnosticCellV1>,
}

/// Diagnostics of professional deficits for the federal digital ecosystem of DPO, schema
/// version 1: campaigns whose period overlaps the reporting period, as aggregates only. `1.1`
/// added the change window and paging (`updated_since`, `next_cursor`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FederalDiagnosticsV1 {
    /// Always `rsnms.federal.diagnostics`.
    pub schema: String,
    /// `1.1` (a `1.x` only adds fields).
    pub schema_version: String,
    /// When the export was made (UTC).
    pub generated_at: DateTime<Utc>,
    /// The period.
    pub period: PeriodV1,
    /// The territory.
    pub territory: TerritoryV1,
    /// Smallest group shown (`RSNMS_MIN_GROUP_SIZE`).
    pub min_group_size: u64,
    /// With `updated_since`: the instant given (only campaigns changed after it; since 1.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_since: Option<DateTime<Utc>>,
    /// The campaigns, oldest first.
    pub campaigns: Vec<DiagnosticCampaignV1>,
    /// With `limit`: the cursor of the next page (`null` on the last; since 1.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Option<String>>,
}
