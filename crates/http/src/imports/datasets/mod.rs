//! Datasets of `POST /api/v1/imports/{dataset}`: one small file each. A dataset turns one
//! record (a JSON object: an NDJSON line or a CSV row) into calls of its resource's own domain
//! actions inside the import's unit of work, matching existing records by id or by a natural
//! key. Adding a dataset: implement [`Dataset`] and list it in [`DATASETS`].

mod agreements;
mod diagnostic_results;
mod indicator_values;
mod mentoring_pairs;
mod network_requests;
mod offerings;
mod organizations;
mod persons;
mod programs;

use std::{future::Future, marker::PhantomData};

use async_trait::async_trait;
use rsnms_domain::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Role},
    exchange::{Applied, ImportMode, ImportOptions, Outcome, Unit},
    page::PageRequest,
    persons::{Person, PersonFilter},
    values::Snils,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};
use uuid::Uuid;
use validator::Validate;

use super::{
    reader::Format,
    refs::{RefField, RefKind},
};
use crate::{
    extract::{ValueChecks, from_value, validate},
    merge::apply_patch,
};

/// One importable dataset.
#[async_trait]
pub trait Dataset: Send + Sync {
    /// Name in the URL.
    fn name(&self) -> &'static str;
    /// Accepted `id_scheme` values; the first is the default.
    fn id_schemes(&self) -> &'static [&'static str];
    /// Strategies (`mode`) the dataset takes (422 for others): `create` and `upsert` by default;
    /// `update` where a record's match decides alone, `delete` where the resource may be deleted.
    fn modes(&self) -> &'static [ImportMode] {
        &[ImportMode::Create, ImportMode::Upsert]
    }
    /// Reference fields whose values may be given in a partner's scheme (`org_id_scheme`,
    /// `person_id_scheme`, `competency_id_scheme`); none by default.
    fn refs(&self) -> &'static [RefField] {
        &[]
    }
    /// Roles that may import it at all (403 for others); each record is checked again by its
    /// action.
    fn writers(&self) -> &'static [Role] {
        rsnms_domain::exchange::IMPORTERS
    }
    /// CSV columns whose cells hold lists.
    fn list_columns(&self) -> &'static [&'static str] {
        &[]
    }
    /// CSV columns whose cells hold numbers (`36`, `4.5` or `4,5`); a cell that is not a number
    /// stays text and is reported by the record's parser.
    fn number_columns(&self) -> &'static [&'static str] {
        &[]
    }
    /// CSV columns whose cells hold `true`/`false` (or `1`/`0`).
    fn bool_columns(&self) -> &'static [&'static str] {
        &[]
    }
    /// Body formats accepted (415 for others): all by default; a dataset of nested documents
    /// has no CSV form.
    fn formats(&self) -> &'static [Format] {
        &[Format::Ndjson, Format::Csv, Format::Json]
    }
    /// Applies one record inside a unit (the line's own savepoint), answering what it did and
    /// to which record. An `Unchanged` outcome is rolled back by the caller, so a dataset may
    /// detect it by writing and comparing.
    async fn apply(
        &self,
        unit: &dyn Unit,
        ctx: &Ctx,
        record: Map<String, Value>,
        opts: &ImportOptions,
    ) -> DomainResult<Applied>;
    /// The key of what a record writes, from the record alone, when one file may hold it only
    /// once: a later line with the key of an earlier one is refused naming both lines (as the
    /// batch endpoints refuse a duplicate item). None by default (a later line updates).
    fn file_key(&self, _record: &Map<String, Value>, _opts: &ImportOptions) -> Option<String> {
        None
    }
    /// Works out from a record alone — no database — what [`Dataset::apply_many`] will need of
    /// it (typically the parsed write): runs while the previous chunk is being
    /// written, so that this work overlaps the database's. The default works out nothing.
    fn prepare(&self, _record: &Map<String, Value>, _opts: &ImportOptions) -> Option<Prepared> {
        None
    }
    /// Applies together the records of a batch that can be written together (typically new
    /// records, with multi-row writes), setting their [`Pending::result`]; records left without
    /// a result are applied one by one through [`Dataset::apply`] afterwards, in line order. Runs
    /// inside the batch's own unit (a savepoint): when it fails with an error of the records
    /// (a conflict, a validation error), that unit is undone and every record of the batch is
    /// applied one by one instead, so the outcome is the line-by-line one. The default takes
    /// none: a dataset opts in where bulk loads are large (persons).
    async fn apply_many(
        &self,
        _unit: &dyn Unit,
        _ctx: &Ctx,
        _batch: &mut [Pending],
        _opts: &ImportOptions,
    ) -> DomainResult<()> {
        Ok(())
    }
}

