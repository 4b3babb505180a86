//! Wire shapes of agreements: the whole document as a client writes it, the agreement as of a
//! date, amendments, versions, actual values and attainment reports.

use chrono::{DateTime, NaiveDate, Utc};
use rsnms_domain::agreements::{
    Accumulation, AgreementAsOf, AgreementInput, AgreementStatus, AgreementVersion, Amendment, AmendmentChanges,
    AttainmentStatus, Clause, ClauseKind, IndicatorKind, IndicatorSpec, IndicatorValue, Lifecycle, Parties, Party,
    PartyRole, Signatory, Target, TargetChange, Unit, ValueFlag,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::extract::ValueChecks;

/// A number as JSON writes it: integral values without a fraction.
pub fn num(v: f64) -> serde_json::Number {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        #[expect(clippy::cast_possible_truncation, reason = "integral and within i64")]
        serde_json::Number::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).unwrap_or_else(|| serde_json::Number::from(0))
    }
}

/// Who signs for a party (подписант).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SignatoryWrite {
    /// Full name in the nominative (ФИО), e.g. «Поздняков Валерий Анатольевич».
    #[validate(required, length(min = 1, max = 300))]
    #[schema(required = true, nullable = false, max_length = 300)]
    pub name: Option<String>,
    /// Position (должность), e.g. «ректор».
    #[validate(required, length(min = 1, max = 500))]
    #[schema(required = true, nullable = false, max_length = 500)]
    pub position: Option<String>,
    /// Acting basis (основание полномочий), e.g. «на основании Устава».
    #[validate(required, length(min = 1, max = 500))]
    #[schema(required = true, nullable = false, max_length = 500)]
    pub acting_basis: Option<String>,
}

/// A party of the agreement (сторона).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PartyWrite {
    /// The organisation (участник сети) of the kind the role requires.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub organization_id: Option<Uuid>,
    /// How the agreement names the party («именуемое в дальнейшем – Министерство»).
    #[validate(length(max = 300))]
    #[schema(max_length = 300)]
    pub designation: Option<String>,
    /// Its signatory.
    #[validate(required, nested)]
    #[schema(required = true, nullable = false)]
    pub signatory: Option<SignatoryWrite>,
}

/// The three parties (стороны соглашения), each an organisation of its kind.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PartiesWrite {
    /// The region's education authority (kind `regional_authority`).
    #[validate(required, nested)]
    #[schema(required = true, nullable = false)]
    pub regional_authority: Option<PartyWrite>,
    /// The regional institute (kind `regional_institute`).
    #[validate(required, nested)]
    #[schema(required = true, nullable = false)]
    pub regional_institute: Option<PartyWrite>,
    /// The municipal education authority (kind `municipal_authority`).
    #[validate(required, nested)]
    #[schema(required = true, nullable = false)]
    pub municipal_authority: Option<PartyWrite>,
}

/// A numbered clause (пункт соглашения).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ClauseWrite {
    /// Number, dotted digits unique within the agreement, e.g. `2.2.19` (a trailing dot is dropped).
    #[validate(required, length(min = 1, max = 40))]
    #[schema(required = true, nullable = false, max_length = 40, example = "2.2.19")]
    pub number: Option<String>,
    /// Obligation, right or general provision.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub kind: Option<ClauseKind>,
    /// The party it binds or entitles; required for obligations and rights.
    pub party: Option<PartyRole>,
    /// Text as in the agreement.
    #[validate(required, length(min = 1, max = 10000))]
    #[schema(required = true, nullable = false, max_length = 10000)]
    pub text: Option<String>,
    /// Keys of the indicators the clause serves, e.g. `["indicator.1", "result.2"]`.
    pub indicators: Option<Vec<String>>,
}

/// A yearly target (плановое значение).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TargetWrite {
    /// Year.
    #[validate(required, range(min = 2000, max = 2100))]
    #[schema(required = true, nullable = false, minimum = 2000, maximum = 2100, example = 2023)]
    pub year: Option<i32>,
    /// Value, kept exactly as written (13, 6.8).
    #[validate(required)]
    #[schema(required = true, nullable = false, value_type = f64, example = 30)]
    pub value: Option<serde_json::Number>,
}

