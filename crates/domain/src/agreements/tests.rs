//! Rules of agreements that are easy to get subtly wrong: derived status, version choice,
//! amendment application, value flags and attainment thresholds.

use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::*;
use crate::DomainError;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap_or_default()
}

fn spec(
    kind: IndicatorKind,
    number: u32,
    unit: Unit,
    accumulation: Accumulation,
    targets: &[(i32, f64)],
) -> IndicatorSpec {
    IndicatorSpec {
        kind,
        number,
        appendix_number: Some(1),
        name: format!("{} {number}", kind.as_str()),
        unit,
        accumulation,
        numerator: None,
        denominator: None,
        targets: targets
            .iter()
            .map(|(y, v)| Target { year: *y, value: serde_json::Number::from_f64(*v).unwrap_or_else(|| 0.into()) })
            .collect(),
    }
}

fn party(n: &str) -> Party {
    Party {
        organization_id: Uuid::now_v7(),
        designation: None,
        signatory: Signatory {
            name: n.into(), position: "ректор".into(), acting_basis: "на основании Устава".into()
        },
    }
}

fn clause(number: &str, text: &str) -> Clause {
    Clause {
        number: number.into(),
        kind: ClauseKind::Obligation,
        party: Some(PartyRole::RegionalInstitute),
        text: text.into(),
        indicators: Vec::new(),
    }
}

fn input() -> AgreementInput {
    AgreementInput {
        number: Some("535".into()),
        subject: Some("Предмет".into()),
        signed_on: Some(d("2021-08-25")),
        valid_from: Some(d("2021-08-25")),
        valid_until: Some(d("2024-12-31")),
        parties: Some(Parties {
            regional_authority: party("А"),
            regional_institute: party("Б"),
            municipal_authority: party("В"),
        }),
        clauses: vec![clause("2.2.1", "первый;"), clause("2.2.3", "третий;"), clause("3.1.1.", "право;")],
        indicators: vec![spec(
            IndicatorKind::Indicator,
            1,
            Unit::Percent,
            Accumulation::Cumulative,
            &[(2024, 40.0), (2023, 30.0)],
        )],
        ..AgreementInput::default()
    }
}

fn fields(e: DomainError) -> Vec<String> {
    match e {
        DomainError::Validation(f) => f.into_iter().map(|f| f.field).collect(),
        other => vec![format!("not a validation error: {other}")],
    }
}

#[test]
fn status_follows_the_dates_and_termination() {
    let (from, until) = (Some(d("2021-08-25")), d("2024-12-31"));
    let at = |l, t, on| derive_status(l, from, until, t, d(on));
    assert_eq!(at(Lifecycle::Draft, None, "2022-01-01"), AgreementStatus::Draft);
    assert_eq!(at(Lifecycle::Signed, None, "2021-08-24"), AgreementStatus::Signed);
    assert_eq!(at(Lifecycle::Signed, None, "2021-08-25"), AgreementStatus::InForce);
    assert_eq!(at(Lifecycle::Signed, None, "2024-12-31"), AgreementStatus::InForce);
    assert_eq!(at(Lifecycle::Signed, None, "2025-01-01"), AgreementStatus::Expired);
    let t = Some(d("2023-03-01"));
    assert_eq!(at(Lifecycle::Terminated, t, "2023-02-28"), AgreementStatus::InForce);
    assert_eq!(at(Lifecycle::Terminated, t, "2023-03-01"), AgreementStatus::Terminated);
}

#[test]
fn validation_normalises_numbers_sorts_targets_and_names_duplicates() {
    let doc = validate_document(&input(), &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc.clauses[2].number, "3.1.1");
    assert_eq!(doc.indicators[0].spec.targets.iter().map(|t| t.year).collect::<Vec<_>>(), vec![2023, 2024]);

    let mut bad = input();
    bad.clauses.push(clause("2.2.3", "дубль"));
    bad.clauses.push(Clause { party: None, ..clause("2.x", "") });
    bad.clauses[0].indicators.push("result.9".into());
    let f = fields(validate_document(&bad, &[]).err().unwrap_or(DomainError::NotFound));
    for expected in
        ["clauses[3].number", "clauses[4].number", "clauses[4].party", "clauses[4].text", "clauses[0].indicators[0]"]
    {
        assert!(f.contains(&expected.to_owned()), "{expected} not in {f:?}");
    }
}

#[test]
fn indicators_keep_their_ids_by_key() {
    let first = validate_document(&input(), &[]).unwrap_or_else(|e| panic!("{e}"));
    let again = validate_document(&input(), &first.indicators).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.indicators[0].id, again.indicators[0].id);
}

