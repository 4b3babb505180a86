//! What stops an import as a whole (as opposed to a rejected line, which the summary reports):
//! the import service's own error, which `ApiError` converts from for the handler, and which the
//! job worker and the CLI read as they need.

use actix_web::http::StatusCode;
use rsnms_domain::{DomainError, FieldError, Msg};

use crate::problem::ApiError;

/// Why an import could not be run, or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    /// The named dataset does not exist.
    #[error("unknown dataset {0:?}")]
    UnknownDataset(String),
    /// An option has a value the dataset does not take (`id_scheme`, `mode`, `format`, `charset`).
    #[error("invalid import option: {}", .0.message.en)]
    InvalidOption(FieldError),
    /// The body's format is not one the dataset accepts (a dataset of nested documents has no
    /// CSV form); lists the media types it accepts.
    #[error("the dataset {dataset} is accepted only as {accepted}")]
    FormatNotAccepted {
        /// The dataset.
        dataset: &'static str,
        /// Its media types, comma-separated.
        accepted: String,
    },
    /// The charset is neither UTF-8 nor Windows-1251.
    #[error("charset must be utf-8 or windows-1251")]
    UnsupportedCharset,
    /// The body could not be read (the connection or the stored body failed).
    #[error("the body could not be read")]
    Unreadable,
    /// A line (or CSV record) is longer than [`super::reader::MAX_LINE_BYTES`].
    #[error("line {0} is longer than {max} bytes", max = super::reader::MAX_LINE_BYTES)]
    LineTooLong(u64),
    /// The body is larger than the configured limit (bytes).
    #[error("the body is larger than {0} bytes")]
    TooLarge(u64),
    /// The CSV header cannot be read: nothing can be.
    #[error("the CSV header on line {line} is malformed: {}", .error.message.en)]
    MalformedHeader {
        /// Its line.
        line: u64,
        /// What is wrong with it.
        error: FieldError,
    },
    /// A JSON array body is not an array, is not closed, or has text after it: nothing past
    /// the fault can be read.
    #[error("the body is not a well-formed JSON array: {}", .0.message.en)]
    MalformedBody(FieldError),
    /// The store failed, or a rule of the run itself (a job's lease) stopped it.
    #[error(transparent)]
    Domain(#[from] DomainError),
}

impl ImportFailure {
    /// Whether the run was interrupted by the store or lost its job's lease, rather than refused
    /// for its input: a job interrupted so is taken again; one refused fails.
    pub fn is_interruption(&self) -> bool {
        matches!(
            self,
            Self::Domain(DomainError::Internal(_) | DomainError::Unavailable(_) | DomainError::Conflict { .. })
        )
    }
}

impl From<ImportFailure> for ApiError {
    fn from(e: ImportFailure) -> Self {
        match e {
            ImportFailure::UnknownDataset(_) => ApiError::not_found(),
            ImportFailure::InvalidOption(field) => ApiError::validation(vec![field]),
            ImportFailure::FormatNotAccepted { dataset, accepted } => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                Msg::new("Неподдерживаемый тип содержимого", "Unsupported media type"),
                Msg::new(
                    format!("Набор «{dataset}» принимается только как {accepted}"),
                    format!("The dataset '{dataset}' is accepted only as {accepted}"),
                ),
            ),
            ImportFailure::UnsupportedCharset => {
                ApiError::unsupported_media_type("charset=utf-8 or charset=windows-1251")
            }
            ImportFailure::Unreadable => {
                ApiError::bad_request(Msg::new("Не удалось прочитать тело запроса", "Could not read the request body"))
            }
            ImportFailure::LineTooLong(line) => ApiError::bad_request(Msg::new(
                format!("Строка {line} длиннее {} байт", super::reader::MAX_LINE_BYTES),
                format!("Line {line} is longer than {} bytes", super::reader::MAX_LINE_BYTES),
            )),
            ImportFailure::TooLarge(limit) => ApiError::payload_too_large(usize::try_from(limit).unwrap_or(usize::MAX)),
            ImportFailure::MalformedHeader { line, error } => {
                ApiError::validation(vec![FieldError::new(format!("line {line}"), error.code, error.message)])
            }
            ImportFailure::MalformedBody(error) => ApiError::validation(vec![error]),
            ImportFailure::Domain(e) => e.into(),
        }
    }
}
