//! Change events written to the outbox in the same transaction as the change itself; the change
//! feed and webhooks publish them. One outbox, one format.

use uuid::Uuid;

use crate::auth::{Actor, Role};

/// What happened to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Created.
    Created,
    /// Updated (including lifecycle actions).
    Updated,
    /// Deleted.
    Deleted,
}

impl ChangeKind {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Created => "created",
            ChangeKind::Updated => "updated",
            ChangeKind::Deleted => "deleted",
        }
    }
}

/// Where a changed resource belongs, so that the feed can be filtered by the reader's scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeScope {
    /// Region code.
    pub region_code: Option<String>,
    /// Municipality code.
    pub municipality_code: Option<String>,
    /// Organisation.
    pub organization_id: Option<Uuid>,
    /// Person the resource is about.
    pub person_id: Option<Uuid>,
    /// A second audience: the other party of a two-party resource (the addressee of a sent
    /// network request, the tutor of a route, the mentor of a pair). Readers in its scope (and
    /// the levels above it) receive the event too.
    pub counterpart: Option<Party>,
}

/// One party of a resource, as the feed filters by it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    /// Region code.
    pub region_code: Option<String>,
    /// Municipality code.
    pub municipality_code: Option<String>,
    /// Organisation.
    pub organization_id: Option<Uuid>,
    /// Person (the tutor of a route, the mentor of a pair).
    pub person_id: Option<Uuid>,
}

/// One change to journal: an audit record and an outbox event.
#[derive(Debug, Clone)]
pub struct Change {
    /// Resource type, e.g. `organization`.
    pub resource_type: &'static str,
    /// Resource id.
    pub resource_id: Uuid,
    /// What happened.
    pub kind: ChangeKind,
    /// Audit action (`create`, `update`, `delete`, or a lifecycle action such as `close`).
    pub action: &'static str,
    /// Event payload: the resource's state after the change (`null` after a delete).
    pub payload: serde_json::Value,
    /// Whether the payload holds personal data.
    pub personal_data: bool,
    /// Where the resource belongs.
    pub scope: ChangeScope,
}

/// Which rows of a resource type a reader receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// Those inside the reader's scope (by the event's scope columns).
    InScope,
    /// All of them: a catalogue every reader reads whole (programmes, campaigns, calendars …).
    All,
}

/// The read rule of a resource type: who reads its rows with GET, and which rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadRule {
    /// Roles that may read the rows (the GET/list actions' own constant).
    pub readers: &'static [Role],
    /// Which rows.
    pub rows: Rows,
}

/// Every resource type the outbox carries, with the read rule its GET/list actions apply: the
/// one place the feed and webhooks take it from. A type missing here is read by administrators
/// only.
pub fn read_rule(resource_type: &str) -> ReadRule {
    use crate::{
        accounts, agreements, deadlines,
        development::{competencies, diagnostics, events, iom, mentoring, participation, programs},
        exchange::webhooks,
        monitoring, network_requests, organizations, persons,
    };
    let (readers, rows) = match resource_type {
        "organization" => (organizations::READERS, Rows::InScope),
        "person" => (persons::READERS, Rows::InScope),
        "account" => (accounts::READERS, Rows::InScope),
        "network_request" => (&network_requests::READERS[..], Rows::InScope),
        "request_numbering" => (&network_requests::NUMBERING_READERS[..], Rows::InScope),
        "deadline_policy" | "calendar_year" => (deadlines::READERS, Rows::All),
        "competency" => (competencies::READERS, Rows::All),
        "program" => (programs::READERS, Rows::All),
        "event" | "internship_site" => (events::READERS, Rows::All),
        "diagnostic" => (diagnostics::CAMPAIGN_READERS, Rows::All),
        "diagnostic_result" => (diagnostics::RESULT_READERS, Rows::InScope),
        "route" | "route_evidence" => (iom::READERS, Rows::InScope),
        "route_template" => (iom::TEMPLATE_READERS, Rows::All),
        "mentoring_pair" => (mentoring::READERS, Rows::InScope),
        "event_participant" => (participation::READERS, Rows::InScope),
        "monitoring_definition" => (monitoring::READERS, Rows::All),
        "agreement" | "agreement_indicator_value" => (agreements::READERS, Rows::InScope),
        "webhook" => (webhooks::SUBSCRIBERS, Rows::InScope),
        _ => (&[Role::Admin][..], Rows::InScope),
    };
    ReadRule { readers, rows }
}

