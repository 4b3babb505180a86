//! Suggestions for a person's open deficits: programmes ranked federal-registry first, then by
//! how many of the deficits they cover, then by form and by registry date, each with its reason.

use std::{
    cmp::Reverse,
    collections::{HashMap, HashSet},
};

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use super::rules::Deps;
use crate::{
    DomainResult, Msg,
    auth::Ctx,
    development::{
        competencies::CompetencyRepository,
        diagnostics::{DeficitStatus, MentorCandidate, person_deficits},
        events::{Offering, OfferingKind, OfferingRepository},
        programs::{Program, StudyForm},
    },
};

wire_enum! {
    /// What is suggested.
    SuggestionKind {
        /// A programme (ДПП).
        Program = "program",
        /// An internship site (стажировочная площадка).
        InternshipSite = "internship_site",
        /// A methodological event.
        Event = "event",
        /// A mentor nearby whose results show the competency at level.
        Mentor = "mentor",
    }
}

/// One suggestion.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// What.
    pub kind: SuggestionKind,
    /// The programme, site or event.
    pub id: Uuid,
    /// Its title (theme of a site).
    pub title: String,
    /// A programme in the federal registry.
    pub federal_registry: bool,
    /// Form of a programme.
    pub form: Option<StudyForm>,
    /// Hours of a programme.
    pub hours: Option<i32>,
    /// Date of an event, first day of a site.
    pub starts_on: Option<NaiveDate>,
    /// Open deficits it covers.
    pub covers: Vec<Uuid>,
    /// Why it is suggested, and why in this place.
    pub reason: Msg,
}

/// Sort key: not a federal programme, coverage (descending), form rank, date key.
type RankKey = (bool, Reverse<usize>, u8, i64);

fn form_rank(form: StudyForm, preferred: Option<StudyForm>) -> u8 {
    match preferred {
        Some(p) if p == form => 0,
        Some(_) => 1,
        // Without a preference, forms that need no travel come first (rural schools).
        None => match form {
            StudyForm::Blended => 0,
            StudyForm::Distance => 1,
            StudyForm::InPerson => 2,
        },
    }
}

fn form_name(f: StudyForm) -> (&'static str, &'static str) {
    match f {
        StudyForm::InPerson => ("очная", "in person"),
        StudyForm::Distance => ("дистанционная", "distance"),
        StudyForm::Blended => ("смешанная", "blended"),
    }
}

fn covers(ids: &[Uuid], names: &HashMap<Uuid, &String>) -> Vec<Uuid> {
    ids.iter().copied().filter(|c| names.contains_key(c)).collect()
}

fn coverage_text(covers: &[Uuid], total: usize, names: &HashMap<Uuid, &String>) -> (String, String) {
    let listed: Vec<&str> = covers.iter().filter_map(|c| names.get(c).map(|s| s.as_str())).collect();
    (
        format!("Закрывает {} из {} открытых дефицитов ({})", covers.len(), total, listed.join(", ")),
        format!("Covers {} of {} open deficits ({})", covers.len(), total, listed.join(", ")),
    )
}

