//! Network participants (участники сети): organisations of every kind and level, with their
//! hierarchy region → municipality → institution (DOMAIN §2; NAO §7–8, RO §3, LO §5).

mod kind;
mod repository;
mod rules;

pub use kind::{Level, OrganizationKind};
pub use repository::{OrganizationFilter, OrganizationRepository};
pub use rules::{
    NewOrganization, OrganizationInput, close_organization, create_organization, get_organization, list_organizations,
    update_organization,
};
pub use rules::{OrganizationAction, READERS, allowed_actions, check_action};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Contacts of an organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contacts {
    /// Postal address.
    pub address: Option<String>,
    /// Office phone, normalised.
    pub phone: Option<String>,
    /// Office e-mail.
    pub email: Option<String>,
    /// Web site.
    pub website: Option<String>,
}

/// A participant of the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Full name.
    pub name: String,
    /// Short name.
    pub short_name: Option<String>,
    /// Kind.
    pub kind: OrganizationKind,
    /// Level.
    pub level: Level,
    /// Parent organisation.
    pub parent_id: Option<Uuid>,
    /// Region code (two digits).
    pub region_code: String,
    /// Municipality code, for municipal and institutional levels.
    pub municipality_code: Option<String>,
    /// Municipality name.
    pub municipality_name: Option<String>,
    /// ИНН.
    pub inn: Option<String>,
    /// IANA time zone.
    pub time_zone: String,
    /// Contacts.
    pub contacts: Contacts,
    /// Opened on.
    pub opened_on: Option<NaiveDate>,
    /// Closed on (set by the close action).
    pub closed_on: Option<NaiveDate>,
    /// The person it names responsible for the regional system (BU 2.2.4, 2.3.4); only kinds
    /// for which [`OrganizationKind::names_responsible_person`] holds.
    pub responsible_person_id: Option<Uuid>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version, incremented by every change (the ETag).
    pub version: i64,
}

impl Organization {
    /// Whether the organisation's territory takes in a place of `region_code` and
    /// `municipality_code`: a regional organisation (the ЦНППМ, no municipality) serves its whole
    /// region, a municipal one its municipality. The one territory rule of tutors and of the
    /// offer (programmes, events, internship sites, mentoring).
    pub fn serves(&self, region_code: &str, municipality_code: Option<&str>) -> bool {
        self.region_code == region_code
            && self.municipality_code.as_deref().is_none_or(|m| Some(m) == municipality_code)
    }
}

/// The longest full name of an organisation, in characters.
pub const NAME_MAX: usize = 500;
/// The longest short name of an organisation or name of its municipality, in characters.
pub const SHORT_NAME_MAX: usize = 200;
/// The longest time zone name, in characters.
pub const TIME_ZONE_MAX: usize = 64;
/// The longest postal address or website, in characters.
pub const ADDRESS_MAX: usize = 500;

/// The length limits of an organisation's own fields, by field: the contract states the same
/// numbers (`OrganizationWrite`; `ContactsDto` for [`CONTACTS_LIMITS`]), which a test compares
/// with these lists.
pub const LIMITS: &[(&str, usize)] = &[
    ("name", NAME_MAX),
    ("short_name", SHORT_NAME_MAX),
    ("municipality_code", crate::values::MUNICIPALITY_CODE_MAX),
    ("municipality_name", SHORT_NAME_MAX),
    ("time_zone", TIME_ZONE_MAX),
];
/// The length limits of an organisation's contacts, by field.
pub const CONTACTS_LIMITS: &[(&str, usize)] = &[
    ("address", ADDRESS_MAX),
    ("phone", crate::values::PHONE_MAX),
    ("email", crate::values::EMAIL_MAX),
    ("website", ADDRESS_MAX),
];
