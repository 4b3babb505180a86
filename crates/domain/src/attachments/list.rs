//! The files of a parent.

use super::{
    Deps, Parent, StoredAttachment,
    parent::{Access, audit_read, readable},
};
use crate::{DomainResult, auth::Ctx};

/// The files of a parent (both parts of a request), oldest first: none when its personal data
/// is hidden from the caller; a read of personal data is audited.
pub async fn list_attachments(deps: Deps<'_>, ctx: &Ctx, parent: Parent) -> DomainResult<Vec<StoredAttachment>> {
    match readable(deps, ctx, &parent).await? {
        Access::Hidden => Ok(Vec::new()),
        Access::Plain => deps.attachments.list(&parent).await,
        Access::PersonalData => {
            let found = deps.attachments.list(&parent).await?;
            if !found.is_empty() {
                audit_read(deps, ctx, &parent).await?;
            }
            Ok(found)
        }
    }
}
