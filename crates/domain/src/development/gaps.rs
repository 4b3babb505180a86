//! Gaps in the offer (issue 17, LO 5.5, RO 3.2.3): the deficits of the diagnostics analytics
//! (competency × territory) that nothing current in the region's offer covers.
//!
//! The cells and their counts are exactly those of [`diagnostics_analytics`] (same roles, scope,
//! periods and disclosure decisions), so the list publishes nothing the analytics does not. A
//! cell is listed when no current offer covers its competency in its territory and either its
//! published count of persons with a deficit is above zero, or it is withheld (a withheld cell
//! is listed whatever it holds, so that a listing never tells a small group's deficits).
//!
//! **Covers** — an offer covers competency C in a territory when it develops C and is current:
//! - a programme (ДПП) in the catalogue developing C: one in the federal registry covers every
//!   territory; another one the territory its developer serves (programmes have no dates: every
//!   catalogue programme is current);
//! - an event developing C dated today or later, in the territory its organiser serves;
//! - an internship site offering C whose period is not over (last day today or later), in the
//!   territory its organisation serves;
//! - a mentor: a mentoring pair working on C that is not over (open-ended, or its last day today
//!   or later), in the territory of the organisation where the mentoring takes place.
//!
//! The territory an organisation serves is [`Organization::serves`]: a regional one (the ЦНППМ,
//! no municipality) its whole region, a municipal one its municipality. "Today" is the region's
//! day, given by the caller.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use uuid::Uuid;

use crate::{
    DomainError, DomainResult, Msg,
    auth::{Ctx, Scope},
    development::{
        competencies::CompetencyRepository,
        diagnostics::{AnalyticsCell, DiagnosticRepository, GroupBy, diagnostics_analytics},
        events::{OfferingKind, OfferingRepository},
        mentoring::MentoringRepository,
        programs::ProgramRepository,
    },
    organizations::{Organization, OrganizationFilter, OrganizationRepository},
    page::PageRequest,
};

/// The repositories the gaps read.
#[derive(Clone, Copy)]
pub struct GapDeps<'a> {
    /// Diagnostics (the analytics).
    pub diagnostics: &'a dyn DiagnosticRepository,
    /// Competency names.
    pub competencies: &'a dyn CompetencyRepository,
    /// Programmes.
    pub programs: &'a dyn ProgramRepository,
    /// Events and internship sites.
    pub offerings: &'a dyn OfferingRepository,
    /// Mentoring pairs.
    pub mentoring: &'a dyn MentoringRepository,
    /// Organisations (territories).
    pub organizations: &'a dyn OrganizationRepository,
}

/// Where the offer of a competency is: everywhere (a federal-registry programme) or at the
/// organisations that run it.
#[derive(Default)]
struct Offer {
    everywhere: HashSet<Uuid>,
    at: Vec<(Uuid, Uuid)>,
}

impl Offer {
    fn add(&mut self, competencies: &[Uuid], asked: &HashSet<Uuid>, organization_id: Uuid) {
        for c in competencies.iter().filter(|c| asked.contains(c)) {
            self.at.push((*c, organization_id));
        }
    }
}

/// The current offer of the competencies asked (see the module's definition of "covers").
async fn current_offer(d: GapDeps<'_>, asked: &HashSet<Uuid>, today: NaiveDate) -> DomainResult<Offer> {
    let ids: Vec<Uuid> = asked.iter().copied().collect();
    let mut offer = Offer::default();
    for p in d.programs.covering(&ids).await? {
        if p.federal_registry {
            offer.everywhere.extend(p.competency_ids.iter().filter(|c| asked.contains(c)));
        } else {
            offer.add(&p.competency_ids, asked, p.developer_id);
        }
    }
    for kind in [OfferingKind::Event, OfferingKind::InternshipSite] {
        for o in d.offerings.covering(kind, &ids, today).await? {
            offer.add(&o.competency_ids, asked, o.organization_id);
        }
    }
    for pair in d.mentoring.running(&ids, today).await? {
        offer.add(&pair.competency_ids, asked, pair.organization_id);
    }
    Ok(offer)
}

