use actix_web::{HttpRequest, HttpResponse, http::header, post, web};
use futures_util::StreamExt;
use rsnms_domain::{
    DomainError, Msg,
    attachments::{Parent, Part, Upload, upload_attachment},
};
use uuid::Uuid;

use super::dto::{AttachmentView, FileContent, UploadQuery, uploaded_name};
use crate::{AppState, auth::Auth, extract::Params, openapi::CreateErrors, problem::ApiResult};

/// Attach a file to a request or its reply (приложить файл).
///
/// The body is the file itself, its `Content-Type` the declared media type (PDF, PNG, JPEG,
/// TIFF, DOCX, XLSX, ODT, ODS, plain text; others 415), checked against the content's first
/// bytes (422 naming `Content-Type` on a mismatch); the name comes from `Content-Disposition`
/// (`filename*` or `filename`) or `?filename=`. The server computes the SHA-256 and returns it.
/// A file over `RSNMS_ATTACHMENT_MAX_BYTES`, or files of one request (with its reply) over
/// `RSNMS_ATTACHMENTS_PER_PARENT_MAX_BYTES` in all, are a 413 and nothing is stored. Identical
/// contents are stored once. The letter (`part=request`) is attached by the sender's side while
/// the draft may be updated; the reply's files (`part=reply`) by the addressee's side before it
/// replies (409 with `allowed` otherwise). With `Idempotency-Key` a retry replays the first
/// answer.
#[utoipa::path(
    tag = "network-requests",
    params(
        ("id" = Uuid, Path, description = "Request id"),
        UploadQuery,
        ("Content-Disposition" = Option<String>, Header, description = "`attachment; filename*=UTF-8''…`: the file name"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the first answer is replayed")
    ),
    request_body(
        description = "The file's bytes; `Content-Type` is its media type",
        content(
            (FileContent = "application/pdf"),
            (FileContent = "image/png"),
            (FileContent = "image/jpeg"),
            (FileContent = "image/tiff"),
            (FileContent = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (FileContent = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (FileContent = "application/vnd.oasis.opendocument.text"),
            (FileContent = "application/vnd.oasis.opendocument.spreadsheet"),
            (FileContent = "text/plain")
        )
    ),
    responses(
        (status = 201, description = "Stored", body = AttachmentView,
         headers(("Location" = String, description = "The content's URL"), ("ETag" = String, description = "The SHA-256"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/network-requests/{id}/attachments")]
pub async fn upload_network_request_attachment(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Params(q): Params<UploadQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let header = |n| req.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let upload = Upload {
        name: uploaded_name(req.headers().get(header::CONTENT_DISPOSITION), q.filename),
        media_type: header(header::CONTENT_TYPE),
        declared_size: header(header::CONTENT_LENGTH).and_then(|v| v.parse().ok()),
        content: payload
            .map(|chunk| {
                chunk.map(|b| b.to_vec()).map_err(|_| {
                    DomainError::field(
                        "body",
                        "unreadable",
                        Msg::new("Тело запроса прочитано не полностью", "The body could not be read whole"),
                    )
                })
            })
            .boxed_local(),
    };
    let parent = Parent::NetworkRequest { id, part: q.part.unwrap_or(Part::Request) };
    let a = upload_attachment(super::deps(&state), &ctx, parent, upload).await?;
    let view = AttachmentView::of_request(id, a);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, view.content_url.clone()))
        .insert_header((header::ETAG, format!("\"{}\"", view.sha256)))
        .json(view))
}
