//! The whole agreement as a client writes it, and the lifecycle actions' bodies.

use chrono::NaiveDate;
use rsnms_domain::agreements::{
    Accumulation, AgreementInput, Clause, ClauseKind, IndicatorKind, IndicatorSpec, Lifecycle, Parties, Party,
    PartyRole, Signatory, Target, Unit,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::limit;
use crate::extract::ValueChecks;
use rsnms_domain::agreements;

/// Who signs for a party (подписант).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SignatoryWrite {
    /// Full name in the nominative (ФИО), e.g. «Поздняков Валерий Анатольевич».
    #[validate(required, length(min = 1, max = limit(agreements::SIGNATORY_NAME_MAX)))]
    #[schema(required = true, nullable = false, max_length = 300)]
    pub name: Option<String>,
    /// Position (должность), e.g. «ректор».
    #[validate(required, length(min = 1, max = limit(agreements::SIGNATORY_TEXT_MAX)))]
    #[schema(required = true, nullable = false, max_length = 500)]
    pub position: Option<String>,
    /// Acting basis (основание полномочий), e.g. «на основании Устава».
    #[validate(required, length(min = 1, max = limit(agreements::SIGNATORY_TEXT_MAX)))]
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
    #[validate(length(max = limit(agreements::DESIGNATION_MAX)))]
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
    #[validate(required, length(min = 1, max = limit(agreements::KEY_MAX)))]
    #[schema(required = true, nullable = false, max_length = 40, example = "2.2.19")]
    pub number: Option<String>,
    /// Obligation, right or general provision.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub kind: Option<ClauseKind>,
    /// The party it binds or entitles; required for obligations and rights.
    pub party: Option<PartyRole>,
    /// Text as in the agreement.
    #[validate(required, length(min = 1, max = limit(agreements::CLAUSE_TEXT_MAX)))]
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
    /// The appendix it is printed in (номер приложения: 1 for «Приложение № 1»).
    #[validate(range(min = 1, max = 99))]
    #[schema(minimum = 1, maximum = 99, example = 1)]
    pub appendix_number: Option<u32>,
    /// Name as in the appendix.
    #[validate(required, length(min = 1, max = limit(agreements::INDICATOR_NAME_MAX)))]
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
    /// Yearly targets, each for a year within the agreement's term.
    #[validate(nested)]
    pub targets: Option<Vec<TargetWrite>>,
}

/// A whole agreement as a client writes it (create; merge-patched while a draft).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AgreementWrite {
    /// Number (номер), e.g. `535`.
    #[validate(required, length(min = 1, max = limit(agreements::NUMBER_MAX)))]
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
    #[validate(required, length(min = 1, max = limit(agreements::SUBJECT_MAX)))]
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
            appendix_number: i.appendix_number,
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
            appendix_number: i.appendix_number,
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