/// An indicator (показатель) or result (результат) of the appendix.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct IndicatorWrite {
    /// Indicator or result.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub kind: Option<IndicatorKind>,
    /// Its number within its kind; with the kind it makes the key (`result.2`).
    #[validate(required, range(min = 1, max = 999))]
    #[schema(required = true, nullable = false, minimum = 1, maximum = 999)]
    pub number: Option<u32>,
    /// Name as in the appendix.
    #[validate(required, length(min = 1, max = 2000))]
    #[schema(required = true, nullable = false, max_length = 2000)]
    pub name: Option<String>,
    /// Unit of measure.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub unit: Option<Unit>,
    /// Accumulation: `cumulative` («нарастающим итогом»), `per_year`, `last_value` (yes/no items).
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub accumulation: Option<Accumulation>,
    /// For shares: what is counted (числитель).
    #[validate(length(max = 2000))]
    pub numerator: Option<String>,
    /// For shares: of what (знаменатель).
    #[validate(length(max = 2000))]
    pub denominator: Option<String>,
    /// Yearly targets.
    #[validate(nested)]
    pub targets: Option<Vec<TargetWrite>>,
}

/// A whole agreement as a client writes it (create; merge-patched while a draft).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AgreementWrite {
    /// Number (номер), e.g. `535`.
    #[validate(required, length(min = 1, max = 100))]
    #[schema(required = true, nullable = false, max_length = 100, example = "535")]
    pub number: Option<String>,
    /// Title (наименование).
    #[validate(length(max = 1000))]
    pub title: Option<String>,
    /// Date signed (дата подписания); required to sign.
    pub signed_on: Option<NaiveDate>,
    /// Place of signing (место заключения).
    #[validate(length(max = 300))]
    pub place: Option<String>,
    /// Subject (предмет соглашения).
    #[validate(required, length(min = 1, max = 4000))]
    #[schema(required = true, nullable = false, max_length = 4000)]
    pub subject: Option<String>,
    /// Takes effect on (вступает в силу); defaults to the signing date.
    pub valid_from: Option<NaiveDate>,
    /// Valid until, inclusive (действует до).
    #[validate(required)]
    #[schema(required = true, nullable = false, example = "2024-12-31")]
    pub valid_until: Option<NaiveDate>,
    /// Whether the parties have mutual financial terms (BU 4.2: none); default `false`.
    pub mutual_financial_terms: Option<bool>,
    /// On create: `draft` (default) or `signed` to load an agreement already concluded.
    pub status: Option<Lifecycle>,
    /// The three parties.
    #[validate(required, nested)]
    #[schema(required = true, nullable = false)]
    pub parties: Option<PartiesWrite>,
    /// Clauses in the agreement's order.
    #[validate(nested)]
    pub clauses: Option<Vec<ClauseWrite>>,
    /// Indicators and results of the appendix with yearly targets.
    #[validate(nested)]
    pub indicators: Option<Vec<IndicatorWrite>>,
}

fn party_in(p: Option<PartyWrite>) -> Party {
    let Some(p) = p else { return Party::default() };
    let s = p.signatory.unwrap_or(SignatoryWrite { name: None, position: None, acting_basis: None });
    Party {
        organization_id: p.organization_id.unwrap_or_default(),
        designation: p.designation,
        signatory: Signatory {
            name: s.name.unwrap_or_default(),
            position: s.position.unwrap_or_default(),
            acting_basis: s.acting_basis.unwrap_or_default(),
        },
    }
}

fn party_out(p: Party) -> PartyWrite {
    PartyWrite {
        organization_id: Some(p.organization_id),
        designation: p.designation,
        signatory: Some(SignatoryWrite {
            name: Some(p.signatory.name),
            position: Some(p.signatory.position),
            acting_basis: Some(p.signatory.acting_basis),
        }),
    }
}

impl From<ClauseWrite> for Clause {
    fn from(c: ClauseWrite) -> Self {
        Clause {
            number: c.number.unwrap_or_default(),
            kind: c.kind.unwrap_or(ClauseKind::General),
            party: c.party,
            text: c.text.unwrap_or_default(),
            indicators: c.indicators.unwrap_or_default(),
        }
    }
}

impl From<Clause> for ClauseWrite {
    fn from(c: Clause) -> Self {
        ClauseWrite {
            number: Some(c.number),
            kind: Some(c.kind),
            party: c.party,
            text: Some(c.text),
            indicators: Some(c.indicators),
        }
    }
}

impl From<IndicatorWrite> for IndicatorSpec {
    fn from(i: IndicatorWrite) -> Self {
        IndicatorSpec {
            kind: i.kind.unwrap_or(IndicatorKind::Indicator),
            number: i.number.unwrap_or_default(),
            name: i.name.unwrap_or_default(),
            unit: i.unit.unwrap_or(Unit::Units),
            accumulation: i.accumulation.unwrap_or(Accumulation::PerYear),
            numerator: i.numerator,
            denominator: i.denominator,
            targets: i
                .targets
                .unwrap_or_default()
                .into_iter()
                .map(|t| Target { year: t.year.unwrap_or_default(), value: t.value.unwrap_or_else(|| 0.into()) })
                .collect(),
        }
    }
}

