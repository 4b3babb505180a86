use rsnms_domain::exchange::{ImportError, ImportOptions, ImportSummary, LineResult, MAX_LINE_RESULTS};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::problem::Lang;

/// Whether records may change existing ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportModeParam {
    /// Only create; a record matching an existing one is rejected (`exists`).
    Create,
    /// Create, or update the matching record as a JSON merge patch (default).
    Upsert,
    /// Only update the matching record; a record matching nothing is rejected (`not_found`).
    Update,
    /// Delete the matching record (`persons` only); a record matching nothing is rejected.
    Delete,
}

/// What the summary of an import reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportResultsParam {
    /// Counts and errors (default).
    Counts,
    /// Counts, errors and every line's result with the record's id (`lines`).
    Lines,
}

/// Options of an import.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Validate and count everything, write nothing (default `false`).
    pub dry_run: Option<bool>,
    /// `create`, `upsert` (default), `update` (never creates) or `delete` (persons only); a
    /// dataset refuses a mode it does not take (422 naming `mode`).
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
    /// How records name organisations they refer to (`organization_id`, `parent_id`,
    /// `developer_id`, `organizer_id`): `id` (default), `inn` (ИНН) or `municipality_code` (the
    /// municipal authority of that municipality); looked up in the caller's scope, an unknown or
    /// ambiguous value is a line error naming the field and the value.
    pub org_id_scheme: Option<String>,
    /// How records name persons they refer to (`responsible_person_id`, `mentor_id`,
    /// `mentee_id`): `id` (default) or `snils` (СНИЛС, masked in errors).
    pub person_id_scheme: Option<String>,
    /// How records name competencies (`competency_ids`): `id` (default) or `code`.
    pub competency_id_scheme: Option<String>,
    /// `counts` (default) or `lines`: the summary also lists every line's result —
    /// `{line, result, id}`, `result` one of `created`, `updated`, `unchanged`, `deleted`,
    /// `rejected`, `id` the record's (null for a rejected line, and for diagnostic results, read
    /// through their campaign) — at most 10 000 in a JSON summary (`lines_truncated` past them).
    /// With `Accept: application/x-ndjson` (which implies `lines`) the answer streams instead:
    /// one such object per line as the import goes, then the summary object last (200 with its
    /// `status`; a failure of the whole run ends the stream with a problem object) — for files
    /// of any size. Ids of an import that was not committed (a dry run, a rejected
    /// all-or-nothing import) name records that were not kept.
    #[param(inline)]
    pub results: Option<ImportResultsParam>,
}

impl ImportQuery {
    /// The options as given, for the import service to check ([`crate::imports::options`]).
    pub fn raw(&self) -> crate::imports::RawOptions {
        crate::imports::RawOptions {
            dry_run: self.dry_run,
            mode: self.mode.map(|m| m.as_str().to_owned()),
            atomic: self.atomic,
            id_scheme: self.id_scheme.clone(),
            org_id_scheme: self.org_id_scheme.clone(),
            person_id_scheme: self.person_id_scheme.clone(),
            competency_id_scheme: self.competency_id_scheme.clone(),
            results: self.results.map(|r| {
                match r {
                    ImportResultsParam::Counts => "counts",
                    ImportResultsParam::Lines => "lines",
                }
                .to_owned()
            }),
        }
    }
}

impl ImportModeParam {
    /// Wire name.
    fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Upsert => "upsert",
            Self::Update => "update",
            Self::Delete => "delete",
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
    /// The offending value as given (text as is, anything else as JSON, cut to 200
    /// characters); masked where it is personal data — names, СНИЛС (`***-***-*** 95`), birth
    /// dates, contacts, a person referred to by СНИЛС (`***`); absent for the whole line or a
    /// field the line does not hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// The result of one line (`results=lines`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LineResultView {
    /// Line number in the body (1-based; for CSV the header is line 1; in a JSON array the
    /// element's index).
    pub line: u64,
    /// `created`, `updated`, `unchanged`, `deleted` or `rejected`.
    pub result: String,
    /// The record's id, as `GET` of its resource knows it (null for a rejected line and for
    /// diagnostic results).
    pub id: Option<Uuid>,
}

impl From<LineResult> for LineResultView {
    fn from(l: LineResult) -> Self {
        Self { line: l.line, result: l.result, id: l.id }
    }
}

