//! Deficits are derived, never typed: the latest result per competency decides. A deficit is
//! open while the latest result lies below the threshold; a later result at level closes it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::{DiagnosticRepository, DiagnosticResult, results::READERS};
use crate::{DomainError, DomainResult, audit::AuditRepository, auth::Ctx};

wire_enum! {
    /// Whether a deficit is still open.
    DeficitStatus {
        /// The latest result is below the threshold.
        Open = "open",
        /// A later result shows the competency at level.
        Closed = "closed",
    }
}

/// A result a deficit refers to.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRef {
    /// The result.
    pub result_id: Uuid,
    /// Its campaign.
    pub campaign_id: Uuid,
    /// Date of the diagnostic.
    pub assessed_on: NaiveDate,
    /// Score.
    pub score: Option<f64>,
    /// Level.
    pub level: Option<String>,
}

impl From<&DiagnosticResult> for ResultRef {
    fn from(r: &DiagnosticResult) -> Self {
        Self {
            result_id: r.id,
            campaign_id: r.campaign_id,
            assessed_on: r.assessed_on,
            score: r.score,
            level: r.level.clone(),
        }
    }
}

/// A deficit of a person in a competency.
#[derive(Debug, Clone, PartialEq)]
pub struct Deficit {
    /// Competency.
    pub competency_id: Uuid,
    /// Open or closed.
    pub status: DeficitStatus,
    /// The result that showed the deficit (the latest such one).
    pub source: ResultRef,
    /// The later result at level that closed it.
    pub closed_by: Option<ResultRef>,
}

/// Derives a person's deficits from all their results: per competency, results are ordered by
/// date (then by when they were recorded); the latest decides.
pub fn derive_deficits(results: &[DiagnosticResult]) -> Vec<Deficit> {
    let mut by_comp: BTreeMap<Uuid, Vec<&DiagnosticResult>> = BTreeMap::new();
    for r in results {
        by_comp.entry(r.competency_id).or_default().push(r);
    }
    let mut out = Vec::new();
    for (competency_id, mut rs) in by_comp {
        rs.sort_by_key(|r| (r.assessed_on, r.updated_at, r.id));
        let Some(latest) = rs.last() else { continue };
        if latest.deficit {
            out.push(Deficit {
                competency_id,
                status: DeficitStatus::Open,
                source: ResultRef::from(*latest),
                closed_by: None,
            });
        } else if let Some(pos) = rs.iter().rposition(|r| r.deficit) {
            let closer = rs[pos + 1..].iter().find(|r| !r.deficit).copied().unwrap_or(latest);
            out.push(Deficit {
                competency_id,
                status: DeficitStatus::Closed,
                source: ResultRef::from(rs[pos]),
                closed_by: Some(ResultRef::from(closer)),
            });
        }
    }
    out
}

/// A person's deficits (open ones, or all with `include_closed`); reading them reads the
/// person's results, so the results shown are audited.
pub async fn person_deficits(
    repo: &dyn DiagnosticRepository,
    audit: &dyn AuditRepository,
    ctx: &Ctx,
    person_id: Uuid,
    include_closed: bool,
) -> DomainResult<Vec<Deficit>> {
    ctx.actor.require(READERS)?;
    if !repo.visible_persons(&ctx.actor.scope(), &[person_id]).await?.contains(&person_id) {
        return Err(DomainError::NotFound);
    }
    let results = repo.person_results(person_id).await?;
    let deficits: Vec<Deficit> =
        derive_deficits(&results).into_iter().filter(|d| include_closed || d.status == DeficitStatus::Open).collect();
    let mut shown: Vec<Uuid> = deficits.iter().map(|d| d.source.result_id).collect();
    shown.extend(deficits.iter().filter_map(|d| d.closed_by.as_ref().map(|c| c.result_id)));
    if !shown.is_empty() {
        audit.record_reads(ctx, "diagnostic_result", &shown).await?;
    }
    Ok(deficits)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, Utc};

    use super::*;

    fn r(comp: Uuid, date: &str, deficit: bool) -> DiagnosticResult {
        DiagnosticResult {
            id: Uuid::now_v7(),
            campaign_id: Uuid::now_v7(),
            person_id: Uuid::nil(),
            competency_id: comp,
            score: Some(if deficit { 10.0 } else { 90.0 }),
            level: None,
            assessed_on: date.parse().unwrap(),
            deficit,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        }
    }

    #[test]
    fn the_latest_result_below_threshold_is_an_open_deficit() {
        let c = Uuid::now_v7();
        let d = derive_deficits(&[r(c, "2025-03-01", false), r(c, "2025-10-01", true)]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].status, DeficitStatus::Open);
        assert_eq!(d[0].source.assessed_on.to_string(), "2025-10-01");
    }

    #[test]
    fn a_later_result_at_level_closes_the_deficit() {
        let c = Uuid::now_v7();
        let early = r(c, "2025-03-01", true);
        let later = r(c, "2026-03-01", false);
        let d = derive_deficits(&[later.clone(), early.clone()]);
        assert_eq!(d[0].status, DeficitStatus::Closed);
        assert_eq!(d[0].source.result_id, early.id);
        assert_eq!(d[0].closed_by.as_ref().unwrap().result_id, later.id);
    }

    #[test]
    fn a_competency_never_below_threshold_has_no_deficit() {
        let c = Uuid::now_v7();
        assert!(derive_deficits(&[r(c, "2025-03-01", false)]).is_empty());
    }

    #[test]
    fn results_of_the_same_day_are_ordered_by_when_they_were_recorded() {
        let c = Uuid::now_v7();
        let mut first = r(c, "2025-03-01", false);
        first.updated_at = Utc::now() - Duration::hours(1);
        let second = r(c, "2025-03-01", true);
        assert_eq!(derive_deficits(&[second, first])[0].status, DeficitStatus::Open);
    }
}
