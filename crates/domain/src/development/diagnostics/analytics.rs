//! Deficits by competency × territory or teaching subject for a period (LO 5.5, RO 3.2.3):
//! counts only, never personal data, under disclosure control ([`crate::disclosure`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::DiagnosticRepository;
use crate::{
    DomainError, DomainResult, Msg,
    auth::{Ctx, Role, Scope},
    development::competencies::CompetencyRepository,
    disclosure::{Node, Place, ends_quarter, period_unsafe, quarter, starts_quarter, suppress_tree},
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
    /// The person's organisation (`None`: unknown): places the result in the territorial tree.
    pub organization_id: Option<Uuid>,
    /// That organisation's municipality (`None`: a regional organisation, or unknown).
    pub municipality_code: Option<String>,
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

/// One group's count: its name, the persons in it, those with a deficit, their organisations.
struct Tally {
    name: Option<String>,
    persons: HashSet<Uuid>,
    deficits: u64,
    organizations: BTreeSet<Option<Uuid>>,
}

pub use crate::disclosure::below_min_group;

/// Share of persons with a deficit among those assessed, per cent with one decimal (`None` when
/// suppressed or nobody was assessed).
pub fn share_percent(assessed: Option<u64>, with_deficit: Option<u64>) -> Option<f64> {
    match (assessed, with_deficit) {
        (Some(a), Some(d)) if a > 0 => Some((d as f64 * 1000.0 / a as f64).round() / 10.0),
        _ => None,
    }
}

/// Counts per competency and group: the latest result per person and competency counts (in
/// each group the person belongs to).
fn tally(rows: &[AnalyticsRow]) -> BTreeMap<(Uuid, Option<String>), Tally> {
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
        let g = groups.entry((r.competency_id, r.group_key.clone())).or_insert_with(|| Tally {
            name: r.group_name.clone(),
            persons: HashSet::new(),
            deficits: 0,
            organizations: BTreeSet::new(),
        });
        g.persons.insert(r.person_id);
        g.organizations.insert(r.organization_id);
        if r.deficit {
            g.deficits += 1;
        }
    }
    groups
}

/// Aggregates rows by [`tally`]; groups for which `hide(competency, group key, tally)` is true
/// are withheld.
fn publish(rows: &[AnalyticsRow], hide: impl Fn(Uuid, &Option<String>, &Tally) -> bool) -> Vec<Group> {
    tally(rows)
        .into_iter()
        .map(|((c, key), t)| {
            if hide(c, &key, &t) {
                (c, key, t.name, None, None)
            } else {
                (c, key, t.name, Some(t.persons.len() as u64), Some(t.deficits))
            }
        })
        .collect()
}

/// Aggregates rows with the primary rule only: groups of fewer than `min_group` persons are
/// withheld. For a single relation-free table; published hierarchies go through
/// [`protected`].
pub fn aggregate(rows: &[AnalyticsRow], min_group: u64) -> Vec<Group> {
    publish(rows, |_, _, t| below_min_group(t.persons.len() as u64, min_group))
}

/// The withheld places of each competency's tree, with the persons each place counts.
pub struct Decisions {
    hidden: HashMap<Uuid, BTreeSet<Place>>,
    counts: HashMap<(Uuid, Place), u64>,
}

