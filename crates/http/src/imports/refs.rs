//! Reference id schemes (DHIS2's `orgUnitIdScheme`, `idScheme`): a record may name the
//! organisation, person or competency it points to by the id a partner holds — ИНН or the
//! municipality code, СНИЛС, the competency code — instead of our uuid. Before a chunk is
//! applied, every such reference of its records is looked up in the caller's scope (each
//! distinct value once per chunk) and replaced by the uuid; an unknown or ambiguous value is a
//! line error naming the field and the value (a СНИЛС masked).

use std::collections::HashMap;

use rsnms_domain::{
    DomainError, DomainResult, FieldError, Msg,
    auth::Ctx,
    exchange::{ImportOptions, RefSchemes, Unit},
    organizations::{Level, OrganizationFilter},
    page::PageRequest,
    persons::PersonFilter,
    values::Snils,
};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::datasets::{Dataset, Pending};

/// What a reference field points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// An organisation: `org_id_scheme` = `id`, `inn` or `municipality_code` (the municipal
    /// authority of that municipality).
    Organization,
    /// A person: `person_id_scheme` = `id` or `snils`.
    Person,
    /// A competency: `competency_id_scheme` = `id` or `code`.
    Competency,
}

impl RefKind {
    /// The schemes a reference of this kind may be given in; the first is the default.
    pub fn schemes(self) -> &'static [&'static str] {
        match self {
            Self::Organization => &["id", "inn", "municipality_code"],
            Self::Person => &["id", "snils"],
            Self::Competency => &["id", "code"],
        }
    }

    /// The query parameter choosing the scheme.
    pub fn option(self) -> &'static str {
        match self {
            Self::Organization => "org_id_scheme",
            Self::Person => "person_id_scheme",
            Self::Competency => "competency_id_scheme",
        }
    }

    fn scheme(self, s: &RefSchemes) -> &str {
        match self {
            Self::Organization => s.organization.as_str(),
            Self::Person => s.person.as_str(),
            Self::Competency => s.competency.as_str(),
        }
    }
}

/// A reference field of a dataset's records: its dotted path and what it points to (a list
/// field holds several).
#[derive(Debug, Clone, Copy)]
pub struct RefField {
    /// Dotted path in the record (`organization_id`, `competency_ids`).
    pub path: &'static str,
    /// What it points to.
    pub kind: RefKind,
}

/// Whether any reference of the dataset's records is given in another scheme than `id`.
pub fn needed(dataset: &dyn Dataset, opts: &ImportOptions) -> bool {
    dataset.refs().iter().any(|r| r.kind.scheme(&opts.ref_schemes) != "id")
}

/// The value shown in an error: a СНИЛС masked but for its check digits.
fn shown(kind: RefKind, scheme: &str, value: &str) -> String {
    if kind == RefKind::Person && scheme == "snils" { super::shown::masked_snils(value) } else { value.to_owned() }
}

/// Why a value names no single record.
#[derive(Debug, Clone, Copy)]
enum Miss {
    Unknown,
    Ambiguous,
}

async fn lookup(
    unit: &dyn Unit,
    ctx: &Ctx,
    kind: RefKind,
    scheme: &str,
    value: &str,
) -> DomainResult<Result<Uuid, Miss>> {
    let scope = ctx.actor.scope();
    let two = PageRequest { limit: 2, after: None, ..PageRequest::default() };
    let ids: Vec<Uuid> = match (kind, scheme) {
        (RefKind::Organization, "inn") => {
            let filter = OrganizationFilter { inn: Some(value.trim().to_owned()), ..OrganizationFilter::default() };
            unit.organizations().list(&scope, &filter, two).await?.items.into_iter().map(|o| o.id).collect()
        }
        (RefKind::Organization, _) => {
            let filter = OrganizationFilter {
                municipality_code: Some(value.trim().to_owned()),
                level: Some(Level::Municipal),
                ..OrganizationFilter::default()
            };
            unit.organizations().list(&scope, &filter, two).await?.items.into_iter().map(|o| o.id).collect()
        }
        (RefKind::Person, _) => {
            let Ok(snils) = Snils::parse("snils", value) else { return Ok(Err(Miss::Unknown)) };
            let filter = PersonFilter { snils: Some(snils.digits().to_owned()), ..PersonFilter::default() };
            unit.persons().list(&scope, &filter, two).await?.items.into_iter().map(|p| p.id).collect()
        }
        (RefKind::Competency, _) => {
            unit.competencies().by_code(value.trim()).await?.into_iter().map(|c| c.id).collect()
        }
    };
    Ok(match ids.as_slice() {
        [id] => Ok(*id),
        [] => Err(Miss::Unknown),
        _ => Err(Miss::Ambiguous),
    })
}

