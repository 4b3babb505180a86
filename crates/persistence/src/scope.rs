//! The caller's [`Scope`] as query conditions: scope is enforced inside every query.

use rsnms_domain::auth::Scope;
use sea_orm::{
    ColumnTrait, Condition,
    sea_query::{Expr, Query, SelectStatement},
};

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
pub fn persons(scope: &Scope) -> Condition {
    match scope {
        Scope::Person { person_id, .. } => Condition::all().add(persons::Column::Id.eq(*person_id)),
        other => organization_column(other, persons::Column::OrganizationId),
    }
}
