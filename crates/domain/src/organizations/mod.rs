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
