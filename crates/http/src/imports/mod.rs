//! The import service: loads a dataset from a streamed body (NDJSON or CSV) through the
//! resources' own domain actions — all-or-nothing or keeping good lines, in batches — and
//! answers a summary. `POST /api/v1/imports/{dataset}` (`routes/imports`), the import job worker
//! and `rsnms import` (both in `rsnms` the server) call it the same way: [`find`] the dataset,
//! parse the options with [`options`], read the body with [`reader::Records`] and run it with
//! [`engine::run`]. What stops a run as a whole is an [`ImportFailure`]; what is wrong with a
//! line is in the summary.
//!
//! - [`engine`]: chunks, savepoints per line, batch commits, the observer of a background run;
//! - [`reader`]: the streaming line and CSV reader (UTF-8 / Windows-1251, size limit, SHA-256);
//! - [`datasets`]: one file a dataset, parsing records with the API's `…Write` DTOs (`crate::dto`).

pub mod datasets;
pub mod engine;
mod error;
pub mod reader;
pub mod refs;
pub mod shown;

use encoding_rs::Encoding;
use rsnms_domain::{
    FieldError, Msg,
    exchange::{IdScheme, ImportMode, ImportOptions, RefSchemes},
};

use self::refs::RefKind;

pub use self::{datasets::Dataset, error::ImportFailure, reader::Format};

/// The options of an import as given — query parameters of the request, flags of the CLI, the
/// stored options of a job — before they are checked against the dataset by [`options`].
#[derive(Debug, Clone, Default)]
pub struct RawOptions {
    /// Write nothing (default `false`).
    pub dry_run: Option<bool>,
    /// `create` or `upsert` (default).
    pub mode: Option<String>,
    /// All-or-nothing (default `true`).
    pub atomic: Option<bool>,
    /// How records match existing ones (default: the dataset's first scheme).
    pub id_scheme: Option<String>,
    /// How references to organisations are given: `id` (default), `inn`, `municipality_code`.
    pub org_id_scheme: Option<String>,
    /// How references to persons are given: `id` (default), `snils`.
    pub person_id_scheme: Option<String>,
    /// How references to competencies are given: `id` (default), `code`.
    pub competency_id_scheme: Option<String>,
    /// What the summary reports: `counts` (default) or `lines` (every line's result and id).
    pub results: Option<String>,
}

/// The dataset of a name.
pub fn find(name: &str) -> Result<&'static dyn Dataset, ImportFailure> {
    datasets::find(name).ok_or_else(|| ImportFailure::UnknownDataset(name.to_owned()))
}

/// The names of every dataset.
pub fn names() -> Vec<&'static str> {
    datasets::DATASETS.iter().map(|d| d.name()).collect()
}

/// The options of an import of a dataset, defaults filled in; an option the dataset does not
/// take is an [`ImportFailure::InvalidOption`] naming it.
pub fn options(dataset: &dyn Dataset, raw: &RawOptions) -> Result<ImportOptions, ImportFailure> {
    let schemes = dataset.id_schemes();
    let id_scheme = raw.id_scheme.clone().unwrap_or_else(|| schemes.first().copied().unwrap_or("id").to_owned());
    if !schemes.contains(&id_scheme.as_str()) {
        let list = schemes.join(", ");
        return Err(ImportFailure::InvalidOption(FieldError::new(
            "id_scheme",
            "invalid_parameter",
            Msg::new(format!("Допустимые схемы: {list}"), format!("Allowed schemes: {list}")),
        )));
    }
    let modes = dataset.modes();
    let mode = match raw.mode.as_deref() {
        None => ImportMode::Upsert,
        Some(m) => ImportMode::parse(m).filter(|m| modes.contains(m)).ok_or_else(|| {
            let list = modes.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ");
            let name = dataset.name();
            ImportFailure::InvalidOption(FieldError::new(
                "mode",
                "invalid_parameter",
                Msg::new(
                    format!("Набор «{name}» принимает режимы: {list}"),
                    format!("The dataset '{name}' takes the modes: {list}"),
                ),
            ))
        })?,
    };
    let line_results = match raw.results.as_deref() {
        None | Some("counts") => false,
        Some("lines") => true,
        Some(_) => {
            return Err(ImportFailure::InvalidOption(FieldError::new(
                "results",
                "invalid_parameter",
                Msg::new("Допустимые значения: counts, lines", "Allowed values: counts, lines"),
            )));
        }
    };
    Ok(ImportOptions {
        dry_run: raw.dry_run.unwrap_or(false),
        mode,
        atomic: raw.atomic.unwrap_or(true),
        id_scheme: IdScheme(id_scheme),
        ref_schemes: RefSchemes {
            organization: ref_scheme(dataset, RefKind::Organization, raw.org_id_scheme.as_deref())?,
            person: ref_scheme(dataset, RefKind::Person, raw.person_id_scheme.as_deref())?,
            competency: ref_scheme(dataset, RefKind::Competency, raw.competency_id_scheme.as_deref())?,
        },
        line_results,
    })
}

/// The scheme references of a kind are given in: `id` unless the option names another the
/// kind has; a scheme other than `id` for a dataset with no reference of the kind is refused.
fn ref_scheme(dataset: &dyn Dataset, kind: RefKind, given: Option<&str>) -> Result<IdScheme, ImportFailure> {
    let Some(scheme) = given else { return Ok(IdScheme::id()) };
    let has = dataset.refs().iter().any(|r| r.kind == kind);
    let allowed: &[&str] = if has { kind.schemes() } else { &["id"] };
    if allowed.contains(&scheme) {
        return Ok(IdScheme(scheme.to_owned()));
    }
    let list = allowed.join(", ");
    Err(ImportFailure::InvalidOption(FieldError::new(
        kind.option(),
        "invalid_parameter",
        Msg::new(format!("Допустимые схемы: {list}"), format!("Allowed schemes: {list}")),
    )))
}

/// Refuses a body format the dataset does not take (a dataset of nested documents has no CSV
/// form).
pub fn accept_format(dataset: &dyn Dataset, format: Format) -> Result<(), ImportFailure> {
    if dataset.formats().contains(&format) {
        return Ok(());
    }
    let accepted = dataset.formats().iter().map(|f| f.media_type()).collect::<Vec<_>>().join(", ");
    Err(ImportFailure::FormatNotAccepted { dataset: dataset.name(), accepted })
}

/// The encoding of a charset label: UTF-8 (also when none is given) or Windows-1251.
pub fn charset(label: Option<&str>) -> Result<&'static Encoding, ImportFailure> {
    match label {
        None => Ok(encoding_rs::UTF_8),
        Some(c) => Encoding::for_label(c.as_bytes())
            .filter(|e| *e == encoding_rs::UTF_8 || *e == encoding_rs::WINDOWS_1251)
            .ok_or(ImportFailure::UnsupportedCharset),
    }
}
