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
}

/// The regional passport for the federal digital ecosystem of DPO, schema version 1
/// (региональный паспорт; BU 2.2.3, LO 5.3).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FederalRegionalPassportV1 {
    /// Always `rsnms.federal.regional-passport`.
    pub schema: String,
    /// Always `1.0` for this shape.
    pub schema_version: String,
    /// When the export was made (UTC).
    pub generated_at: DateTime<Utc>,
    /// The period.
    pub period: PeriodV1,
    /// The territory.
    pub territory: TerritoryV1,
    /// Participants active during the period (opened before its end, not closed before its
    /// start).
    pub participants: Vec<ParticipantV1>,
    /// The registry of municipal methodological staff.
    pub methodologists: Vec<MethodologistV1>,
    /// Counts.
    pub totals: PassportTotalsV1,
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
    /// The programmes.
    pub programs: Vec<ProgramV1>,
}
