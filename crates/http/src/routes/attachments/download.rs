use actix_web::{
    HttpRequest, HttpResponse, get,
    http::{StatusCode, header},
    web,
};
use rsnms_domain::{
    Msg,
    attachments::{ByteRange, Download, Parent, Part, Ranged, StoredAttachment, download_attachment},
};
use uuid::Uuid;

use super::dto::{FileContent, disposition};
use crate::{
    AppState,
    auth::Auth,
    openapi::ReadErrors,
    problem::{ApiError, ApiResult},
};

/// One range of `Range: bytes=…` (RFC 9110 §14.1.2); anything else — another unit, several
/// ranges, bad syntax — is ignored and the whole content served, as the RFC allows.
fn requested_range(req: &HttpRequest) -> Option<ByteRange> {
    let value = req.headers().get(header::RANGE)?.to_str().ok()?;
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.trim().split_once('-')?;
    match (first.trim(), last.trim()) {
        ("", n) => n.parse().ok().map(ByteRange::Suffix),
        (f, "") => f.parse().ok().map(|f| ByteRange::From(f, None)),
        (f, l) => {
            let (f, l): (u64, u64) = (f.parse().ok()?, l.parse().ok()?);
            (l >= f).then_some(ByteRange::From(f, Some(l)))
        }
    }
}

/// The SHA-256 an `If-Range` names (its entity tag, quotes removed).
fn if_range(req: &HttpRequest) -> Option<String> {
    let v = req.headers().get(header::IF_RANGE)?.to_str().ok()?;
    Some(v.trim().trim_start_matches("W/").trim_matches('"').to_owned())
}

fn content(builder: &mut actix_web::HttpResponseBuilder, a: &StoredAttachment, etag: &str) {
    builder
        .insert_header((header::CONTENT_TYPE, a.media_type.clone()))
        .insert_header(disposition(&a.name))
        .insert_header((header::ETAG, etag.to_owned()))
        .insert_header((header::ACCEPT_RANGES, "bytes"));
}

/// Download a file (скачать вложение), whole or one byte range.
///
/// `Content-Disposition: attachment` names the file (RFC 6266, `filename*` in UTF-8); `ETag`
/// is its SHA-256 (`If-None-Match` answers 304); `Range: bytes=…` answers 206 with
/// `Content-Range`, 416 beyond the end. Under the request's scope (404 outside it, and 404 when
/// the request's personal data is hidden from the caller); a read of personal data is audited.
#[utoipa::path(
    tag = "network-requests",
    params(
        ("id" = Uuid, Path, description = "Request id"),
        ("attachment_id" = Uuid, Path, description = "Attachment id"),
        ("Range" = Option<String>, Header, description = "`bytes=first-last`, `bytes=first-` or `bytes=-n`")
    ),
    responses(
        (status = 200, description = "The content", content((FileContent = "application/octet-stream")),
         headers(("ETag" = String, description = "The SHA-256"), ("Content-Disposition" = String, description = "The file name"), ("Accept-Ranges" = String, description = "`bytes`"))),
        (status = 206, description = "The range asked for", content((FileContent = "application/octet-stream")),
         headers(("Content-Range" = String, description = "`bytes first-last/size`"))),
        (status = 304, description = "`If-None-Match` matches the SHA-256"),
        (status = 416, description = "The range lies beyond the end", body = crate::problem::Problem, content_type = "application/problem+json",
         headers(("Content-Range" = String, description = "`bytes */size`"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/network-requests/{id}/attachments/{attachment_id}/content")]
pub async fn download_network_request_attachment(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (id, attachment_id) = path.into_inner();
    let parent = Parent::NetworkRequest { id, part: Part::Request };
    let range = Ranged { range: requested_range(&req), if_range: if_range(&req) };
    let got = download_attachment(super::deps(&state), &ctx, parent, attachment_id, range).await?;
    Ok(match got {
        Download::Whole(a, bytes) => {
            let etag = format!("\"{}\"", a.sha256);
            let mut b = HttpResponse::Ok();
            content(&mut b, &a, &etag);
            b.body(bytes)
        }
        Download::Part(a, (first, last), bytes) => {
            let etag = format!("\"{}\"", a.sha256);
            let mut b = HttpResponse::PartialContent();
            content(&mut b, &a, &etag);
            b.insert_header((header::CONTENT_RANGE, format!("bytes {first}-{last}/{}", a.size))).body(bytes)
        }
        Download::Unsatisfiable(a) => {
            return Err(ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "range-not-satisfiable",
                Msg::new("Диапазон вне содержимого", "Range not satisfiable"),
                Msg::new(format!("Размер файла {} байт", a.size), format!("The file is {} bytes long", a.size)),
            )
            .with_header(header::CONTENT_RANGE, format!("bytes */{}", a.size)));
        }
    })
}
