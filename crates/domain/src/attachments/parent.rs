//! Parents of attachments and the rules of reaching them: the parent's scope for reads (404
//! outside it), its personal-data rule, and the rule of the action that changes that part for
//! writes.

use uuid::Uuid;

use super::Deps;
use crate::{
    DomainResult,
    auth::Ctx,
    network_requests::{NetworkRequest, attachable_request, may_read_personal_data},
};

/// Which part of a network request a file belongs to (часть документа).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// The request, the letter itself (запрос): the sender's side, while the draft may be
    /// updated.
    Request,
    /// The reply (ответ): the addressee's side, while it may reply.
    Reply,
}

impl Part {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Request => "request",
            Part::Reply => "reply",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "request" => Some(Part::Request),
            "reply" => Some(Part::Reply),
            _ => None,
        }
    }
}

/// What an attachment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parent {
    /// A network request (its letter or its reply); the per-parent limit counts both parts.
    NetworkRequest {
        /// The request.
        id: Uuid,
        /// The part.
        part: Part,
    },
}

impl Parent {
    /// Stored parent type.
    pub fn type_name(&self) -> &'static str {
        match self {
            Parent::NetworkRequest { .. } => "network_request",
        }
    }

    /// The parent's id.
    pub fn id(&self) -> Uuid {
        match self {
            Parent::NetworkRequest { id, .. } => *id,
        }
    }

    /// The part.
    pub fn part(&self) -> Part {
        match self {
            Parent::NetworkRequest { part, .. } => *part,
        }
    }

    /// The same parent, another part.
    pub fn with_part(self, part: Part) -> Self {
        match self {
            Parent::NetworkRequest { id, .. } => Parent::NetworkRequest { id, part },
        }
    }
}

/// How the caller may read a parent's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    /// The parent holds no personal data.
    Plain,
    /// It holds personal data the caller may read: the read is audited.
    PersonalData,
    /// It holds personal data the caller may not read: no files are shown to her (its GET shows
    /// no attachments either), and a download is a 404.
    Hidden,
}

/// The parent as read by the caller: 404 outside its scope.
pub(super) async fn readable(deps: Deps<'_>, ctx: &Ctx, parent: &Parent) -> DomainResult<Access> {
    // The role check of the parent's own GET comes first: a role that may not read requests
    // learns nothing of their files (not even an empty list).
    ctx.actor.require(&crate::network_requests::READERS)?;
    match parent {
        Parent::NetworkRequest { id, .. } => {
            let r: NetworkRequest = deps.requests.get(&ctx.actor.scope(), *id).await?;
            Ok(match (r.contains_personal_data, may_read_personal_data(&ctx.actor, &r)) {
                (false, _) => Access::Plain,
                (true, true) => Access::PersonalData,
                (true, false) => Access::Hidden,
            })
        }
    }
}

/// Records a read of the parent's personal data.
pub(super) async fn audit_read(deps: Deps<'_>, ctx: &Ctx, parent: &Parent) -> DomainResult<()> {
    deps.audit.record_reads(ctx, parent.type_name(), &[parent.id()]).await
}

/// The parent as changed by the caller: the rule of the action that changes that part.
pub(super) async fn writable(deps: Deps<'_>, ctx: &Ctx, parent: &Parent) -> DomainResult<()> {
    match parent {
        Parent::NetworkRequest { id, part } => {
            attachable_request(deps.requests, deps.orgs, ctx, *id, *part == Part::Reply).await.map(|_| ())
        }
    }
}

/// Removes a content when its last reference is gone.
pub(super) async fn release(deps: Deps<'_>, sha256: &str) -> DomainResult<()> {
    if deps.attachments.references(sha256).await? == 0 {
        deps.blobs.delete(sha256).await?;
    }
    Ok(())
}
