//! Wire shapes of stored attachments.

use actix_web::http::header::{Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue};
use chrono::{DateTime, Utc};
use rsnms_domain::attachments::{Part, StoredAttachment};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A stored file (вложение) of a request or its reply.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    /// Id.
    pub id: Uuid,
    /// Which part of the request it belongs to.
    pub part: Part,
    /// File name (имя файла).
    pub name: String,
    /// Media type, checked against the content's first bytes.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, lower-case hex, computed by the server (контрольная сумма); the
    /// download's `ETag`.
    pub sha256: String,
    /// When it was attached.
    pub created_at: DateTime<Utc>,
    /// Where to download it.
    pub content_url: String,
}

impl AttachmentView {
    /// The view of a file of a network request.
    pub fn of_request(request_id: Uuid, a: StoredAttachment) -> Self {
        Self {
            content_url: format!("/api/v1/network-requests/{request_id}/attachments/{}/content", a.id),
            id: a.id,
            part: a.parent.part(),
            name: a.name,
            media_type: a.media_type,
            size: a.size,
            sha256: a.sha256,
            created_at: a.created_at,
        }
    }
}

/// The files of a request and its reply, oldest first (empty when its personal data is hidden
/// from the caller).
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentList {
    /// The files.
    pub items: Vec<AttachmentView>,
}

/// Query of an upload.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// Which part the file belongs to (default `request`).
    #[param(inline)]
    pub part: Option<Part>,
    /// File name, when `Content-Disposition` gives none (1–255 characters).
    #[param(max_length = 255)]
    pub filename: Option<String>,
}

/// The bytes of a file.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileContent(#[expect(dead_code, reason = "a schema only: the body streams")] Vec<u8>);

/// `Content-Disposition: attachment` with the name as RFC 6266 / RFC 8187 `filename*` (UTF-8)
/// and an ASCII `filename` for old clients.
pub fn disposition(name: &str) -> ContentDisposition {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: name.as_bytes().to_vec(),
            }),
        ],
    }
}

/// The file name an upload gives: `Content-Disposition`'s `filename*` (UTF-8), else its
/// `filename`, else `?filename=`.
pub fn uploaded_name(header: Option<&actix_web::http::header::HeaderValue>, query: Option<String>) -> Option<String> {
    let cd = header.and_then(|h| ContentDisposition::from_raw(h).ok());
    let ext = cd.as_ref().and_then(|c| c.get_filename_ext()).and_then(|v| String::from_utf8(v.value.clone()).ok());
    ext.or_else(|| cd.as_ref().and_then(|c| c.get_filename()).map(str::to_owned)).or(query)
}
