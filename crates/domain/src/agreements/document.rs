//! Validating an agreement's document, and applying an amendment's changes to it.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use super::{
    AgreementDocument, AmendmentChanges, Clause, ClauseKind, Indicator, IndicatorSpec, Lifecycle, Parties, Party,
    PartyRole, Unit,
};
use crate::{DomainError, DomainResult, FieldError, Msg, error::Errors};

/// An agreement as a client (or an importer) describes it: the whole document at once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgreementInput {
    /// Number.
    pub number: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Date signed.
    pub signed_on: Option<NaiveDate>,
    /// Place of signing.
    pub place: Option<String>,
    /// Subject.
    pub subject: Option<String>,
    /// Takes effect on (defaults to the signing date when signed).
    pub valid_from: Option<NaiveDate>,
    /// Valid until.
    pub valid_until: Option<NaiveDate>,
    /// Mutual financial terms.
    pub mutual_financial_terms: bool,
    /// `draft` (default) or `signed` (loading an agreement already signed); create only.
    pub status: Option<Lifecycle>,
    /// The parties.
    pub parties: Option<Parties>,
    /// Clauses.
    pub clauses: Vec<Clause>,
    /// Indicators and results.
    pub indicators: Vec<IndicatorSpec>,
}

impl AgreementInput {
    /// The input that describes a document.
    pub fn from_document(d: &AgreementDocument) -> Self {
        Self {
            number: Some(d.number.clone()),
            title: d.title.clone(),
            signed_on: d.signed_on,
            place: d.place.clone(),
            subject: Some(d.subject.clone()),
            valid_from: d.valid_from,
            valid_until: Some(d.valid_until),
            mutual_financial_terms: d.mutual_financial_terms,
            status: None,
            parties: Some(d.parties.clone()),
            clauses: d.clauses.clone(),
            indicators: d.indicators.iter().map(|i| i.spec.clone()).collect(),
        }
    }
}

fn text(e: &mut Errors, field: &str, v: Option<&str>, max: usize, required: bool) -> Option<String> {
    let v = v.map(str::trim).filter(|s| !s.is_empty());
    match v {
        None => {
            if required {
                e.push(FieldError::required(field));
            }
            None
        }
        Some(s) if s.chars().count() > max => {
            e.push(FieldError::new(
                field,
                "too_long",
                Msg::new(format!("Не длиннее {max} символов"), format!("At most {max} characters")),
            ));
            None
        }
        Some(s) => Some(s.to_owned()),
    }
}

/// Normalises a clause number (`3.1.1.` → `3.1.1`); `None` when it is not dotted digits.
pub fn clause_number(raw: &str) -> Option<String> {
    let n = raw.trim().trim_end_matches('.');
    let ok =
        !n.is_empty() && n.split('.').all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()));
    ok.then(|| n.to_owned())
}

