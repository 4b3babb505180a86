//! Extractors shared by every handler: JSON bodies (415, 413, 400, 422 naming every field),
//! query parameters (422 naming the parameter), `If-Match`, and pagination.

use actix_web::{
    FromRequest, HttpRequest,
    dev::Payload,
    http::header,
    web::{self, Bytes},
};
use futures_util::future::LocalBoxFuture;
use rsnms_domain::{FieldError, Msg};
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::problem::ApiError;

/// Largest JSON body accepted, unless configured otherwise through [`BodyLimit`].
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The configured largest JSON body in bytes.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

fn is_json(req: &HttpRequest) -> bool {
    let Some(ct) = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    match ct.parse::<mime::Mime>() {
        Ok(m) => m.type_() == mime::APPLICATION && (m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON)),
        Err(_) => false,
    }
}

/// Reads a JSON body as a value: 415 for another content type, 413 past the limit, 400 for
/// malformed JSON or invalid UTF-8.
pub async fn read_json(req: HttpRequest, mut payload: Payload) -> Result<serde_json::Value, ApiError> {
    if !is_json(&req) {
        return Err(ApiError::unsupported_media_type("application/json"));
    }
    let limit = req.app_data::<BodyLimit>().map_or(DEFAULT_BODY_LIMIT, |l| l.0);
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::payload_too_large(limit));
    }
    let mut bytes = web::BytesMut::new();
    use futures_util::StreamExt;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            ApiError::bad_request(Msg::new("Не удалось прочитать тело запроса", "Could not read the request body"))
        })?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::payload_too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    parse_json(&bytes.freeze())
}

/// Parses JSON bytes (400 naming the line and column on failure).
pub fn parse_json(bytes: &Bytes) -> Result<serde_json::Value, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::bad_request(Msg::new(
            "Пустое тело запроса: ожидается JSON",
            "Empty body: JSON expected",
        )));
    }
    if std::str::from_utf8(bytes).is_err() {
        return Err(ApiError::bad_request(Msg::new(
            "Тело запроса не в кодировке UTF-8",
            "The body is not valid UTF-8",
        )));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request(Msg::new(
            format!("Некорректный JSON: строка {}, позиция {}", e.line(), e.column()),
            format!("Malformed JSON at line {}, column {}", e.line(), e.column()),
        ))
    })
}

/// The error of a text holding U+0000, which PostgreSQL cannot store in `text` or `jsonb`
/// (SQLite could, but one rule holds on both engines).
fn nul_error(field: String) -> FieldError {
    FieldError::new(
        field,
        "invalid_character",
        Msg::new("Недопустимый символ U+0000 (NUL)", "The character U+0000 (NUL) is not allowed"),
    )
}

fn find_nul(value: &serde_json::Value, path: &str, out: &mut Vec<FieldError>) {
    match value {
        serde_json::Value::String(s) if s.contains('\0') => {
            out.push(nul_error(if path.is_empty() { "$".to_owned() } else { path.to_owned() }));
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find_nul(item, &format!("{path}[{i}]"), out);
            }
        }
        serde_json::Value::Object(fields) => unstorable_fields(fields, path, out),
        _ => {}
    }
}

/// Fields of a JSON object (a body, an import record) holding text a database cannot store
/// (U+0000), by their paths (`a.b`, `list[2].c`) under `prefix`. Every body and record is
/// checked here before it becomes a DTO: [`from_value`] and the import's record reader.
pub fn unstorable_fields(fields: &serde_json::Map<String, serde_json::Value>, prefix: &str, out: &mut Vec<FieldError>) {
    for (name, v) in fields {
        let path = match (prefix.is_empty(), name.contains('\0')) {
            (_, true) => {
                out.push(nul_error(name.replace('\0', "\\u0000")));
                continue;
            }
            (true, false) => name.clone(),
            (false, false) => format!("{prefix}.{name}"),
        };
        find_nul(v, &path, out);
    }
}

