//! Assembly of indicator values: counts from the repository, targets and reported values from
//! the applicable agreement, attainment and reconciliation.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, Utc};
use futures_util::future::{try_join, try_join_all, try_join4};

use super::{Accumulation, Computed, Counts, Definition, MonitoringRepository, Territory, attainment, compute, window};
use crate::{
    DomainError, DomainResult, Msg,
    agreements::{AgreementFilter, AgreementRepository, Lifecycle, actual_for_year, reader_scope, version_on},
    auth::{Ctx, Role, Scope},
    disclosure::{Node, Place, growth_unsafe, part_hidden, suppress_tree},
    network_requests::NetworkRequestRepository,
    organizations::{OrganizationKind, OrganizationRepository},
};

/// Roles that read monitoring: analysts and region-wide roles see everything as aggregates, a
/// municipality its territory, an organisation itself.
pub const READERS: &[Role] =
    &[Role::Admin, Role::Operator, Role::Analyst, Role::Integration, Role::Municipal, Role::Organization];

/// One indicator for one territory and year.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorRow {
    /// The definition.
    pub definition: Definition,
    /// The computed value.
    pub computed: Computed,
    /// The target of the year from the applicable agreement.
    pub target: Option<f64>,
    /// Attainment, per cent of the target.
    pub attainment: Option<f64>,
    /// The actual value reported against the agreement indicator for the year.
    pub reported: Option<f64>,
    /// Computed minus reported.
    pub difference: Option<f64>,
    /// The checklist behind the value (indicator 2), each criterion with whether it holds;
    /// empty for other measures.
    pub checklist: Vec<super::checklist::Criterion>,
}

/// One municipality of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct MunicipalityReport {
    /// Municipality code.
    pub municipality_code: String,
    /// Name.
    pub municipality_name: String,
    /// Indicators.
    pub indicators: Vec<IndicatorRow>,
    /// Network requests received by its organisations and overdue.
    pub overdue_requests: u64,
    /// Routes of its teachers by status (`None`: withheld by the disclosure rules).
    pub routes_by_status: BTreeMap<String, Option<u64>>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Year.
    pub year: i32,
    /// The region (or the caller's territory) as a whole.
    pub total: Vec<IndicatorRow>,
    /// Per municipality.
    pub municipalities: Vec<MunicipalityReport>,
}

fn check_year(year: i32) -> DomainResult<()> {
    if !(2000..=2100).contains(&year) {
        return Err(DomainError::field(
            "year",
            "out_of_range",
            Msg::new("Год вне диапазона 2000–2100", "The year is outside 2000–2100"),
        ));
    }
    Ok(())
}

/// Counts of every definition: numerator and denominator per municipality. The aggregate
/// statements are independent, so they are issued together: over a pool the report costs about
/// its slowest statement rather than the sum (each population is counted once).
async fn counts(
    repo: &dyn MonitoringRepository,
    scope: &Scope,
    t: &Territory,
    defs: &[Definition],
    year: i32,
) -> DomainResult<Vec<(Counts, Option<Counts>)>> {
    let mut wanted: Vec<super::Population> = defs.iter().filter_map(|d| d.denominator).collect();
    wanted.sort();
    wanted.dedup();
    let (nums, pops) = try_join(
        try_join_all(defs.iter().map(|d| repo.numerator(scope, t, d.numerator, window(d.accumulation, year)))),
        try_join_all(wanted.iter().map(|&p| repo.population(scope, t, p, year))),
    )
    .await?;
    let populations: BTreeMap<super::Population, Counts> = wanted.into_iter().zip(pops).collect();
    Ok(nums
        .into_iter()
        .zip(defs)
        .map(|(num, d)| (num, d.denominator.and_then(|p| populations.get(&p).cloned())))
        .collect())
}

fn pick(c: &Counts, municipality: Option<&str>) -> u64 {
    match municipality {
        Some(m) => c.get(m).copied().unwrap_or(0),
        None => c.get(super::WHOLE).copied().unwrap_or_else(|| c.values().sum()),
    }
}

