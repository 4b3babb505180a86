//! Reading an import body as it streams in: lines (NDJSON), records (CSV, quoted fields may
//! span lines) or the elements of one JSON array (split by a small scanner, never parsed whole), decoded from UTF-8 or Windows-1251, one at a time — the body never sits in
//! memory whole. The reader hashes every byte it reads (for `Idempotency-Key`) and stops at
//! the configured size.

use actix_web::web::Bytes;
use encoding_rs::Encoding;
use futures_util::{Stream, StreamExt};
use rsnms_domain::{FieldError, Msg};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::ImportFailure;

/// Longest line (or CSV record) accepted.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// The body's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/x-ndjson`: one JSON object per line.
    Ndjson,
    /// `text/csv`: a header row, then one record per row.
    Csv,
    /// `application/json`: one JSON array of objects, read element by element.
    Json,
}

impl Format {
    /// The media type of the format.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Ndjson => "application/x-ndjson",
            Format::Csv => "text/csv",
            Format::Json => "application/json",
        }
    }
    /// Name (`ndjson`, `csv`, `json`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ndjson => "ndjson",
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }

    /// Parses a name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Ndjson, Self::Csv, Self::Json].into_iter().find(|f| f.as_str() == s)
    }
}

/// Reads a body line by line.
pub struct Lines<S> {
    stream: S,
    buf: Vec<u8>,
    start: usize,
    scanned: usize,
    done: bool,
    line: u64,
    read: u64,
    limit: u64,
    encoding: &'static Encoding,
    hasher: Sha256,
    array: ArrayScan,
}

/// Where the scanner of a JSON array body is.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum ArrayAt {
    /// Before the opening bracket (whitespace and a BOM may come first).
    #[default]
    Before,
    /// Inside the array, in the element starting at the buffer's start.
    Inside,
    /// Past the closing bracket: only whitespace may follow.
    After,
}

/// The state of the JSON array scanner, kept across chunks: it tracks strings and nesting only,
/// enough to find where each element ends; each element is then parsed on its own.
#[derive(Debug, Default, Clone, Copy)]
struct ArrayScan {
    at: ArrayAt,
    depth: u32,
    in_string: bool,
    escaped: bool,
    elements: u64,
}

fn malformed_body(code: &str, ru: &str, en: &str) -> ImportFailure {
    ImportFailure::MalformedBody(FieldError::new("$", code, Msg::new(ru, en)))
}

fn too_long(line: u64) -> ImportFailure {
    ImportFailure::LineTooLong(line)
}

