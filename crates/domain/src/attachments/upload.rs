//! Upload of a file: checked against the parent's rule, the declared media type and its magic
//! bytes, the limits per file and per parent; its SHA-256 computed by the server.

use chrono::Utc;
use futures_util::StreamExt;
use uuid::Uuid;

use super::{
    BlobStream, Deps, Parent, StoredAttachment, media,
    parent::{release, writable},
};
use crate::{
    DomainError, DomainResult, FieldError, Msg, auth::Ctx, error::Errors, network_requests::check_attachment_name,
};

/// An uploaded file as it arrives.
pub struct Upload<'a> {
    /// File name (`Content-Disposition` or `?filename=`).
    pub name: Option<String>,
    /// Declared media type (`Content-Type`).
    pub media_type: Option<String>,
    /// Declared size (`Content-Length`), when given: checked before anything is read.
    pub declared_size: Option<u64>,
    /// The content.
    pub content: BlobStream<'a>,
}

/// 413: a file over the limit per file.
pub(super) fn file_too_large(limit: u64) -> DomainError {
    DomainError::TooLarge {
        limit, message: Msg::new("Файл больше допустимого размера", "The file exceeds the limit")
    }
}

fn parent_too_large(limit: u64) -> DomainError {
    DomainError::TooLarge {
        limit,
        message: Msg::new(
            "Вложения одного документа больше допустимого размера в сумме",
            "The attachments of one document exceed the limit in all",
        ),
    }
}

/// Attaches a file to a parent. Nothing is stored when any check fails: a wrong media type is
/// refused on the first bytes, a file over the limit while it streams.
pub async fn upload_attachment(
    deps: Deps<'_>,
    ctx: &Ctx,
    parent: Parent,
    input: Upload<'_>,
) -> DomainResult<StoredAttachment> {
    writable(deps, ctx, &parent).await?;
    let media_type = media::accepted(input.media_type.as_deref())?;
    let mut e = Errors::new();
    let name = match &input.name {
        Some(n) => check_attachment_name(&mut e, "filename", n),
        None => {
            e.push(FieldError::required("filename"));
            String::new()
        }
    };
    e.finish()?;
    let limits = deps.limits;
    if input.declared_size.is_some_and(|n| n > limits.per_file) {
        return Err(file_too_large(limits.per_file));
    }
    let used = deps.attachments.total_size(&parent).await?;
    if used.saturating_add(input.declared_size.unwrap_or(0)) > limits.per_parent {
        return Err(parent_too_large(limits.per_parent));
    }
    let mut content = input.content;
    let mut head = Vec::new();
    while head.len() < media::SNIFF_BYTES {
        match content.next().await {
            Some(chunk) => head.extend(chunk?),
            None => break,
        }
    }
    media::check(media_type, &head[..head.len().min(media::SNIFF_BYTES)])?;
    let whole = futures_util::stream::once(async { Ok(head) }).chain(content).boxed_local();
    let blob = deps.blobs.put(media_type, whole, limits.per_file).await?;
    let new = StoredAttachment {
        id: Uuid::now_v7(),
        parent,
        name,
        media_type: media_type.to_owned(),
        size: blob.size,
        sha256: blob.sha256.clone(),
        created_by: ctx.actor.subject.clone(),
        created_at: Utc::now(),
    };
    match deps.attachments.create(ctx, new, limits.per_parent).await {
        Ok(a) => Ok(a),
        Err(DomainError::TooLarge { .. }) => {
            release(deps, &blob.sha256).await?;
            Err(parent_too_large(limits.per_parent))
        }
        Err(err) => {
            // The content stays when this fails too; the next delete of its last reference, or
            // the next upload of it, settles it.
            let _ = release(deps, &blob.sha256).await;
            Err(err)
        }
    }
}
