//! Supplementary agreements (дополнительные соглашения) on the wire.

use chrono::{DateTime, NaiveDate, Utc};
use rsnms_domain::agreements::{Amendment, AmendmentChanges, Clause, IndicatorSpec, TargetChange};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::{ClauseView, ClauseWrite, IndicatorWrite};
use crate::dto::limit;
use crate::extract::ValueChecks;
use rsnms_domain::agreements;

/// A target change of an amendment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TargetChangeWrite {
    /// Indicator key, e.g. `indicator.1`.
    #[validate(required, length(min = 1, max = limit(agreements::KEY_MAX)))]
    #[schema(required = true, nullable = false, max_length = 40, example = "indicator.1")]
    pub indicator: Option<String>,
    /// Year.
    #[validate(required, range(min = 2000, max = 2100))]
    #[schema(required = true, nullable = false, minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// New value.
    #[validate(required)]
    #[schema(required = true, nullable = false, value_type = f64)]
    pub value: Option<serde_json::Number>,
}

/// What an amendment changes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AmendmentChangesWrite {
    /// Clauses added (new numbers only).
    #[validate(nested)]
    pub clauses_added: Option<Vec<ClauseWrite>>,
    /// Clauses replaced, matched by number.
    #[validate(nested)]
    pub clauses_replaced: Option<Vec<ClauseWrite>>,
    /// Numbers of clauses removed.
    pub clauses_removed: Option<Vec<String>>,
    /// Targets set or changed, each for a year within the (new) term.
    #[validate(nested)]
    pub targets: Option<Vec<TargetChangeWrite>>,
    /// Indicators added to the appendix (new keys only).
    #[validate(nested)]
    pub indicators_added: Option<Vec<IndicatorWrite>>,
    /// Indicators replaced whole, matched by key (kind and number); they keep their ids and
    /// reported values.
    #[validate(nested)]
    pub indicators_replaced: Option<Vec<IndicatorWrite>>,
    /// Keys of the indicators removed, e.g. `result.7` (no clause may still refer to them).
    pub indicators_removed: Option<Vec<String>>,
    /// New start of the term.
    pub valid_from: Option<NaiveDate>,
    /// New end of the term: later extends it (prolongation), earlier shortens it (targets of
    /// the years no longer covered lapse).
    pub valid_until: Option<NaiveDate>,
}

impl From<AmendmentChangesWrite> for AmendmentChanges {
    fn from(c: AmendmentChangesWrite) -> Self {
        let clauses = |v: Option<Vec<ClauseWrite>>| v.unwrap_or_default().into_iter().map(Clause::from).collect();
        let indicators =
            |v: Option<Vec<IndicatorWrite>>| v.unwrap_or_default().into_iter().map(IndicatorSpec::from).collect();
        AmendmentChanges {
            clauses_added: clauses(c.clauses_added),
            clauses_replaced: clauses(c.clauses_replaced),
            clauses_removed: c.clauses_removed.unwrap_or_default(),
            targets: c
                .targets
                .unwrap_or_default()
                .into_iter()
                .map(|t| TargetChange {
                    indicator: t.indicator.unwrap_or_default(),
                    year: t.year.unwrap_or_default(),
                    value: t.value.unwrap_or_else(|| 0.into()),
                })
                .collect(),
            indicators_added: indicators(c.indicators_added),
            indicators_replaced: indicators(c.indicators_replaced),
            indicators_removed: c.indicators_removed.unwrap_or_default(),
            valid_from: c.valid_from,
            valid_until: c.valid_until,
        }
    }
}

/// A supplementary agreement as a client writes it (дополнительное соглашение).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AmendmentWrite {
    /// Its own number, unique within the agreement.
    #[validate(required, length(min = 1, max = limit(agreements::NUMBER_MAX)))]
    #[schema(required = true, nullable = false, max_length = 100, example = "1")]
    pub number: Option<String>,
    /// Date signed.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub signed_on: Option<NaiveDate>,
    /// Takes effect on; not before the version it amends.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub effective_from: Option<NaiveDate>,
    /// Description.
    #[validate(length(max = limit(agreements::AMENDMENT_DESCRIPTION_MAX)))]
    pub description: Option<String>,
    /// The changes.
    #[validate(required, nested)]
    #[schema(required = true, nullable = false)]
    pub changes: Option<AmendmentChangesWrite>,
}

impl ValueChecks for AmendmentWrite {}

/// A target change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetChangeView {
    /// Indicator key.
    pub indicator: String,
    /// Year.
    pub year: i32,
    /// New value.
    #[schema(value_type = f64)]
    pub value: serde_json::Number,
}

/// What an amendment changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AmendmentChangesView {
    /// Clauses added.
    pub clauses_added: Vec<ClauseView>,
    /// Clauses replaced.
    pub clauses_replaced: Vec<ClauseView>,
    /// Numbers of clauses removed.
    pub clauses_removed: Vec<String>,
    /// Targets set or changed.
    pub targets: Vec<TargetChangeView>,
    /// Indicators added.
    pub indicators_added: Vec<IndicatorWrite>,
    /// Indicators replaced.
    pub indicators_replaced: Vec<IndicatorWrite>,
    /// Keys of the indicators removed.
    pub indicators_removed: Vec<String>,
    /// New start of the term.
    pub valid_from: Option<NaiveDate>,
    /// New end of the term.
    pub valid_until: Option<NaiveDate>,
}

/// A supplementary agreement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AmendmentView {
    /// Id.
    pub id: Uuid,
    /// The agreement.
    pub agreement_id: Uuid,
    /// Number.
    pub number: String,
    /// Date signed.
    pub signed_on: NaiveDate,
    /// Takes effect on.
    pub effective_from: NaiveDate,
    /// Description.
    pub description: Option<String>,
    /// The changes.
    pub changes: AmendmentChangesView,
    /// Created at (UTC).
    pub created_at: DateTime<Utc>,
}

impl From<Amendment> for AmendmentView {
    fn from(a: Amendment) -> Self {
        let c = a.changes;
        AmendmentView {
            id: a.id,
            agreement_id: a.agreement_id,
            number: a.number,
            signed_on: a.signed_on,
            effective_from: a.effective_from,
            description: a.description,
            changes: AmendmentChangesView {
                clauses_added: c.clauses_added.into_iter().map(ClauseView::from).collect(),
                clauses_replaced: c.clauses_replaced.into_iter().map(ClauseView::from).collect(),
                clauses_removed: c.clauses_removed,
                targets: c
                    .targets
                    .into_iter()
                    .map(|t| TargetChangeView { indicator: t.indicator, year: t.year, value: t.value })
                    .collect(),
                indicators_added: c.indicators_added.into_iter().map(IndicatorWrite::from).collect(),
                indicators_replaced: c.indicators_replaced.into_iter().map(IndicatorWrite::from).collect(),
                indicators_removed: c.indicators_removed,
                valid_from: c.valid_from,
                valid_until: c.valid_until,
            },
            created_at: a.created_at,
        }
    }
}