impl From<IndicatorSpec> for IndicatorWrite {
    fn from(i: IndicatorSpec) -> Self {
        IndicatorWrite {
            kind: Some(i.kind),
            number: Some(i.number),
            name: Some(i.name),
            unit: Some(i.unit),
            accumulation: Some(i.accumulation),
            numerator: i.numerator,
            denominator: i.denominator,
            targets: Some(
                i.targets.into_iter().map(|t| TargetWrite { year: Some(t.year), value: Some(t.value) }).collect(),
            ),
        }
    }
}

impl From<AgreementWrite> for AgreementInput {
    fn from(w: AgreementWrite) -> Self {
        AgreementInput {
            number: w.number,
            title: w.title,
            signed_on: w.signed_on,
            place: w.place,
            subject: w.subject,
            valid_from: w.valid_from,
            valid_until: w.valid_until,
            mutual_financial_terms: w.mutual_financial_terms.unwrap_or(false),
            status: w.status,
            parties: w.parties.map(|p| Parties {
                regional_authority: party_in(p.regional_authority),
                regional_institute: party_in(p.regional_institute),
                municipal_authority: party_in(p.municipal_authority),
            }),
            clauses: w.clauses.unwrap_or_default().into_iter().map(Clause::from).collect(),
            indicators: w.indicators.unwrap_or_default().into_iter().map(IndicatorSpec::from).collect(),
        }
    }
}

impl From<AgreementInput> for AgreementWrite {
    fn from(i: AgreementInput) -> Self {
        AgreementWrite {
            number: i.number,
            title: i.title,
            signed_on: i.signed_on,
            place: i.place,
            subject: i.subject,
            valid_from: i.valid_from,
            valid_until: i.valid_until,
            mutual_financial_terms: Some(i.mutual_financial_terms),
            status: i.status,
            parties: i.parties.map(|p| PartiesWrite {
                regional_authority: Some(party_out(p.regional_authority)),
                regional_institute: Some(party_out(p.regional_institute)),
                municipal_authority: Some(party_out(p.municipal_authority)),
            }),
            clauses: Some(i.clauses.into_iter().map(ClauseWrite::from).collect()),
            indicators: Some(i.indicators.into_iter().map(IndicatorWrite::from).collect()),
        }
    }
}

impl ValueChecks for AgreementWrite {}

/// A signatory.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignatoryView {
    /// Full name.
    pub name: String,
    /// Position.
    pub position: String,
    /// Acting basis.
    pub acting_basis: String,
}

/// A party.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartyView {
    /// The organisation.
    pub organization_id: Uuid,
    /// How the agreement names it.
    pub designation: Option<String>,
    /// Its signatory.
    pub signatory: SignatoryView,
}

impl From<Party> for PartyView {
    fn from(p: Party) -> Self {
        PartyView {
            organization_id: p.organization_id,
            designation: p.designation,
            signatory: SignatoryView {
                name: p.signatory.name,
                position: p.signatory.position,
                acting_basis: p.signatory.acting_basis,
            },
        }
    }
}

/// The three parties.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartiesView {
    /// Regional education authority.
    pub regional_authority: PartyView,
    /// Regional institute.
    pub regional_institute: PartyView,
    /// Municipal education authority.
    pub municipal_authority: PartyView,
}

impl From<Parties> for PartiesView {
    fn from(p: Parties) -> Self {
        PartiesView {
            regional_authority: p.regional_authority.into(),
            regional_institute: p.regional_institute.into(),
            municipal_authority: p.municipal_authority.into(),
        }
    }
}

/// A clause.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClauseView {
    /// Number, e.g. `2.2.19`.
    pub number: String,
    /// Kind.
    pub kind: ClauseKind,
    /// The party it binds or entitles.
    pub party: Option<PartyRole>,
    /// Text.
    pub text: String,
    /// Keys of the indicators it serves.
    pub indicators: Vec<String>,
}

impl From<Clause> for ClauseView {
    fn from(c: Clause) -> Self {
        ClauseView { number: c.number, kind: c.kind, party: c.party, text: c.text, indicators: c.indicators }
    }
}

