//! Suggestions for a person's open deficits: programmes ranked federal-registry first, then by
//! how many of the deficits they cover, then by form and by registry date, each with its reason.

use std::{cmp::Reverse, collections::HashMap};

use chrono::NaiveDate;
use uuid::Uuid;

use super::rules::Deps;
use crate::{
    DomainResult, Msg,
    auth::Ctx,
    development::{
        competencies::CompetencyRepository,
        diagnostics::{DeficitStatus, person_deficits},
        programs::{Program, StudyForm},
    },
};

wire_enum! {
    /// What is suggested.
    SuggestionKind {
        /// A programme (ДПП).
        Program = "program",
    }
}

/// One suggestion.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// What.
    pub kind: SuggestionKind,
    /// The programme.
    pub program_id: Uuid,
    /// Its title.
    pub title: String,
    /// In the federal registry.
    pub federal_registry: bool,
    /// Its form.
    pub form: StudyForm,
    /// Its hours.
    pub hours: i32,
    /// Open deficits it covers.
    pub covers: Vec<Uuid>,
    /// Why it is suggested, and why in this place.
    pub reason: Msg,
}

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

/// Ranks programmes for the open deficits (competency id → name).
pub fn rank_programs(
    deficits: &[(Uuid, String)],
    programs: Vec<Program>,
    preferred: Option<StudyForm>,
) -> Vec<Suggestion> {
    let names: HashMap<Uuid, &String> = deficits.iter().map(|(id, n)| (*id, n)).collect();
    let mut scored: Vec<(Program, Vec<Uuid>)> = programs
        .into_iter()
        .map(|p| {
            let covers: Vec<Uuid> = p.competency_ids.iter().copied().filter(|c| names.contains_key(c)).collect();
            (p, covers)
        })
        .filter(|(_, c)| !c.is_empty())
        .collect();
    scored.sort_by_key(|(p, c)| {
        (
            !p.federal_registry,
            Reverse(c.len()),
            form_rank(p.form, preferred),
            Reverse(p.registry_included_on.unwrap_or(NaiveDate::MIN)),
            p.hours,
            p.title.clone(),
        )
    });
    let total = deficits.len();
    scored
        .into_iter()
        .map(|(p, covers)| {
            let listed: Vec<&str> = covers.iter().filter_map(|c| names.get(c).map(|s| s.as_str())).collect();
            let (form_ru, form_en) = form_name(p.form);
            let (reg_ru, reg_en) = if p.federal_registry {
                (
                    format!("входит в федеральный реестр ДПП (№ {})", p.registry_id.clone().unwrap_or_default()),
                    format!("in the federal DPP registry (no. {})", p.registry_id.clone().unwrap_or_default()),
                )
            } else {
                ("не входит в федеральный реестр".to_owned(), "not in the federal registry".to_owned())
            };
            let pref_ru = if preferred == Some(p.form) { ", предпочтительная" } else { "" };
            let pref_en = if preferred == Some(p.form) { ", as preferred" } else { "" };
            let reason = Msg::new(
                format!(
                    "Закрывает {} из {} открытых дефицитов ({}); {}; форма — {}{}, {} ч.",
                    covers.len(),
                    total,
                    listed.join(", "),
                    reg_ru,
                    form_ru,
                    pref_ru,
                    p.hours
                ),
                format!(
                    "Covers {} of {} open deficits ({}); {}; form: {}{}, {} h.",
                    covers.len(),
                    total,
                    listed.join(", "),
                    reg_en,
                    form_en,
                    pref_en,
                    p.hours
                ),
            );
            Suggestion {
                kind: SuggestionKind::Program,
                program_id: p.id,
                title: p.title,
                federal_registry: p.federal_registry,
                form: p.form,
                hours: p.hours,
                covers,
                reason,
            }
        })
        .collect()
}

/// Suggestions for a person's open deficits (the results read are audited).
pub async fn suggest(
    d: Deps<'_>,
    comps: &dyn CompetencyRepository,
    ctx: &Ctx,
    person_id: Uuid,
    preferred: Option<StudyForm>,
) -> DomainResult<(Vec<Uuid>, Vec<Suggestion>)> {
    let deficits = person_deficits(d.diagnostics, d.audit, ctx, person_id, false).await?;
    let open: Vec<Uuid> =
        deficits.iter().filter(|x| x.status == DeficitStatus::Open).map(|x| x.competency_id).collect();
    if open.is_empty() {
        return Ok((open, Vec::new()));
    }
    let named: Vec<(Uuid, String)> = comps.get_many(&open).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let programs = d.programs.covering(&open).await?;
    Ok((open, rank_programs(&named, programs, preferred)))
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
        let ranked = rank_programs(
            &deficits,
            vec![
                program("regional both", false, vec![a, b], StudyForm::Blended),
                program("federal one in person", true, vec![a], StudyForm::InPerson),
                program("federal one distance", true, vec![b], StudyForm::Distance),
                program("unrelated", true, vec![Uuid::now_v7()], StudyForm::Distance),
            ],
            None,
        );
        let titles: Vec<&str> = ranked.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, vec!["federal one distance", "federal one in person", "regional both"]);
        assert!(ranked[2].reason.en.contains("Covers 2 of 2"));
    }

    #[test]
    fn a_preferred_form_goes_before_others_of_equal_coverage() {
        let a = Uuid::now_v7();
        let ranked = rank_programs(
            &[(a, "ИКТ".to_owned())],
            vec![program("d", true, vec![a], StudyForm::Distance), program("p", true, vec![a], StudyForm::InPerson)],
            Some(StudyForm::InPerson),
        );
        assert_eq!(ranked[0].title, "p");
        assert!(ranked[0].reason.ru.contains("предпочтительная"));
    }
}