impl<S, E> Lines<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    /// A reader over a byte stream, decoding with an encoding, stopping past `limit` bytes.
    pub fn new(stream: S, encoding: &'static Encoding, limit: u64) -> Self {
        Self {
            stream,
            buf: Vec::new(),
            start: 0,
            scanned: 0,
            done: false,
            line: 0,
            read: 0,
            limit,
            encoding,
            hasher: Sha256::new(),
            array: ArrayScan::default(),
        }
    }

    /// The SHA-256 of every byte read so far (of the whole body once the reader is exhausted).
    pub fn digest(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }

    /// Reads the rest of the body without parsing it (to hash a body whose import is replayed).
    pub async fn drain(&mut self) -> Result<(), ImportFailure> {
        self.buf.clear();
        self.start = 0;
        self.scanned = 0;
        while self.fill().await? {
            self.buf.clear();
        }
        Ok(())
    }

    /// The next piece of the body as it arrived, unparsed — counted against the limit and
    /// hashed like every byte the reader reads (an asynchronous import stores the body so).
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>, ImportFailure> {
        if self.done {
            return Ok(None);
        }
        match self.stream.next().await {
            None => {
                self.done = true;
                Ok(None)
            }
            Some(Err(_)) => Err(ImportFailure::Unreadable),
            Some(Ok(chunk)) => {
                self.read += chunk.len() as u64;
                if self.read > self.limit {
                    return Err(ImportFailure::TooLarge(self.limit));
                }
                self.hasher.update(&chunk);
                Ok(Some(chunk))
            }
        }
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    async fn fill(&mut self) -> Result<bool, ImportFailure> {
        match self.next_chunk().await? {
            None => Ok(false),
            Some(chunk) => {
                self.buf.extend_from_slice(&chunk);
                Ok(true)
            }
        }
    }

    /// The next physical line: its number and text (or why it cannot be decoded).
    pub async fn next_line(&mut self) -> Result<Option<(u64, Result<String, FieldError>)>, ImportFailure> {
        loop {
            let from = self.start + self.scanned;
            if let Some(pos) = self.buf[from..].iter().position(|b| *b == b'\n') {
                let end = from + pos;
                let line = self.decode_at(self.start, end);
                self.start = end + 1;
                self.scanned = 0;
                return Ok(Some((self.line, line)));
            }
            self.scanned = self.buf.len() - self.start;
            if self.scanned > MAX_LINE_BYTES {
                return Err(too_long(self.line + 1));
            }
            // Compact once per chunk, not once per line.
            self.buf.drain(..self.start);
            self.start = 0;
            if !self.fill().await? {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                let end = self.buf.len();
                let line = self.decode_at(0, end);
                self.buf.clear();
                self.scanned = 0;
                return Ok(Some((self.line, line)));
            }
        }
    }

    /// The next element of a body holding one JSON array: its index (1-based, the "line" of
    /// the summary) and its text (or why it cannot be decoded, or that it is empty). A body
    /// that is not an array, or whose array is not closed, or that has text after it, fails
    /// as a whole; an element is held in memory alone, up to [`MAX_LINE_BYTES`].
    pub async fn next_element(&mut self) -> Result<Option<(u64, Result<String, FieldError>)>, ImportFailure> {
        loop {
            let mut i = self.start + self.scanned;
            while i < self.buf.len() {
                let b = self.buf[i];
                let scan = &mut self.array;
                let outside = scan.at != ArrayAt::Inside;
                match scan.at {
                    ArrayAt::Before => match b {
                        b' ' | b'\t' | b'\r' | b'\n' | 0xEF | 0xBB | 0xBF => {} // whitespace, a UTF-8 BOM
                        b'[' => scan.at = ArrayAt::Inside,
                        _ => {
                            return Err(malformed_body(
                                "not_an_array",
                                "Ожидается JSON-массив записей: тело должно начинаться с «[»",
                                "A JSON array of records is expected: the body must start with '['",
                            ));
                        }
                    },
                    ArrayAt::After => {
                        if !b.is_ascii_whitespace() {
                            return Err(malformed_body(
                                "text_after_array",
                                "Текст после закрывающей «]» массива",
                                "Text after the array's closing ']'",
                            ));
                        }
                    }
                    ArrayAt::Inside if scan.in_string => {
                        if scan.escaped {
                            scan.escaped = false;
                        } else if b == b'\\' {
                            scan.escaped = true;
                        } else if b == b'"' {
                            scan.in_string = false;
                        }
                    }
                    ArrayAt::Inside => match b {
                        b'"' => scan.in_string = true,
                        b'{' | b'[' => scan.depth += 1,
                        b'}' | b']' if scan.depth > 0 => scan.depth -= 1,
                        b',' | b']' if scan.depth == 0 => {
                            if i - self.start > MAX_LINE_BYTES {
                                return Err(too_long(scan.elements + 1));
                            }
                            let first = scan.elements == 0;
                            if b == b']' {
                                scan.at = ArrayAt::After;
                            }
                            let raw = self.buf[self.start..i].trim_ascii();
                            // `[]` (blank inside) is an empty array, not an empty element.
                            if raw.is_empty() && b == b']' && first {
                                i += 1;
                                self.start = i;
                                continue;
                            }
                            let text = if raw.is_empty() {
                                Err(malformed("Пустой элемент массива", "An empty array element"))
                            } else {
                                self.encoding
                                    .decode_without_bom_handling_and_without_replacement(raw)
                                    .map(|t| t.into_owned())
                                    .ok_or_else(|| {
                                        FieldError::new(
                                            "$",
                                            "invalid_encoding",
                                            Msg::new(
                                                format!("Элемент не в кодировке {}", self.encoding.name()),
                                                format!("The element is not valid {}", self.encoding.name()),
                                            ),
                                        )
                                    })
                            };
                            self.array.elements += 1;
                            self.start = i + 1;
                            self.scanned = 0;
                            return Ok(Some((self.array.elements, text)));
                        }
                        _ => {}
                    },
                }
                i += 1;
                if outside {
                    // Nothing before the element is kept: it starts past the bracket.
                    self.start = i;
                }
            }
            self.scanned = i - self.start;
            if self.scanned > MAX_LINE_BYTES {
                return Err(too_long(self.array.elements + 1));
            }
            self.buf.drain(..self.start);
            self.start = 0;
            if !self.fill().await? {
                return match self.array.at {
                    ArrayAt::After => Ok(None),
                    ArrayAt::Before => Err(malformed_body(
                        "not_an_array",
                        "Ожидается JSON-массив записей, а тело пустое",
                        "A JSON array of records is expected; the body is empty",
                    )),
                    ArrayAt::Inside => Err(malformed_body(
                        "unterminated_array",
                        "Массив не закрыт «]»: тело оборвано или скобки не сходятся",
                        "The array is not closed by ']': the body is cut or its brackets do not match",
                    )),
                };
            }
        }
    }

    fn decode_at(&mut self, start: usize, end: usize) -> Result<String, FieldError> {
        self.line += 1;
        let raw = &self.buf[start..end];
        self.decode(raw)
    }

    fn decode(&self, raw: &[u8]) -> Result<String, FieldError> {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let raw = if self.line == 1 { raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw) } else { raw };
        match self.encoding.decode_without_bom_handling_and_without_replacement(raw) {
            Some(text) => Ok(text.into_owned()),
            None => Err(FieldError::new(
                "$",
                "invalid_encoding",
                Msg::new(
                    format!("Строка не в кодировке {}", self.encoding.name()),
                    format!("The line is not valid {}", self.encoding.name()),
                ),
            )),
        }
    }
}

