//! Download of a file, whole or a byte range (RFC 9110 §14).

use uuid::Uuid;

use super::{
    Deps, Parent, StoredAttachment,
    parent::{Access, audit_read, readable},
};
use crate::{DomainError, DomainResult, auth::Ctx};

/// One byte range asked for (`Range: bytes=…`), before it is judged against the size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// `first-` or `first-last`.
    From(u64, Option<u64>),
    /// `-n`: the last `n` bytes.
    Suffix(u64),
}

impl ByteRange {
    /// The inclusive range within a content of `size` bytes; `None` when unsatisfiable.
    pub fn within(self, size: u64) -> Option<(u64, u64)> {
        let last = size.checked_sub(1)?;
        match self {
            ByteRange::From(first, _) if first > last => None,
            ByteRange::From(first, end) => {
                let end = end.map_or(last, |e| e.min(last));
                (end >= first).then_some((first, end))
            }
            ByteRange::Suffix(0) => None,
            ByteRange::Suffix(n) => Some((size.saturating_sub(n), last)),
        }
    }
}

/// The range a download asks for, if any: `Range`, and `If-Range` naming the SHA-256 the
/// client's part came from (another content means the whole is sent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ranged {
    /// The range.
    pub range: Option<ByteRange>,
    /// The SHA-256 of `If-Range`.
    pub if_range: Option<String>,
}

/// What a download serves.
#[derive(Debug)]
pub enum Download {
    /// The whole content.
    Whole(StoredAttachment, Vec<u8>),
    /// A part: the inclusive range and its bytes.
    Part(StoredAttachment, (u64, u64), Vec<u8>),
    /// The range asked for lies beyond the content.
    Unsatisfiable(StoredAttachment),
}

/// The content of a file under its parent's scope (404 outside it, and 404 when the parent's
/// personal data is hidden from the caller); a read of personal data is audited.
pub async fn download_attachment(
    deps: Deps<'_>,
    ctx: &Ctx,
    parent: Parent,
    id: Uuid,
    asked: Ranged,
) -> DomainResult<Download> {
    let access = readable(deps, ctx, &parent).await?;
    if access == Access::Hidden {
        return Err(DomainError::NotFound);
    }
    let a = deps.attachments.get(&parent, id).await?;
    if access == Access::PersonalData {
        audit_read(deps, ctx, &parent).await?;
    }
    let range = asked.range.filter(|_| asked.if_range.as_deref().is_none_or(|t| t == a.sha256));
    Ok(match range.map(|r| r.within(a.size)) {
        None => {
            let bytes = deps.blobs.get(&a.sha256, None).await?;
            Download::Whole(a, bytes)
        }
        Some(None) => Download::Unsatisfiable(a),
        Some(Some(r)) => {
            let bytes = deps.blobs.get(&a.sha256, Some(r)).await?;
            Download::Part(a, r, bytes)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::ByteRange;

    #[test]
    fn ranges_are_judged_against_the_size() {
        assert_eq!(ByteRange::From(0, Some(9)).within(100), Some((0, 9)));
        assert_eq!(ByteRange::From(90, Some(200)).within(100), Some((90, 99)));
        assert_eq!(ByteRange::From(100, None).within(100), None);
        assert_eq!(ByteRange::Suffix(10).within(100), Some((90, 99)));
        assert_eq!(ByteRange::Suffix(500).within(100), Some((0, 99)));
        assert_eq!(ByteRange::From(0, None).within(0), None);
    }
}
