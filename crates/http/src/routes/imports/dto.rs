use rsnms_domain::exchange::{ImportError, ImportSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::problem::Lang;

/// Whether records may change existing ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportModeParam {
    /// Only create; a record matching an existing one is rejected (`exists`).
    Create,
    /// Create, or update the matching record as a JSON merge patch (default).
    Upsert,
}

/// Options of an import.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Validate and count everything, write nothing (default `false`).
    pub dry_run: Option<bool>,
    /// `create` or `upsert` (default `upsert`).
    #[param(inline)]
    pub mode: Option<ImportModeParam>,
    /// All-or-nothing (default `true`): nothing is written if any line fails. With `false` good
    /// lines are kept (committed in batches of 2000).
    pub atomic: Option<bool>,
    /// How records match existing ones: `id` (default) or a natural key of the dataset —
    /// `inn` for organisations, `snils` for persons, `registry_id` (federal registry id) for
    /// programmes; for diagnostic results `snils` names the person by СНИЛС instead of
    /// `person_id`; `outgoing_number` (sender + outgoing number) for network requests, `number`
    /// (number + municipal party + signing date) for agreements; indicator values match the
    /// standing value of their period (`period`, their only scheme).
    pub id_scheme: Option<String>,
}

impl ImportQuery {
    /// The options as given, for the import service to check ([`crate::imports::options`]).
    pub fn raw(&self) -> crate::imports::RawOptions {
        crate::imports::RawOptions {
            dry_run: self.dry_run,
            mode: self.mode.map(|m| m.as_str().to_owned()),
            atomic: self.atomic,
            id_scheme: self.id_scheme.clone(),
        }
    }
}

impl ImportModeParam {
    /// Wire name.
    fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Upsert => "upsert",
        }
    }
}

/// One rejected field of one line.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportErrorView {
    /// Line number in the body (1-based; for CSV the header is line 1).
    pub line: u64,
    /// Field path, `$` for the whole line.
    pub field: String,
    /// Stable code: `malformed`, `invalid_encoding`, `required`, `invalid_snils`, `exists`,
    /// `not_found`, `conflict`, `forbidden`, …
    pub code: String,
    /// What is wrong, in the response language.
    pub message: String,
}

/// The summary of an import (итоги загрузки).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportSummaryView {
    /// The dataset.
    pub dataset: String,
    /// Records read (blank lines and the CSV header are not records).
    pub received: u64,
    /// Records that created a resource.
    pub created: u64,
    /// Records that changed a resource.
    pub updated: u64,
    /// Records equal to the stored resource (nothing written).
    pub unchanged: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Whether the accepted records were written (false for a dry run, and for an
    /// all-or-nothing import with a rejected record).
    pub committed: bool,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Every error with its line and field (at most 1000; the counts stay exact).
    pub errors: Vec<ImportErrorView>,
    /// Whether errors were left out past the first 1000.
    pub errors_truncated: bool,
}

impl ImportSummaryView {
    /// The view of a summary in a language.
    pub fn new(dataset: &str, s: ImportSummary, dry_run: bool, lang: Lang) -> Self {
        let shown = s.errors.len();
        let total_rejected_fields = s.rejected;
        Self {
            dataset: dataset.to_owned(),
            received: s.received,
            created: s.created,
            updated: s.updated,
            unchanged: s.unchanged,
            rejected: s.rejected,
            committed: s.committed,
            dry_run,
            errors_truncated: shown >= crate::imports::engine::MAX_ERRORS && total_rejected_fields > 0,
            errors: s
                .errors
                .into_iter()
                .map(|ImportError { line, field, code, message }| ImportErrorView {
                    line,
                    field,
                    code,
                    message: lang.pick(&message).to_owned(),
                })
                .collect(),
        }
    }
}