/// A yearly target.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetView {
    /// Year.
    pub year: i32,
    /// Value as written.
    #[schema(value_type = f64)]
    pub value: serde_json::Number,
}

/// An indicator or result with its targets.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorView {
    /// Id (stable across versions); actual values are reported against it.
    pub id: Uuid,
    /// Key clauses and amendments use, e.g. `result.2`.
    pub key: String,
    /// Indicator or result.
    pub kind: IndicatorKind,
    /// Number within its kind.
    pub number: u32,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: Unit,
    /// Accumulation rule.
    pub accumulation: Accumulation,
    /// Numerator of a share.
    pub numerator: Option<String>,
    /// Denominator of a share.
    pub denominator: Option<String>,
    /// Yearly targets, by year.
    pub targets: Vec<TargetView>,
}

impl From<rsnms_domain::agreements::Indicator> for IndicatorView {
    fn from(i: rsnms_domain::agreements::Indicator) -> Self {
        let s = i.spec;
        IndicatorView {
            id: i.id,
            key: s.key(),
            kind: s.kind,
            number: s.number,
            name: s.name,
            unit: s.unit,
            accumulation: s.accumulation,
            numerator: s.numerator,
            denominator: s.denominator,
            targets: s.targets.into_iter().map(|t| TargetView { year: t.year, value: t.value }).collect(),
        }
    }
}

/// A target change of an amendment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TargetChangeWrite {
    /// Indicator key, e.g. `indicator.1`.
    #[validate(required, length(min = 1, max = 40))]
    #[schema(required = true, nullable = false, example = "indicator.1")]
    pub indicator: Option<String>,
    /// Year.
    #[validate(required, range(min = 2000, max = 2100))]
    #[schema(required = true, nullable = false, minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// New value.
    #[validate(required)]
    #[schema(required = true, nullable = false, value_type = f64)]
    pub value: Option<serde_json::Number>,
}

/// What an amendment changes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AmendmentChangesWrite {
    /// Clauses added (new numbers only).
    #[validate(nested)]
    pub clauses_added: Option<Vec<ClauseWrite>>,
    /// Clauses replaced, matched by number.
    #[validate(nested)]
    pub clauses_replaced: Option<Vec<ClauseWrite>>,
    /// Numbers of clauses removed.
    pub clauses_removed: Option<Vec<String>>,
    /// Targets set or changed.
    #[validate(nested)]
    pub targets: Option<Vec<TargetChangeWrite>>,
    /// New start of the term.
    pub valid_from: Option<NaiveDate>,
    /// New end of the term (prolongation).
    pub valid_until: Option<NaiveDate>,
}

impl From<AmendmentChangesWrite> for AmendmentChanges {
    fn from(c: AmendmentChangesWrite) -> Self {
        let clauses = |v: Option<Vec<ClauseWrite>>| v.unwrap_or_default().into_iter().map(Clause::from).collect();
        AmendmentChanges {
            clauses_added: clauses(c.clauses_added),
            clauses_replaced: clauses(c.clauses_replaced),
            clauses_removed: c.clauses_removed.unwrap_or_default(),
            targets: c
                .targets
                .unwrap_or_default()
                .into_iter()
                .map(|t| TargetChange {
                    indicator: t.indicator.unwrap_or_default(),
                    year: t.year.unwrap_or_default(),
                    value: t.value.unwrap_or_else(|| 0.into()),
                })
                .collect(),
            valid_from: c.valid_from,
            valid_until: c.valid_until,
        }
    }
}

/// A supplementary agreement as a client writes it (дополнительное соглашение).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AmendmentWrite {
    /// Its own number, unique within the agreement.
    #[validate(required, length(min = 1, max = 100))]
    #[schema(required = true, nullable = false, max_length = 100, example = "1")]
    pub number: Option<String>,
    /// Date signed.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub signed_on: Option<NaiveDate>,
    /// Takes effect on; not before the version it amends.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub effective_from: Option<NaiveDate>,
    /// Description.
    #[validate(length(max = 4000))]
    pub description: Option<String>,
    /// The changes.
    #[validate(required, nested)]
    #[schema(required = true, nullable = false)]
    pub changes: Option<AmendmentChangesWrite>,
}

impl ValueChecks for AmendmentWrite {}

/// A target change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetChangeView {
    /// Indicator key.
    pub indicator: String,
    /// Year.
    pub year: i32,
    /// New value.
    #[schema(value_type = f64)]
    pub value: serde_json::Number,
}

