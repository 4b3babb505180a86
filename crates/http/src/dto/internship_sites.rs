use crate::dto::limit;
use chrono::{DateTime, NaiveDate, Utc};
use rsnms_domain::development::events;
use rsnms_domain::development::events::{Offering, OfferingInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// An internship site as a client writes it (create; merge-patched for updates).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct InternshipSiteWrite {
    /// The organisation hosting the site.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub organization_id: Option<Uuid>,
    /// Theme (тема стажировки).
    #[validate(required, length(min = 1, max = limit(events::TITLE_MAX)))]
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 1000,
        example = "Цифровые инструменты на уроке математики"
    )]
    pub theme: Option<String>,
    /// Competencies it develops.
    #[serde(default)]
    #[validate(length(max = limit(events::COMPETENCIES_MAX)))]
    #[schema(max_items = 100)]
    pub competency_ids: Vec<Uuid>,
    /// Places (вместимость).
    #[validate(required, range(min = 1, max = 100_000))]
    #[schema(required = true, nullable = false, minimum = 1)]
    pub capacity: Option<i32>,
    /// First day of the site's period.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub period_start: Option<NaiveDate>,
    /// Last day.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub period_end: Option<NaiveDate>,
    /// The selection decision (решение об отборе: приказ, номер, дата).
    #[validate(length(max = limit(events::DECISION_MAX)))]
    #[schema(max_length = 1000, example = "Приказ ЦНППМ № 45 от 01.09.2025")]
    pub selection_decision: Option<String>,
}

impl crate::extract::ValueChecks for InternshipSiteWrite {}

impl From<InternshipSiteWrite> for OfferingInput {
    fn from(w: InternshipSiteWrite) -> Self {
        OfferingInput {
            title: w.theme,
            starts_on: w.period_start,
            ends_on: w.period_end,
            organization_id: w.organization_id,
            competency_ids: w.competency_ids,
            capacity: w.capacity,
            decision: w.selection_decision,
            ..Default::default()
        }
    }
}

impl From<OfferingInput> for InternshipSiteWrite {
    fn from(i: OfferingInput) -> Self {
        InternshipSiteWrite {
            organization_id: i.organization_id,
            theme: i.title,
            competency_ids: i.competency_ids,
            capacity: i.capacity,
            period_start: i.starts_on,
            period_end: i.ends_on,
            selection_decision: i.decision,
        }
    }
}

/// An internship site (стажировочная площадка).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InternshipSiteView {
    /// Id.
    pub id: Uuid,
    /// Hosting organisation.
    pub organization_id: Uuid,
    /// Theme.
    pub theme: String,
    /// Competencies it develops.
    pub competency_ids: Vec<Uuid>,
    /// Places.
    pub capacity: Option<i32>,
    /// First day.
    pub period_start: NaiveDate,
    /// Last day.
    pub period_end: Option<NaiveDate>,
    /// The selection decision.
    pub selection_decision: Option<String>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version; the `ETag`.
    pub version: i64,
}

impl From<Offering> for InternshipSiteView {
    fn from(o: Offering) -> Self {
        Self {
            id: o.id,
            organization_id: o.organization_id,
            theme: o.title,
            competency_ids: o.competency_ids,
            capacity: o.capacity,
            period_start: o.starts_on,
            period_end: o.ends_on,
            selection_decision: o.decision,
            created_at: o.created_at,
            updated_at: o.updated_at,
            version: o.version,
        }
    }
}

crate::list_schema!(InternshipSiteList, InternshipSiteView, "A page of internship sites.");
