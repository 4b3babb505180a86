//! Deficits by competency × territory or teaching subject for a period (LO 5.5, RO 3.2.3):
//! counts only, never personal data, and groups smaller than the configured minimum suppressed.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::DiagnosticRepository;
use crate::{
    DomainError, DomainResult, Msg,
    auth::{Ctx, Role},
    development::competencies::CompetencyRepository,
};

wire_enum! {
    /// The dimension of the aggregate besides the competency.
    GroupBy {
        /// By municipality.
        Municipality = "municipality",
        /// By organisation.
        Organization = "organization",
        /// By teaching subject: a person with several subjects counts in each of their groups;
        /// persons with none form the group without a key.
        Subject = "subject",
    }
}

/// One result with its group, as the repository reads it (stays inside the domain). A result
/// of a person in several groups (several teaching subjects) comes once per group.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyticsRow {
    /// Person (only to count distinct persons; never leaves the domain).
    pub person_id: Uuid,
    /// Competency.
    pub competency_id: Uuid,
    /// Date.
    pub assessed_on: NaiveDate,
    /// When recorded (orders results of the same day).
    pub updated_at: DateTime<Utc>,
    /// Below threshold.
    pub deficit: bool,
    /// Group key: municipality code, organisation id or subject (`None`: regional level, or no
    /// subject).
    pub group_key: Option<String>,
    /// Group name.
    pub group_name: Option<String>,
}

/// One cell of the aggregate.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyticsCell {
    /// Competency.
    pub competency_id: Uuid,
    /// Competency code.
    pub competency_code: String,
    /// Competency name.
    pub competency_name: String,
    /// Territory key (`None`: regional level).
    pub group_key: Option<String>,
    /// Territory name.
    pub group_name: Option<String>,
    /// Persons assessed (`None` when suppressed).
    pub assessed: Option<u64>,
    /// Persons whose latest result in the period is a deficit (`None` when suppressed).
    pub with_deficit: Option<u64>,
    /// Share of persons with a deficit, per cent (`None` when suppressed).
    pub share_percent: Option<f64>,
    /// The group is smaller than the minimum, so its numbers are withheld.
    pub suppressed: bool,
}

/// An aggregated group: competency, territory key and name, persons assessed and with a deficit
/// (both `None` when suppressed).
pub type Group = (Uuid, Option<String>, Option<String>, Option<u64>, Option<u64>);

type Tally = (Option<String>, HashSet<Uuid>, u64);

/// Whether a group of `n` persons is too small to show (`RSNMS_MIN_GROUP_SIZE`): the one
/// suppression rule of every aggregate (diagnostics analytics, monitoring).
pub fn below_min_group(n: u64, min_group: u64) -> bool {
    n < min_group.max(1)
}

/// Share of persons with a deficit among those assessed, per cent with one decimal (`None` when
/// suppressed or nobody was assessed).
pub fn share_percent(assessed: Option<u64>, with_deficit: Option<u64>) -> Option<f64> {
    match (assessed, with_deficit) {
        (Some(a), Some(d)) if a > 0 => Some((d as f64 * 1000.0 / a as f64).round() / 10.0),
        _ => None,
    }
}

/// Aggregates rows: the latest result per person and competency in the period counts (in each
/// group the person belongs to); groups of fewer than `min_group` persons are suppressed.
pub fn aggregate(rows: &[AnalyticsRow], min_group: u64) -> Vec<Group> {
    let mut latest: HashMap<(Uuid, Uuid, Option<&str>), &AnalyticsRow> = HashMap::new();
    for r in rows {
        let key = (r.person_id, r.competency_id, r.group_key.as_deref());
        let newer = latest.get(&key).is_none_or(|l| (r.assessed_on, r.updated_at) > (l.assessed_on, l.updated_at));
        if newer {
            latest.insert(key, r);
        }
    }
    let mut groups: BTreeMap<(Uuid, Option<String>), Tally> = BTreeMap::new();
    for r in latest.values() {
        let g =
            groups.entry((r.competency_id, r.group_key.clone())).or_insert((r.group_name.clone(), HashSet::new(), 0));
        g.1.insert(r.person_id);
        if r.deficit {
            g.2 += 1;
        }
    }
    groups
        .into_iter()
        .map(|((c, key), (name, persons, deficits))| {
            let n = persons.len() as u64;
            if below_min_group(n, min_group) {
                (c, key, name, None, None)
            } else {
                (c, key, name, Some(n), Some(deficits))
            }
        })
        .collect()
}