/// Targets and reported values of the agreement applicable to a municipality in a year
/// (signed, not terminated, in force at some time in the year; the latest such), by
/// agreement key: the targets of the version in force on 31 December of the year, as the
/// agreement's own report takes them. Agreements are read by the agreements' rule
/// ([`reader_scope`]).
async fn agreement_figures(
    agreements: &dyn AgreementRepository,
    scope: &Scope,
    municipality: &str,
    year: i32,
) -> DomainResult<BTreeMap<String, (Option<f64>, Option<f64>)>> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
    let mut f = AgreementFilter::current();
    f.municipality_code = Some(municipality.to_owned());
    f.active_between = Some((first, last));
    let mut found = agreements.all(scope, &f).await?;
    found.retain(|a| a.lifecycle == Lifecycle::Signed);
    found.sort_by_key(|a| (a.document.valid_from, a.id));
    let Some(a) = found.pop() else { return Ok(BTreeMap::new()) };
    let (versions, values) = try_join(agreements.versions(scope, &[a.id]), agreements.values(scope, &[a.id])).await?;
    let doc = version_on(&versions, last).map_or(&a.document, |v| &v.document);
    Ok(doc
        .indicators
        .iter()
        .map(|i| {
            let reported = actual_for_year(&values, i.id, year).map(|v| v.value);
            (i.spec.key(), (i.spec.target(year), reported))
        })
        .collect())
}

/// The disclosure decisions of one definition, taken on the whole region: the persons each
/// place counts (the whole region, each municipality) and the places withheld. Empty for
/// figures that count no persons (events, schools).
#[derive(Debug, Default)]
struct Decision {
    counts: BTreeMap<Place, u64>,
    hidden: BTreeSet<Place>,
}

/// The persons a figure of `d` counts per municipality: its population of teachers, or its
/// numerator when it counts teachers with no population.
fn persons(d: &Definition, num: &Counts, den: Option<&Counts>) -> Option<Counts> {
    match d.denominator {
        Some(p) if p.of_persons() => den.cloned(),
        Some(_) => None,
        None => d.numerator.natural_population().is_some_and(super::Population::of_persons).then(|| num.clone()),
    }
}

fn place(code: &str) -> Place {
    Place::Municipality((!code.is_empty()).then(|| code.to_owned()))
}

/// Decisions per definition over the region's counts (`region`, counted in scope `All`): a
/// tree whole → municipalities under [`suppress_tree`]; regional organisations (`""`) have no
/// row of their own, so they count as withheld when their group is small.
fn decide(
    defs: &[Definition],
    region: &[(Counts, Option<Counts>)],
    years: &[Years],
    year: i32,
    min_group: u64,
) -> Vec<Decision> {
    defs.iter()
        .zip(region)
        .zip(years)
        .map(|((d, (num, den)), years)| {
            let Some(per) = persons(d, num, den.as_ref()) else { return Decision::default() };
            let grew = |m: Option<&str>| grew_by_a_small_group(years, m, year, min_group);
            let mut nodes = vec![Node { key: Place::Whole, parent: None, n: per.values().sum(), withheld: grew(None) }];
            nodes.extend(per.iter().filter(|(_, n)| **n > 0).map(|(code, n)| Node {
                key: place(code),
                parent: Some(Place::Whole),
                n: *n,
                // Regional organisations (`""`) have no row of their own: their group, derivable
                // as the whole minus the municipalities, is withheld when it is small (a ЦНППМ's
                // staff of enough people is published as the region's figure).
                withheld: (code.is_empty() && crate::disclosure::below_min_group(*n, min_group)) || grew(Some(code)),
            }));
            let hidden = suppress_tree(&nodes, min_group);
            Decision { counts: nodes.into_iter().map(|x| (x.key, x.n)).collect(), hidden }
        })
        .collect()
}

impl Decision {
    /// Whether a figure counting `per` (per municipality; `municipality`: one of them) is
    /// withheld. A figure that is a whole place (the region, a municipality) follows the tree;
    /// a part of one (an organisation, a narrower scope) is withheld when small, when its
    /// place is withheld, or when the rest of its place would be a small group.
    fn hides(&self, per: &Counts, municipality: Option<&str>, share: bool, min_group: u64) -> bool {
        if self.counts.is_empty() {
            return false;
        }
        let n = pick(per, municipality);
        if n == 0 {
            // A share of nobody has no value; a count of nobody is a plain zero.
            return share;
        }
        let inside: Vec<&String> = per.iter().filter(|(_, v)| **v > 0).map(|(k, _)| k).collect();
        let at = match (municipality, inside.as_slice()) {
            (Some(m), _) => place(m),
            (None, [one]) if self.counts.get(&Place::Whole) != Some(&n) => place(one),
            (None, _) => Place::Whole,
        };
        let whole = self.counts.get(&at).copied().unwrap_or(0);
        part_hidden(n, whole, self.hidden.contains(&at), min_group)
    }
}

/// The caller's counts with the disclosure decisions of the region and the counts of the
/// neighbouring years ([`Years`]) of the caller's own figures.
struct Own<'a> {
    counts: &'a [(Counts, Option<Counts>)],
    checklist: &'a [super::checklist::Criterion],
    decisions: &'a [Decision],
    years: &'a [Years],
    year: i32,
}

