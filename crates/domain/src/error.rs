//! The domain's one error type. The HTTP layer turns it into RFC 9457 problem+json.

use std::fmt;

/// A message in both languages the API speaks: Russian (the default) and English.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Msg {
    /// Russian text.
    pub ru: String,
    /// English text.
    pub en: String,
}

impl Msg {
    /// A message from its Russian and English texts.
    pub fn new(ru: impl Into<String>, en: impl Into<String>) -> Self {
        Self { ru: ru.into(), en: en.into() }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// One failing field of a validation error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// JSON path of the field, e.g. `author.email` or `roles[1]`.
    pub field: String,
    /// Stable machine-readable code, e.g. `required`, `invalid_snils`.
    pub code: String,
    /// What is wrong, in both languages.
    pub message: Msg,
}

impl FieldError {
    /// A failing field.
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: Msg) -> Self {
        Self { field: field.into(), code: code.into(), message }
    }

    /// The field is required but absent.
    pub fn required(field: impl Into<String>) -> Self {
        Self::new(field, "required", Msg::new("Обязательное поле", "This field is required"))
    }
}

/// Everything a domain operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The object does not exist or lies outside the caller's scope (existence does not leak).
    #[error("not found")]
    NotFound,
    /// The caller's role may not perform this action.
    #[error("forbidden: {0}")]
    Forbidden(Msg),
    /// The input breaks one or more rules; every failing field is named.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// The action conflicts with the current state (a duplicate, a wrong transition).
    #[error("conflict: {message}")]
    Conflict {
        /// The field or state that conflicts.
        field: Option<String>,
        /// What conflicts.
        message: Msg,
        /// Allowed alternatives (e.g. the transitions allowed from the current state).
        allowed: Vec<String>,
    },
    /// The `If-Match` precondition does not hold: the object changed meanwhile.
    #[error("precondition failed")]
    PreconditionFailed,
    /// The change replaces a stored object, so it must name the version it replaces (`If-Match`).
    #[error("precondition required")]
    PreconditionRequired,
    /// The content is larger than a limit (413): nothing was stored.
    #[error("too large: {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
        /// Which limit (per file, per parent).
        message: Msg,
    },
    /// The declared media type of a content is not one accepted (415).
    #[error("unsupported media type")]
    UnsupportedMediaType {
        /// The media types accepted.
        allowed: Vec<String>,
    },
    /// The store is unreachable; the request may be retried.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// An unexpected failure; the cause (with its source chain) goes to the log, never to the client.
    #[error("internal: {0}")]
    Internal(#[source] InternalError),
}

/// The cause of an unexpected failure: what was being done, and the error underneath it, kept as
/// a typed source so that the log shows the whole chain (`std::error::Error::source`).
#[derive(Debug, thiserror::Error)]
#[error("{context}")]
pub struct InternalError {
    context: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl InternalError {
    /// The text of this error followed by each of its sources' ([`error_chain`]).
    pub fn chain(&self) -> String {
        error_chain(self)
    }
}

/// An error's text followed by each of its sources' (`outer: inner: …`), a source whose text
/// the previous one already ends with left out, so that the log keeps the whole cause chain.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.ends_with(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

impl DomainError {
    /// A validation error with a single failing field.
    pub fn field(field: impl Into<String>, code: impl Into<String>, message: Msg) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    /// An unexpected failure described by its context alone (a broken invariant).
    pub fn internal(context: impl Into<String>) -> Self {
        Self::Internal(InternalError { context: context.into(), source: None })
    }

    /// An unexpected failure caused by `source`, which is kept for the log's cause chain.
    pub fn internal_caused(context: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(InternalError { context: context.into(), source: Some(Box::new(source)) })
    }

    /// A conflict naming the field.
    pub fn conflict(field: impl Into<String>, message: Msg) -> Self {
        Self::Conflict { field: Some(field.into()), message, allowed: Vec::new() }
    }
}

/// Result of a domain operation.
pub type DomainResult<T> = Result<T, DomainError>;

/// Collects field errors so that every failing field is reported at once.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a failing field.
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    /// Takes the value of a parse result, recording its error under the given path.
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }
    /// Whether nothing failed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// `Ok(())` when nothing failed, else a validation error naming every field.
    pub fn finish(self) -> DomainResult<()> {
        if self.0.is_empty() { Ok(()) } else { Err(DomainError::Validation(self.0)) }
    }
}
