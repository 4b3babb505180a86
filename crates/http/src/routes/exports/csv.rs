//! CSV form of the exports that have a table shape (programmes, routes flattened per step,
//! diagnostic aggregates), written by the API's one writer ([`crate::csv_format`]: RFC 4180
//! quoting, CRLF line ends, formula cells guarded). A header row, UTF-8 **with a byte
//! order mark**: Excel — what Russian offices open these files in — reads a UTF-8 file without
//! one as Windows-1251 and garbles Cyrillic; parsers that know CSV (Python's `utf-8-sig`,
//! pandas, LibreOffice, the rsnms importer) skip the mark. List cells are joined by `;` (by `,`
//! when the delimiter is `;`), nested fields are dotted, as the importer reads them.

use std::fmt::Display;

use actix_web::{HttpRequest, HttpResponse, http::header};

use super::dto::{CsvDelimiter, ExportFormat};
pub(crate) use crate::csv_format::Csv;

/// Media type of CSV exports.
pub(crate) const CONTENT_TYPE: &str = "text/csv; charset=utf-8; header=present";

/// Whether the client asked for CSV: `?format=` wins, else `Accept: text/csv`.
pub(crate) fn wanted(req: &HttpRequest, format: Option<ExportFormat>) -> bool {
    match format {
        Some(f) => f == ExportFormat::Csv,
        None => req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.split(',').any(|m| m.trim().starts_with("text/csv"))),
    }
}

/// The CSV writer (the API's one, [`crate::csv_format`]) for the requested delimiter.
pub(crate) fn writer(d: Option<CsvDelimiter>) -> Csv {
    Csv::new(match d.unwrap_or_default() {
        CsvDelimiter::Comma => b',',
        CsvDelimiter::Semicolon => b';',
    })
}

/// An optional value as a cell (empty when absent).
pub(crate) fn opt<T: Display>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A whole CSV body as a download named after the export and period.
pub(crate) fn respond(name: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.csv\"")))
        .body(body)
}