/// Ranks programmes, internship sites and events for the open deficits (competency id →
/// name): federal-registry programmes first, then by how many deficits each covers, then by
/// form (a preferred one, else blended, distance, in person), then by date (the newest registry
/// entry; the soonest event or site).
pub fn rank_suggestions(
    deficits: &[(Uuid, String)],
    programs: Vec<Program>,
    offerings: Vec<Offering>,
    mentors: Vec<MentorCandidate>,
    preferred: Option<StudyForm>,
) -> Vec<Suggestion> {
    let names: HashMap<Uuid, &String> = deficits.iter().map(|(id, n)| (*id, n)).collect();
    let total = deficits.len();
    let mut ranked: Vec<(RankKey, Suggestion)> = Vec::new();
    for p in programs {
        let c = covers(&p.competency_ids, &names);
        if c.is_empty() {
            continue;
        }
        let (cov_ru, cov_en) = coverage_text(&c, total, &names);
        let (form_ru, form_en) = form_name(p.form);
        let (reg_ru, reg_en) = if p.federal_registry {
            (
                format!("входит в федеральный реестр ДПП (№ {})", p.registry_id.clone().unwrap_or_default()),
                format!("in the federal DPP registry (no. {})", p.registry_id.clone().unwrap_or_default()),
            )
        } else {
            ("не входит в федеральный реестр".to_owned(), "not in the federal registry".to_owned())
        };
        let pref = preferred == Some(p.form);
        let reason = Msg::new(
            format!(
                "{cov_ru}; {reg_ru}; форма — {form_ru}{}, {} ч.",
                if pref { ", предпочтительная" } else { "" },
                p.hours
            ),
            format!("{cov_en}; {reg_en}; form: {form_en}{}, {} h.", if pref { ", as preferred" } else { "" }, p.hours),
        );
        let date = -p.registry_included_on.map_or(i64::from(i32::MIN), |d| i64::from(d.num_days_from_ce()));
        ranked.push((
            (!p.federal_registry, Reverse(c.len()), form_rank(p.form, preferred), date),
            Suggestion {
                kind: SuggestionKind::Program,
                id: p.id,
                title: p.title,
                federal_registry: p.federal_registry,
                form: Some(p.form),
                hours: Some(p.hours),
                starts_on: None,
                covers: c,
                reason,
            },
        ));
    }
    for o in offerings {
        let c = covers(&o.competency_ids, &names);
        if c.is_empty() {
            continue;
        }
        let (cov_ru, cov_en) = coverage_text(&c, total, &names);
        let (kind, ru, en) = match o.offering {
            OfferingKind::Event => (
                SuggestionKind::Event,
                format!("{cov_ru}; мероприятие {}", o.starts_on.format("%d.%m.%Y")),
                format!("{cov_en}; event on {}", o.starts_on),
            ),
            OfferingKind::InternshipSite => (
                SuggestionKind::InternshipSite,
                format!(
                    "{cov_ru}; стажировочная площадка с {} по {}, мест: {}",
                    o.starts_on.format("%d.%m.%Y"),
                    o.ends_on.map(|d| d.format("%d.%m.%Y").to_string()).unwrap_or_default(),
                    o.capacity.unwrap_or_default()
                ),
                format!(
                    "{cov_en}; internship site from {} to {}, {} places",
                    o.starts_on,
                    o.ends_on.map(|d| d.to_string()).unwrap_or_default(),
                    o.capacity.unwrap_or_default()
                ),
            ),
        };
        ranked.push((
            (true, Reverse(c.len()), 1, i64::from(o.starts_on.num_days_from_ce())),
            Suggestion {
                kind,
                id: o.id,
                title: o.title,
                federal_registry: false,
                form: None,
                hours: None,
                starts_on: Some(o.starts_on),
                covers: c,
                reason: Msg::new(ru, en),
            },
        ));
    }
    for m in mentors {
        let c = covers(&m.competency_ids, &names);
        if c.is_empty() {
            continue;
        }
        let listed: Vec<&str> = c.iter().filter_map(|x| names.get(x).map(|s| s.as_str())).collect();
        let reason = Msg::new(
            format!(
                "Наставник из того же муниципалитета: по результатам диагностики на уровне по {} из {} дефицитов ({})",
                c.len(),
                total,
                listed.join(", ")
            ),
            format!(
                "A mentor from the same municipality, at level by diagnostics in {} of {} deficits ({})",
                c.len(),
                total,
                listed.join(", ")
            ),
        );
        ranked.push((
            (true, Reverse(c.len()), 1, i64::MAX),
            Suggestion {
                kind: SuggestionKind::Mentor,
                id: m.person_id,
                title: m.full_name,
                federal_registry: false,
                form: None,
                hours: None,
                starts_on: None,
                covers: c,
                reason,
            },
        ));
    }
    ranked.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.title.cmp(&b.1.title)));
    ranked.into_iter().map(|(_, s)| s).collect()
}