fn rows(
    defs: &[Definition],
    own: &Own<'_>,
    municipality: Option<&str>,
    figures: &BTreeMap<String, (Option<f64>, Option<f64>)>,
    min_group: u64,
) -> Vec<IndicatorRow> {
    defs.iter()
        .zip(own.counts)
        .zip(own.decisions)
        .zip(own.years)
        .map(|(((d, (num, den)), decision), years)| {
            // A share of an empty population has no value (no data, not 0 %, and nothing to
            // withhold). Only figures about persons are withheld (schools and events are not
            // personal data).
            let empty = den.as_ref().is_some_and(|c| pick(c, municipality) == 0);
            let hidden = !empty
                && persons(d, num, den.as_ref()).is_some_and(|per| {
                    decision.hides(&per, municipality, d.denominator.is_some(), min_group)
                        || grew_by_a_small_group(years, municipality, own.year, min_group)
                });
            let checklist = if d.numerator == super::Measure::RegionalSystemFunctions {
                own.checklist.to_vec()
            } else {
                Vec::new()
            };
            let computed = if !checklist.is_empty() {
                compute(super::checklist::value(&checklist), None, 0)
            } else if hidden {
                Computed::suppressed()
            } else {
                compute(pick(num, municipality), den.as_ref().map(|c| pick(c, municipality)), 0)
            };
            let (target, reported) =
                d.agreement_key.as_ref().and_then(|k| figures.get(k)).copied().unwrap_or((None, None));
            IndicatorRow {
                definition: d.clone(),
                attainment: attainment(computed.value, target),
                difference: match (computed.value, reported) {
                    (Some(v), Some(r)) => Some(((v - r) * 10.0).round() / 10.0),
                    _ => None,
                },
                computed,
                target,
                reported,
                checklist,
            }
        })
        .collect()
}

/// Routes per municipality and status as the report publishes them (`None`: withheld). Routes
/// are persons' routes, so the decisions are those of every count of persons, taken on the
/// whole region's table: the tree whole → municipality → its statuses ([`suppress_tree`];
/// routes of regional organisations have no row, so they count as withheld). A caller whose
/// scope is narrower than its municipality (an organisation) sees parts of the cells
/// ([`part_hidden`]).
pub fn routes_disclosed(
    own: &BTreeMap<(String, String), u64>,
    region: &BTreeMap<(String, String), u64>,
    min_group: u64,
) -> BTreeMap<(String, String), Option<u64>> {
    let mut nodes = vec![Node { key: (Place::Whole, None), parent: None, n: region.values().sum(), withheld: false }];
    let mut per: BTreeMap<&str, u64> = BTreeMap::new();
    for ((m, _), n) in region {
        *per.entry(m).or_default() += n;
    }
    nodes.extend(per.iter().map(|(m, n)| Node {
        key: (place(m), None),
        parent: Some((Place::Whole, None)),
        n: *n,
        withheld: m.is_empty(),
    }));
    nodes.extend(region.iter().map(|((m, status), n)| Node {
        key: (place(m), Some(status.clone())),
        parent: Some((place(m), None)),
        n: *n,
        withheld: false,
    }));
    let hidden = suppress_tree(&nodes, min_group);
    own.iter()
        .map(|((m, status), n)| {
            let key = (place(m), Some(status.clone()));
            let whole = region.get(&(m.clone(), status.clone())).copied().unwrap_or(0);
            let shown = !part_hidden(*n, whole, hidden.contains(&key), min_group);
            ((m.clone(), status.clone()), shown.then_some(*n))
        })
        .collect()
}

/// Cumulative counts of a definition in the years around the one asked for (empty for
/// definitions the cross-year rule does not concern).
type Years = BTreeMap<i32, Counts>;

/// Whether the figure of a place (`None`: the whole of the counts) in `year` is withheld by
/// the cross-year rule ([`growth_unsafe`]).
fn grew_by_a_small_group(years: &Years, municipality: Option<&str>, year: i32, min_group: u64) -> bool {
    if years.is_empty() {
        return false;
    }
    let series: BTreeMap<i32, u64> = years.iter().map(|(y, c)| (*y, pick(c, municipality))).collect();
    growth_unsafe(&series, year, min_group)
}