/// What a dataset worked out from a record ahead of applying it ([`Dataset::prepare`]), for
/// its own [`Dataset::apply_many`] to take back: a variant for each dataset that prepares.
#[derive(Debug)]
pub enum Prepared {
    /// A record that may create a person.
    Person(persons::Candidate),
}

/// A record of a batch waiting to be applied.
#[derive(Debug)]
pub struct Pending {
    /// Line number in the body.
    pub line: u64,
    /// The record (kept after it is applied, for a rejected line's errors to show its values;
    /// none when the line was unreadable — its result is set already).
    pub record: Option<Map<String, Value>>,
    /// What the dataset worked out from the record ahead of applying it, if anything.
    pub prepared: Option<Prepared>,
    /// What applying it gave, once applied.
    pub result: Option<DomainResult<Applied>>,
}

/// Every dataset.
pub static DATASETS: &[&dyn Dataset] = &[
    &organizations::Organizations,
    &persons::Persons,
    &programs::Programs,
    &diagnostic_results::DiagnosticResults,
    &offerings::EVENTS,
    &mentoring_pairs::MentoringPairs,
    &offerings::INTERNSHIP_SITES,
    &network_requests::NetworkRequests,
    &agreements::Agreements,
    &indicator_values::IndicatorValues,
];

/// The dataset of a name.
pub fn find(name: &str) -> Option<&'static dyn Dataset> {
    DATASETS.iter().copied().find(|d| d.name() == name)
}

/// Parses a whole record into a write DTO with the API's own checks (every failing field named).
pub fn parse<T: DeserializeOwned + Validate + ValueChecks>(record: Map<String, Value>) -> DomainResult<T> {
    let dto: T = from_value(Value::Object(record)).map_err(|e| DomainError::Validation(e.errors))?;
    validate(&dto).map_err(|e| DomainError::Validation(e.errors))?;
    Ok(dto)
}

/// Parses a whole record into a write DTO like [`parse`], naming with its failing fields the
/// `errors` already found in the record's import-only columns (every failing field at once).
pub fn parse_all<T: DeserializeOwned + Validate + ValueChecks>(
    record: Map<String, Value>,
    mut errors: Vec<FieldError>,
) -> DomainResult<T> {
    match parse::<T>(record) {
        Ok(dto) if errors.is_empty() => Ok(dto),
        Ok(_) => Err(DomainError::Validation(errors)),
        Err(DomainError::Validation(more)) => {
            for e in more {
                if !errors.iter().any(|f| f.field == e.field) {
                    errors.push(e);
                }
            }
            Err(DomainError::Validation(errors))
        }
        Err(e) => Err(e),
    }
}

/// Takes an import-only column out of a record (a matching key or a lifecycle step the write
/// DTO does not hold), typed; blank is absent, a wrong type is pushed to `errors` under the
/// column's name.
pub fn take_field<T: DeserializeOwned>(
    record: &mut Map<String, Value>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    match record.remove(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(v) => match from_value::<T>(v) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.extend(e.errors.into_iter().map(|mut f| {
                    f.field = if f.field == "$" { field.to_owned() } else { format!("{field}.{}", f.field) };
                    f
                }));
                None
            }
        },
    }
}

/// Fails with every error found so far, if any.
pub fn finish(errors: Vec<FieldError>) -> DomainResult<()> {
    if errors.is_empty() { Ok(()) } else { Err(DomainError::Validation(errors)) }
}

