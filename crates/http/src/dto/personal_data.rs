//! The write shape of a basis of processing personal data: recorded alone
//! (`POST /persons/{id}/processing-bases`) or carried by a person's write and the persons import.

use crate::dto::limit;
use chrono::NaiveDate;
use rsnms_domain::personal_data;
use rsnms_domain::personal_data::{BasisInput, BasisKind, ConsentForm};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// A basis of processing as a client records it: a consent (`kind` = `consent`, with its form,
/// date, document and term) or another basis of 152-ФЗ art. 6 named by its act.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct BasisWrite {
    /// Purpose code (`GET /personal-data/purposes`).
    #[validate(length(min = 1, max = limit(personal_data::PURPOSE_CODE_MAX)))]
    #[schema(min_length = 1, max_length = 64, example = "federal_exchange")]
    pub purpose: String,
    /// The basis (art. 6 part 1).
    pub kind: BasisKind,
    /// A consent's form (required for a consent, absent otherwise).
    pub consent_form: Option<ConsentForm>,
    /// The document: a consent's registration number, a contract's number.
    #[validate(length(max = limit(personal_data::DOCUMENT_REF_MAX)))]
    #[schema(max_length = 200, example = "С-2026/114")]
    pub document_ref: Option<String>,
    /// The act for a basis other than consent (required then), e.g. «ТК РФ, гл. 14».
    #[validate(length(max = limit(personal_data::LEGAL_ACT_MAX)))]
    #[schema(max_length = 300, example = "Приказ Минобразования РБ от 01.09.2025 № 1234")]
    pub legal_act: Option<String>,
    /// Given (consent) or in force (other bases) from; default today; not in the future.
    pub given_on: Option<NaiveDate>,
    /// Valid until, inclusive (a consent's term), if limited.
    pub valid_until: Option<NaiveDate>,
}

impl crate::extract::ValueChecks for BasisWrite {}

impl From<BasisWrite> for BasisInput {
    fn from(w: BasisWrite) -> Self {
        BasisInput {
            purpose: Some(w.purpose),
            kind: Some(w.kind),
            consent_form: w.consent_form,
            document_ref: w.document_ref,
            legal_act: w.legal_act,
            given_on: w.given_on,
            valid_until: w.valid_until,
        }
    }
}