fn malformed(ru: impl Into<String>, en: impl Into<String>) -> FieldError {
    FieldError::new("$", "malformed", Msg::new(ru, en))
}

/// One JSON object (an NDJSON line or an array's element).
fn object(text: &str) -> Result<Map<String, Value>, FieldError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(malformed("Ожидается JSON-объект", "A JSON object is expected")),
        Err(e) => Err(malformed(
            format!("Некорректный JSON: позиция {}", e.column()),
            format!("Malformed JSON at column {}", e.column()),
        )),
    }
}

/// One record of the body: its (first) line number and the record as a JSON object.
pub type Record = (u64, Result<Map<String, Value>, FieldError>);

/// Reads records (NDJSON objects or CSV rows as objects) from lines.
pub struct Records<S> {
    lines: Lines<S>,
    format: Format,
    header: Option<Vec<String>>,
    delimiter: char,
    list_columns: &'static [&'static str],
    number_columns: &'static [&'static str],
    bool_columns: &'static [&'static str],
}

impl<S, E> Records<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    /// Records of a body; `list_columns` are CSV columns whose cells hold lists.
    pub fn new(lines: Lines<S>, format: Format, list_columns: &'static [&'static str]) -> Self {
        Self { lines, format, header: None, delimiter: ',', list_columns, number_columns: &[], bool_columns: &[] }
    }

    /// Records of a body for a dataset: its list, number and boolean CSV columns typed.
    pub fn for_dataset(lines: Lines<S>, format: Format, dataset: &dyn super::datasets::Dataset) -> Self {
        Self::new(lines, format, dataset.list_columns()).typed(dataset.number_columns(), dataset.bool_columns())
    }

    /// Types the cells of CSV columns holding numbers and yes/no values (CSV cells are text
    /// otherwise; NDJSON is typed by JSON itself).
    pub fn typed(mut self, numbers: &'static [&'static str], bools: &'static [&'static str]) -> Self {
        self.number_columns = numbers;
        self.bool_columns = bools;
        self
    }

    /// The line reader (for the digest and draining).
    pub fn lines(&mut self) -> &mut Lines<S> {
        &mut self.lines
    }

    /// The next record; blank lines are skipped.
    pub async fn next(&mut self) -> Result<Option<Record>, ImportFailure> {
        let record = match self.format {
            Format::Ndjson => self.next_json().await?,
            Format::Csv => self.next_csv().await?,
            Format::Json => self.lines.next_element().await?.map(|(n, text)| (n, text.and_then(|t| object(&t)))),
        };
        Ok(record.map(|(n, fields)| (n, fields.and_then(storable))))
    }

    async fn next_json(&mut self) -> Result<Option<Record>, ImportFailure> {
        loop {
            let Some((n, text)) = self.lines.next_line().await? else { return Ok(None) };
            let text = match text {
                Ok(t) if t.trim().is_empty() => continue,
                Ok(t) => t,
                Err(e) => return Ok(Some((n, Err(e)))),
            };
            return Ok(Some((n, object(&text))));
        }
    }

    /// Reads one CSV record, joining lines while a quoted field is open.
    async fn csv_fields(&mut self) -> Result<Option<(u64, Result<Vec<String>, FieldError>)>, ImportFailure> {
        loop {
            let Some((first, text)) = self.lines.next_line().await? else { return Ok(None) };
            let mut text = match text {
                Ok(t) if t.trim().is_empty() => continue,
                Ok(t) => t,
                Err(e) => return Ok(Some((first, Err(e)))),
            };
            if self.header.is_none() {
                let semis = text.matches(';').count();
                let commas = text.matches(',').count();
                self.delimiter = if semis > commas { ';' } else { ',' };
            }
            while text.matches('"').count() % 2 == 1 {
                match self.lines.next_line().await? {
                    Some((_, Ok(more))) => {
                        text.push('\n');
                        text.push_str(&more);
                        if text.len() > MAX_LINE_BYTES {
                            return Err(too_long(first));
                        }
                    }
                    Some((_, Err(e))) => return Ok(Some((first, Err(e)))),
                    None => {
                        return Ok(Some((first, Err(malformed("Незакрытая кавычка", "Unterminated quoted field")))));
                    }
                }
            }
            return Ok(Some((first, split_csv(&text, self.delimiter))));
        }
    }

    async fn next_csv(&mut self) -> Result<Option<Record>, ImportFailure> {
        if self.header.is_none() {
            let Some((n, fields)) = self.csv_fields().await? else { return Ok(None) };
            match fields {
                Ok(h) => self.header = Some(h.into_iter().map(|c| c.trim().to_owned()).collect()),
                Err(e) => {
                    return Err(ImportFailure::MalformedHeader { line: n, error: e });
                }
            }
        }
        let Some((n, fields)) = self.csv_fields().await? else { return Ok(None) };
        let fields = match fields {
            Ok(f) => f,
            Err(e) => return Ok(Some((n, Err(e)))),
        };
        let header = self.header.as_deref().unwrap_or_default();
        if fields.len() != header.len() {
            return Ok(Some((
                n,
                Err(malformed(
                    format!("Ожидается полей: {}, получено: {}", header.len(), fields.len()),
                    format!("Expected {} fields, got {}", header.len(), fields.len()),
                )),
            )));
        }
        let list_sep = if self.delimiter == ';' { ',' } else { ';' };
        let mut obj = Map::new();
        for (name, cell) in header.iter().zip(fields) {
            if cell.is_empty() {
                continue;
            }
            // A cell an rsnms export guarded against formula injection reads back as its value.
            let cell = crate::csv_format::unguard(cell);
            let value = if self.list_columns.contains(&name.as_str()) {
                Value::Array(
                    cell.split(list_sep)
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| Value::String(s.to_owned()))
                        .collect(),
                )
            } else if self.number_columns.contains(&name.as_str()) {
                number_cell(cell)
            } else if self.bool_columns.contains(&name.as_str()) {
                bool_cell(cell)
            } else {
                Value::String(cell)
            };
            insert_path(&mut obj, name, value);
        }
        Ok(Some((n, Ok(obj))))
    }
}

