//! The offending value of a line error as the summary shows it (`value`): taken from the line's
//! record at the error's field, as given; personal data — names, СНИЛС, birth dates, contacts,
//! and a person referred to by СНИЛС — is masked (a СНИЛС but for its check digits). The one
//! place that decides what of a line an error may echo.

use rsnms_domain::exchange::ImportOptions;
use serde_json::{Map, Value};

use super::{datasets::Dataset, refs::RefKind};

/// Field names (any segment of a path) that hold personal data in some dataset.
const PERSONAL: &[&str] = &[
    "surname",
    "first_name",
    "patronymic",
    "full_name",
    "email",
    "phone",
    "snils",
    "person_snils",
    "birth_date",
    "contacts",
    "author",
];

/// Characters of a value shown at most.
const MAX_CHARS: usize = 200;

/// The masked spelling of a СНИЛС: `***-***-*** 95` (its check digits only).
pub fn masked_snils(raw: &str) -> String {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let tail = digits.get(digits.len().saturating_sub(2)..).unwrap_or_default();
    format!("***-***-*** {tail}")
}

/// The value at a field path (`contacts.phone`, `roles[1]`) of a record.
fn at<'a>(record: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut segments = path.split('.');
    let first = segments.next()?;
    let mut current = step(record.get(name(first))?, first)?;
    for s in segments {
        current = step(current.as_object()?.get(name(s))?, s)?;
    }
    Some(current)
}

/// A path segment's field name, without its index.
fn name(segment: &str) -> &str {
    segment.split('[').next().unwrap_or(segment)
}

/// Follows a segment's indices (`roles[1]`).
fn step<'a>(mut v: &'a Value, segment: &str) -> Option<&'a Value> {
    for index in segment.split('[').skip(1) {
        let i: usize = index.trim_end_matches(']').parse().ok()?;
        v = v.as_array()?.get(i)?;
    }
    Some(v)
}

/// How a field's value is personal data: not at all, a СНИЛС, or otherwise.
#[derive(Debug, PartialEq, Eq)]
enum Personal {
    No,
    Snils,
    Other,
}

/// Whether a field path holds personal data: a personal field, or a person given by СНИЛС
/// (a reference with `person_id_scheme=snils`).
fn personal(dataset: &dyn Dataset, opts: &ImportOptions, path: &str) -> Personal {
    let bare: Vec<&str> = path.split('.').map(name).collect();
    if bare.last().is_some_and(|s| s.ends_with("snils")) {
        return Personal::Snils;
    }
    if bare.iter().any(|s| PERSONAL.contains(s)) {
        return Personal::Other;
    }
    let bare = bare.join(".");
    let by_snils = opts.ref_schemes.person.as_str() == "snils"
        && dataset.refs().iter().any(|r| r.kind == RefKind::Person && r.path == bare);
    if by_snils { Personal::Snils } else { Personal::No }
}

/// The value an error at `field` of `record` shows: the value as given (text as is, anything
/// else as JSON, cut to 200 characters), masked where it is personal data; none for the whole
/// line (`$`) or a field the line does not hold.
pub fn value(dataset: &dyn Dataset, opts: &ImportOptions, record: &Map<String, Value>, field: &str) -> Option<String> {
    if field == "$" {
        return None;
    }
    let text = match at(record, field)? {
        Value::Null => return None,
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Some(match personal(dataset, opts, field) {
        Personal::No => text.chars().take(MAX_CHARS).collect(),
        Personal::Snils => masked_snils(&text),
        Personal::Other => "***".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imports::find;

    fn record() -> Map<String, Value> {
        serde_json::json!({
            "surname": "Иванова", "snils": "112-233-445 95", "position": "учитель",
            "contacts": {"phone": "+7 900"}, "roles": ["teacher", "pilot"], "hours": 36
        })
        .as_object()
        .cloned()
        .unwrap_or_default()
    }

    #[test]
    fn personal_values_are_masked_and_others_shown_as_given() {
        let persons = find("persons").ok().unwrap_or_else(|| unreachable!());
        let opts = ImportOptions::default();
        let r = record();
        assert_eq!(value(persons, &opts, &r, "snils").as_deref(), Some("***-***-*** 95"));
        assert_eq!(value(persons, &opts, &r, "surname").as_deref(), Some("***"));
        assert_eq!(value(persons, &opts, &r, "contacts.phone").as_deref(), Some("***"));
        assert_eq!(value(persons, &opts, &r, "position").as_deref(), Some("учитель"));
        assert_eq!(value(persons, &opts, &r, "roles[1]").as_deref(), Some("pilot"));
        assert_eq!(value(persons, &opts, &r, "hours").as_deref(), Some("36"));
        assert_eq!(value(persons, &opts, &r, "$"), None);
        assert_eq!(value(persons, &opts, &r, "missing"), None);
    }
}