/// Deficits by competency × municipality, organisation or teaching subject in a period, within
/// the caller's scope. No personal data; small groups suppressed.
pub async fn diagnostics_analytics(
    repo: &dyn DiagnosticRepository,
    comps: &dyn CompetencyRepository,
    ctx: &Ctx,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    group_by: GroupBy,
    min_group: u64,
) -> DomainResult<Vec<AnalyticsCell>> {
    ctx.actor.require(&[Role::Admin, Role::Operator, Role::Municipal, Role::Organization, Role::Analyst])?;
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        return Err(DomainError::field(
            "period_to",
            "before_start",
            Msg::new("Окончание периода раньше начала", "The period ends before it starts"),
        ));
    }
    let rows = repo.analytics_rows(&ctx.actor.scope(), from, to, group_by).await?;
    let cells = aggregate(&rows, min_group);
    let ids: Vec<Uuid> = cells.iter().map(|c| c.0).collect::<HashSet<_>>().into_iter().collect();
    let names: HashMap<Uuid, (String, String)> =
        comps.get_many(&ids).await?.into_iter().map(|c| (c.id, (c.code, c.name))).collect();
    let mut out: Vec<AnalyticsCell> = cells
        .into_iter()
        .map(|(c, key, name, assessed, deficits)| {
            let (code, cname) = names.get(&c).cloned().unwrap_or_default();
            AnalyticsCell {
                competency_id: c,
                competency_code: code,
                competency_name: cname,
                group_key: key,
                group_name: name,
                share_percent: share_percent(assessed, deficits),
                suppressed: assessed.is_none(),
                assessed,
                with_deficit: deficits,
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.competency_code, &a.group_name).cmp(&(&b.competency_code, &b.group_name)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(person: Uuid, comp: Uuid, day: u32, deficit: bool, group: &str) -> AnalyticsRow {
        AnalyticsRow {
            person_id: person,
            competency_id: comp,
            assessed_on: NaiveDate::from_ymd_opt(2025, 10, day).unwrap_or_default(),
            updated_at: Utc::now(),
            deficit,
            group_key: Some(group.into()),
            group_name: Some(group.into()),
        }
    }

    #[test]
    fn only_the_latest_result_of_a_person_counts_and_small_groups_are_suppressed() {
        let c = Uuid::now_v7();
        let people: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let mut rows = vec![row(people[0], c, 1, true, "A"), row(people[0], c, 5, false, "A")];
        rows.push(row(people[1], c, 2, true, "A"));
        rows.push(row(people[2], c, 2, true, "B"));
        let mut cells = aggregate(&rows, 2);
        cells.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(cells[0].3, Some(2));
        assert_eq!(cells[0].4, Some(1));
        assert_eq!(cells[1].3, None, "one person in B: suppressed");
    }

    #[test]
    fn a_person_in_two_subject_groups_counts_in_both() {
        let c = Uuid::now_v7();
        let (both, maths) = (Uuid::now_v7(), Uuid::now_v7());
        let rows = vec![
            row(both, c, 1, true, "математика"),
            row(both, c, 1, true, "физика"),
            row(maths, c, 2, false, "математика"),
        ];
        let cells = aggregate(&rows, 1);
        assert_eq!(cells.len(), 2);
        let by: HashMap<_, _> = cells.iter().map(|g| (g.1.clone().unwrap_or_default(), (g.3, g.4))).collect();
        assert_eq!(by["математика"], (Some(2), Some(1)));
        assert_eq!(by["физика"], (Some(1), Some(1)));
        assert_eq!(aggregate(&rows, 2).iter().filter(|g| g.3.is_none()).count(), 1, "физика has one person");
    }
}