/// The overall result of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// No record was rejected.
    Ok,
    /// Some records were rejected, the others were written (`atomic=false`).
    Warning,
    /// Records were rejected and nothing was written for it (all-or-nothing, or a dry run).
    Error,
}

/// The options of an import as the server understood them, defaults filled in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportOptionsView {
    /// Whether nothing was to be written.
    pub dry_run: bool,
    /// `create`, `upsert`, `update` or `delete`.
    pub mode: String,
    /// Whether all-or-nothing.
    pub atomic: bool,
    /// How records matched existing ones.
    pub id_scheme: String,
    /// How organisations were referred to.
    pub org_id_scheme: String,
    /// How persons were referred to.
    pub person_id_scheme: String,
    /// How competencies were referred to.
    pub competency_id_scheme: String,
    /// `counts` or `lines`.
    pub results: String,
}

impl From<&ImportOptions> for ImportOptionsView {
    fn from(o: &ImportOptions) -> Self {
        Self {
            dry_run: o.dry_run,
            mode: o.mode.as_str().to_owned(),
            atomic: o.atomic,
            id_scheme: o.id_scheme.as_str().to_owned(),
            org_id_scheme: o.ref_schemes.organization.as_str().to_owned(),
            person_id_scheme: o.ref_schemes.person.as_str().to_owned(),
            competency_id_scheme: o.ref_schemes.competency.as_str().to_owned(),
            results: if o.line_results { "lines" } else { "counts" }.to_owned(),
        }
    }
}

/// The summary of an import (итоги загрузки).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportSummaryView {
    /// The dataset.
    pub dataset: String,
    /// `ok` (nothing rejected), `warning` (some records rejected, the others written) or `error`
    /// (records rejected, nothing written for it).
    pub status: ImportStatus,
    /// The options as understood (absent where the summary is a stored job's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<ImportOptionsView>,
    /// Records read (blank lines and the CSV header are not records).
    pub received: u64,
    /// Records that created a resource.
    pub created: u64,
    /// Records that changed a resource.
    pub updated: u64,
    /// Records equal to the stored resource (nothing written).
    pub unchanged: u64,
    /// Records that deleted a resource (`mode=delete`).
    pub deleted: u64,
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
    /// Every line's result (with `results=lines`; at most 10 000 — stream them with
    /// `Accept: application/x-ndjson` for more).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<LineResultView>>,
    /// Whether line results were left out past the first 10 000 (with `results=lines`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines_truncated: Option<bool>,
    /// The summary's line results until [`ImportSummaryView::with_lines`] lists or drops them.
    #[serde(skip)]
    kept_lines: Option<Vec<LineResult>>,
}

impl ImportSummaryView {
    /// The view of a summary in a language.
    pub fn new(dataset: &str, s: ImportSummary, dry_run: bool, lang: Lang) -> Self {
        let shown = s.errors.len();
        let total_rejected_fields = s.rejected;
        let status = match (s.rejected, s.committed) {
            (0, _) => ImportStatus::Ok,
            (_, true) => ImportStatus::Warning,
            (_, false) => ImportStatus::Error,
        };
        Self {
            dataset: dataset.to_owned(),
            status,
            options: None,
            deleted: s.deleted,
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
                .map(|ImportError { line, field, code, message, value }| ImportErrorView {
                    line,
                    field,
                    code,
                    message: lang.pick(&message).to_owned(),
                    value,
                })
                .collect(),
            lines_truncated: None,
            lines: None,
            kept_lines: Some(s.lines),
        }
    }
}

impl ImportSummaryView {
    /// The summary echoing the options it ran with, and the line results they asked for.
    pub fn with_options(mut self, opts: &ImportOptions) -> Self {
        self.options = Some(opts.into());
        self.with_lines(opts.line_results)
    }

    /// Lists the line results kept in the summary (`results=lines`).
    pub fn with_lines(mut self, asked: bool) -> Self {
        if asked {
            let lines = self.kept_lines.take().unwrap_or_default();
            self.lines_truncated =
                Some(lines.len() >= MAX_LINE_RESULTS && u64::try_from(lines.len()).is_ok_and(|n| self.received > n));
            self.lines = Some(lines.into_iter().map(LineResultView::from).collect());
        }
        self.kept_lines = None;
        self
    }
}