/// The counts a caller could compare across years: per definition that counts teachers with a
/// cumulative window (its count is the group and only grows), the counts of the years around
/// `year`, walked year by year until every place (the whole, each municipality) has met its
/// nearest earlier and later year with a different count, or the end of the years a caller may
/// ask for (2000–2100). Shares are not concerned: their group, the teachers, does not depend on
/// the year. Each step is one aggregate statement; data that grows every year needs two or three.
async fn neighbour_years(
    repo: &dyn MonitoringRepository,
    scope: &Scope,
    t: &Territory,
    defs: &[Definition],
    year: i32,
    counts: &[(Counts, Option<Counts>)],
) -> DomainResult<Vec<Years>> {
    let mut out = Vec::with_capacity(defs.len());
    for (d, (num, _)) in defs.iter().zip(counts) {
        let mut years = Years::new();
        let concerned = d.denominator.is_none()
            && d.accumulation == Accumulation::Cumulative
            && d.numerator.natural_population().is_some_and(super::Population::of_persons);
        if concerned {
            let places: Vec<Option<&str>> = std::iter::once(None).chain(num.keys().map(|k| Some(k.as_str()))).collect();
            let at = |c: &Counts, m: Option<&str>| pick(c, m);
            years.insert(year, num.clone());
            // Earlier years: a place is done once a year differs (or it counts nobody).
            let mut y = year - 1;
            while y >= 2000
                && places
                    .iter()
                    .any(|m| at(num, *m) > 0 && years.range(y + 1..year).all(|(_, c)| at(c, *m) == at(num, *m)))
            {
                years.insert(y, repo.numerator(scope, t, d.numerator, window(d.accumulation, y)).await?);
                y -= 1;
            }
            // Later years: a place is done once a year differs, or the last year does not.
            if year < 2100 {
                let last = repo.numerator(scope, t, d.numerator, window(d.accumulation, 2100)).await?;
                let mut y = year + 1;
                while y < 2100
                    && places.iter().any(|m| {
                        at(&last, *m) != at(num, *m) && years.range(year + 1..y).all(|(_, c)| at(c, *m) == at(num, *m))
                    })
                {
                    years.insert(y, repo.numerator(scope, t, d.numerator, window(d.accumulation, y)).await?);
                    y += 1;
                }
                years.insert(2100, last);
            }
        }
        out.push(years);
    }
    Ok(out)
}

/// The counts of the whole region (for the decisions) next to the caller's.
async fn region_counts(
    repo: &dyn MonitoringRepository,
    scope: &Scope,
    t: &Territory,
    defs: &[Definition],
    year: i32,
    own: &[(Counts, Option<Counts>)],
) -> DomainResult<Vec<(Counts, Option<Counts>)>> {
    if *scope == Scope::All && *t == Territory::default() {
        return Ok(own.to_vec());
    }
    counts(repo, &Scope::All, &Territory::default(), defs, year).await
}

/// The disclosure decisions of a year, taken on the whole region's counts and their
/// neighbouring years, and the neighbouring years of the caller's own counts.
async fn decisions(
    repo: &dyn MonitoringRepository,
    scope: &Scope,
    t: &Territory,
    defs: &[Definition],
    year: i32,
    own: &[(Counts, Option<Counts>)],
    min_group: u64,
) -> DomainResult<(Vec<Decision>, Vec<Years>)> {
    let region = region_counts(repo, scope, t, defs, year, own).await?;
    let region_years = neighbour_years(repo, &Scope::All, &Territory::default(), defs, year, &region).await?;
    let own_years = if *scope == Scope::All && *t == Territory::default() {
        region_years.clone()
    } else {
        neighbour_years(repo, scope, t, defs, year, own).await?
    };
    Ok((decide(defs, &region, &region_years, year, min_group), own_years))
}

/// The checklist of indicator 2 for a year, when a definition computes it (a regional figure:
/// every place shows the region's).
async fn checklist(
    repo: &dyn MonitoringRepository,
    defs: &[Definition],
    year: i32,
) -> DomainResult<Vec<super::checklist::Criterion>> {
    if defs.iter().any(|d| d.numerator == super::Measure::RegionalSystemFunctions) {
        Ok(super::checklist::criteria(&repo.checklist_facts(year).await?))
    } else {
        Ok(Vec::new())
    }
}

