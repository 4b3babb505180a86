//! Personal-data duties of the operator under 152-ФЗ (issue 20): the purposes of processing,
//! the basis of processing per person and purpose (consent or another basis of art. 6) and its
//! withdrawal, the depersonalisation of a person whose every basis has ended, and the subject
//! access report. `docs/PERSONAL-DATA.md` is the register of processing built on it.
//!
//! The rule every purpose follows ([`Bases::allows`]): a person with no basis recorded at all is
//! processed on the operator's general basis recorded before this register existed (the
//! transition); once a basis is recorded for her, each purpose needs a basis of its own in force
//! on the day, and a withdrawal stops that purpose at once.

mod bases;
mod report;
mod repository;
mod retention;
mod sweep;

pub use bases::{
    BasisInput, PersonStores, check_bases, create_person_with_bases, list_bases, list_purposes, record_bases,
    record_basis, record_checked_bases, record_purpose, update_person_with_bases, withdraw_basis,
};
pub use report::{AccessReport, ReportSources, RequestMention, subject_access_report};
pub use repository::{PersonalDataRepository, SweepCandidate};
pub use retention::{
    Category, CategoryDue, DEFAULT_AUDIT_DAYS, DEFAULT_NETWORK_REQUESTS_DAYS, Due, MAX_WITHIN_DAYS, Retention,
    RetentionReport, RetentionRun, retention_report, run_retention, run_retention_as, strip_request_payload,
};
pub use sweep::{
    DEFAULT_TERM_DAYS, DEPERSONALISED_SURNAME, LOOKAHEAD_DAYS, SweepPlan, author_names, depersonalisation_plan,
    depersonalise_payload, depersonalise_request_payload, depersonalised_first_name, plan, plan_within,
    run_depersonalisation, run_depersonalisation_as,
};

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A purpose of processing (цель обработки): shipped (`diagnostics`, `iom`, `monitoring`,
/// `federal_exchange`, `network_requests`) or added by an administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purpose {
    /// Code, `[a-z0-9_]{2,64}`.
    pub code: String,
    /// Russian name.
    pub name_ru: String,
    /// English name.
    pub name_en: String,
    /// Shipped with the system (cannot be removed).
    pub shipped: bool,
}

/// The shipped purpose codes the code itself relies on.
pub mod purposes {
    /// Diagnostics of professional deficits (results).
    pub const DIAGNOSTICS: &str = "diagnostics";
    /// Individual educational routes (ИОМ).
    pub const IOM: &str = "iom";
    /// Monitoring of the regional system (aggregates).
    pub const MONITORING: &str = "monitoring";
    /// Exports to the federal ecosystem of DPO.
    pub const FEDERAL_EXCHANGE: &str = "federal_exchange";
    /// Network requests of the participants.
    pub const NETWORK_REQUESTS: &str = "network_requests";
}

/// The legal basis of processing (152-ФЗ art. 6 part 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BasisKind {
    /// Согласие субъекта (art. 6 p. 1 pt 1, art. 9).
    Consent,
    /// Трудовые отношения: the Labour Code (art. 6 p. 1 pt 2; ТК РФ гл. 14).
    LabourRelationship,
    /// A federal law's duty of the operator (art. 6 p. 1 pt 2).
    LegalDuty,
    /// A regional (or municipal) act assigning the function (art. 6 p. 1 pt 4).
    RegionalAct,
    /// A contract the subject is party to (art. 6 p. 1 pt 5).
    Contract,
}