/// Deserialises a JSON value into `T`, naming the failing field by its path (422); text a
/// database cannot store (U+0000) is a 422 naming its fields.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    let mut unstorable = Vec::new();
    find_nul(&value, "", &mut unstorable);
    if !unstorable.is_empty() {
        return Err(ApiError::validation(unstorable));
    }
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let inner = e.inner().to_string();
        let mut path = e.path().to_string();
        if let Some(rest) = inner.strip_prefix("unknown field `") {
            let name = rest.split('`').next().unwrap_or_default();
            if path == "." {
                path = name.to_owned();
            } else if !path.ends_with(name) {
                path = format!("{path}.{name}");
            }
            return ApiError::validation(vec![FieldError::new(
                path,
                "unknown_field",
                Msg::new("Неизвестное поле", "Unknown field"),
            )]);
        }
        if path == "." {
            path = "$".to_owned();
        }
        ApiError::validation(vec![FieldError::new(
            path,
            "invalid_type",
            Msg::new(format!("Неверный тип или значение: {inner}"), format!("Invalid type or value: {inner}")),
        )])
    })
}

fn validator_message(e: &validator::ValidationError) -> Msg {
    let p = |k: &str| e.params.get(k).map(|v| v.to_string());
    match e.code.as_ref() {
        "required" => Msg::new("Обязательное поле", "This field is required"),
        "length" => Msg::new(
            format!(
                "Длина вне допустимых пределов (мин. {}, макс. {})",
                p("min").unwrap_or("—".into()),
                p("max").unwrap_or("—".into())
            ),
            format!(
                "Length out of range (min {}, max {})",
                p("min").unwrap_or("-".into()),
                p("max").unwrap_or("-".into())
            ),
        ),
        "range" => Msg::new(
            format!(
                "Значение вне диапазона (мин. {}, макс. {})",
                p("min").unwrap_or("—".into()),
                p("max").unwrap_or("—".into())
            ),
            format!(
                "Value out of range (min {}, max {})",
                p("min").unwrap_or("-".into()),
                p("max").unwrap_or("-".into())
            ),
        ),
        other => match &e.message {
            Some(m) => Msg::new(m.to_string(), m.to_string()),
            None => Msg::new(format!("Неверное значение ({other})"), format!("Invalid value ({other})")),
        },
    }
}

/// Flattens validator errors into fields with JSON paths (`a.b`, `list[2].c`).
pub fn flatten(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    let join = |name: &str| if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") };
    let mut entries: Vec<_> = errors.errors().iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    for (name, kind) in entries {
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    out.push(FieldError::new(join(name), e.code.to_string(), validator_message(e)));
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten(inner, &join(name), out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    flatten(inner, &format!("{}[{i}]", join(name)), out);
                }
            }
        }
    }
}

/// Context-free value checks of a DTO that the domain would also make (СНИЛС checksum, e-mail,
/// region code …), run together with the validator rules so that one 422 names every failing
/// field, not only the first kind of failure.
pub trait ValueChecks {
    /// Fields whose values cannot be valid whatever the context.
    fn value_errors(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

/// Checks an optional value with a domain parser.
pub fn check_value<T>(
    out: &mut Vec<FieldError>,
    value: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) {
    if let Some(v) = value
        && let Err(e) = parse(v)
    {
        out.push(e);
    }
}

/// Runs the validator rules and value checks of a DTO (422 naming every failing field).
pub fn validate<T: Validate + ValueChecks>(dto: &T) -> Result<(), ApiError> {
    let mut out = Vec::new();
    if let Err(e) = dto.validate() {
        flatten(&e, "", &mut out);
    }
    for e in dto.value_errors() {
        if !out.iter().any(|o| o.field == e.field) {
            out.push(e);
        }
    }
    if out.is_empty() { Ok(()) } else { Err(ApiError::validation(out)) }
}

/// A JSON body, checked for shape and validator rules.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T: DeserializeOwned + Validate + ValueChecks + 'static> FromRequest for Body<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            let value = read_json(req, payload).await?;
            let dto: T = from_value(value)?;
            validate(&dto)?;
            Ok(Body(dto))
        })
    }
}

/// A JSON body kept as a value (for merge patches), type-checked against `T` (rules are checked
/// after merging, on the whole new state).
#[derive(Debug)]
pub struct PatchBody<T> {
    /// The patch document.
    pub value: serde_json::Value,
    _shape: std::marker::PhantomData<T>,
}

