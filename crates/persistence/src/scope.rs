//! The caller's [`Scope`] as query conditions: scope is enforced inside every query.

use rsnms_domain::auth::Scope;
use sea_orm::{
    ColumnTrait, Condition,
    sea_query::{Expr, Query, SelectStatement},
};
use uuid::Uuid;

use crate::entities::{organizations, persons};

fn nothing() -> Condition {
    Condition::all().add(Expr::cust("1 = 0"))
}

fn orgs_where(cond: Condition) -> SelectStatement {
    Query::select().column(organizations::Column::Id).from(organizations::Entity).cond_where(cond).to_owned()
}

/// Organisations visible in the scope.
pub fn organizations(scope: &Scope) -> Condition {
    use organizations::Column as C;
    match scope {
        Scope::All => Condition::all(),
        Scope::Municipality { region_code, municipality_code } => Condition::all()
            .add(C::RegionCode.eq(region_code.as_str()))
            .add(C::MunicipalityCode.eq(municipality_code.as_str())),
        Scope::Organization(id) => Condition::any().add(C::Id.eq(*id)).add(C::ParentId.eq(*id)),
        Scope::Person { organization_id: Some(o), .. } => Condition::all().add(C::Id.eq(*o)),
        Scope::Person { organization_id: None, .. } | Scope::Nothing => nothing(),
    }
}

/// Organisation ids visible in the scope, as a sub-query condition on a column that holds an
/// organisation id (e.g. `persons.organization_id`).
pub fn organization_column<Col: ColumnTrait>(scope: &Scope, col: Col) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::Organization(id) => Condition::any()
            .add(col.eq(*id))
            .add(col.in_subquery(orgs_where(Condition::all().add(organizations::Column::ParentId.eq(*id))))),
        Scope::Nothing => nothing(),
        other => Condition::all().add(col.in_subquery(orgs_where(organizations(other)))),
    }
}

/// Persons visible in the scope.
/// A person sees themselves and, as a tutor, the persons whose live (not cancelled) routes they
/// tutor.
pub fn persons(scope: &Scope) -> Condition {
    match scope {
        Scope::Person { person_id, .. } => Condition::any()
            .add(persons::Column::Id.eq(*person_id))
            .add(persons::Column::Id.in_subquery(learners(*person_id))),
        other => organization_column(other, persons::Column::OrganizationId),
    }
}

/// The persons whose live (not cancelled) routes a person tutors, as a sub-query of ids: what
/// [`persons`] adds for a tutor, and the feed too ([`changes`]), read at the moment of reading.
fn learners(tutor_id: Uuid) -> SelectStatement {
    use crate::entities::development::individual_routes as routes;
    Query::select()
        .column(routes::Column::PersonId)
        .from(routes::Entity)
        .and_where(routes::Column::TutorId.eq(tutor_id))
        .and_where(routes::Column::Status.ne("cancelled"))
        .to_owned()
}

/// Outbox events visible in the scope, by the scope columns every event carries: the region
/// and municipality, the organisation (and, for an organisation, its direct subdivisions), or
/// the person (and a person's own organisation) — or by the same columns of the event's
/// counterpart party (a tutor, a mentor), when it has one.
pub fn changes(scope: &Scope) -> Condition {
    use crate::entities::outbox_feed::Column as C;
    let party = |region: C, municipality: C, organization: C| match scope {
        Scope::Municipality { region_code, municipality_code } => {
            Condition::all().add(region.eq(region_code.as_str())).add(municipality.eq(municipality_code.as_str()))
        }
        Scope::Organization(id) => Condition::any()
            .add(organization.eq(*id))
            .add(organization.in_subquery(orgs_where(Condition::all().add(organizations::Column::ParentId.eq(*id))))),
        _ => nothing(),
    };
    match scope {
        Scope::All => Condition::all(),
        Scope::Municipality { .. } | Scope::Organization(_) => Condition::any()
            .add(party(C::RegionCode, C::MunicipalityCode, C::OrganizationId))
            .add(party(C::CounterpartRegionCode, C::CounterpartMunicipalityCode, C::CounterpartOrganizationId)),
        // A person reads the events about themselves, as a tutor the person and result events
        // of her learners (the rule of `persons`, applied when the feed is read), and, as
        // `organizations` lets them, their organisation itself.
        Scope::Person { person_id, organization_id } => {
            let own = Condition::any().add(C::PersonId.eq(*person_id)).add(C::CounterpartPersonId.eq(*person_id)).add(
                Condition::all()
                    .add(C::ResourceType.is_in(["person", "diagnostic_result"]))
                    .add(C::PersonId.in_subquery(learners(*person_id))),
            );
            match organization_id {
                Some(o) => own.add(Condition::all().add(C::ResourceType.eq("organization")).add(C::ResourceId.eq(*o))),
                None => own,
            }
        }
        Scope::Nothing => nothing(),
    }
}

/// Network requests visible in the scope: those whose sender is visible, and, once sent, those
/// whose addressee is visible (the parties and the authorities above them). Teachers and tutors
/// see none.
pub fn network_requests(scope: &Scope) -> Condition {
    use crate::entities::network_requests::Column as C;
    match scope {
        Scope::All => Condition::all(),
        Scope::Person { .. } | Scope::Nothing => nothing(),
        other => Condition::any().add(organization_column(other, C::SenderOrganizationId)).add(
            Condition::all().add(organization_column(other, C::AddresseeOrganizationId)).add(network_request_sent()),
        ),
    }
}

/// Whether a network request was sent, by fact rather than by status: it has a date sent and an
/// outgoing number (both given together by sending). The addressee's side opens on this alone, so
/// a draft withdrawn before sending never reaches the addressee, whatever its later status.
pub fn network_request_sent() -> Condition {
    use crate::entities::network_requests::Column as C;
    Condition::all().add(C::SentOn.is_not_null()).add(C::OutgoingNumber.is_not_null())
}

/// Agreements visible in the scope: a municipality sees the agreements its municipal authority
/// is a party to; an organisation those it is a party to.
pub fn agreements(scope: &Scope) -> Condition {
    use crate::entities::agreements::Column as C;
    match scope {
        Scope::All => Condition::all(),
        Scope::Municipality { region_code, municipality_code } => Condition::all()
            .add(C::RegionCode.eq(region_code.as_str()))
            .add(C::MunicipalityCode.eq(municipality_code.as_str())),
        Scope::Organization(id) => Condition::any()
            .add(C::RegionalAuthorityId.eq(*id))
            .add(C::RegionalInstituteId.eq(*id))
            .add(C::MunicipalAuthorityId.eq(*id)),
        Scope::Person { .. } | Scope::Nothing => nothing(),
    }
}

/// Agreement ids visible in the scope, as a sub-query condition on a column holding an agreement
/// id (versions, amendments, values).
pub fn agreement_column<Col: ColumnTrait>(scope: &Scope, col: Col) -> Condition {
    use crate::entities::agreements;
    match scope {
        Scope::All => Condition::all(),
        Scope::Person { .. } | Scope::Nothing => nothing(),
        other => Condition::all().add(
            col.in_subquery(
                Query::select()
                    .column(agreements::Column::Id)
                    .from(agreements::Entity)
                    .cond_where(self::agreements(other))
                    .to_owned(),
            ),
        ),
    }
}