/// Takes the record's `id` (matching by id), if any.
pub fn take_id(record: &mut Map<String, Value>) -> DomainResult<Option<Uuid>> {
    match record.remove("id") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| DomainError::field("id", "invalid_id", Msg::new("Неверный идентификатор", "Invalid id"))),
        Some(_) => Err(DomainError::field("id", "invalid_id", Msg::new("Неверный идентификатор", "Invalid id"))),
    }
}

/// Takes the record's `id` and reads the record it names with `get` (`None` without an id; an
/// id that names nothing the caller may see is [`unknown_id`]).
pub async fn match_id<T, F, Fut>(record: &mut Map<String, Value>, get: F) -> DomainResult<Option<T>>
where
    F: FnOnce(Uuid) -> Fut,
    Fut: Future<Output = DomainResult<T>>,
{
    let Some(id) = take_id(record)? else { return Ok(None) };
    match get(id).await {
        Ok(x) => Ok(Some(x)),
        Err(DomainError::NotFound) => Err(unknown_id()),
        Err(e) => Err(e),
    }
}

/// The person in the caller's scope with the СНИЛС in `field` of the record, if any (a missing
/// or invalid СНИЛС is an error on `field`).
pub async fn person_by_snils(
    unit: &dyn Unit,
    ctx: &Ctx,
    record: &Map<String, Value>,
    field: &str,
) -> DomainResult<Option<Person>> {
    let digits = snils_key(record, field)?;
    let filter = PersonFilter { snils: Some(digits), ..PersonFilter::default() };
    let page = unit
        .persons()
        .list(&ctx.actor.scope(), &filter, PageRequest { limit: 1, after: None, ..PageRequest::default() })
        .await?;
    Ok(page.items.into_iter().next())
}

/// The СНИЛС digits in `field` of a record (a missing or invalid СНИЛС is an error on `field`).
pub fn snils_key(record: &Map<String, Value>, field: &str) -> DomainResult<String> {
    natural_key(record, field, |raw| Snils::parse(field, raw).map(|s| s.digits().to_owned()))
}

/// A record matched an existing one in `create` mode.
pub fn exists(field: &str) -> DomainError {
    DomainError::Validation(vec![FieldError::new(
        field,
        "exists",
        Msg::new("Запись уже существует (режим create)", "The record already exists (create mode)"),
    )])
}

/// A record names an id that does not exist (ids are assigned by the server).
pub fn unknown_id() -> DomainError {
    DomainError::field(
        "id",
        "not_found",
        Msg::new(
            "Записи с таким id нет; для новых записей id не указывают",
            "No record has this id; new records are imported without an id",
        ),
    )
}

/// Whether a match may be updated.
pub fn may_update(opts: &ImportOptions, key: &str) -> DomainResult<()> {
    if opts.mode == ImportMode::Create { Err(exists(key)) } else { Ok(()) }
}

/// Whether a record that matches nothing may create one: not with `update` or `delete`
/// (`not_found` on the matching key).
pub fn may_create(opts: &ImportOptions, key: &str) -> DomainResult<()> {
    match opts.mode {
        ImportMode::Update | ImportMode::Delete => Err(DomainError::field(
            key,
            "not_found",
            Msg::new(
                format!("Нет записи с таким {key} (режим {})", opts.mode.as_str()),
                format!("No record has this {key} ({} mode)", opts.mode.as_str()),
            ),
        )),
        ImportMode::Create | ImportMode::Upsert => Ok(()),
    }
}

/// The modes of a dataset whose records are matched by their key alone.
pub const UPDATABLE: &[ImportMode] = &[ImportMode::Create, ImportMode::Upsert, ImportMode::Update];

/// An organisation reference.
pub const fn org(path: &'static str) -> RefField {
    RefField { path, kind: RefKind::Organization }
}

/// A person reference.
pub const fn person(path: &'static str) -> RefField {
    RefField { path, kind: RefKind::Person }
}

/// A competency reference (one, or a list).
pub const fn competency(path: &'static str) -> RefField {
    RefField { path, kind: RefKind::Competency }
}