fn miss_error(path: &str, kind: RefKind, scheme: &str, value: &str, miss: Miss) -> FieldError {
    let shown = shown(kind, scheme, value);
    match miss {
        Miss::Unknown => FieldError::new(
            path,
            "not_found",
            Msg::new(
                format!("Не найдено в вашей области видимости: {scheme} = {shown}"),
                format!("Nothing in your scope has {scheme} = {shown}"),
            ),
        ),
        Miss::Ambiguous => FieldError::new(
            path,
            "ambiguous",
            Msg::new(
                format!("Несколько записей с {scheme} = {shown}: укажите id"),
                format!("Several records have {scheme} = {shown}: give the id"),
            ),
        ),
    }
}

/// The mutable string values at a dotted path (one, or each of a list).
fn values_at<'a>(record: &'a mut Map<String, Value>, path: &str) -> Vec<&'a mut Value> {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    match (record.get_mut(head), rest) {
        (Some(Value::Object(inner)), Some(rest)) => values_at(inner, rest),
        (Some(Value::Array(items)), None) => items.iter_mut().filter(|v| v.is_string()).collect(),
        (Some(v @ Value::String(_)), None) => vec![v],
        _ => Vec::new(),
    }
}

/// Replaces the references of a chunk's records given in a partner's scheme by our ids (each
/// distinct value looked up once), sets the line error of a record with an unknown or
/// ambiguous reference, and prepares the others for [`Dataset::apply_many`] anew.
pub async fn resolve(
    unit: &dyn Unit,
    dataset: &dyn Dataset,
    ctx: &Ctx,
    chunk: &mut [Pending],
    opts: &ImportOptions,
) -> Result<(), DomainError> {
    let mut known: HashMap<(RefKind, String), Result<Uuid, Miss>> = HashMap::new();
    for p in chunk.iter_mut() {
        let Some(record) = p.record.as_mut() else { continue };
        let mut errors = Vec::new();
        for field in dataset.refs() {
            let scheme = field.kind.scheme(&opts.ref_schemes);
            if scheme == "id" {
                continue;
            }
            for value in values_at(record, field.path) {
                let Some(raw) = value.as_str().map(str::to_owned) else { continue };
                if raw.trim().is_empty() {
                    continue;
                }
                let key = (field.kind, raw.clone());
                let found = match known.get(&key) {
                    Some(found) => *found,
                    None => {
                        let found = lookup(unit, ctx, field.kind, scheme, &raw).await?;
                        known.insert(key, found);
                        found
                    }
                };
                match found {
                    Ok(id) => *value = Value::String(id.to_string()),
                    Err(miss) => errors.push(miss_error(field.path, field.kind, scheme, &raw, miss)),
                }
            }
        }
        if errors.is_empty() {
            p.prepared = dataset.prepare(record, opts);
        } else {
            // The record stays (unapplied) for the summary to show the offending values.
            p.prepared = None;
            p.result = Some(Err(DomainError::Validation(errors)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snils_is_shown_masked_but_for_its_check_digits() {
        assert_eq!(shown(RefKind::Person, "snils", "112-233-445 95"), "***-***-*** 95");
        assert_eq!(shown(RefKind::Organization, "inn", "7701234567"), "7701234567");
    }

    #[test]
    fn values_are_found_at_dotted_paths_and_in_lists() {
        let mut record = serde_json::json!({"a": {"b": "x"}, "l": ["p", "q"], "n": 1});
        let map = record.as_object_mut().unwrap();
        assert_eq!(values_at(map, "a.b").len(), 1);
        assert_eq!(values_at(map, "l").len(), 2);
        assert!(values_at(map, "n").is_empty());
        assert!(values_at(map, "missing").is_empty());
    }
}
