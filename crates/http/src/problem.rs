//! RFC 9457 problem details: the one error type of the HTTP layer. Every 4xx and 5xx answers
//! `application/problem+json`, in Russian by default and English for `Accept-Language: en`.

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use rsnms_domain::{DomainError, FieldError, InternalError, Msg};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// The language of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Russian (default).
    #[default]
    Ru,
    /// English.
    En,
}

impl Lang {
    /// Picks the language from an `Accept-Language` header: English when `en` is preferred over
    /// `ru` (by order and q-value), Russian otherwise.
    pub fn from_header(value: Option<&str>) -> Self {
        let Some(v) = value else { return Lang::Ru };
        let mut best: Option<(f32, Lang)> = None;
        for part in v.split(',') {
            let mut it = part.trim().split(';');
            let tag = it.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = it.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
            let lang = if tag == "en" || tag.starts_with("en-") {
                Lang::En
            } else if tag == "ru" || tag.starts_with("ru-") {
                Lang::Ru
            } else {
                continue;
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::Ru, |(_, l)| l)
    }

    /// The text of a message in this language.
    pub fn pick<'a>(&self, m: &'a Msg) -> &'a str {
        match self {
            Lang::Ru => &m.ru,
            Lang::En => &m.en,
        }
    }
}

/// One failing field of a validation problem.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// JSON path of the field, e.g. `author.email` (путь к полю).
    pub field: String,
    /// Stable machine-readable code, e.g. `required`, `invalid_snils`.
    pub code: String,
    /// What is wrong, in the response language.
    pub message: String,
}

/// RFC 9457 problem details (описание ошибки).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type, e.g. `https://rsnms.ru/problems/validation`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status code.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// Explanation specific to this occurrence.
    pub detail: String,
    /// The request id, for support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Every failing field (validation problems).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 10000)]
    pub errors: Vec<ProblemField>,
    /// For conflicts (always present on a 409, empty when nothing is allowed any more): the
    /// allowed alternatives (e.g. the transitions allowed now).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 100)]
    pub allowed: Option<Vec<String>>,
}

/// The HTTP layer's error.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// Status.
    pub status: StatusCode,
    /// Problem type slug, e.g. `validation`.
    pub kind: &'static str,
    /// Title.
    pub title: Msg,
    /// Detail.
    pub detail: Msg,
    /// Failing fields.
    pub errors: Vec<FieldError>,
    /// Allowed alternatives.
    pub allowed: Vec<String>,
    /// Extra headers (`Allow`, `Retry-After`, `WWW-Authenticate`).
    pub headers: Vec<(header::HeaderName, String)>,
    /// The cause of an internal error, kept for the log (never rendered).
    pub source: Option<Arc<InternalError>>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.kind, self.detail.en)
    }
}

impl ApiError {
    /// A problem with a status, type slug, title and detail.
    pub fn new(status: StatusCode, kind: &'static str, title: Msg, detail: Msg) -> Self {
        Self { status, kind, title, detail, errors: Vec::new(), allowed: Vec::new(), headers: Vec::new(), source: None }
    }

    /// Keeps the cause of an internal error for the log.
    pub fn with_source(mut self, source: Arc<InternalError>) -> Self {
        self.source = Some(source);
        self
    }

