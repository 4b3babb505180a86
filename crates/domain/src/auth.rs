//! Who acts, and what they may see: roles, the acting principal and its data scope.
//!
//! Scope is enforced inside repository queries (persistence turns a [`Scope`] into `WHERE`
//! conditions), so an object outside it is simply not found.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{DomainError, DomainResult, Msg};

/// The role a token acts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The region's administrator: everything.
    Admin,
    /// The regional institute / ЦНППМ operator: everything but administration.
    Operator,
    /// A municipal authority: its municipality and its institutions.
    Municipal,
    /// One organisation: itself, its subdivisions and its staff.
    Organization,
    /// A tutor: themselves and the routes assigned to them.
    Tutor,
    /// A teacher or manager: themselves only.
    Teacher,
    /// The federal exchange integration: reads everything it must export.
    Integration,
    /// An analyst: aggregates only, never personal data.
    Analyst,
}

impl Role {
    /// Every role, in a stable order.
    pub const ALL: [Role; 8] = [
        Role::Admin,
        Role::Operator,
        Role::Municipal,
        Role::Organization,
        Role::Tutor,
        Role::Teacher,
        Role::Integration,
        Role::Analyst,
    ];

    /// The wire name of the role.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Municipal => "municipal",
            Role::Organization => "organization",
            Role::Tutor => "tutor",
            Role::Teacher => "teacher",
            Role::Integration => "integration",
            Role::Analyst => "analyst",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the role must act for an organisation.
    pub fn needs_organization(self) -> bool {
        matches!(self, Role::Municipal | Role::Organization)
    }

    /// Whether the role must act as a person.
    pub fn needs_person(self) -> bool {
        matches!(self, Role::Tutor | Role::Teacher)
    }
}

/// The principal behind a request, as its token describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Subject: the account id.
    pub subject: String,
    /// The role it acts in.
    pub role: Role,
    /// The organisation it acts for, if any.
    pub organization_id: Option<Uuid>,
    /// The region of that organisation.
    pub region_code: Option<String>,
    /// The municipality of that organisation.
    pub municipality_code: Option<String>,
    /// The person it is, for teachers and tutors.
    pub person_id: Option<Uuid>,
}

/// The rows an actor may see. Persistence turns it into query conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything in the region's deployment.
    All,
    /// One municipality (by region and municipality code) and its institutions.
    Municipality {
        /// Region code, e.g. `03`.
        region_code: String,
        /// Municipality code.
        municipality_code: String,
    },
    /// One organisation and its direct subdivisions.
    Organization(Uuid),
    /// One person (a teacher, a tutor), who belongs to an organisation.
    Person {
        /// The person.
        person_id: Uuid,
        /// Their organisation.
        organization_id: Option<Uuid>,
    },
    /// Nothing (a role with no row-level access to this aggregate).
    Nothing,
}

impl Actor {
    /// The data scope of this actor.
    pub fn scope(&self) -> Scope {
        match self.role {
            Role::Admin | Role::Operator | Role::Integration | Role::Analyst => Scope::All,
            Role::Municipal => match (&self.region_code, &self.municipality_code) {
                (Some(r), Some(m)) => Scope::Municipality { region_code: r.clone(), municipality_code: m.clone() },
                _ => Scope::Nothing,
            },
            Role::Organization => self.organization_id.map_or(Scope::Nothing, Scope::Organization),
            Role::Tutor | Role::Teacher => match self.person_id {
                Some(p) => Scope::Person { person_id: p, organization_id: self.organization_id },
                None => Scope::Nothing,
            },
        }
    }

    /// Fails with 403 unless the actor has one of the roles.
    pub fn require(&self, roles: &[Role]) -> DomainResult<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(Msg::new(
                format!("Роль «{}» не может выполнить это действие", self.role.as_str()),
                format!("The role '{}' may not perform this action", self.role.as_str()),
            )))
        }
    }

    /// Whether the actor may read personal data (СНИЛС, birth date, contacts) of persons
    /// inside its scope. Analysts and tutors may not; a teacher may read their own.
    pub fn may_read_personal_data_of(&self, person_id: Uuid) -> bool {
        match self.role {
            Role::Admin | Role::Operator | Role::Municipal | Role::Organization | Role::Integration => true,
            Role::Tutor | Role::Teacher => self.person_id == Some(person_id),
            Role::Analyst => false,
        }
    }
}

/// Context of one request: who acts and the request id that every audit and log line carries.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The actor.
    pub actor: Actor,
    /// The request id (also sent back as `X-Request-Id`).
    pub request_id: String,
    /// The `Idempotency-Key` this run holds: every change it journals is fenced by it (see
    /// [`crate::idempotency`]).
    pub idempotency: Option<crate::idempotency::KeyHold>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            subject: "s".into(),
            role,
            organization_id: Some(Uuid::nil()),
            region_code: Some("03".into()),
            municipality_code: Some("81606".into()),
            person_id: None,
        }
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn a_teacher_without_a_person_sees_nothing() {
        assert_eq!(actor(Role::Teacher).scope(), Scope::Nothing);
    }

    #[test]
    fn an_analyst_never_reads_personal_data() {
        assert!(!actor(Role::Analyst).may_read_personal_data_of(Uuid::nil()));
        assert!(actor(Role::Municipal).may_read_personal_data_of(Uuid::nil()));
    }
}