impl Decisions {
    /// Takes the decisions for the period `from..=to` over `rows` (results of every date, so
    /// that other periods can be compared): `places` names a row's places, each with its
    /// parent, root first; `unpublished` places are never shown (so count as withheld). Persons
    /// are counted per place; the period rule marks places whose count could be differenced
    /// against another period, and [`suppress_tree`] completes the hierarchy.
    pub fn take(
        rows: &[AnalyticsRow],
        places: impl Fn(&AnalyticsRow) -> Vec<(Place, Option<Place>)>,
        unpublished: &[Place],
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        min_group: u64,
    ) -> Self {
        type PerPlace = (Option<Place>, HashMap<Uuid, Vec<i32>>, HashSet<Uuid>);
        let mut trees: HashMap<Uuid, BTreeMap<Place, PerPlace>> = HashMap::new();
        for r in rows {
            let inside = from.is_none_or(|f| r.assessed_on >= f) && to.is_none_or(|t| r.assessed_on <= t);
            let tree = trees.entry(r.competency_id).or_default();
            for (place, parent) in places(r) {
                let e = tree.entry(place).or_insert_with(|| (parent, HashMap::new(), HashSet::new()));
                e.1.entry(r.person_id).or_default().push(quarter(r.assessed_on));
                if inside {
                    e.2.insert(r.person_id);
                }
            }
        }
        let (fq, tq) = (from.map(quarter), to.map(quarter));
        let mut out = Decisions { hidden: HashMap::new(), counts: HashMap::new() };
        for (c, tree) in trees {
            let tree: BTreeMap<Place, PerPlace> = tree.into_iter().filter(|(_, e)| !e.2.is_empty()).collect();
            let mut nodes: Vec<Node<Place>> = tree
                .iter()
                .map(|(key, (parent, quarters, inside))| {
                    let all: Vec<Vec<i32>> = quarters.values().cloned().collect();
                    let withheld = unpublished.contains(key) || period_unsafe(&all, fq, tq, min_group);
                    Node { key: key.clone(), parent: parent.clone(), n: inside.len() as u64, withheld }
                })
                .collect();
            let hidden = loop {
                let hidden = suppress_tree(&nodes, min_group);
                // What a caller derives in a relation — its parent minus its published children,
                // in this period and in another — passes the period rule too, else the parent
                // is withheld as well.
                let exposed: Vec<Place> = tree
                    .iter()
                    .filter(|(key, _)| !hidden.contains(*key))
                    .filter(|(key, (_, quarters, _))| {
                        let kids = tree.iter().filter(|(_, k)| k.0.as_ref() == Some(*key));
                        if !kids.clone().any(|(k, _)| hidden.contains(k)) {
                            return false;
                        }
                        let shown: HashSet<Uuid> =
                            kids.filter(|(k, _)| !hidden.contains(*k)).flat_map(|(_, k)| k.1.keys().copied()).collect();
                        let rest: Vec<Vec<i32>> =
                            quarters.iter().filter(|(p, _)| !shown.contains(*p)).map(|(_, q)| q.clone()).collect();
                        period_unsafe(&rest, fq, tq, min_group)
                    })
                    .map(|(key, _)| key.clone())
                    .collect();
                if exposed.is_empty() {
                    break hidden;
                }
                for x in nodes.iter_mut().filter(|x| exposed.contains(&x.key)) {
                    x.withheld = true;
                }
            };
            for x in &nodes {
                out.counts.insert((c, x.key.clone()), x.n);
            }
            out.hidden.insert(c, hidden);
        }
        out
    }

    /// Whether the figure of `place` (counting `n` persons) is withheld. A figure that is not
    /// the place's whole count (a scope narrower than the place) is withheld unless every
    /// organisation in it is published (then it adds nothing to what they publish).
    fn hides(&self, c: Uuid, place: &Place, n: u64, organizations: &BTreeSet<Option<Uuid>>, min: u64) -> bool {
        let hidden = |p: &Place| self.hidden.get(&c).is_none_or(|h| h.contains(p));
        if self.counts.get(&(c, place.clone())) == Some(&n) {
            return hidden(place);
        }
        below_min_group(n, min) || organizations.iter().any(|o| hidden(&Place::Organization(*o)))
    }
}

/// Aggregates the caller's rows of a period under [`Decisions`] taken on the whole tree: per
/// person the latest result counts; a group is published only when the tree publishes its
/// place. `place` names the place of a group key.
pub fn protected(
    rows: &[AnalyticsRow],
    decisions: &Decisions,
    place: impl Fn(&Option<String>) -> Place,
    min_group: u64,
) -> Vec<Group> {
    publish(rows, |c, key, t| decisions.hides(c, &place(key), t.persons.len() as u64, &t.organizations, min_group))
}

/// The places of a result in the territorial tree: the whole territory, its municipality, its
/// organisation.
pub fn territorial(r: &AnalyticsRow) -> Vec<(Place, Option<Place>)> {
    let m = Place::Municipality(r.municipality_code.clone());
    vec![(Place::Whole, None), (m.clone(), Some(Place::Whole)), (Place::Organization(r.organization_id), Some(m))]
}

/// Periods of aggregates are whole calendar quarters (the grid of the period rule).
fn check_grid(from: Option<NaiveDate>, to: Option<NaiveDate>) -> DomainResult<()> {
    if from.is_some_and(|f| !starts_quarter(f)) {
        return Err(DomainError::field(
            "period_from",
            "not_quarter_start",
            Msg::new("Период начинается с первого дня квартала", "The period starts on the first day of a quarter"),
        ));
    }
    if to.is_some_and(|t| !ends_quarter(t)) {
        return Err(DomainError::field(
            "period_to",
            "not_quarter_end",
            Msg::new("Период заканчивается последним днём квартала", "The period ends on the last day of a quarter"),
        ));
    }
    Ok(())
}

