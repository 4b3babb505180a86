use chrono::{DateTime, Utc};
use rsnms_domain::network_requests::RequestNumbering;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// A sender's outgoing-number template (шаблон исходящего номера) and the number its next
/// request would get.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestNumberingView {
    /// The sending organisation.
    pub organization_id: Uuid,
    /// The template in force: `{seq}` the sequence number of the year (`{seq:N}` zero-padded to
    /// `N` digits, 1–9), `{year}` the year, `{yy}` its last two digits; other text is copied.
    #[schema(example = "ЦНППМ-{seq}/{year}")]
    pub format: String,
    /// The template is the default `{seq}/{year}` (never configured).
    pub is_default: bool,
    /// The current year in the organisation's time zone (the sequence restarts each year).
    pub year: i32,
    /// Numbers given so far this year.
    pub last_seq: i64,
    /// The outgoing number the next request sent this year would get (a preview; the number is
    /// allocated when a request is sent, and dated by its sending date).
    #[schema(example = "ЦНППМ-18/2026")]
    pub next_number: String,
    /// Version (`0` while never configured); send it as `If-Match` to change the template.
    pub version: i64,
    /// Last change, when configured.
    pub updated_at: Option<DateTime<Utc>>,
}

impl From<RequestNumbering> for RequestNumberingView {
    fn from(n: RequestNumbering) -> Self {
        Self {
            organization_id: n.organization_id,
            format: n.format,
            is_default: n.is_default,
            year: n.year,
            last_seq: n.last_seq,
            next_number: n.next_number,
            version: n.version,
            updated_at: n.updated_at,
        }
    }
}

/// A new outgoing-number template.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RequestNumberingWrite {
    /// The template, 1–50 characters: exactly one `{seq}` or `{seq:N}` (so that numbers of a year
    /// never repeat), optionally `{year}` and `{yy}`; no other placeholders, braces or control
    /// characters. `{seq}/{year}` restores the default.
    #[validate(required)]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 50, example = "ЦНППМ-{seq}/{year}")]
    pub format: Option<String>,
}

impl crate::extract::ValueChecks for RequestNumberingWrite {
    /// The template's rules, judged with the body (before `If-Match`).
    fn value_errors(&self) -> Vec<rsnms_domain::FieldError> {
        match &self.format {
            Some(f) => rsnms_domain::network_requests::check_number_format("format", Some(f)).err().unwrap_or_default(),
            None => Vec::new(),
        }
    }
}