/// What an amendment changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AmendmentChangesView {
    /// Clauses added.
    pub clauses_added: Vec<ClauseView>,
    /// Clauses replaced.
    pub clauses_replaced: Vec<ClauseView>,
    /// Numbers of clauses removed.
    pub clauses_removed: Vec<String>,
    /// Targets set or changed.
    pub targets: Vec<TargetChangeView>,
    /// New start of the term.
    pub valid_from: Option<NaiveDate>,
    /// New end of the term.
    pub valid_until: Option<NaiveDate>,
}

/// A supplementary agreement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AmendmentView {
    /// Id.
    pub id: Uuid,
    /// The agreement.
    pub agreement_id: Uuid,
    /// Number.
    pub number: String,
    /// Date signed.
    pub signed_on: NaiveDate,
    /// Takes effect on.
    pub effective_from: NaiveDate,
    /// Description.
    pub description: Option<String>,
    /// The changes.
    pub changes: AmendmentChangesView,
    /// Created at (UTC).
    pub created_at: DateTime<Utc>,
}

impl From<Amendment> for AmendmentView {
    fn from(a: Amendment) -> Self {
        let c = a.changes;
        AmendmentView {
            id: a.id,
            agreement_id: a.agreement_id,
            number: a.number,
            signed_on: a.signed_on,
            effective_from: a.effective_from,
            description: a.description,
            changes: AmendmentChangesView {
                clauses_added: c.clauses_added.into_iter().map(ClauseView::from).collect(),
                clauses_replaced: c.clauses_replaced.into_iter().map(ClauseView::from).collect(),
                clauses_removed: c.clauses_removed,
                targets: c
                    .targets
                    .into_iter()
                    .map(|t| TargetChangeView { indicator: t.indicator, year: t.year, value: t.value })
                    .collect(),
                valid_from: c.valid_from,
                valid_until: c.valid_until,
            },
            created_at: a.created_at,
        }
    }
}

/// A tripartite agreement as it stood on a date (трёхстороннее соглашение).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgreementView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Status on `as_of`, derived from the dates.
    pub status: AgreementStatus,
    /// The date the agreement is shown as of.
    pub as_of: NaiveDate,
    /// Version number of the text shown (1 as signed, +1 per amendment); `null` for a draft.
    pub revision: Option<i32>,
    /// Date the text shown took effect.
    pub effective_from: Option<NaiveDate>,
    /// The amendment that made the text shown.
    pub amendment: Option<AmendmentView>,
    /// Number.
    pub number: String,
    /// Title.
    pub title: Option<String>,
    /// Date signed.
    pub signed_on: Option<NaiveDate>,
    /// Place of signing.
    pub place: Option<String>,
    /// Subject.
    pub subject: String,
    /// Takes effect on.
    pub valid_from: Option<NaiveDate>,
    /// Valid until.
    pub valid_until: NaiveDate,
    /// Mutual financial terms.
    pub mutual_financial_terms: bool,
    /// The parties.
    pub parties: PartiesView,
    /// Clauses.
    pub clauses: Vec<ClauseView>,
    /// Indicators and results.
    pub indicators: Vec<IndicatorView>,
    /// Region of the parties.
    pub region_code: String,
    /// Municipality of the municipal party.
    pub municipality_code: String,
    /// Its name.
    pub municipality_name: Option<String>,
    /// Terminated on.
    pub terminated_on: Option<NaiveDate>,
    /// Why terminated.
    pub termination_reason: Option<String>,
    /// Created at (UTC).
    pub created_at: DateTime<Utc>,
    /// Updated at (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version of the record; the `ETag` is this number in quotes.
    pub version: i64,
}

impl From<AgreementAsOf> for AgreementView {
    fn from(s: AgreementAsOf) -> Self {
        let status = s.status();
        let (revision, effective_from, amendment, doc) = match s.version {
            Some(v) => (Some(v.number), Some(v.effective_from), v.amendment.map(AmendmentView::from), v.document),
            None => (None, None, None, s.agreement.document.clone()),
        };
        let a = s.agreement;
        AgreementView {
            id: a.id,
            status,
            as_of: s.as_of,
            revision,
            effective_from,
            amendment,
            number: doc.number,
            title: doc.title,
            signed_on: doc.signed_on,
            place: doc.place,
            subject: doc.subject,
            valid_from: doc.valid_from,
            valid_until: doc.valid_until,
            mutual_financial_terms: doc.mutual_financial_terms,
            parties: doc.parties.into(),
            clauses: doc.clauses.into_iter().map(ClauseView::from).collect(),
            indicators: doc.indicators.into_iter().map(IndicatorView::from).collect(),
            region_code: a.region_code,
            municipality_code: a.municipality_code,
            municipality_name: a.municipality_name,
            terminated_on: a.terminated_on,
            termination_reason: a.termination_reason,
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
        }
    }
}