#[test]
fn an_amendment_inserts_clauses_in_order_and_refuses_existing_numbers() {
    let doc = validate_document(&input(), &[]).unwrap_or_else(|e| panic!("{e}"));
    let changes = AmendmentChanges {
        clauses_added: vec![clause("2.2.2", "второй;")],
        targets: vec![TargetChange { indicator: "indicator.1".into(), year: 2024, value: 45.into() }],
        ..AmendmentChanges::default()
    };
    let next = apply_changes(&doc, &changes).unwrap_or_else(|e| panic!("{e}"));
    let numbers: Vec<&str> = next.clauses.iter().map(|c| c.number.as_str()).collect();
    assert_eq!(numbers, vec!["2.2.1", "2.2.2", "2.2.3", "3.1.1"]);
    assert_eq!(next.indicators[0].spec.target(2024), Some(45.0));
    assert_eq!(next.indicators[0].id, doc.indicators[0].id);

    let dup = AmendmentChanges { clauses_added: vec![clause("2.2.3", "x")], ..AmendmentChanges::default() };
    match apply_changes(&doc, &dup) {
        Err(DomainError::Conflict { field, message, .. }) => {
            assert_eq!(field.as_deref(), Some("changes.clauses_added[0].number"));
            assert!(message.ru.contains("2.2.3"));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let missing = AmendmentChanges { clauses_removed: vec!["9.9".into()], ..AmendmentChanges::default() };
    assert_eq!(
        fields(apply_changes(&doc, &missing).err().unwrap_or(DomainError::NotFound)),
        vec!["changes.clauses_removed[0]"]
    );
    assert!(apply_changes(&doc, &AmendmentChanges::default()).is_err());
}

#[test]
fn targets_outside_the_term_are_refused_by_the_field_the_client_sent() {
    let mut bad = input();
    bad.indicators[0].targets.push(Target { year: 2025, value: 50.into() });
    bad.indicators[0].targets.push(Target { year: 2020, value: 5.into() });
    assert_eq!(
        fields(validate_document(&bad, &[]).err().unwrap_or(DomainError::NotFound)),
        vec!["indicators[0].targets[2].year", "indicators[0].targets[3].year"]
    );
    let doc = validate_document(&input(), &[]).unwrap_or_else(|e| panic!("{e}"));
    let outside = AmendmentChanges {
        targets: vec![
            TargetChange { indicator: "indicator.1".into(), year: 2025, value: 50.into() },
            TargetChange { indicator: "indicator.1".into(), year: 2024, value: serde_json::Number::from(-1) },
        ],
        ..AmendmentChanges::default()
    };
    assert_eq!(
        fields(apply_changes(&doc, &outside).err().unwrap_or(DomainError::NotFound)),
        vec!["changes.targets[0].year", "changes.targets[1].value"]
    );
    // Extending the term admits the year; shortening it lets the later targets lapse.
    let extended = AmendmentChanges { valid_until: Some(d("2025-12-31")), ..outside.clone() };
    let extended = AmendmentChanges { targets: extended.targets[..1].to_vec(), ..extended };
    let next = apply_changes(&doc, &extended).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(next.indicators[0].spec.target(2025), Some(50.0));
    let shortened = AmendmentChanges { valid_until: Some(d("2023-12-31")), ..AmendmentChanges::default() };
    let next = apply_changes(&doc, &shortened).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(next.indicators[0].spec.targets.iter().map(|t| t.year).collect::<Vec<_>>(), vec![2023]);
}

#[test]
fn an_amendment_adds_replaces_and_removes_indicators_naming_its_own_fields() {
    let mut with_clause = input();
    with_clause.clauses[0].indicators.push("indicator.1".into());
    let doc = validate_document(&with_clause, &[]).unwrap_or_else(|e| panic!("{e}"));
    let added = spec(IndicatorKind::Result, 8, Unit::Units, Accumulation::PerYear, &[(2024, 3.0)]);
    let mut replaced = spec(IndicatorKind::Indicator, 1, Unit::Percent, Accumulation::Cumulative, &[(2024, 42.0)]);
    replaced.name = "Новая редакция".into();
    let changes = AmendmentChanges {
        indicators_added: vec![added.clone()],
        indicators_replaced: vec![replaced],
        ..AmendmentChanges::default()
    };
    let next = apply_changes(&doc, &changes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(next.indicators.len(), 2);
    assert_eq!(next.indicators[0].id, doc.indicators[0].id, "a replaced indicator keeps its id");
    assert_eq!(next.indicators[0].spec.name, "Новая редакция");
    assert_eq!(next.indicators[0].spec.target(2023), None);

    // Removing an indicator a clause still serves names the removal; with the clause replaced it passes.
    let remove = AmendmentChanges { indicators_removed: vec!["indicator.1".into()], ..AmendmentChanges::default() };
    assert_eq!(
        fields(apply_changes(&doc, &remove).err().unwrap_or(DomainError::NotFound)),
        vec!["changes.indicators_removed[0]"]
    );
    let remove = AmendmentChanges { clauses_replaced: vec![clause("2.2.1", "первый;")], ..remove };
    let next = apply_changes(&doc, &remove).unwrap_or_else(|e| panic!("{e}"));
    assert!(next.indicators.is_empty());

    let again = AmendmentChanges {
        indicators_added: vec![spec(IndicatorKind::Indicator, 1, Unit::Units, Accumulation::PerYear, &[])],
        ..AmendmentChanges::default()
    };
    assert!(
        matches!(apply_changes(&doc, &again), Err(DomainError::Conflict { field: Some(f), .. }) if f == "changes.indicators_added[0].number")
    );
    let bad = AmendmentChanges {
        indicators_added: vec![spec(IndicatorKind::Result, 0, Unit::Units, Accumulation::PerYear, &[(2030, 1.0)])],
        ..AmendmentChanges::default()
    };
    assert_eq!(
        fields(apply_changes(&doc, &bad).err().unwrap_or(DomainError::NotFound)),
        vec!["changes.indicators_added[0].number", "changes.indicators_added[0].targets[0].year"]
    );
}

fn version(number: i32, from: &str) -> AgreementVersion {
    let doc = validate_document(&input(), &[]).unwrap_or_else(|e| panic!("{e}"));
    AgreementVersion {
        id: Uuid::now_v7(),
        agreement_id: Uuid::nil(),
        number,
        effective_from: d(from),
        amendment: None,
        document: doc,
        created_at: Utc::now(),
    }
}

#[test]
fn the_version_on_a_date_is_the_last_effective_one_or_the_original() {
    let vs = vec![version(1, "2021-08-25"), version(2, "2024-01-01")];
    assert_eq!(version_on(&vs, d("2023-12-31")).map(|v| v.number), Some(1));
    assert_eq!(version_on(&vs, d("2024-01-01")).map(|v| v.number), Some(2));
    assert_eq!(version_on(&vs, d("2020-01-01")).map(|v| v.number), Some(1));
    assert!(version_on(&[], d("2020-01-01")).is_none());
}

fn value(indicator: Uuid, year: i32, quarter: Option<i16>, v: f64) -> IndicatorValue {
    IndicatorValue {
        id: Uuid::now_v7(),
        agreement_id: Uuid::nil(),
        indicator_id: indicator,
        year,
        quarter,
        value: v,
        source: "s".into(),
        comment: None,
        reported_by: "t".into(),
        reporter_role: "admin".into(),
        flags: Vec::new(),
        reported_at: Utc::now(),
    }
}

#[test]
fn cumulative_values_may_not_fall_but_are_only_flagged() {
    let id = Uuid::now_v7();
    let cumulative = spec(IndicatorKind::Result, 1, Unit::Percent, Accumulation::Cumulative, &[]);
    let existing = vec![value(id, 2022, None, 20.0), value(id, 2023, Some(2), 25.0), value(id, 2024, None, 40.0)];
    let flags = |y, q, v| value_flags(&cumulative, id, &existing, y, q, v);
    assert_eq!(flags(2023, Some(3), 26.0), vec![]);
    assert_eq!(flags(2023, Some(3), 24.0), vec![ValueFlag::CumulativeDecrease]);
    assert_eq!(flags(2023, None, 19.0), vec![ValueFlag::CumulativeDecrease]);
    // Above a later period's value breaks the rule as well.
    assert_eq!(flags(2023, None, 41.0), vec![ValueFlag::CumulativeDecrease]);
    assert_eq!(flags(2023, None, 120.0), vec![ValueFlag::CumulativeDecrease, ValueFlag::PercentOutOfRange]);
    let per_year = spec(IndicatorKind::Result, 1, Unit::Units, Accumulation::PerYear, &[]);
    assert_eq!(value_flags(&per_year, id, &existing, 2023, None, 1.0), vec![]);
}

#[test]
fn the_actual_of_a_year_is_its_own_value_else_the_latest_quarter_and_the_latest_report_wins() {
    let id = Uuid::now_v7();
    let mut vs = vec![value(id, 2023, Some(1), 5.0), value(id, 2023, Some(3), 9.0), value(id, 2023, Some(2), 7.0)];
    assert_eq!(actual_for_year(&vs, id, 2023).map(|v| v.value), Some(9.0));
    vs.push(value(id, 2023, None, 11.0));
    vs.push(value(id, 2023, None, 12.0));
    assert_eq!(actual_for_year(&vs, id, 2023).map(|v| v.value), Some(12.0));
    assert!(actual_for_year(&vs, id, 2022).is_none());
}

#[test]
fn attainment_thresholds_are_one_and_nine_tenths() {
    assert_eq!(attainment_of(Some(30.0), Some(30.0)).status, AttainmentStatus::Met);
    assert_eq!(attainment_of(Some(30.0), Some(27.0)).status, AttainmentStatus::AtRisk);
    assert_eq!(attainment_of(Some(30.0), Some(26.9)).status, AttainmentStatus::NotMet);
    assert_eq!(attainment_of(Some(30.0), None).status, AttainmentStatus::NoData);
    assert_eq!(attainment_of(None, Some(3.0)).status, AttainmentStatus::NoData);
    assert_eq!(attainment_of(Some(0.0), Some(0.0)).status, AttainmentStatus::Met);
    assert_eq!(attainment_of(Some(3.0), Some(1.0)).ratio, Some(0.3333));
}
