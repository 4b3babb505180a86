use crate::dto::limit;
use chrono::{DateTime, Utc};
use rsnms_domain::development::competencies;
use rsnms_domain::development::competencies::{AreaKind, Competency, CompetencyInput, CompetencyStatus, NodeKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// An area or a competency as a client writes it (create; merge-patched for updates).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CompetencyWrite {
    /// `area` (область) or `competency` (компетенция); cannot change.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub node: Option<NodeKind>,
    /// The area a competency belongs to (absent for an area).
    pub parent_id: Option<Uuid>,
    /// Kind of an area (required for areas; a competency inherits its area's).
    pub area_kind: Option<AreaKind>,
    /// Code, unique in the framework (e.g. `ЦК-1.2`).
    #[validate(required, length(min = 1, max = limit(competencies::CODE_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 32, example = "ЦК-1")]
    pub code: Option<String>,
    /// Name (наименование).
    #[validate(required, length(min = 1, max = limit(competencies::NAME_MAX)))]
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 500,
        example = "Цифровые компетенции педагога"
    )]
    pub name: Option<String>,
    /// Description (описание, индикаторы).
    #[validate(length(max = limit(competencies::DESCRIPTION_MAX)))]
    #[schema(max_length = 4000)]
    pub description: Option<String>,
}

impl crate::extract::ValueChecks for CompetencyWrite {}

impl From<CompetencyWrite> for CompetencyInput {
    fn from(w: CompetencyWrite) -> Self {
        Self {
            node: w.node,
            parent_id: w.parent_id,
            area_kind: w.area_kind,
            code: w.code,
            name: w.name,
            description: w.description,
        }
    }
}

impl From<CompetencyInput> for CompetencyWrite {
    fn from(i: CompetencyInput) -> Self {
        Self {
            node: i.node,
            parent_id: i.parent_id,
            area_kind: i.area_kind,
            code: i.code,
            name: i.name,
            description: i.description,
        }
    }
}

/// An area or a competency of the framework.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompetencyView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// `area` or `competency`.
    pub node: NodeKind,
    /// The area of a competency.
    pub parent_id: Option<Uuid>,
    /// Kind of the area.
    pub area_kind: AreaKind,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// `active` or `retired` (kept for past results, never deleted).
    pub status: CompetencyStatus,
    /// When retired.
    pub retired_at: Option<DateTime<Utc>>,
    /// Created at (UTC).
    pub created_at: DateTime<Utc>,
    /// Updated at (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version of the node (raised by every change); the `ETag`.
    pub version: i64,
}

impl From<Competency> for CompetencyView {
    fn from(c: Competency) -> Self {
        Self {
            id: c.id,
            node: c.node,
            parent_id: c.parent_id,
            area_kind: c.area_kind,
            code: c.code,
            name: c.name,
            description: c.description,
            status: c.status,
            retired_at: c.retired_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

/// An area with its competencies.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompetencyArea {
    /// The area.
    #[serde(flatten)]
    pub area: CompetencyView,
    /// Its competencies, by code.
    pub competencies: Vec<CompetencyView>,
}

/// The framework as a tree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompetencyTree {
    /// Areas, by code.
    pub areas: Vec<CompetencyArea>,
}

crate::list_schema!(CompetencyList, CompetencyView, "A page of competency nodes.");