/// An agreement in a list (the current text's heading; read one for clauses and indicators).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgreementSummaryView {
    /// Id.
    pub id: Uuid,
    /// Status today.
    pub status: AgreementStatus,
    /// Number.
    pub number: String,
    /// Title.
    pub title: Option<String>,
    /// Date signed.
    pub signed_on: Option<NaiveDate>,
    /// Takes effect on.
    pub valid_from: Option<NaiveDate>,
    /// Valid until.
    pub valid_until: NaiveDate,
    /// Regional authority.
    pub regional_authority_id: Uuid,
    /// Regional institute.
    pub regional_institute_id: Uuid,
    /// Municipal authority.
    pub municipal_authority_id: Uuid,
    /// Region.
    pub region_code: String,
    /// Municipality.
    pub municipality_code: String,
    /// Municipality name.
    pub municipality_name: Option<String>,
    /// Number of indicators and results.
    pub indicator_count: usize,
    /// Version of the record.
    pub version: i64,
}

impl AgreementSummaryView {
    /// The summary of an agreement, with its status on a date.
    pub fn new(a: rsnms_domain::agreements::Agreement, today: NaiveDate) -> Self {
        let status = a.status_on(&a.document, today);
        let d = a.document;
        AgreementSummaryView {
            id: a.id,
            status,
            number: d.number,
            title: d.title,
            signed_on: d.signed_on,
            valid_from: d.valid_from,
            valid_until: d.valid_until,
            regional_authority_id: d.parties.regional_authority.organization_id,
            regional_institute_id: d.parties.regional_institute.organization_id,
            municipal_authority_id: d.parties.municipal_authority.organization_id,
            region_code: a.region_code,
            municipality_code: a.municipality_code,
            municipality_name: a.municipality_name,
            indicator_count: d.indicators.len(),
            version: a.version,
        }
    }
}

crate::list_schema!(AgreementList, AgreementSummaryView, "A page of agreements.");

/// One version of an agreement (редакция).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgreementVersionView {
    /// Id.
    pub id: Uuid,
    /// Version number: 1 as signed, +1 per amendment.
    pub revision: i32,
    /// Takes effect on; read the text with `GET /api/v1/agreements/{id}?as_of=`.
    pub effective_from: NaiveDate,
    /// The amendment that made it (none for the original).
    pub amendment: Option<AmendmentView>,
    /// Created at (UTC).
    pub created_at: DateTime<Utc>,
}

impl From<AgreementVersion> for AgreementVersionView {
    fn from(v: AgreementVersion) -> Self {
        AgreementVersionView {
            id: v.id,
            revision: v.number,
            effective_from: v.effective_from,
            amendment: v.amendment.map(AmendmentView::from),
            created_at: v.created_at,
        }
    }
}

crate::list_schema!(AgreementVersionList, AgreementVersionView, "A page of agreement versions, oldest first.");

/// Signing a draft (подписание).
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SignAgreement {
    /// Date signed; defaults to the draft's `signed_on`.
    pub signed_on: Option<NaiveDate>,
}

impl ValueChecks for SignAgreement {}

/// Terminating an agreement (расторжение).
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TerminateAgreement {
    /// Terminated on.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub terminated_on: Option<NaiveDate>,
    /// Why.
    #[validate(length(max = 2000))]
    pub reason: Option<String>,
}

impl ValueChecks for TerminateAgreement {}

/// An actual value as reported (фактическое значение).
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct IndicatorValueWrite {
    /// Year.
    #[validate(required, range(min = 2000, max = 2100))]
    #[schema(required = true, nullable = false, example = 2023)]
    pub year: Option<i32>,
    /// Quarter 1–4 (value at the end of the quarter); omit for the year's value.
    #[validate(range(min = 1, max = 4))]
    #[schema(minimum = 1, maximum = 4)]
    pub quarter: Option<i16>,
    /// Value.
    #[validate(required, range(min = 0.0))]
    #[schema(required = true, nullable = false, minimum = 0, example = 31.5)]
    pub value: Option<f64>,
    /// Source of the data (источник), e.g. «мониторинг БРИОП».
    #[validate(required, length(min = 1, max = 500))]
    #[schema(required = true, nullable = false, max_length = 500)]
    pub source: Option<String>,
    /// Comment.
    #[validate(length(max = 2000))]
    pub comment: Option<String>,
}