impl<T: DeserializeOwned + Validate + ValueChecks + 'static> FromRequest for PatchBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            let value = read_json(req, payload).await?;
            if !value.is_object() {
                return Err(ApiError::validation(vec![FieldError::new(
                    "$",
                    "invalid_type",
                    Msg::new("Ожидается JSON-объект", "A JSON object is expected"),
                )]));
            }
            let shape: T = from_value(value.clone())?;
            // Every rule but `required` holds for the fields a patch sends, whatever they merge
            // into: judge them now, before any precondition (RFC 9110 §13.2.1).
            let mut errors = Vec::new();
            if let Err(e) = shape.validate() {
                flatten(&e, "", &mut errors);
            }
            errors.extend(shape.value_errors());
            // `required` holds only for what the patch itself clears (`"field": null`).
            errors.retain(|e| e.code != "required" || value.get(&e.field).is_some_and(serde_json::Value::is_null));
            if !errors.is_empty() {
                return Err(ApiError::validation(errors));
            }
            Ok(PatchBody { value, _shape: std::marker::PhantomData })
        })
    }
}

/// Applies an RFC 7396 JSON merge patch.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    match patch {
        serde_json::Value::Object(p) => {
            if !target.is_object() {
                *target = serde_json::Value::Object(serde_json::Map::new());
            }
            if let serde_json::Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge_patch(t.entry(k.clone()).or_insert(serde_json::Value::Null), v);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// Longest value of any query parameter (the published spec declares it as `maxLength`).
pub const QUERY_VALUE_MAX: usize = 200;

/// Query parameters, deserialised with the failing parameter named (422); every value is at most
/// [`QUERY_VALUE_MAX`] characters and holds no U+0000.
#[derive(Debug)]
pub struct Params<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Params<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let too_long: Vec<FieldError> = form_urlencoded::parse(req.query_string().as_bytes())
            .filter_map(|(k, v)| {
                if k.contains('\0') || v.contains('\0') {
                    return Some(nul_error(k.replace('\0', "\\u0000")));
                }
                (v.chars().count() > QUERY_VALUE_MAX).then(|| {
                    FieldError::new(
                        k.into_owned(),
                        "too_long",
                        Msg::new(
                            format!("Не длиннее {QUERY_VALUE_MAX} символов"),
                            format!("At most {QUERY_VALUE_MAX} characters"),
                        ),
                    )
                })
            })
            .collect();
        if !too_long.is_empty() {
            return std::future::ready(Err(ApiError::validation(too_long)));
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(req.query_string().as_bytes()));
        std::future::ready(serde_path_to_error::deserialize::<_, T>(de).map(Params).map_err(|e| {
            let inner = e.inner().to_string();
            let path = e.path().to_string();
            let field = if let Some(rest) = inner.strip_prefix("unknown field `") {
                rest.split('`').next().unwrap_or_default().to_owned()
            } else {
                path
            };
            ApiError::validation(vec![FieldError::new(
                field,
                "invalid_parameter",
                Msg::new(format!("Неверный параметр запроса: {inner}"), format!("Invalid query parameter: {inner}")),
            )])
        }))
    }
}

/// The version a client expects, from `If-Match` (428 when missing, 412 when unparseable).
/// Prefer [`Precondition`], which lets the body be judged first.
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub i64);

/// `If-Match`, read but judged only when the handler asks ([`Precondition::version`]), after the
/// body: RFC 9110 §13.2.1 — preconditions are ignored when the request would fail anyway, so an
/// invalid body answers 400/415/422, not 412/428.
#[derive(Debug, Clone)]
pub struct Precondition(Result<i64, ApiError>);

impl Precondition {
    /// The expected version, or 428 (missing) / 412 (not a version of ours).
    pub fn version(self) -> Result<i64, ApiError> {
        self.0
    }
}

impl FromRequest for Precondition {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let judged = match IfMatch::from_request(req, payload).into_inner() {
            Ok(IfMatch(v)) => Ok(v),
            Err(e) => Err(e),
        };
        std::future::ready(Ok(Precondition(judged)))
    }
}

/// The strong ETag of a version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(raw) = req.headers().get(header::IF_MATCH).filter(|v| !v.is_empty()) else {
            return std::future::ready(Err(ApiError::precondition_required()));
        };
        let v = raw.to_str().unwrap_or_default().trim();
        if v == "*" {
            // "Any version" would let a client overwrite changes it never saw.
            return std::future::ready(Err(ApiError::precondition_required()));
        }
        let v = v.strip_prefix("W/").unwrap_or(v);
        let parsed = v.trim_matches('"').parse::<i64>().ok();
        std::future::ready(
            parsed.map(IfMatch).ok_or_else(|| ApiError::from(rsnms_domain::DomainError::PreconditionFailed)),
        )
    }
}