/// Suggestions for a person's open deficits (the results read are audited). Events and sites
/// already over by `today` are left out; mentors only when the caller may read their results.
pub async fn suggest(
    d: Deps<'_>,
    comps: &dyn CompetencyRepository,
    offerings: &dyn OfferingRepository,
    ctx: &Ctx,
    person_id: Uuid,
    preferred: Option<StudyForm>,
) -> DomainResult<(Vec<Uuid>, Vec<Suggestion>)> {
    let today = crate::clock::region_today();
    let deficits = person_deficits(d.diagnostics, d.audit, ctx, person_id, false).await?;
    let open: Vec<Uuid> =
        deficits.iter().filter(|x| x.status == DeficitStatus::Open).map(|x| x.competency_id).collect();
    if open.is_empty() {
        return Ok((open, Vec::new()));
    }
    let named: Vec<(Uuid, String)> = comps.get_many(&open).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let programs = d.programs.covering(&open).await?;
    let mut found = offerings.covering(OfferingKind::InternshipSite, &open, today).await?;
    found.extend(offerings.covering(OfferingKind::Event, &open, today).await?);
    // A mentor is named with the competencies her results show: only to a caller who may read
    // her results (the same rule as reading them), never by this derived view alone.
    let mut mentors = d.diagnostics.mentors_at_level(person_id, &open).await?;
    let ids: Vec<Uuid> = mentors.iter().map(|m| m.person_id).collect();
    let readable =
        if ids.is_empty() { HashSet::new() } else { d.diagnostics.visible_persons(&ctx.actor.scope(), &ids).await? };
    mentors.retain(|m| readable.contains(&m.person_id));
    let shown: Vec<Uuid> = mentors.iter().flat_map(|m| m.result_ids.iter().copied()).collect();
    if !shown.is_empty() {
        d.audit.record_reads(ctx, "diagnostic_result", &shown).await?;
    }
    Ok((open, rank_suggestions(&named, programs, found, mentors, preferred)))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::development::programs::ProgramKind;

    fn program(title: &str, federal: bool, comps: Vec<Uuid>, form: StudyForm) -> Program {
        Program {
            id: Uuid::now_v7(),
            title: title.into(),
            kind: ProgramKind::QualificationUpgrade,
            hours: 36,
            form,
            developer_id: Uuid::nil(),
            audience: None,
            annotation: None,
            planned_results: None,
            competency_ids: comps,
            federal_registry: federal,
            registry_id: federal.then(|| "R-1".into()),
            registry_included_on: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        }
    }

    #[test]
    fn federal_registry_first_then_coverage_then_form() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let deficits = vec![(a, "ИКТ".to_owned()), (b, "Оценивание".to_owned())];
        let ranked = rank_suggestions(
            &deficits,
            vec![
                program("regional both", false, vec![a, b], StudyForm::Blended),
                program("federal one in person", true, vec![a], StudyForm::InPerson),
                program("federal one distance", true, vec![b], StudyForm::Distance),
                program("unrelated", true, vec![Uuid::now_v7()], StudyForm::Distance),
            ],
            Vec::new(),
            Vec::new(),
            None,
        );
        let titles: Vec<&str> = ranked.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, vec!["federal one distance", "federal one in person", "regional both"]);
        assert!(ranked[2].reason.en.contains("Covers 2 of 2"));
    }

    #[test]
    fn events_and_sites_rank_after_federal_programmes_by_coverage_then_date() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let deficits = vec![(a, "ИКТ".to_owned()), (b, "Оценивание".to_owned())];
        let offering = |title: &str, kind, comps: Vec<Uuid>, day: u32| Offering {
            id: Uuid::now_v7(),
            offering: kind,
            title: title.into(),
            kind: None,
            level: None,
            starts_on: NaiveDate::from_ymd_opt(2026, 3, day).unwrap_or_default(),
            ends_on: None,
            organization_id: Uuid::nil(),
            competency_ids: comps,
            participants: None,
            capacity: Some(5),
            decision: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        };
        let ranked = rank_suggestions(
            &deficits,
            vec![program("federal", true, vec![a], StudyForm::Distance)],
            vec![
                offering("late event", OfferingKind::Event, vec![a], 20),
                offering("early event", OfferingKind::Event, vec![a], 10),
                offering("site for both", OfferingKind::InternshipSite, vec![a, b], 25),
            ],
            Vec::new(),
            None,
        );
        let titles: Vec<&str> = ranked.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, vec!["federal", "site for both", "early event", "late event"]);
        assert_eq!(ranked[1].kind, SuggestionKind::InternshipSite);
        assert!(ranked[1].reason.ru.contains("мест: 5"));
    }

    #[test]
    fn a_preferred_form_goes_before_others_of_equal_coverage() {
        let a = Uuid::now_v7();
        let ranked = rank_suggestions(
            &[(a, "ИКТ".to_owned())],
            vec![program("d", true, vec![a], StudyForm::Distance), program("p", true, vec![a], StudyForm::InPerson)],
            Vec::new(),
            Vec::new(),
            Some(StudyForm::InPerson),
        );
        assert_eq!(ranked[0].title, "p");
        assert!(ranked[0].reason.ru.contains("предпочтительная"));
    }
}
