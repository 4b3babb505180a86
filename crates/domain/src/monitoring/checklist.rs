//! Indicator 2 of the appendix (issue 16.1): «сформирована и функционирует» система
//! научно-методического сопровождения — a documented checklist computed from the registry and
//! the activity of the year. The indicator is `1` when every criterion holds, else `0`; each
//! criterion is shown with whether it holds.
//!
//! The criteria (BU 2.2–2.3, DOMAIN §2):
//! 1. `participants` — the participants a functioning system needs are registered and open in
//!    the year: the regional authority, the regional institute and a ЦНППМ;
//! 2. `municipal_services` — every municipality (with a municipal authority) has a municipal
//!    methodological service;
//! 3. `responsible_persons` — every open organisation of a kind that names a responsible person
//!    ([`OrganizationKind::names_responsible_person`](crate::organizations::OrganizationKind))
//!    has one named;
//! 4. `regional_events` — at least one regional-level event was held in the year;
//! 5. `professional_development` — someone completed a route step with a programme in the year.

use serde::{Deserialize, Serialize};

use crate::Msg;

/// The facts of a year the checklist is computed from (counted by the repository).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChecklistFacts {
    /// Open regional authorities.
    pub regional_authorities: u64,
    /// Open regional institutes.
    pub regional_institutes: u64,
    /// Open ЦНППМ.
    pub cnppms: u64,
    /// Municipalities with a municipal authority.
    pub municipalities: u64,
    /// Of them, those with a municipal methodological service.
    pub municipalities_with_service: u64,
    /// Open organisations that must name a responsible person and name none.
    pub responsible_missing: u64,
    /// Regional-level events started in the year.
    pub regional_events: u64,
    /// Route steps with a programme done in the year.
    pub programme_steps_done: u64,
}

/// One criterion of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// Stable code.
    pub code: String,
    /// What it requires (ru/en).
    pub name: Msg,
    /// Whether it holds in the year.
    pub holds: bool,
}

fn criterion(code: &str, ru: &str, en: &str, holds: bool) -> Criterion {
    Criterion { code: code.into(), name: Msg::new(ru, en), holds }
}

/// The criteria of a year, in the documented order.
pub fn criteria(f: &ChecklistFacts) -> Vec<Criterion> {
    vec![
        criterion(
            "participants",
            "Есть участники системы: региональный орган управления образованием, институт развития образования, ЦНППМ",
            "The participants exist: the regional authority, the regional institute and a ЦНППМ",
            f.regional_authorities > 0 && f.regional_institutes > 0 && f.cnppms > 0,
        ),
        criterion(
            "municipal_services",
            "В каждом муниципалитете есть муниципальная методическая служба",
            "Every municipality has a municipal methodological service",
            f.municipalities > 0 && f.municipalities_with_service >= f.municipalities,
        ),
        criterion(
            "responsible_persons",
            "Ответственные лица назначены во всех организациях, которые их назначают",
            "Responsible persons are named in every organisation that names one",
            f.responsible_missing == 0,
        ),
        criterion(
            "regional_events",
            "В году проведено хотя бы одно мероприятие регионального уровня",
            "At least one regional-level event was held in the year",
            f.regional_events > 0,
        ),
        criterion(
            "professional_development",
            "В году завершено хотя бы одно повышение квалификации по программе",
            "Someone completed a programme in the year",
            f.programme_steps_done > 0,
        ),
    ]
}

/// The indicator's value: `1` when every criterion holds.
pub fn value(criteria: &[Criterion]) -> u64 {
    u64::from(!criteria.is_empty() && criteria.iter().all(|c| c.holds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_functions_only_when_every_criterion_holds() {
        let all = ChecklistFacts {
            regional_authorities: 1,
            regional_institutes: 1,
            cnppms: 1,
            municipalities: 2,
            municipalities_with_service: 2,
            responsible_missing: 0,
            regional_events: 3,
            programme_steps_done: 1,
        };
        assert_eq!(value(&criteria(&all)), 1);
        let c = criteria(&ChecklistFacts { municipalities_with_service: 1, ..all });
        assert_eq!(value(&c), 0);
        assert_eq!(c.iter().filter(|c| !c.holds).map(|c| c.code.as_str()).collect::<Vec<_>>(), ["municipal_services"]);
    }
}