impl ValueChecks for IndicatorValueWrite {}

/// An actual value with its warnings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorValueView {
    /// Id.
    pub id: Uuid,
    /// The agreement.
    pub agreement_id: Uuid,
    /// The indicator.
    pub indicator_id: Uuid,
    /// Year.
    pub year: i32,
    /// Quarter, or `null` for the year's value.
    pub quarter: Option<i16>,
    /// Value.
    #[schema(value_type = f64)]
    pub value: serde_json::Number,
    /// Source.
    pub source: String,
    /// Comment.
    pub comment: Option<String>,
    /// Who reported it (account).
    pub reported_by: String,
    /// In which role.
    pub reporter_role: String,
    /// Warnings: `cumulative_decrease` (a cumulative value below an earlier period's),
    /// `percent_out_of_range`. The value is stored all the same.
    pub flags: Vec<ValueFlag>,
    /// Reported at (UTC).
    pub reported_at: DateTime<Utc>,
}

impl From<IndicatorValue> for IndicatorValueView {
    fn from(v: IndicatorValue) -> Self {
        IndicatorValueView {
            id: v.id,
            agreement_id: v.agreement_id,
            indicator_id: v.indicator_id,
            year: v.year,
            quarter: v.quarter,
            value: num(v.value),
            source: v.source,
            comment: v.comment,
            reported_by: v.reported_by,
            reporter_role: v.reporter_role,
            flags: v.flags,
            reported_at: v.reported_at,
        }
    }
}

crate::list_schema!(IndicatorValueList, IndicatorValueView, "A page of reported values, in reporting order.");

/// Thresholds of the attainment statuses.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThresholdsView {
    /// Ratio at or above which a target is met.
    pub met: f64,
    /// Ratio at or above which an unmet target is at risk.
    pub at_risk: f64,
}

impl ThresholdsView {
    /// The thresholds in use.
    pub fn current() -> Self {
        ThresholdsView {
            met: rsnms_domain::agreements::MET_THRESHOLD,
            at_risk: rsnms_domain::agreements::AT_RISK_THRESHOLD,
        }
    }
}

/// How many indicators are in each status.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct SummaryView {
    /// Met.
    pub met: usize,
    /// At risk.
    pub at_risk: usize,
    /// Not met.
    pub not_met: usize,
    /// No data.
    pub no_data: usize,
    /// All indicators.
    pub total: usize,
}

impl SummaryView {
    /// Counts a status.
    pub fn add(&mut self, s: AttainmentStatus) {
        self.total += 1;
        match s {
            AttainmentStatus::Met => self.met += 1,
            AttainmentStatus::AtRisk => self.at_risk += 1,
            AttainmentStatus::NotMet => self.not_met += 1,
            AttainmentStatus::NoData => self.no_data += 1,
        }
    }
}

/// One indicator of an attainment report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportItemView {
    /// Indicator id.
    pub indicator_id: Uuid,
    /// Key, e.g. `result.2`.
    pub key: String,
    /// Indicator or result.
    pub kind: IndicatorKind,
    /// Number within its kind.
    pub number: u32,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: Unit,
    /// Accumulation rule.
    pub accumulation: Accumulation,
    /// Target of the year.
    #[schema(value_type = Option<f64>)]
    pub target: Option<serde_json::Number>,
    /// Actual value of the year (the year's value, else the latest quarter's).
    #[schema(value_type = Option<f64>)]
    pub actual: Option<serde_json::Number>,
    /// actual / target, 4 places.
    pub attainment: Option<f64>,
    /// Status.
    pub status: AttainmentStatus,
    /// Warnings of the value that counts.
    pub flags: Vec<ValueFlag>,
    /// Source of the value that counts.
    pub source: Option<String>,
    /// Quarter of the value that counts (`null`: the year's value).
    pub quarter: Option<i16>,
}

/// The attainment of one agreement in a year (достижение показателей).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgreementReportView {
    /// The agreement.
    pub agreement_id: Uuid,
    /// Its number.
    pub number: String,
    /// Municipality of the municipal party.
    pub municipality_code: String,
    /// Its name.
    pub municipality_name: Option<String>,
    /// Year.
    pub year: i32,
    /// Version whose targets count (in effect on 31 December of the year).
    pub revision: Option<i32>,
    /// Thresholds.
    pub thresholds: ThresholdsView,
    /// Counts by status.
    pub summary: SummaryView,
    /// Mean attainment of the indicators that have one.
    pub mean_attainment: Option<f64>,
    /// Every indicator.
    pub items: Vec<ReportItemView>,
}

