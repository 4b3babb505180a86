use crate::dto::limit;
use chrono::{DateTime, NaiveDate, Utc};
use rsnms_domain::development::mentoring;
use rsnms_domain::development::mentoring::{MentoringForm, MentoringInput, MentoringPair};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// A mentoring pair as a client writes it (create; merge-patched for updates).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct MentoringPairWrite {
    /// Mentor: a person with role `mentor` (наставник).
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub mentor_id: Option<Uuid>,
    /// Mentee (наставляемый), in the caller's scope.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub mentee_id: Option<Uuid>,
    /// Form.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub form: Option<MentoringForm>,
    /// First day.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub period_start: Option<NaiveDate>,
    /// Last day (open-ended when absent).
    pub period_end: Option<NaiveDate>,
    /// Organisation where the mentoring takes place.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub organization_id: Option<Uuid>,
    /// Competencies worked on.
    #[serde(default)]
    #[validate(length(max = limit(mentoring::COMPETENCIES_MAX)))]
    #[schema(max_items = 100)]
    pub competency_ids: Vec<Uuid>,
}

impl crate::extract::ValueChecks for MentoringPairWrite {}

impl From<MentoringPairWrite> for MentoringInput {
    fn from(w: MentoringPairWrite) -> Self {
        MentoringInput {
            mentor_id: w.mentor_id,
            mentee_id: w.mentee_id,
            form: w.form,
            period_start: w.period_start,
            period_end: w.period_end,
            organization_id: w.organization_id,
            competency_ids: w.competency_ids,
        }
    }
}

impl From<MentoringInput> for MentoringPairWrite {
    fn from(i: MentoringInput) -> Self {
        MentoringPairWrite {
            mentor_id: i.mentor_id,
            mentee_id: i.mentee_id,
            form: i.form,
            period_start: i.period_start,
            period_end: i.period_end,
            organization_id: i.organization_id,
            competency_ids: i.competency_ids,
        }
    }
}

/// A mentoring pair (наставническая пара).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MentoringPairView {
    /// Id.
    pub id: Uuid,
    /// Mentor.
    pub mentor_id: Uuid,
    /// Mentee.
    pub mentee_id: Uuid,
    /// Form.
    pub form: MentoringForm,
    /// First day.
    pub period_start: NaiveDate,
    /// Last day.
    pub period_end: Option<NaiveDate>,
    /// Organisation.
    pub organization_id: Uuid,
    /// Competencies worked on.
    pub competency_ids: Vec<Uuid>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version; the `ETag`.
    pub version: i64,
}

impl From<MentoringPair> for MentoringPairView {
    fn from(p: MentoringPair) -> Self {
        Self {
            id: p.id,
            mentor_id: p.mentor_id,
            mentee_id: p.mentee_id,
            form: p.form,
            period_start: p.period_start,
            period_end: p.period_end,
            organization_id: p.organization_id,
            competency_ids: p.competency_ids,
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
        }
    }
}

crate::list_schema!(MentoringPairList, MentoringPairView, "A page of mentoring pairs.");