/// Deficits by competency × municipality, organisation or teaching subject in a period (whole
/// calendar quarters), within the caller's scope. No personal data; figures withheld by the
/// disclosure rules ([`crate::disclosure`]), decided on the whole tree.
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
    check_grid(from, to)?;
    let scope = ctx.actor.scope();
    let rows = repo.analytics_rows(&scope, from, to, group_by).await?;
    let cells = match group_by {
        GroupBy::Subject => {
            // Subjects: the caller's scope is the whole (a subject table per scope).
            let every = repo.analytics_rows(&scope, None, None, group_by).await?;
            let places = |r: &AnalyticsRow| {
                vec![(Place::Whole, None), (Place::Subject(r.group_key.clone()), Some(Place::Whole))]
            };
            let d = Decisions::take(&every, places, &[], from, to, min_group);
            protected(&rows, &d, |k| Place::Subject(k.clone()), min_group)
        }
        _ => {
            // Territories: the decisions are taken on the whole region, whoever asks.
            let every = repo.analytics_rows(&Scope::All, None, None, GroupBy::Organization).await?;
            let d = Decisions::take(&every, territorial, &[], from, to, min_group);
            let place = |k: &Option<String>| match group_by {
                GroupBy::Organization => Place::Organization(k.as_deref().and_then(|k| k.parse().ok())),
                _ => Place::Municipality(k.clone()),
            };
            protected(&rows, &d, place, min_group)
        }
    };
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
            organization_id: None,
            municipality_code: None,
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
    fn decisions_on_the_whole_tree_hide_a_small_school_with_its_complement_for_every_scope() {
        let c = Uuid::now_v7();
        let (small, large, other) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let placed = |org: Uuid, muni: &str, n: usize| -> Vec<AnalyticsRow> {
            (0..n)
                .map(|_| AnalyticsRow {
                    organization_id: Some(org),
                    municipality_code: Some(muni.into()),
                    ..row(Uuid::now_v7(), c, 1, true, &org.to_string())
                })
                .collect()
        };
        let mut every = placed(small, "A", 2);
        every.extend(placed(large, "A", 9));
        every.extend(placed(other, "B", 8));
        let d = Decisions::take(&every, territorial, &[], None, None, 5);
        let by_org = protected(&every, &d, |k| Place::Organization(k.as_deref().and_then(|k| k.parse().ok())), 5);
        let shown: HashMap<Option<String>, Option<u64>> = by_org.iter().map(|g| (g.1.clone(), g.3)).collect();
        assert_eq!(shown[&Some(small.to_string())], None, "2 persons");
        assert_eq!(shown[&Some(large.to_string())], None, "A − the large school would give the small one");
        assert_eq!(shown[&Some(other.to_string())], Some(8));
        // The small school's own account groups by municipality: its part of A is withheld.
        let own: Vec<AnalyticsRow> = every
            .iter()
            .filter(|r| r.organization_id == Some(small))
            .map(|r| AnalyticsRow { group_key: Some("A".into()), ..r.clone() })
            .collect();
        let by_muni = protected(&own, &d, |k| Place::Municipality(k.clone()), 5);
        assert_eq!(by_muni[0].3, None);
    }

    #[test]
    fn a_municipality_is_withheld_when_its_withheld_schools_would_differ_by_a_small_group_between_periods() {
        let c = Uuid::now_v7();
        let (s1, s2, s3, b) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let placed = |org: Uuid, muni: &str, n: usize, month: u32| -> Vec<AnalyticsRow> {
            (0..n)
                .map(|_| AnalyticsRow {
                    organization_id: Some(org),
                    municipality_code: Some(muni.into()),
                    assessed_on: NaiveDate::from_ymd_opt(2025, month, 1).unwrap_or_default(),
                    ..row(Uuid::now_v7(), c, 1, true, "x")
                })
                .collect()
        };
        // Q3: s1 2, s2 6, s3 7; Q4: one more in s1, five more in s3. M differs by 6 and s3 by 5
        // between Q3 and Q3..Q4, but M − s3 (= s1 + s2) differs by one person.
        let mut every = placed(s1, "M", 2, 7);
        every.extend(placed(s1, "M", 1, 10));
        every.extend(placed(s2, "M", 6, 7));
        every.extend(placed(s3, "M", 7, 7));
        every.extend(placed(s3, "M", 5, 10));
        every.extend(placed(b, "B", 9, 7));
        let q3 = (NaiveDate::from_ymd_opt(2025, 7, 1), NaiveDate::from_ymd_opt(2025, 9, 30));
        let d = Decisions::take(&every, territorial, &[], q3.0, q3.1, 5);
        let hidden = &d.hidden[&c];
        assert!(hidden.contains(&Place::Municipality(Some("M".into()))), "{hidden:?}");
        assert!(hidden.contains(&Place::Municipality(Some("B".into()))), "M's complement: {hidden:?}");
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
