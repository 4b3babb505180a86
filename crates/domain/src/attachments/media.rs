//! Media types accepted for attachments and the check of a declared type against the content's
//! first bytes (its magic bytes, read by the `infer` crate).

use crate::{DomainError, DomainResult, FieldError, Msg};

/// Media types accepted: documents and scans of the reglament's electronic documents.
pub const ALLOWED: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/tiff",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "text/plain",
];

/// How many first bytes the check reads.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// ZIP containers (OOXML and OpenDocument files are ZIP archives).
const ZIP_BASED: &[&str] = &[
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
];

/// The declared media type, normalised (`essence` only, lower case), when it is accepted;
/// otherwise 415 listing those accepted.
pub fn accepted(declared: Option<&str>) -> DomainResult<&'static str> {
    let essence = declared.map(|d| d.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
    essence
        .and_then(|e| ALLOWED.iter().find(|a| **a == e).copied())
        .ok_or_else(|| DomainError::UnsupportedMediaType { allowed: ALLOWED.iter().map(|a| (*a).to_owned()).collect() })
}

/// What the first bytes of a content are, as far as the check can tell: a binary type, `text`
/// for UTF-8 text without NUL bytes, or `None` when unknown.
pub fn detect(head: &[u8]) -> Option<String> {
    if let Some(t) = infer::get(head) {
        return Some(t.mime_type().to_owned());
    }
    let text = match std::str::from_utf8(head) {
        Ok(_) => true,
        // A character cut at the end of the head is still text.
        Err(e) => e.error_len().is_none(),
    };
    (text && !head.contains(&0)).then(|| "text/plain".to_owned())
}

/// Checks the declared type against the content's first bytes: they must be of that type (a
/// ZIP archive passes for an office document whose inner marker lies beyond the bytes read).
/// 422 naming `Content-Type` and both types otherwise.
pub fn check(declared: &str, head: &[u8]) -> DomainResult<()> {
    let detected = detect(head);
    let fits = match detected.as_deref() {
        Some(d) if d == declared => true,
        Some("application/zip") => ZIP_BASED.contains(&declared),
        _ => false,
    };
    if fits {
        return Ok(());
    }
    let seen = detected.unwrap_or_else(|| "unknown".to_owned());
    Err(DomainError::Validation(vec![FieldError::new(
        "Content-Type",
        "media_type_mismatch",
        Msg::new(
            format!("Содержимое не соответствует заявленному типу {declared}: по первым байтам это {seen}"),
            format!("The content does not match the declared type {declared}: its first bytes are {seen}"),
        ),
    )]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_declared_as_pdf_passes_and_as_png_does_not() {
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";
        assert!(check("application/pdf", pdf).is_ok());
        assert!(check("image/png", pdf).is_err());
    }

    #[test]
    fn text_is_text_and_binary_garbage_is_not() {
        assert!(check("text/plain", "Справка о стаже\n".as_bytes()).is_ok());
        assert!(check("text/plain", b"\x00\x01\x02").is_err());
    }

    #[test]
    fn only_listed_types_are_accepted() {
        assert_eq!(accepted(Some("Application/PDF; x=1")).ok(), Some("application/pdf"));
        assert!(accepted(Some("application/x-msdownload")).is_err());
        assert!(accepted(None).is_err());
    }
}