/// A record whose text a database can store (no U+0000): else the line's error names the field.
fn storable(fields: Map<String, Value>) -> Result<Map<String, Value>, FieldError> {
    let mut unstorable = Vec::new();
    crate::extract::unstorable_fields(&fields, "", &mut unstorable);
    match unstorable.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(fields),
    }
}

/// A CSV cell of a number column: an integer, or a decimal with `.` or `,`; anything else stays
/// text, for the record's parser to name.
fn number_cell(cell: String) -> Value {
    // Spaces (also no-break ones) group thousands in Russian spreadsheets: `1 200`.
    let t: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.as_str();
    if let Ok(i) = t.parse::<i64>() {
        return Value::from(i);
    }
    let plain = !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-'));
    match t.replace(',', ".").parse::<f64>().ok().filter(|_| plain).and_then(serde_json::Number::from_f64) {
        Some(n) => Value::Number(n),
        None => Value::String(cell),
    }
}

/// A CSV cell of a boolean column: `true`/`false` or `1`/`0` (any case); anything else stays
/// text, for the record's parser to name.
fn bool_cell(cell: String) -> Value {
    match cell.trim().to_lowercase().as_str() {
        "true" | "1" | "да" | "yes" => Value::Bool(true),
        "false" | "0" | "нет" | "no" => Value::Bool(false),
        _ => Value::String(cell),
    }
}

