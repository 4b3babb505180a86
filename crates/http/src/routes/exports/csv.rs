//! CSV form of the exports that have a table shape (programmes, routes flattened per step,
//! diagnostic aggregates). RFC 4180 quoting, CRLF line ends, a header row, UTF-8 **with a byte
//! order mark**: Excel — what Russian offices open these files in — reads a UTF-8 file without
//! one as Windows-1251 and garbles Cyrillic; parsers that know CSV (Python's `utf-8-sig`,
//! pandas, LibreOffice, the rsnms importer) skip the mark. List cells are joined by `;` (by `,`
//! when the delimiter is `;`), nested fields are dotted, as the importer reads them.

use std::fmt::Display;

use actix_web::{HttpRequest, HttpResponse, http::header};

use super::dto::{CsvDelimiter, ExportFormat};

/// Media type of CSV exports.
pub(crate) const CONTENT_TYPE: &str = "text/csv; charset=utf-8; header=present";

/// The UTF-8 byte order mark that opens every CSV export.
pub(crate) const BOM: &str = "\u{feff}";

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

/// A CSV writer for one delimiter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Csv {
    delimiter: char,
}

impl Csv {
    /// A writer with this delimiter.
    pub(crate) fn new(d: Option<CsvDelimiter>) -> Self {
        Self {
            delimiter: match d.unwrap_or_default() {
                CsvDelimiter::Comma => ',',
                CsvDelimiter::Semicolon => ';',
            },
        }
    }

    /// Joins the items of a list cell.
    pub(crate) fn list<I, S>(&self, items: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let sep = if self.delimiter == ',' { ";" } else { "," };
        items.into_iter().map(|s| s.as_ref().to_owned()).collect::<Vec<_>>().join(sep)
    }

    /// One record, ending in CRLF.
    pub(crate) fn line<S: AsRef<str>>(&self, cells: &[S]) -> String {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                out.push(self.delimiter);
            }
            let cell = cell.as_ref();
            if cell.contains([self.delimiter, '"', '\n', '\r']) {
                out.push('"');
                out.push_str(&cell.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(cell);
            }
        }
        out.push_str("\r\n");
        out
    }

    /// The byte order mark and the header row.
    pub(crate) fn head(&self, columns: &[&str]) -> String {
        format!("{BOM}{}", self.line(columns))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_with_the_delimiter_quotes_or_line_breaks_are_quoted() {
        let csv = Csv::new(None);
        assert_eq!(csv.line(&["a", "b,c", "say \"hi\"", "x\ny", ""]), "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\",\r\n");
        let semi = Csv::new(Some(CsvDelimiter::Semicolon));
        assert_eq!(semi.line(&["b,c", "d;e"]), "b,c;\"d;e\"\r\n");
        assert_eq!(semi.list(["1", "2"]), "1,2");
        assert_eq!(csv.list(["1", "2"]), "1;2");
        assert!(csv.head(&["id"]).starts_with('\u{feff}'));
    }
}
