//! Actual values of indicators on the wire.

use chrono::{DateTime, Utc};
use rsnms_domain::agreements::{IndicatorValue, IndicatorValueInput, ValueFlag};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::num;
use crate::dto::limit;
use crate::extract::ValueChecks;
use rsnms_domain::agreements;

/// An actual value as reported (фактическое значение).
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct IndicatorValueWrite {
    /// Year.
    #[validate(required, range(min = 2000, max = 2100))]
    #[schema(required = true, nullable = false, example = 2023)]
    pub year: Option<i32>,
    /// Quarter 1–4 (value at the end of the quarter); omit for the year's value.
    #[validate(range(min = 1, max = 4))]
    #[schema(minimum = 1, maximum = 4)]
    pub quarter: Option<i16>,
    /// Value.
    #[validate(required, range(min = 0.0))]
    #[schema(required = true, nullable = false, minimum = 0, example = 31.5)]
    pub value: Option<f64>,
    /// Source of the data (источник), e.g. «мониторинг БРИОП».
    #[validate(required, length(min = 1, max = limit(agreements::VALUE_SOURCE_MAX)))]
    #[schema(required = true, nullable = false, max_length = 500)]
    pub source: Option<String>,
    /// Comment.
    #[validate(length(max = 2000))]
    pub comment: Option<String>,
}

impl ValueChecks for IndicatorValueWrite {}

impl From<IndicatorValueWrite> for IndicatorValueInput {
    fn from(dto: IndicatorValueWrite) -> Self {
        IndicatorValueInput {
            year: dto.year.unwrap_or_default(),
            quarter: dto.quarter,
            value: dto.value.unwrap_or_default(),
            source: dto.source.unwrap_or_default(),
            comment: dto.comment,
        }
    }
}

/// An actual value with its warnings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorValueView {
    /// Id.
    pub id: Uuid,
    /// The agreement.
    pub agreement_id: Uuid,
    /// The indicator.
    pub indicator_id: Uuid,
    /// Year.
    pub year: i32,
    /// Quarter, or `null` for the year's value.
    pub quarter: Option<i16>,
    /// Value.
    #[schema(value_type = f64)]
    pub value: serde_json::Number,
    /// Source.
    pub source: String,
    /// Comment.
    pub comment: Option<String>,
    /// Who reported it (account).
    pub reported_by: String,
    /// In which role.
    pub reporter_role: String,
    /// Warnings: `cumulative_decrease` (a cumulative value below an earlier period's),
    /// `percent_out_of_range`. The value is stored all the same.
    pub flags: Vec<ValueFlag>,
    /// Reported at (UTC).
    pub reported_at: DateTime<Utc>,
}

impl From<IndicatorValue> for IndicatorValueView {
    fn from(v: IndicatorValue) -> Self {
        IndicatorValueView {
            id: v.id,
            agreement_id: v.agreement_id,
            indicator_id: v.indicator_id,
            year: v.year,
            quarter: v.quarter,
            value: num(v.value),
            source: v.source,
            comment: v.comment,
            reported_by: v.reported_by,
            reporter_role: v.reporter_role,
            flags: v.flags,
            reported_at: v.reported_at,
        }
    }
}

crate::list_schema!(IndicatorValueList, IndicatorValueView, "A page of reported values, in reporting order.");