impl BasisKind {
    /// Every kind.
    pub const ALL: [BasisKind; 5] = [
        BasisKind::Consent,
        BasisKind::LabourRelationship,
        BasisKind::LegalDuty,
        BasisKind::RegionalAct,
        BasisKind::Contract,
    ];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            BasisKind::Consent => "consent",
            BasisKind::LabourRelationship => "labour_relationship",
            BasisKind::LegalDuty => "legal_duty",
            BasisKind::RegionalAct => "regional_act",
            BasisKind::Contract => "contract",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The form of a consent (152-ФЗ art. 9 part 1, 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentForm {
    /// На бумаге с собственноручной подписью.
    Written,
    /// Электронный документ, подписанный электронной подписью.
    Electronic,
    /// Иная форма, позволяющая подтвердить получение (art. 9 part 1).
    Other,
}

impl ConsentForm {
    /// Every form.
    pub const ALL: [ConsentForm; 3] = [ConsentForm::Written, ConsentForm::Electronic, ConsentForm::Other];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentForm::Written => "written",
            ConsentForm::Electronic => "electronic",
            ConsentForm::Other => "other",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A recorded basis of processing one person's data for one purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessingBasis {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The person (субъект персональных данных).
    pub person_id: Uuid,
    /// Purpose code.
    pub purpose: String,
    /// The basis.
    pub kind: BasisKind,
    /// A consent's form.
    pub consent_form: Option<ConsentForm>,
    /// The document: a consent's registration number, a contract's number.
    pub document_ref: Option<String>,
    /// The act named for a basis other than consent (e.g. «ТК РФ, гл. 14»).
    pub legal_act: Option<String>,
    /// Given (consent) or in force (other bases) from.
    pub given_on: NaiveDate,
    /// Valid until (inclusive), if limited.
    pub valid_until: Option<NaiveDate>,
    /// Who recorded it (account subject).
    pub recorded_by: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
    /// Withdrawn (отозвано) on, if it was.
    pub withdrawn_on: Option<NaiveDate>,
    /// Who recorded the withdrawal.
    pub withdrawn_by: Option<String>,
    /// Version.
    pub version: i64,
}

impl ProcessingBasis {
    /// In force on a day: begun, not expired, not withdrawn (a withdrawal acts from its own day).
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.given_on <= day && self.valid_until.is_none_or(|v| day <= v) && self.withdrawn_on.is_none_or(|w| day < w)
    }

    /// In force today (the region's, [`crate::clock::region_today`]).
    pub fn in_force_today(&self) -> bool {
        self.in_force_on(crate::clock::region_today())
    }

    /// The first day processing on this basis stops (its withdrawal, or the day after it
    /// expires); `None` while it is open-ended.
    pub fn stops_on(&self) -> Option<NaiveDate> {
        let expires = self.valid_until.and_then(|v| v.succ_opt());
        match (self.withdrawn_on, expires) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The bases of a set of persons, to decide per person and purpose.
#[derive(Debug, Clone, Default)]
pub struct Bases {
    by_person: HashMap<Uuid, Vec<ProcessingBasis>>,
}

impl Bases {
    /// Groups bases by person.
    pub fn of(bases: Vec<ProcessingBasis>) -> Self {
        let mut by_person: HashMap<Uuid, Vec<ProcessingBasis>> = HashMap::new();
        for b in bases {
            by_person.entry(b.person_id).or_default().push(b);
        }
        Self { by_person }
    }

    /// Whether the person's data may be processed for the purpose on the day: a basis for it in
    /// force, or no basis recorded for her at all (the transition, see the module docs).
    pub fn allows(&self, person: Uuid, purpose: &str, day: NaiveDate) -> bool {
        match self.by_person.get(&person) {
            None => true,
            Some(list) => list.iter().any(|b| b.purpose == purpose && b.in_force_on(day)),
        }
    }
}

/// The purpose a role's reads of personal data are processing for, when that purpose is gated
/// per person: the integration role reads for the federal exchange (feed, webhooks, persons,
/// exports), so she is shown only the personal data of persons her bases allow for
/// `federal_exchange`. Other roles read for the operator's own work in their scope.
pub fn purpose_of_reads(role: crate::auth::Role) -> Option<&'static str> {
    match role {
        crate::auth::Role::Integration => Some(purposes::FEDERAL_EXCHANGE),
        _ => None,
    }
}

/// The bases a reader's sight of personal data follows ([`purpose_of_reads`]): loaded once for
/// the persons of a page, then asked per person by [`ReadBases::may_read`].
#[derive(Debug, Clone)]
pub struct ReadBases {
    purpose: Option<&'static str>,
    bases: Bases,
    day: NaiveDate,
}

impl ReadBases {
    /// The bases of these persons for a reader (nothing is read when her role's reads follow no
    /// purpose).
    pub async fn load(
        repo: &dyn PersonalDataRepository,
        actor: &crate::auth::Actor,
        persons: &[Uuid],
    ) -> crate::DomainResult<Self> {
        let purpose = purpose_of_reads(actor.role);
        let bases = match purpose {
            Some(_) if !persons.is_empty() => Bases::of(repo.bases_of(persons).await?),
            _ => Bases::default(),
        };
        Ok(Self { purpose, bases, day: crate::clock::region_today() })
    }

    /// The same from bases already read (the webhook fan-out reads them in its transaction).
    pub fn of(actor: &crate::auth::Actor, bases: Vec<ProcessingBasis>) -> Self {
        Self { purpose: purpose_of_reads(actor.role), bases: Bases::of(bases), day: crate::clock::region_today() }
    }

    /// Whether the reader's role needs the bases of the persons it reads.
    pub fn needed(actor: &crate::auth::Actor) -> bool {
        purpose_of_reads(actor.role).is_some()
    }

    /// Whether the bases allow the reader's purpose for the person.
    pub fn allow(&self, person_id: Uuid) -> bool {
        self.purpose.is_none_or(|p| self.bases.allows(person_id, p, self.day))
    }

    /// The one rule of reading a person's personal data: the role may
    /// ([`crate::auth::Actor::may_read_personal_data_of`]) and, for a role whose reads serve a
    /// purpose, her bases allow it ([`Bases::allows`]).
    pub fn may_read(&self, actor: &crate::auth::Actor, person_id: Uuid) -> bool {
        actor.may_read_personal_data_of(person_id) && self.allow(person_id)
    }
}

/// Refuses new processing of persons for a purpose their bases do not allow today (409 naming
/// `<prefix>[i].person_id` of the first refused item, the purpose in its message): e.g. new
/// diagnostic results after she withdrew her consent to `diagnostics`.
pub async fn require_purpose_for_each(
    repo: &dyn PersonalDataRepository,
    persons: &[Uuid],
    purpose: &str,
    field: impl Fn(usize) -> String,
) -> crate::DomainResult<()> {
    if persons.is_empty() {
        return Ok(());
    }
    let bases = Bases::of(repo.bases_of(persons).await?);
    let day = crate::clock::region_today();
    match persons.iter().position(|p| !bases.allows(*p, purpose, day)) {
        None => Ok(()),
        Some(i) => Err(no_basis(field(i), purpose)),
    }
}

fn no_basis(field: String, purpose: &str) -> crate::DomainError {
    crate::DomainError::conflict(
        field,
        crate::Msg::new(
            format!("Нет действующего основания обработки персональных данных для цели «{purpose}»"),
            format!("No basis of processing personal data is in force for the purpose `{purpose}`"),
        ),
    )
}

/// Refuses new processing of a person for a purpose her bases do not allow today (409 naming
/// `person_id`): e.g. a new route (ИОМ) after she withdrew her consent to `iom`.
pub async fn require_purpose(
    repo: &dyn PersonalDataRepository,
    person_id: Uuid,
    purpose: &str,
) -> crate::DomainResult<()> {
    require_purpose_for_each(repo, &[person_id], purpose, |_| "person_id".to_owned()).await
}

/// The longest code of a purpose of processing, in characters.
pub const PURPOSE_CODE_MAX: usize = 64;
/// The longest name of a purpose, in characters (each language).
pub const PURPOSE_NAME_MAX: usize = 200;
/// The longest reference to a basis's document, in characters.
pub const DOCUMENT_REF_MAX: usize = 200;
/// The longest legal act of a basis, in characters.
pub const LEGAL_ACT_MAX: usize = 300;

/// The length limits of a basis of processing, by field: the contract states the same numbers
/// (`BasisWrite`; `PurposeWrite` for [`PURPOSE_LIMITS`]), which a test compares with these lists.
pub const BASIS_LIMITS: &[(&str, usize)] =
    &[("purpose", PURPOSE_CODE_MAX), ("document_ref", DOCUMENT_REF_MAX), ("legal_act", LEGAL_ACT_MAX)];
/// The length limits of a purpose of processing, by field.
pub const PURPOSE_LIMITS: &[(&str, usize)] =
    &[("code", PURPOSE_CODE_MAX), ("name_ru", PURPOSE_NAME_MAX), ("name_en", PURPOSE_NAME_MAX)];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn basis(purpose: &str, given: &str, until: Option<&str>, withdrawn: Option<&str>) -> ProcessingBasis {
        ProcessingBasis {
            id: Uuid::now_v7(),
            person_id: Uuid::nil(),
            purpose: purpose.into(),
            kind: BasisKind::Consent,
            consent_form: Some(ConsentForm::Written),
            document_ref: None,
            legal_act: None,
            given_on: d(given),
            valid_until: until.map(d),
            recorded_by: "admin".into(),
            recorded_at: Utc::now(),
            withdrawn_on: withdrawn.map(d),
            withdrawn_by: None,
            version: 1,
        }
    }

    #[test]
    fn a_withdrawal_stops_processing_from_its_own_day() {
        let b = basis("iom", "2026-01-01", None, Some("2026-03-10"));
        assert!(b.in_force_on(d("2026-03-09")));
        assert!(!b.in_force_on(d("2026-03-10")));
        assert_eq!(b.stops_on(), Some(d("2026-03-10")));
    }

    #[test]
    fn a_consent_holds_through_its_last_valid_day() {
        let b = basis("iom", "2026-01-01", Some("2026-06-30"), None);
        assert!(b.in_force_on(d("2026-06-30")) && !b.in_force_on(d("2026-07-01")));
        assert!(!b.in_force_on(d("2025-12-31")));
        assert_eq!(b.stops_on(), Some(d("2026-07-01")));
    }

    #[test]
    fn a_person_with_bases_needs_one_for_each_purpose() {
        let p = Uuid::nil();
        let bases = Bases::of(vec![basis("iom", "2026-01-01", None, None)]);
        assert!(bases.allows(p, "iom", d("2026-02-01")));
        assert!(!bases.allows(p, "federal_exchange", d("2026-02-01")));
        assert!(bases.allows(Uuid::now_v7(), "federal_exchange", d("2026-02-01")), "none recorded: the transition");
    }
}
