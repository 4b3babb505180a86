use chrono::{DateTime, NaiveDate, Utc};
use rsnms_domain::development::programs::{
    ANNOTATION_MAX, AUDIENCE_MAX, COMPETENCIES_MAX, Program, ProgramInput, ProgramKind, REGISTRY_ID_MAX, StudyForm,
    TITLE_MAX,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::limit;

/// A programme as a client writes it (create; merge-patched for updates).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ProgramWrite {
    /// Title (наименование программы).
    #[validate(required, length(min = 1, max = limit(TITLE_MAX)))]
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 1000,
        example = "Цифровая образовательная среда: инструменты педагога"
    )]
    pub title: Option<String>,
    /// `qualification_upgrade` (повышение квалификации, ≥ 16 h) or `retraining` (переподготовка, ≥ 250 h).
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub kind: Option<ProgramKind>,
    /// Hours (объём, часов).
    #[validate(required)]
    #[schema(required = true, nullable = false, minimum = 16, maximum = 5000, example = 36)]
    pub hours: Option<i32>,
    /// Form of study.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub form: Option<StudyForm>,
    /// Developer organisation (разработчик).
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub developer_id: Option<Uuid>,
    /// Target audience (категория слушателей).
    #[validate(length(max = limit(AUDIENCE_MAX)))]
    #[schema(max_length = 1000)]
    pub audience: Option<String>,
    /// Annotation (аннотация).
    #[validate(length(max = limit(ANNOTATION_MAX)))]
    #[schema(max_length = 8000)]
    pub annotation: Option<String>,
    /// Planned results (планируемые результаты).
    #[validate(length(max = limit(ANNOTATION_MAX)))]
    #[schema(max_length = 8000)]
    pub planned_results: Option<String>,
    /// Competencies it develops.
    #[serde(default)]
    #[validate(length(max = limit(COMPETENCIES_MAX)))]
    #[schema(max_items = 100)]
    pub competency_ids: Vec<Uuid>,
    /// Included in the federal registry of DPP (федеральный реестр ДПП).
    pub federal_registry: Option<bool>,
    /// Id in the federal registry (required when included).
    #[validate(length(max = limit(REGISTRY_ID_MAX)))]
    #[schema(max_length = 64)]
    pub registry_id: Option<String>,
    /// Date of inclusion in the registry (required when included).
    pub registry_included_on: Option<NaiveDate>,
}

impl crate::extract::ValueChecks for ProgramWrite {}

impl From<ProgramWrite> for ProgramInput {
    fn from(w: ProgramWrite) -> Self {
        ProgramInput {
            title: w.title,
            kind: w.kind,
            hours: w.hours,
            form: w.form,
            developer_id: w.developer_id,
            audience: w.audience,
            annotation: w.annotation,
            planned_results: w.planned_results,
            competency_ids: w.competency_ids,
            federal_registry: w.federal_registry,
            registry_id: w.registry_id,
            registry_included_on: w.registry_included_on,
        }
    }
}

impl From<ProgramInput> for ProgramWrite {
    fn from(i: ProgramInput) -> Self {
        ProgramWrite {
            title: i.title,
            kind: i.kind,
            hours: i.hours,
            form: i.form,
            developer_id: i.developer_id,
            audience: i.audience,
            annotation: i.annotation,
            planned_results: i.planned_results,
            competency_ids: i.competency_ids,
            federal_registry: i.federal_registry,
            registry_id: i.registry_id,
            registry_included_on: i.registry_included_on,
        }
    }
}

/// A programme.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgramView {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: ProgramKind,
    /// Hours.
    pub hours: i32,
    /// Form of study.
    pub form: StudyForm,
    /// Developer organisation.
    pub developer_id: Uuid,
    /// Target audience.
    pub audience: Option<String>,
    /// Annotation.
    pub annotation: Option<String>,
    /// Planned results.
    pub planned_results: Option<String>,
    /// Competencies it develops.
    pub competency_ids: Vec<Uuid>,
    /// In the federal registry.
    pub federal_registry: bool,
    /// Id in the registry.
    pub registry_id: Option<String>,
    /// Date of inclusion.
    pub registry_included_on: Option<NaiveDate>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version; the `ETag`.
    pub version: i64,
}

impl From<Program> for ProgramView {
    fn from(p: Program) -> Self {
        Self {
            id: p.id,
            title: p.title,
            kind: p.kind,
            hours: p.hours,
            form: p.form,
            developer_id: p.developer_id,
            audience: p.audience,
            annotation: p.annotation,
            planned_results: p.planned_results,
            competency_ids: p.competency_ids,
            federal_registry: p.federal_registry,
            registry_id: p.registry_id,
            registry_included_on: p.registry_included_on,
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
        }
    }
}

crate::list_schema!(ProgramList, ProgramView, "A page of programmes.");