/// Sort key of a clause number: its parts as numbers.
pub fn clause_order(n: &str) -> Vec<u32> {
    n.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

fn duplicate_clause(field: String, number: &str) -> FieldError {
    FieldError::new(
        field,
        "duplicate",
        Msg::new(
            format!("Пункт {number} уже есть в соглашении"),
            format!("Clause {number} already exists in the agreement"),
        ),
    )
}

fn validate_party(e: &mut Errors, role: PartyRole, p: &Party) -> Party {
    let at = |f: &str| format!("parties.{}.{f}", role.as_str());
    let s = &p.signatory;
    Party {
        organization_id: p.organization_id,
        designation: text(e, &at("designation"), p.designation.as_deref(), super::DESIGNATION_MAX, false),
        signatory: super::Signatory {
            name: text(e, &at("signatory.name"), Some(&s.name), super::SIGNATORY_NAME_MAX, true).unwrap_or_default(),
            position: text(e, &at("signatory.position"), Some(&s.position), super::SIGNATORY_TEXT_MAX, true)
                .unwrap_or_default(),
            acting_basis: text(
                e,
                &at("signatory.acting_basis"),
                Some(&s.acting_basis),
                super::SIGNATORY_TEXT_MAX,
                true,
            )
            .unwrap_or_default(),
        },
    }
}

/// The error of a target year outside the term.
fn outside_term(field: String, year: i32, term: (Option<i32>, i32)) -> FieldError {
    let from = term.0.map_or_else(String::new, |f| f.to_string());
    FieldError::new(
        field,
        "outside_term",
        Msg::new(
            format!("{year} год вне срока действия соглашения ({from}–{})", term.1),
            format!("{year} lies outside the agreement's term ({from}–{})", term.1),
        ),
    )
}

/// Whether a year lies within the term's years.
fn within(year: i32, term: (Option<i32>, i32)) -> bool {
    term.0.is_none_or(|f| f <= year) && year <= term.1
}

/// Validates an indicator as written at `at` (`indicators[3]`, `changes.indicators_added[0]`);
/// its targets must fall within the term's years.
fn validate_indicator(
    e: &mut Errors,
    at: &str,
    spec: &IndicatorSpec,
    term: Option<(Option<i32>, i32)>,
) -> IndicatorSpec {
    let at = |f: &str| format!("{at}.{f}");
    if spec.number == 0 {
        e.push(FieldError::new(at("number"), "out_of_range", Msg::new("Номер — от 1", "The number starts at 1")));
    }
    if spec.appendix_number.is_some_and(|n| !(1..=99).contains(&n)) {
        e.push(FieldError::new(
            at("appendix_number"),
            "out_of_range",
            Msg::new("Номер приложения — от 1 до 99", "The appendix number must be 1–99"),
        ));
    }
    for (f, v) in [("numerator", &spec.numerator), ("denominator", &spec.denominator)] {
        if v.is_some() && spec.unit != Unit::Percent {
            e.push(FieldError::new(
                at(f),
                "not_allowed",
                Msg::new(
                    "Числитель и знаменатель — только для долей (процент)",
                    "Only shares (percent) have a numerator and a denominator",
                ),
            ));
        }
    }
    let mut years = HashSet::new();
    for (j, t) in spec.targets.iter().enumerate() {
        let field = at(&format!("targets[{j}].year"));
        if !(2000..=2100).contains(&t.year) {
            e.push(FieldError::new(
                field,
                "out_of_range",
                Msg::new("Год — от 2000 до 2100", "The year must be 2000–2100"),
            ));
        } else if !years.insert(t.year) {
            e.push(FieldError::new(field, "duplicate", Msg::new("Год повторяется", "The year is repeated")));
        } else if let Some(term) = term
            && !within(t.year, term)
        {
            e.push(outside_term(field, t.year, term));
        }
        if t.value.as_f64().is_none_or(|v| v < 0.0) {
            e.push(FieldError::new(
                at(&format!("targets[{j}].value")),
                "out_of_range",
                Msg::new("Значение не может быть отрицательным", "The value cannot be negative"),
            ));
        }
    }
    let mut targets = spec.targets.clone();
    targets.sort_by_key(|t| t.year);
    IndicatorSpec {
        kind: spec.kind,
        number: spec.number,
        appendix_number: spec.appendix_number,
        name: text(e, &at("name"), Some(&spec.name), super::INDICATOR_NAME_MAX, true).unwrap_or_default(),
        unit: spec.unit,
        accumulation: spec.accumulation,
        numerator: text(e, &at("numerator"), spec.numerator.as_deref(), 2000, false),
        denominator: text(e, &at("denominator"), spec.denominator.as_deref(), 2000, false),
        targets,
    }
}

fn validate_clause(e: &mut Errors, at: &str, c: &Clause, keys: &HashSet<String>, seen: &mut HashSet<String>) -> Clause {
    let at = |f: &str| format!("{at}.{f}");
    let number = match clause_number(&c.number) {
        None => {
            e.push(FieldError::new(
                at("number"),
                "invalid_clause_number",
                Msg::new(
                    "Номер пункта — цифры через точку, например 2.2.19",
                    "A clause number is dotted digits, e.g. 2.2.19",
                ),
            ));
            c.number.clone()
        }
        Some(n) => {
            if !seen.insert(n.clone()) {
                e.push(duplicate_clause(at("number"), &n));
            }
            n
        }
    };
    if c.kind != ClauseKind::General && c.party.is_none() {
        e.push(FieldError::new(
            at("party"),
            "required",
            Msg::new("Укажите сторону, к которой относится пункт", "Give the party the clause binds or entitles"),
        ));
    }
    for (j, k) in c.indicators.iter().enumerate() {
        if !keys.contains(k) {
            e.push(FieldError::new(
                at(&format!("indicators[{j}]")),
                "not_found",
                Msg::new(format!("Показателя {k} нет в соглашении"), format!("The agreement has no indicator {k}")),
            ));
        }
    }
    Clause {
        number,
        kind: c.kind,
        party: c.party,
        text: text(e, &at("text"), Some(&c.text), super::CLAUSE_TEXT_MAX, true).unwrap_or_default(),
        indicators: c.indicators.clone(),
    }
}

/// Validates a whole document. Indicators keep the ids of `existing` ones with the same key (so
/// that reported values stay attached); new ones get new ids. Organisation kinds of the parties
/// are checked by the caller, which reads them.
pub fn validate_document(input: &AgreementInput, existing: &[Indicator]) -> DomainResult<AgreementDocument> {
    let mut e = Errors::new();
    let number = text(&mut e, "number", input.number.as_deref(), super::NUMBER_MAX, true);
    let title = text(&mut e, "title", input.title.as_deref(), 1000, false);
    let place = text(&mut e, "place", input.place.as_deref(), 300, false);
    let subject = text(&mut e, "subject", input.subject.as_deref(), super::SUBJECT_MAX, true);
    if input.valid_until.is_none() {
        e.push(FieldError::required("valid_until"));
    }
    if let (Some(f), Some(u)) = (input.valid_from, input.valid_until)
        && f > u
    {
        e.push(FieldError::new(
            "valid_until",
            "before_start",
            Msg::new("Срок действия заканчивается раньше, чем начинается", "The term ends before it begins"),
        ));
    }
    let parties = match &input.parties {
        None => {
            e.push(FieldError::required("parties"));
            None
        }
        Some(p) => Some(Parties {
            regional_authority: validate_party(&mut e, PartyRole::RegionalAuthority, &p.regional_authority),
            regional_institute: validate_party(&mut e, PartyRole::RegionalInstitute, &p.regional_institute),
            municipal_authority: validate_party(&mut e, PartyRole::MunicipalAuthority, &p.municipal_authority),
        }),
    };
    let term = input.valid_until.map(|u| (input.valid_from.or(input.signed_on).map(|d| d.year()), u.year()));
    let mut keys = HashSet::new();
    let mut indicators = Vec::new();
    for (i, spec) in input.indicators.iter().enumerate() {
        let spec = validate_indicator(&mut e, &format!("indicators[{i}]"), spec, term);
        let key = spec.key();
        if !keys.insert(key.clone()) {
            e.push(FieldError::new(
                format!("indicators[{i}].number"),
                "duplicate",
                Msg::new(format!("Показатель {key} повторяется"), format!("Indicator {key} is repeated")),
            ));
        }
        let id = existing.iter().find(|x| x.spec.key() == key).map_or_else(Uuid::now_v7, |x| x.id);
        indicators.push(Indicator { id, spec });
    }
    let mut seen = HashSet::new();
    let clauses: Vec<Clause> = input
        .clauses
        .iter()
        .enumerate()
        .map(|(i, c)| validate_clause(&mut e, &format!("clauses[{i}]"), c, &keys, &mut seen))
        .collect();
    e.finish()?;
    match (number, subject, input.valid_until, parties) {
        (Some(number), Some(subject), Some(valid_until), Some(parties)) => Ok(AgreementDocument {
            number,
            title,
            signed_on: input.signed_on,
            place,
            subject,
            valid_from: input.valid_from,
            valid_until,
            mutual_financial_terms: input.mutual_financial_terms,
            parties,
            clauses,
            indicators,
        }),
        _ => Err(DomainError::internal("agreement validation lost a field")),
    }
}

fn position(clauses: &[Clause], number: &str) -> Option<usize> {
    clauses.iter().position(|c| c.number == number)
}

/// Applies an amendment's changes to a document: the term (extended or shortened: targets of
/// years outside the new term lapse), removals, replacements and additions of clauses and
/// indicators (new numbers and keys only: an existing one is a 409 naming it), and target changes
/// (within the term). Every error names the field of the changes the client sent
/// (`changes.targets[0].value`); the result is validated whole.
pub fn apply_changes(doc: &AgreementDocument, changes: &AmendmentChanges) -> DomainResult<AgreementDocument> {
    if changes.is_empty() {
        return Err(DomainError::field(
            "changes",
            "empty",
            Msg::new("Дополнительное соглашение ничего не меняет", "The amendment changes nothing"),
        ));
    }
    let mut e = Errors::new();
    let mut next = doc.clone();
    if let Some(f) = changes.valid_from {
        next.valid_from = Some(f);
    }
    if let Some(u) = changes.valid_until {
        next.valid_until = u;
    }
    if next.valid_from.is_some_and(|f| f > next.valid_until) {
        let field = if changes.valid_until.is_some() { "changes.valid_until" } else { "changes.valid_from" };
        e.push(FieldError::new(
            field,
            "before_start",
            Msg::new("Срок действия заканчивается раньше, чем начинается", "The term ends before it begins"),
        ));
    }
    let term = next.term_years();
    let not_found = |field: String, n: &str| {
        FieldError::new(
            field,
            "not_found",
            Msg::new(format!("Пункта {n} нет в соглашении"), format!("The agreement has no clause {n}")),
        )
    };
    let no_indicator = |field: String, key: &str| {
        FieldError::new(
            field,
            "not_found",
            Msg::new(format!("Показателя {key} нет в соглашении"), format!("The agreement has no indicator {key}")),
        )
    };
    for (i, key) in changes.indicators_removed.iter().enumerate() {
        match next.indicators.iter().position(|x| x.spec.key() == key.trim()) {
            Some(p) => {
                next.indicators.remove(p);
            }
            None => e.push(no_indicator(format!("changes.indicators_removed[{i}]"), key)),
        }
    }
    for (i, spec) in changes.indicators_replaced.iter().enumerate() {
        let spec = validate_indicator(&mut e, &format!("changes.indicators_replaced[{i}]"), spec, Some(term));
        let key = spec.key();
        match next.indicators.iter_mut().find(|x| x.spec.key() == key) {
            Some(x) => x.spec = spec,
            None => e.push(no_indicator(format!("changes.indicators_replaced[{i}].number"), &key)),
        }
    }
    for (i, spec) in changes.indicators_added.iter().enumerate() {
        let spec = validate_indicator(&mut e, &format!("changes.indicators_added[{i}]"), spec, Some(term));
        let key = spec.key();
        if next.indicators.iter().any(|x| x.spec.key() == key) {
            return Err(DomainError::Conflict {
                field: Some(format!("changes.indicators_added[{i}].number")),
                message: Msg::new(
                    format!("Показатель {key} уже есть в соглашении: замените его (indicators_replaced)"),
                    format!("Indicator {key} already exists in the agreement: replace it (indicators_replaced)"),
                ),
                allowed: vec!["indicators_replaced".into()],
            });
        }
        next.indicators.push(Indicator { id: Uuid::now_v7(), spec });
    }
    for (i, t) in changes.targets.iter().enumerate() {
        let at = |f: &str| format!("changes.targets[{i}].{f}");
        let mut ok = true;
        if !within(t.year, term) {
            ok = false;
            e.push(outside_term(at("year"), t.year, term));
        }
        if t.value.as_f64().is_none_or(|v| v < 0.0) {
            ok = false;
            e.push(FieldError::new(
                at("value"),
                "out_of_range",
                Msg::new("Значение не может быть отрицательным", "The value cannot be negative"),
            ));
        }
        match next.indicators.iter_mut().find(|x| x.spec.key() == t.indicator) {
            None => e.push(no_indicator(at("indicator"), &t.indicator)),
            Some(ind) if ok => match ind.spec.targets.iter_mut().find(|x| x.year == t.year) {
                Some(x) => x.value = t.value.clone(),
                None => ind.spec.targets.push(super::Target { year: t.year, value: t.value.clone() }),
            },
            Some(_) => {}
        }
    }
    // Targets of years the new term no longer covers lapse with it.
    for ind in &mut next.indicators {
        ind.spec.targets.retain(|t| within(t.year, term));
    }
    let keys: HashSet<String> = next.indicators.iter().map(|x| x.spec.key()).collect();
    for (i, raw) in changes.clauses_removed.iter().enumerate() {
        let n = clause_number(raw).unwrap_or_else(|| raw.clone());
        match position(&next.clauses, &n) {
            Some(p) => {
                next.clauses.remove(p);
            }
            None => e.push(not_found(format!("changes.clauses_removed[{i}]"), &n)),
        }
    }
    for (i, c) in changes.clauses_replaced.iter().enumerate() {
        let at = format!("changes.clauses_replaced[{i}]");
        let c = validate_clause(&mut e, &at, c, &keys, &mut HashSet::new());
        match position(&next.clauses, &c.number) {
            Some(p) => next.clauses[p] = c,
            None => e.push(not_found(format!("{at}.number"), &c.number)),
        }
    }
    for (i, c) in changes.clauses_added.iter().enumerate() {
        let c = validate_clause(&mut e, &format!("changes.clauses_added[{i}]"), c, &keys, &mut HashSet::new());
        let n = c.number.clone();
        if position(&next.clauses, &n).is_some() {
            return Err(DomainError::Conflict {
                field: Some(format!("changes.clauses_added[{i}].number")),
                message: Msg::new(
                    format!("Пункт {n} уже есть в соглашении: замените его (clauses_replaced)"),
                    format!("Clause {n} already exists in the agreement: replace it (clauses_replaced)"),
                ),
                allowed: vec!["clauses_replaced".into()],
            });
        }
        let order = clause_order(&n);
        let at = next.clauses.iter().position(|x| clause_order(&x.number) > order).unwrap_or(next.clauses.len());
        next.clauses.insert(at, c);
    }
    // A clause left in the text that still serves a removed indicator: the removal is named.
    for (i, key) in changes.indicators_removed.iter().enumerate() {
        if let Some(c) =
            next.clauses.iter().find(|c| !keys.contains(key.trim()) && c.indicators.iter().any(|k| k == key.trim()))
        {
            e.push(FieldError::new(
                format!("changes.indicators_removed[{i}]"),
                "still_referenced",
                Msg::new(
                    format!("Пункт {} ссылается на показатель {key}: замените или удалите пункт", c.number),
                    format!("Clause {} refers to indicator {key}: replace or remove the clause", c.number),
                ),
            ));
        }
    }
    e.finish()?;
    // Whatever the whole document still rejects is the amendment's doing: named as its changes.
    validate_document(&AgreementInput::from_document(&next), &next.indicators).map_err(|err| match err {
        DomainError::Validation(fields) => {
            DomainError::Validation(fields.into_iter().map(|f| FieldError { field: "changes".into(), ..f }).collect())
        }
        other => other,
    })
}
