//! Change events written to the outbox in the same transaction as the change itself; the change
//! feed and webhooks publish them. One outbox, one format.

use uuid::Uuid;

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