/// The normalised natural key of a record (`inn`, `snils` …), parsed by the value type that owns
/// its rules; a missing or invalid key is a validation error on that field.
pub fn natural_key(
    record: &Map<String, Value>,
    field: &str,
    parse: impl FnOnce(&str) -> Result<String, rsnms_domain::FieldError>,
) -> DomainResult<String> {
    let raw = record
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| rsnms_domain::DomainError::Validation(vec![rsnms_domain::FieldError::required(field)]))?;
    parse(raw).map_err(|e| rsnms_domain::DomainError::Validation(vec![e]))
}

/// A stored resource as the datasets' skeleton reads it: every one carries its id, its version
/// and the bookkeeping each write moves (`version`, `updated_at`).
pub trait Stored: Clone + PartialEq {
    /// Id.
    fn id(&self) -> Uuid;
    /// Version.
    fn version(&self) -> i64;
    /// Whether `after`, this record written again, changed nothing but the bookkeeping.
    fn unchanged_in(&self, after: &Self) -> bool;
}

macro_rules! stored {
    ($($t:ty),* $(,)?) => {$(
        impl Stored for $t {
            fn id(&self) -> Uuid {
                self.id
            }
            fn version(&self) -> i64 {
                self.version
            }
            fn unchanged_in(&self, after: &Self) -> bool {
                let mut a = after.clone();
                a.version = self.version;
                a.updated_at = self.updated_at;
                &a == self
            }
        }
    )*};
}

stored!(
    rsnms_domain::organizations::Organization,
    rsnms_domain::persons::Person,
    rsnms_domain::development::programs::Program,
    rsnms_domain::development::mentoring::MentoringPair,
    rsnms_domain::development::events::Offering,
    rsnms_domain::network_requests::NetworkRequest,
);

/// A record as a merge patch onto a stored resource's input, checked as its write DTO `W`.
pub struct RecordPatch<W> {
    patch: Value,
    write: PhantomData<fn() -> W>,
}

impl<W> RecordPatch<W> {
    /// The record as the merge patch of `record` (see [`RecordPatch::onto`]).
    pub fn of(record: Map<String, Value>) -> Self {
        Self { patch: Value::Object(record), write: PhantomData }
    }

    /// The patch as the `patch` argument of the resource's update action.
    pub fn onto<I>(self) -> impl FnOnce(I) -> DomainResult<I>
    where
        W: From<I> + Serialize + DeserializeOwned + Validate + ValueChecks,
        I: From<W>,
    {
        move |input| apply_patch::<W, I>(input, &self.patch)
    }
}

/// The one skeleton of a dataset whose records create or update a resource through its own
/// actions. `existing` is the record's match: none creates the record parsed whole as the write
/// DTO `W` (unless the mode forbids creating), a match is updated with the record as a merge
/// patch ([`RecordPatch`]) and is `unchanged` when only its bookkeeping moved. The mode's
/// errors name the import's `id_scheme` as the matching key.
pub async fn create_or_patch<W, I, T, CF, UF>(
    existing: Option<T>,
    record: Map<String, Value>,
    opts: &ImportOptions,
    create: impl FnOnce(I) -> CF,
    update: impl FnOnce(Uuid, i64, RecordPatch<W>) -> UF,
) -> DomainResult<Applied>
where
    W: DeserializeOwned + Validate + ValueChecks,
    I: From<W>,
    T: Stored,
    CF: Future<Output = DomainResult<T>>,
    UF: Future<Output = DomainResult<T>>,
{
    let key = opts.id_scheme.as_str();
    match existing {
        None => {
            may_create(opts, key)?;
            let dto: W = parse(record)?;
            let created = create(dto.into()).await?;
            Ok(Outcome::Created.of(created.id()))
        }
        Some(current) => {
            may_update(opts, key)?;
            let after = update(current.id(), current.version(), RecordPatch::of(record)).await?;
            Ok(if current.unchanged_in(&after) { Outcome::Unchanged } else { Outcome::Updated }.of(after.id()))
        }
    }
}
