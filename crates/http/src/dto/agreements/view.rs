//! An agreement as read: its text as of a date, list summaries, versions.

use chrono::{DateTime, NaiveDate, Utc};
use rsnms_domain::agreements::{
    Accumulation, AgreementAction, AgreementAsOf, AgreementStatus, AgreementVersion, Clause, ClauseKind, IndicatorKind,
    Parties, Party, PartyRole, Unit,
};
use rsnms_domain::{agreements::allowed_actions, auth::Actor};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::AmendmentView;

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
#[schema(as = AgreementPartyView)]
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
#[schema(as = AgreementIndicatorView)]
pub struct IndicatorView {
    /// Id (stable across versions); actual values are reported against it.
    pub id: Uuid,
    /// Key clauses and amendments use, e.g. `result.2`.
    pub key: String,
    /// Indicator or result.
    pub kind: IndicatorKind,
    /// Number within its kind.
    pub number: u32,
    /// The appendix it is printed in (номер приложения).
    pub appendix_number: Option<u32>,
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
            appendix_number: s.appendix_number,
            name: s.name,
            unit: s.unit,
            accumulation: s.accumulation,
            numerator: s.numerator,
            denominator: s.denominator,
            targets: s.targets.into_iter().map(|t| TargetView { year: t.year, value: t.value }).collect(),
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
    /// The actions the caller may take now (допустимые действия): the lifecycle's, narrowed by
    /// the same rules that answer 403 and 409 (writers edit, sign, amend and terminate; reporters
    /// report values).
    pub allowed_actions: Vec<AgreementAction>,
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

impl AgreementView {
    /// The agreement as of a date, as the caller reads it.
    pub fn new(s: AgreementAsOf, actor: &Actor) -> Self {
        let status = s.status();
        let allowed_actions = allowed_actions(actor, &s.agreement);
        let (revision, effective_from, amendment, doc) = match s.version {
            Some(v) => (Some(v.number), Some(v.effective_from), v.amendment.map(AmendmentView::from), v.document),
            None => (None, None, None, s.agreement.document.clone()),
        };
        let a = s.agreement;
        AgreementView {
            id: a.id,
            status,
            allowed_actions,
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
    /// The actions the caller may take now (as on the agreement itself).
    pub allowed_actions: Vec<AgreementAction>,
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
    /// The summary of an agreement, with its status on a date and the caller's actions.
    pub fn new(a: rsnms_domain::agreements::Agreement, today: NaiveDate, actor: &Actor) -> Self {
        let status = a.status_on(&a.document, today);
        let allowed_actions = allowed_actions(actor, &a);
        let d = a.document;
        AgreementSummaryView {
            id: a.id,
            status,
            allowed_actions,
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
