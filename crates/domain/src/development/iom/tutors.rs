//! Tutor candidates with their load (issue 17 item 4): those who assign tutors see the tutors
//! serving a person's territory (the rule that refuses others on a route), each with the number
//! of live routes she tutors.

use std::collections::HashMap;

use uuid::Uuid;

use super::rules::{BUILDERS, Deps, RouteTutor, not_found, tutor_view};
use crate::{
    DomainError, DomainResult, FieldError,
    auth::{Ctx, Scope},
    organizations::Organization,
    page::PageRequest,
    persons::{PersonFilter, PersonRole},
};

/// A tutor who may be assigned to a person's route, with her current load.
#[derive(Debug, Clone, PartialEq)]
pub struct TutorCandidate {
    /// The tutor as a route shows her (name, position, her organisation's work contacts).
    pub tutor: RouteTutor,
    /// Live routes she tutors: draft, in review, approved or in progress (completed and
    /// cancelled ones are not a load).
    pub active_routes: u64,
}

/// The tutors who may be assigned to `person_id`'s route — persons with role tutor whose
/// organisation serves the person's territory ([`Organization::serves`]: the region's ЦНППМ or a
/// municipal organisation of her municipality), the person herself excepted — least loaded first,
/// then by name. Only those who build routes (not teachers, not tutors); the person must be in
/// the caller's scope (else 422 naming `person_id`).
pub async fn tutor_candidates(d: Deps<'_>, ctx: &Ctx, person_id: Option<Uuid>) -> DomainResult<Vec<TutorCandidate>> {
    ctx.actor.require(BUILDERS)?;
    let Some(person_id) = person_id else {
        return Err(DomainError::Validation(vec![FieldError::required("person_id")]));
    };
    let person = match d.persons.get(&ctx.actor.scope(), person_id).await {
        Ok(p) => p,
        Err(DomainError::NotFound) => {
            return Err(DomainError::Validation(vec![not_found("person_id", "Человек не найден", "Unknown person")]));
        }
        Err(other) => return Err(other),
    };
    let place = d.organizations.get(&Scope::All, person.organization_id).await?;
    let filter = PersonFilter { role: Some(PersonRole::Tutor), ..PersonFilter::default() };
    let mut orgs: HashMap<Uuid, Organization> = HashMap::new();
    let mut tutors = Vec::new();
    let mut page = PageRequest { limit: 500, ..PageRequest::default() };
    loop {
        let found = d.persons.list(&Scope::All, &filter, page.clone()).await?;
        for p in found.items {
            if p.id == person_id {
                continue;
            }
            if !orgs.contains_key(&p.organization_id) {
                let o = d.organizations.get(&Scope::All, p.organization_id).await?;
                orgs.insert(o.id, o);
            }
            if let Some(o) = orgs.get(&p.organization_id)
                && o.serves(&place.region_code, place.municipality_code.as_deref())
            {
                tutors.push(tutor_view(&p, o));
            }
        }
        match found.next_after {
            Some(after) => page.after = Some(after),
            None => break,
        }
    }
    let ids: Vec<Uuid> = tutors.iter().map(|t| t.id).collect();
    let loads = d.routes.tutor_loads(&ids).await?;
    let mut out: Vec<TutorCandidate> = tutors
        .into_iter()
        .map(|t| TutorCandidate { active_routes: loads.get(&t.id).copied().unwrap_or(0), tutor: t })
        .collect();
    out.sort_by(|a, b| (a.active_routes, &a.tutor.full_name).cmp(&(b.active_routes, &b.tutor.full_name)));
    Ok(out)
}