/// The region of a municipality (read from an organisation in it).
async fn region_of(d: GapDeps<'_>, municipality: &str) -> DomainResult<Option<String>> {
    let filter =
        OrganizationFilter { municipality_code: Some(municipality.to_owned()), ..OrganizationFilter::default() };
    let page = d.organizations.list(&Scope::All, &filter, PageRequest { limit: 1, ..PageRequest::default() }).await?;
    Ok(page.items.into_iter().next().map(|o| o.region_code))
}

/// The territory of a cell: its region (`None` when unknown: the regional level) and
/// municipality.
async fn territory(
    d: GapDeps<'_>,
    group_by: GroupBy,
    key: Option<&str>,
) -> DomainResult<(Option<String>, Option<String>)> {
    match (group_by, key) {
        (GroupBy::Organization, Some(k)) => {
            let Ok(id) = k.parse::<Uuid>() else { return Ok((None, None)) };
            match d.organizations.get(&Scope::All, id).await {
                Ok(o) => Ok((Some(o.region_code), o.municipality_code)),
                Err(DomainError::NotFound) => Ok((None, None)),
                Err(other) => Err(other),
            }
        }
        (_, Some(m)) => Ok((region_of(d, m).await?, Some(m.to_owned()))),
        (_, None) => Ok((None, None)),
    }
}

/// Whether an organisation of the offer covers a territory; a territory of unknown region (the
/// regional level) is covered by any regional organisation.
fn covers(o: &Organization, region: Option<&str>, municipality: Option<&str>) -> bool {
    match region {
        Some(r) => o.serves(r, municipality),
        None => o.municipality_code.is_none(),
    }
}

/// Deficits (competency × municipality or organisation, whole calendar quarters) that no current
/// programme, event, internship site or mentor covers, with the analytics' counts under its
/// disclosure rules. Same roles and scope as the analytics; `group_by` `subject` is refused (a
/// subject has no territory).
pub async fn offer_gaps(
    d: GapDeps<'_>,
    ctx: &Ctx,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    group_by: GroupBy,
    min_group: u64,
) -> DomainResult<(NaiveDate, Vec<AnalyticsCell>)> {
    let today = crate::clock::region_today();
    if group_by == GroupBy::Subject {
        return Err(DomainError::field(
            "group_by",
            "not_a_territory",
            Msg::new(
                "Пробелы предложения — по территории: municipality или organization",
                "Gaps in the offer are by territory: municipality or organization",
            ),
        ));
    }
    let cells: Vec<AnalyticsCell> =
        diagnostics_analytics(d.diagnostics, d.competencies, ctx, from, to, group_by, min_group)
            .await?
            .into_iter()
            .filter(|c| c.suppressed || c.with_deficit.is_some_and(|n| n > 0))
            .collect();
    let asked: HashSet<Uuid> = cells.iter().map(|c| c.competency_id).collect();
    if asked.is_empty() {
        return Ok((today, cells));
    }
    let offer = current_offer(d, &asked, today).await?;
    let ids: Vec<Uuid> = offer.at.iter().map(|(_, o)| *o).collect::<HashSet<_>>().into_iter().collect();
    let orgs: HashMap<Uuid, Organization> =
        d.organizations.get_many(&Scope::All, &ids).await?.into_iter().map(|o| (o.id, o)).collect();
    let mut places: HashMap<Option<String>, (Option<String>, Option<String>)> = HashMap::new();
    let mut out = Vec::new();
    for cell in cells {
        if offer.everywhere.contains(&cell.competency_id) {
            continue;
        }
        let place = match places.get(&cell.group_key) {
            Some(p) => p.clone(),
            None => {
                let p = territory(d, group_by, cell.group_key.as_deref()).await?;
                places.insert(cell.group_key.clone(), p.clone());
                p
            }
        };
        let covered = offer.at.iter().any(|(c, o)| {
            *c == cell.competency_id && orgs.get(o).is_some_and(|o| covers(o, place.0.as_deref(), place.1.as_deref()))
        });
        if !covered {
            out.push(cell);
        }
    }
    Ok((today, out))
}