    /// Adds a header.
    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// 400 Bad Request.
    pub fn bad_request(detail: Msg) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", Msg::new("Некорректный запрос", "Bad request"), detail)
    }

    /// 401 Unauthorized with `WWW-Authenticate: Bearer`.
    pub fn unauthorized(detail: Msg) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            Msg::new("Требуется аутентификация", "Authentication required"),
            detail,
        )
        .with_header(header::WWW_AUTHENTICATE, "Bearer realm=\"rsnms\"")
    }

    /// 404 Not Found.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            Msg::new("Не найдено", "Not found"),
            Msg::new("Ресурс не найден или недоступен", "The resource does not exist or is not visible to you"),
        )
    }

    /// 405 Method Not Allowed with `Allow`.
    pub fn method_not_allowed(allow: &[String]) -> Self {
        let list = allow.join(", ");
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            Msg::new("Метод не поддерживается", "Method not allowed"),
            Msg::new(format!("Допустимые методы: {list}"), format!("Allowed methods: {list}")),
        )
        .with_header(header::ALLOW, list)
    }

    /// 415 Unsupported Media Type.
    pub fn unsupported_media_type(expected: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            Msg::new("Неподдерживаемый тип содержимого", "Unsupported media type"),
            Msg::new(format!("Ожидается Content-Type: {expected}"), format!("Expected Content-Type: {expected}")),
        )
    }

    /// 413 Payload Too Large.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            Msg::new("Слишком большое тело запроса", "Payload too large"),
            Msg::new(format!("Тело запроса больше {limit} байт"), format!("The body exceeds {limit} bytes")),
        )
    }

    /// 422 with every failing field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let fields = errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", ");
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            Msg::new("Ошибка проверки данных", "Validation failed"),
            Msg::new(format!("Неверные поля: {fields}"), format!("Invalid fields: {fields}")),
        );
        e.errors = errors;
        e
    }

    /// 428 Precondition Required.
    pub fn precondition_required() -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition-required",
            Msg::new("Требуется заголовок If-Match", "If-Match required"),
            Msg::new(
                "Передайте ETag текущей версии в заголовке If-Match",
                "Send the ETag of the current version in the If-Match header",
            ),
        )
    }

    /// 503 Service Unavailable with `Retry-After`.
    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            Msg::new("Сервис временно недоступен", "Service unavailable"),
            Msg::new("База данных недоступна, повторите запрос позже", "The database is unavailable; retry later"),
        )
        .with_header(header::RETRY_AFTER, "5")
    }

    /// 500 with a generic body; the cause goes to the log only.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            Msg::new("Внутренняя ошибка", "Internal error"),
            Msg::new(
                "Внутренняя ошибка сервера; сообщите идентификатор запроса",
                "Internal server error; quote the request id",
            ),
        )
    }

    /// A generic problem for a bare status (e.g. produced by a library).
    pub fn from_status(status: StatusCode) -> Self {
        let reason = status.canonical_reason().unwrap_or("Error");
        match status.as_u16() {
            404 => Self::not_found(),
            413 => Self::payload_too_large(0),
            s if s >= 500 => Self::internal(),
            _ => Self::new(status, "http", Msg::new(reason, reason), Msg::new(reason, reason)),
        }
    }

    /// The problem body in a language.
    pub fn problem(&self, lang: Lang, request_id: Option<String>) -> Problem {
        Problem {
            problem_type: format!("https://rsnms.ru/problems/{}", self.kind),
            title: lang.pick(&self.title).to_owned(),
            status: self.status.as_u16(),
            detail: lang.pick(&self.detail).to_owned(),
            request_id,
            errors: self
                .errors
                .iter()
                .map(|e| ProblemField {
                    field: e.field.clone(),
                    code: e.code.clone(),
                    message: lang.pick(&e.message).to_owned(),
                })
                .collect(),
            allowed: (self.status == StatusCode::CONFLICT).then(|| self.allowed.clone()),
        }
    }

    /// Renders the response in a language.
    pub fn render(&self, lang: Lang, request_id: Option<String>) -> HttpResponse {
        let mut b = HttpResponse::build(self.status);
        b.content_type("application/problem+json");
        for (n, v) in &self.headers {
            b.insert_header((n.clone(), v.clone()));
        }
        let body = serde_json::to_vec(&self.problem(lang, request_id)).unwrap_or_default();
        b.body(body)
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        // Rendered again in the request's language (and with its id) by the edge middleware.
        self.render(Lang::Ru, None)
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::NotFound => ApiError::not_found(),
            DomainError::Forbidden(m) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", Msg::new("Доступ запрещён", "Forbidden"), m)
            }
            DomainError::Validation(errors) => ApiError::validation(errors),
            DomainError::Conflict { field, message, allowed } => {
                let mut e =
                    ApiError::new(StatusCode::CONFLICT, "conflict", Msg::new("Конфликт", "Conflict"), message.clone());
                if let Some(f) = field {
                    e.errors.push(FieldError::new(f, "conflict", message));
                }
                e.allowed = allowed;
                e
            }
            DomainError::PreconditionFailed => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                Msg::new("Версия устарела", "Precondition failed"),
                Msg::new(
                    "Ресурс изменился: получите его заново и повторите с новым ETag",
                    "The resource has changed: read it again and retry with the new ETag",
                ),
            ),
            DomainError::PreconditionRequired => ApiError::precondition_required(),
            DomainError::TooLarge { limit, message } => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                Msg::new("Слишком большое тело запроса", "Payload too large"),
                Msg::new(format!("{} ({limit} байт)", message.ru), format!("{} ({limit} bytes)", message.en)),
            ),
            DomainError::UnsupportedMediaType { allowed } => ApiError::unsupported_media_type(&allowed.join(", ")),
            DomainError::Unavailable(cause) => {
                tracing::warn!(error.cause = %cause, "database unavailable");
                ApiError::unavailable()
            }
            DomainError::Internal(cause) => {
                tracing::error!(error.cause = %cause.chain(), "internal error");
                ApiError::internal().with_source(Arc::new(cause))
            }
        }
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_wins_only_when_preferred() {
        assert_eq!(Lang::from_header(None), Lang::Ru);
        assert_eq!(Lang::from_header(Some("en")), Lang::En);
        assert_eq!(Lang::from_header(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_header(Some("ru-RU,ru;q=0.9,en;q=0.8")), Lang::Ru);
        assert_eq!(Lang::from_header(Some("de, en;q=0.5")), Lang::En);
        assert_eq!(Lang::from_header(Some("fr")), Lang::Ru);
    }
}