/// The territory the indicators are narrowed to, for roles that read monitoring: a municipal
/// authority's municipality (422 naming `municipality_id` for another kind) and/or one
/// organisation, each in the caller's scope (404 outside it).
pub async fn territory(
    orgs: &dyn OrganizationRepository,
    ctx: &Ctx,
    municipality_id: Option<uuid::Uuid>,
    organization_id: Option<uuid::Uuid>,
) -> DomainResult<Territory> {
    ctx.actor.require(READERS)?;
    let mut t = Territory { municipality_code: None, organization_id };
    if let Some(id) = municipality_id {
        let org = orgs.get(&ctx.actor.scope(), id).await?;
        match (org.kind, org.municipality_code) {
            (OrganizationKind::MunicipalAuthority, Some(code)) => t.municipality_code = Some(code),
            _ => {
                return Err(DomainError::field(
                    "municipality_id",
                    "not_municipal",
                    Msg::new(
                        "Организация не является муниципальным органом управления образованием",
                        "The organisation is not a municipal authority",
                    ),
                ));
            }
        }
    }
    if let Some(id) = organization_id {
        orgs.get(&ctx.actor.scope(), id).await?;
    }
    Ok(t)
}

/// The indicators of a year for the caller's scope, narrowed to a municipality or an
/// organisation. Targets and reconciliation come from the municipality's agreement (only when
/// the territory is one municipality: agreements are per municipality).
pub async fn indicators(
    repo: &dyn MonitoringRepository,
    agreements: &dyn AgreementRepository,
    ctx: &Ctx,
    year: i32,
    t: &Territory,
    min_group: u64,
) -> DomainResult<Vec<IndicatorRow>> {
    ctx.actor.require(READERS)?;
    check_year(year)?;
    let scope = ctx.actor.scope();
    let defs = super::active_definitions(repo).await?;
    let c = counts(repo, &scope, t, &defs, year).await?;
    let (decisions, years) = decisions(repo, &scope, t, &defs, year, &c, min_group).await?;
    let municipality = t.municipality_code.clone().or(match &scope {
        Scope::Municipality { municipality_code, .. } => Some(municipality_code.clone()),
        _ => None,
    });
    let figures = match (&municipality, t.organization_id) {
        (Some(m), None) => agreement_figures(agreements, &reader_scope(&ctx.actor), m, year).await?,
        _ => BTreeMap::new(),
    };
    let checklist = checklist(repo, &defs, year).await?;
    let own = Own { counts: &c, checklist: &checklist, decisions: &decisions, years: &years, year };
    Ok(rows(&defs, &own, None, &figures, min_group))
}

/// The repositories the report of a year uses (the `Deps` style, docs/API-DESIGN.md).
#[derive(Clone, Copy)]
pub struct Deps<'a> {
    /// Monitoring aggregates and definitions.
    pub monitoring: &'a dyn MonitoringRepository,
    /// Agreements (the municipalities' targets).
    pub agreements: &'a dyn AgreementRepository,
    /// Network requests (the overdue ones per municipality).
    pub requests: &'a dyn NetworkRequestRepository,
}

/// The report of a year: the whole territory in scope and every municipality in it.
pub async fn report(deps: Deps<'_>, ctx: &Ctx, year: i32, min_group: u64) -> DomainResult<Report> {
    let Deps { monitoring: repo, agreements, requests } = deps;
    ctx.actor.require(READERS)?;
    check_year(year)?;
    let scope = ctx.actor.scope();
    let defs = super::active_definitions(repo).await?;
    let t = Territory::default();
    let (c, names, routes, stats) = try_join4(
        counts(repo, &scope, &t, &defs, year),
        repo.municipalities(&scope),
        repo.routes_by_status(&scope, &t),
        requests.stats(&scope, Utc::now()),
    )
    .await?;
    let (decisions, years) = decisions(repo, &scope, &t, &defs, year, &c, min_group).await?;
    let checklist = checklist(repo, &defs, year).await?;
    let own = Own { counts: &c, checklist: &checklist, decisions: &decisions, years: &years, year };
    let region_routes =
        if scope == Scope::All { routes.clone() } else { repo.routes_by_status(&Scope::All, &t).await? };
    let routes = routes_disclosed(&routes, &region_routes, min_group);
    let mut municipalities = Vec::with_capacity(names.len());
    for (code, name) in names {
        let figures = agreement_figures(agreements, &reader_scope(&ctx.actor), &code, year).await?;
        municipalities.push(MunicipalityReport {
            indicators: rows(&defs, &own, Some(&code), &figures, min_group),
            overdue_requests: stats
                .municipalities
                .iter()
                .filter(|m| m.1.as_deref() == Some(code.as_str()))
                .map(|m| m.3.overdue)
                .sum(),
            routes_by_status: routes
                .iter()
                .filter(|((m, _), _)| *m == code)
                .map(|((_, s), n)| (s.clone(), *n))
                .collect(),
            municipality_code: code,
            municipality_name: name,
        });
    }
    Ok(Report { year, total: rows(&defs, &own, None, &BTreeMap::new(), min_group), municipalities })
}