/// Puts a value at a dotted path (`contacts.phone`).
fn insert_path(obj: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            obj.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let entry = obj.entry(head.to_owned()).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = entry {
                insert_path(inner, rest, value);
            }
        }
    }
}

/// Splits one CSV record (RFC 4180: `"` quotes, `""` inside quotes is a quote).
///
/// Kept as our own code, not `csv`/`csv-core` (which the writer uses): their reader is lenient by
/// design — it never reports malformed CSV, reading a stray character after a closing quote
/// (`"b"x`) and an unterminated quoted field into the cell — while an import must refuse such a
/// record with a 422 naming its line (tested below: `csv_fields_handle_quotes_and_doubled_quotes`).
/// Records are already cut by [`Lines`] (quoted line breaks included), so this is only the split.
pub fn split_csv(text: &str, delimiter: char) -> Result<Vec<String>, FieldError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' {
            if !cur.trim().is_empty() || was_quoted {
                return Err(malformed("Кавычка внутри поля без кавычек", "A quote inside an unquoted field"));
            }
            cur.clear();
            quoted = true;
            was_quoted = true;
        } else if c == delimiter {
            out.push(if was_quoted { std::mem::take(&mut cur) } else { std::mem::take(&mut cur).trim().to_owned() });
            was_quoted = false;
        } else if was_quoted {
            if !c.is_whitespace() {
                return Err(malformed("Текст после закрывающей кавычки", "Text after a closing quote"));
            }
        } else {
            cur.push(c);
        }
    }
    if quoted {
        return Err(malformed("Незакрытая кавычка", "Unterminated quoted field"));
    }
    out.push(if was_quoted { cur } else { cur.trim().to_owned() });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(parts: &[&[u8]]) -> impl Stream<Item = Result<Bytes, std::convert::Infallible>> + Unpin + use<> {
        futures_util::stream::iter(parts.iter().map(|p| Ok(Bytes::copy_from_slice(p))).collect::<Vec<_>>())
    }

    #[test]
    fn csv_fields_handle_quotes_and_doubled_quotes() {
        assert_eq!(split_csv(r#"a,"b, c","d ""e""""#, ',').unwrap(), vec!["a", "b, c", r#"d "e""#]);
        assert_eq!(split_csv("a;;c", ';').unwrap(), vec!["a", "", "c"]);
        assert!(split_csv(r#"a,"b"x"#, ',').is_err());
        assert!(split_csv(r#"a,"b"#, ',').is_err());
    }

    #[test]
    fn number_and_boolean_cells_are_typed_and_anything_else_stays_text() {
        assert_eq!(number_cell("36".into()), serde_json::json!(36));
        assert_eq!(number_cell(" 4,5 ".into()), serde_json::json!(4.5));
        assert_eq!(number_cell("-1.25".into()), serde_json::json!(-1.25));
        for text in ["", "NaN", "inf", "1e3", "сорок"] {
            assert_eq!(number_cell(text.into()), Value::String(text.into()), "{text}");
        }
        assert_eq!(bool_cell("TRUE".into()), Value::Bool(true));
        assert_eq!(bool_cell("0".into()), Value::Bool(false));
        assert_eq!(bool_cell("Да".into()), Value::Bool(true));
        assert_eq!(bool_cell("нет".into()), Value::Bool(false));
        assert_eq!(bool_cell("может быть".into()), Value::String("может быть".into()));
    }

    #[tokio::test]
    async fn lines_split_across_chunks_and_cp1251_decodes() {
        let mut l = Lines::new(stream(&[b"ab", b"c\r\nd", b"\xc8\xe2\n"]), encoding_rs::WINDOWS_1251, 100);
        assert_eq!(l.next_line().await.unwrap().unwrap(), (1, Ok("abc".to_owned())));
        assert_eq!(l.next_line().await.unwrap().unwrap(), (2, Ok("dИв".to_owned())));
        assert!(l.next_line().await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_quoted_csv_field_may_span_lines_and_keeps_the_first_line_number() {
        let body: &[u8] = b"name;roles;contacts.phone\n\"A\nB\";teacher,mentor;\nC;;1\n";
        let lines = Lines::new(stream(&[body]), encoding_rs::UTF_8, 1000);
        let mut r = Records::new(lines, Format::Csv, &["roles"]);
        let (n, rec) = r.next().await.unwrap().unwrap();
        assert_eq!(n, 2);
        let rec = rec.unwrap();
        assert_eq!(rec["name"], "A\nB");
        assert_eq!(rec["roles"], serde_json::json!(["teacher", "mentor"]));
        assert!(!rec.contains_key("contacts"));
        let (n, rec) = r.next().await.unwrap().unwrap();
        assert_eq!(n, 4);
        assert_eq!(rec.unwrap()["contacts"]["phone"], "1");
    }

    #[tokio::test]
    async fn number_and_flag_columns_are_typed_and_other_cells_stay_text() {
        let body = "year;value;comment;flag\n2024;31,5;12;да\n20x4;1 200;;no\n".as_bytes();
        let lines = Lines::new(stream(&[body]), encoding_rs::UTF_8, 1000);
        let mut r = Records::new(lines, Format::Csv, &[]).typed(&["year", "value"], &["flag"]);
        let (_, rec) = r.next().await.unwrap().unwrap();
        let rec = rec.unwrap();
        assert_eq!(rec["year"], serde_json::json!(2024));
        assert!(rec["year"].is_i64() || rec["year"].is_u64());
        assert_eq!(rec["value"], serde_json::json!(31.5));
        assert_eq!(rec["comment"], "12");
        assert_eq!(rec["flag"], true);
        let (_, rec) = r.next().await.unwrap().unwrap();
        let rec = rec.unwrap();
        assert_eq!(rec["year"], "20x4");
        assert_eq!(rec["value"], serde_json::json!(1200));
        assert_eq!(rec["flag"], false);
    }

    #[tokio::test]
    async fn a_json_array_splits_into_elements_across_chunks_whatever_its_strings_hold() {
        let body: &[u8] = br#" [ {"a":"x],\"{"} ,{"b":[1,{"c":2}]},, {"d":1} ]  "#;
        let pieces: Vec<&[u8]> = body.chunks(3).collect();
        let lines = Lines::new(stream(&pieces), encoding_rs::UTF_8, 1000);
        let mut r = Records::new(lines, Format::Json, &[]);
        let (n, rec) = r.next().await.unwrap().unwrap();
        assert_eq!((n, rec.unwrap()["a"].clone()), (1, Value::String("x],\"{".into())));
        let (n, rec) = r.next().await.unwrap().unwrap();
        assert_eq!((n, rec.unwrap()["b"][1]["c"].clone()), (2, serde_json::json!(2)));
        let (n, rec) = r.next().await.unwrap().unwrap();
        assert_eq!((n, rec.unwrap_err().code.as_str()), (3, "malformed"));
        let (n, rec) = r.next().await.unwrap().unwrap();
        assert_eq!((n, rec.unwrap()["d"].clone()), (4, serde_json::json!(1)));
        assert!(r.next().await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_json_array_element_is_bounded_like_a_line() {
        let big = format!("[{{\"a\":\"{}\"}}]", "x".repeat(MAX_LINE_BYTES + 1));
        let mut l = Lines::new(stream(&[big.as_bytes()]), encoding_rs::UTF_8, u64::MAX);
        assert!(matches!(l.next_element().await, Err(ImportFailure::LineTooLong(1))));
        let mut l = Lines::new(stream(&[b" [] x"]), encoding_rs::UTF_8, 100);
        assert!(matches!(l.next_element().await, Err(ImportFailure::MalformedBody(e)) if e.code == "text_after_array"));
    }

    #[tokio::test]
    async fn the_body_limit_stops_reading() {
        let mut l = Lines::new(stream(&[b"aaaa\n", b"bbbb\n"]), encoding_rs::UTF_8, 6);
        assert!(l.next_line().await.is_ok());
        assert!(matches!(l.next_line().await, Err(ImportFailure::TooLarge(6))));
    }
}
