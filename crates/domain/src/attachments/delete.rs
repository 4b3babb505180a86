//! Removal of a file; its content goes with its last reference.

use uuid::Uuid;

use super::{
    Deps, Parent,
    parent::{Access, readable, release, writable},
};
use crate::{DomainError, DomainResult, auth::Ctx};

/// Removes a file of a parent, by the rule that allows attaching it to that part now; the
/// content is removed when nothing else refers to it.
pub async fn delete_attachment(deps: Deps<'_>, ctx: &Ctx, parent: Parent, id: Uuid) -> DomainResult<()> {
    if readable(deps, ctx, &parent).await? == Access::Hidden {
        return Err(DomainError::NotFound);
    }
    let a = deps.attachments.get(&parent, id).await?;
    writable(deps, ctx, &a.parent).await?;
    deps.attachments.delete(ctx, &a).await?;
    release(deps, &a.sha256).await
}