/// The resource types [`read_rule`] knows.
pub const RESOURCE_TYPES: &[&str] = &[
    "organization",
    "person",
    "account",
    "network_request",
    "request_numbering",
    "deadline_policy",
    "calendar_year",
    "competency",
    "program",
    "event",
    "internship_site",
    "diagnostic",
    "diagnostic_result",
    "route",
    "route_evidence",
    "route_template",
    "mentoring_pair",
    "event_participant",
    "monitoring_definition",
    "agreement",
    "agreement_indicator_value",
    "webhook",
];

/// The resource types a role receives, split by their row rule: `(in scope, all rows)`.
/// Administrators receive every type, known or not (`None`).
pub fn readable_types(role: Role) -> Option<(Vec<&'static str>, Vec<&'static str>)> {
    if role == Role::Admin {
        return None;
    }
    let mut scoped = Vec::new();
    let mut all = Vec::new();
    for t in RESOURCE_TYPES {
        let rule = read_rule(t);
        if rule.readers.contains(&role) {
            match rule.rows {
                Rows::InScope => scoped.push(*t),
                Rows::All => all.push(*t),
            }
        }
    }
    Some((scoped, all))
}

/// Hides the personal data in the payload of an event that holds it, as the resource's GET does
/// for a reader without the right to it. Returns `false` when the whole payload is personal
/// (e.g. a person's diagnostic result) and must be withheld.
pub fn hide_personal_data(resource_type: &str, payload: &mut serde_json::Value) -> bool {
    match resource_type {
        "person" => {
            crate::persons::hide_personal_data(payload);
            true
        }
        "network_request" => {
            crate::network_requests::hide_personal_data(payload);
            true
        }
        _ => false,
    }
}

/// Whether a reader may read the personal data an event carries, by the rule of the resource's
/// GET: a request's by its parties (named in the payload); a diagnostic result by the reader's
/// scope alone, as the list of results shows every result in scope whole (the feed's query has
/// applied that scope, a tutor's learners included: `scope::changes`); anything else by the
/// person it is about ([`crate::personal_data::ReadBases::may_read`]); for a role whose reads
/// serve a purpose (the integration role: `federal_exchange`), only of persons her bases allow.
pub fn may_read_personal_data(
    actor: &Actor,
    reads: &crate::personal_data::ReadBases,
    resource_type: &str,
    person_id: Option<Uuid>,
    payload: &serde_json::Value,
) -> bool {
    match resource_type {
        "network_request" => {
            let party = |k: &str| payload[k]["organization_id"].as_str().and_then(|s| Uuid::parse_str(s).ok());
            party("sender")
                .is_some_and(|s| crate::network_requests::may_read_personal_data_between(actor, s, party("addressee")))
        }
        "diagnostic_result" => {
            crate::development::diagnostics::RESULT_READERS.contains(&actor.role)
                && person_id.is_none_or(|p| reads.allow(p))
        }
        _ => person_id.is_some_and(|p| reads.may_read(actor, p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysts_receive_no_persons_routes_or_results_but_the_catalogues() {
        let (scoped, all) = readable_types(Role::Analyst).unwrap_or_default();
        for t in ["person", "route", "diagnostic_result", "organization", "network_request", "account"] {
            assert!(!scoped.contains(&t) && !all.contains(&t), "{t}");
        }
        assert!(all.contains(&"program"));
        assert!(all.contains(&"monitoring_definition"));
    }

    #[test]
    fn every_known_type_has_a_rule_of_its_own() {
        for t in RESOURCE_TYPES {
            assert!(read_rule(t).readers.contains(&Role::Operator) || *t == "account", "{t}");
        }
        assert_eq!(read_rule("unknown").readers, &[Role::Admin]);
    }
}