impl AgreementReportView {
    /// Builds the report view of a row.
    pub fn new(row: rsnms_domain::agreements::ReportRow, year: i32) -> Self {
        let mut summary = SummaryView::default();
        let mut ratios = Vec::new();
        let items = row
            .items
            .into_iter()
            .map(|it| {
                summary.add(it.attainment.status);
                if let Some(r) = it.attainment.ratio {
                    ratios.push(r);
                }
                let spec = it.indicator.spec;
                let target = spec.targets.iter().find(|t| t.year == year).map(|t| t.value.clone());
                ReportItemView {
                    indicator_id: it.indicator.id,
                    key: spec.key(),
                    kind: spec.kind,
                    number: spec.number,
                    name: spec.name,
                    unit: spec.unit,
                    accumulation: spec.accumulation,
                    target,
                    actual: it.attainment.actual.map(num),
                    attainment: it.attainment.ratio,
                    status: it.attainment.status,
                    flags: it.value.as_ref().map(|v| v.flags.clone()).unwrap_or_default(),
                    source: it.value.as_ref().map(|v| v.source.clone()),
                    quarter: it.value.as_ref().and_then(|v| v.quarter),
                }
            })
            .collect();
        #[expect(clippy::cast_precision_loss, reason = "a handful of indicators")]
        let mean = (!ratios.is_empty())
            .then(|| (ratios.iter().sum::<f64>() / ratios.len() as f64 * 10_000.0).round() / 10_000.0);
        let a = row.agreement;
        AgreementReportView {
            agreement_id: a.id,
            number: row.version.as_ref().map_or(a.document.number.clone(), |v| v.document.number.clone()),
            municipality_code: a.municipality_code,
            municipality_name: a.municipality_name,
            year,
            revision: row.version.map(|v| v.number),
            thresholds: ThresholdsView::current(),
            summary,
            mean_attainment: mean,
            items,
        }
    }
}

/// One municipality's point of an indicator series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriesPointView {
    /// Municipality.
    pub municipality_code: String,
    /// Its name.
    pub municipality_name: Option<String>,
    /// The agreement.
    pub agreement_id: Uuid,
    /// Target.
    #[schema(value_type = Option<f64>)]
    pub target: Option<serde_json::Number>,
    /// Actual.
    #[schema(value_type = Option<f64>)]
    pub actual: Option<serde_json::Number>,
    /// Attainment ratio.
    pub attainment: Option<f64>,
    /// Status.
    pub status: AttainmentStatus,
}

/// One indicator across municipalities (a chart series).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorSeriesView {
    /// Key, e.g. `indicator.1`.
    pub key: String,
    /// Name (of the first agreement that has it).
    pub name: String,
    /// Unit.
    pub unit: Unit,
    /// One point per municipality.
    pub points: Vec<SeriesPointView>,
}

/// Attainment across the region's agreements in a year, by municipality.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionReportView {
    /// Year.
    pub year: i32,
    /// Thresholds.
    pub thresholds: ThresholdsView,
    /// Counts by status over every agreement.
    pub summary: SummaryView,
    /// One entry per agreement (municipality), ordered by municipality code.
    pub municipalities: Vec<AgreementReportView>,
    /// One series per indicator key, one point per municipality.
    pub indicators: Vec<IndicatorSeriesView>,
}

impl RegionReportView {
    /// Builds the region view from the per-agreement reports.
    pub fn new(year: i32, reports: Vec<AgreementReportView>) -> Self {
        let mut summary = SummaryView::default();
        let mut series: Vec<IndicatorSeriesView> = Vec::new();
        for r in &reports {
            for it in &r.items {
                summary.add(it.status);
                let point = SeriesPointView {
                    municipality_code: r.municipality_code.clone(),
                    municipality_name: r.municipality_name.clone(),
                    agreement_id: r.agreement_id,
                    target: it.target.clone(),
                    actual: it.actual.clone(),
                    attainment: it.attainment,
                    status: it.status,
                };
                match series.iter_mut().find(|s| s.key == it.key) {
                    Some(s) => s.points.push(point),
                    None => series.push(IndicatorSeriesView {
                        key: it.key.clone(),
                        name: it.name.clone(),
                        unit: it.unit,
                        points: vec![point],
                    }),
                }
            }
        }
        RegionReportView {
            year,
            thresholds: ThresholdsView::current(),
            summary,
            municipalities: reports,
            indicators: series,
        }
    }
}
