//! The one CSV format of the API: the writer every CSV answer goes through and the guard
//! against formula injection, with its inverse that the importer applies to CSV cells.
//!
//! Quoting and line ends come from the `csv` crate (RFC 4180 quoting when a cell holds the
//! delimiter, a quote or a line break; CRLF after every record) — the hand-written writer this
//! replaced did the same with less care for the corner cases.
//!
//! **Formula injection** (OWASP "CSV injection"): spreadsheets run a cell that begins with `=`,
//! `+`, `-` or `@` (and some a tab or carriage return before one) as a formula, and the cells come
//! from users (titles, names). [`guard`] prefixes such a text cell with `'`, which makes it text.
//! Two rules keep the guard exact:
//! - **numbers stay numbers**: a cell that is a plain decimal number (`-12`, `-4.5`) is a number
//!   to every spreadsheet, cannot carry a formula, and is written as is (negative figures stay
//!   summable); `-1+2`, `+7`, `-x` are not plain numbers and are guarded;
//! - **reversible**: a cell made only of leading `'` before a guarded form (`'=x`) gets one more
//!   `'`, so [`unguard`] — strip one `'` when what follows would be guarded — gives back exactly
//!   the value written, and an export imported back (`POST /imports/…`) changes nothing.

use std::borrow::Cow;

/// Characters that make a spreadsheet read a cell as a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The prefix that turns a cell into text.
const GUARD: char = '\'';

/// `-?[0-9]+(\.[0-9]+)?`: a number a spreadsheet reads as one, never as a formula.
fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "1"));
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    all_digits(int) && all_digits(frac)
}

/// Whether a value must be written with the guard prefix.
fn needs_guard(value: &str) -> bool {
    let rest = value.trim_start_matches(GUARD);
    rest.starts_with(TRIGGERS) && !is_plain_number(rest)
}

/// A cell as written: `'` before a value a spreadsheet would run as a formula.
pub fn guard(value: &str) -> Cow<'_, str> {
    if needs_guard(value) { Cow::Owned(format!("{GUARD}{value}")) } else { Cow::Borrowed(value) }
}

/// The value of a cell [`guard`] wrote (the importer reads CSV cells through it).
pub fn unguard(cell: String) -> String {
    match cell.strip_prefix(GUARD) {
        Some(rest) if needs_guard(rest) => rest.to_owned(),
        _ => cell,
    }
}

/// The UTF-8 byte order mark that opens every CSV answer (Excel reads UTF-8 without it as
/// Windows-1251).
pub const BOM: &str = "\u{feff}";

/// The CSV writer for one delimiter.
#[derive(Debug, Clone, Copy)]
pub struct Csv {
    delimiter: u8,
}

impl Csv {
    /// A writer splitting cells by `delimiter` (`,` or `;`).
    pub fn new(delimiter: u8) -> Self {
        Self { delimiter }
    }

    /// Joins the items of a list cell (by `;`, or by `,` when the delimiter is `;`, as the
    /// importer splits them).
    pub fn list<I, S>(&self, items: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let sep = if self.delimiter == b',' { ";" } else { "," };
        items.into_iter().map(|s| s.as_ref().to_owned()).collect::<Vec<_>>().join(sep)
    }

    /// One record, every cell guarded, ending in CRLF.
    pub fn line<S: AsRef<str>>(&self, cells: &[S]) -> String {
        let mut out = ::csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .terminator(::csv::Terminator::CRLF)
            .buffer_capacity(256)
            .from_writer(Vec::with_capacity(64 * cells.len()));
        // Writing to a `Vec` cannot fail, and the cells are `str`, so the output is UTF-8.
        if out.write_record(cells.iter().map(|c| guard(c.as_ref()).into_owned())).is_err() {
            return String::new();
        }
        out.into_inner().ok().and_then(|bytes| String::from_utf8(bytes).ok()).unwrap_or_default()
    }

    /// The byte order mark and the header row.
    pub fn head(&self, columns: &[&str]) -> String {
        format!("{BOM}{}", self.line(columns))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_with_the_delimiter_quotes_or_line_breaks_are_quoted() {
        let csv = Csv::new(b',');
        assert_eq!(csv.line(&["a", "b,c", "say \"hi\"", "x\ny", ""]), "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\",\r\n");
        let semi = Csv::new(b';');
        assert_eq!(semi.line(&["b,c", "d;e"]), "b,c;\"d;e\"\r\n");
        assert_eq!(semi.list(["1", "2"]), "1,2");
        assert_eq!(csv.list(["1", "2"]), "1;2");
        assert!(csv.head(&["id"]).starts_with('\u{feff}'));
    }

    #[test]
    fn formula_cells_are_guarded_and_plain_numbers_are_not() {
        let csv = Csv::new(b',');
        assert_eq!(
            csv.line(&["=1+2", "+7", "-x", "@SUM(A1)", "\tx", "-12", "-4.5", "-1+2", "a=b"]),
            "'=1+2,'+7,'-x,'@SUM(A1),'\tx,-12,-4.5,'-1+2,a=b\r\n"
        );
        assert_eq!(csv.line(&["\r=x"]), "\"'\r=x\"\r\n");
        assert_eq!(guard("'=x"), "''=x");
        assert_eq!(guard("'x"), "'x");
        assert_eq!(guard("-"), "'-");
        assert_eq!(guard("-.5"), "'-.5");
    }

    #[test]
    fn unguard_gives_back_every_value_guard_wrote() {
        for v in ["=1", "'=1", "''=1", "'", "''", "'x", "-5", "'-5", "-5+1", "@", "", "text", "\t", "''x"] {
            assert_eq!(unguard(guard(v).into_owned()), v, "{v:?}");
        }
    }
}
