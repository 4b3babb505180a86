use crate::dto::limit;
use chrono::{DateTime, NaiveDate, Utc};
use rsnms_domain::organizations;
use rsnms_domain::values;
use rsnms_domain::{
    auth::Actor,
    organizations::{
        Contacts, Level, Organization, OrganizationAction, OrganizationInput, OrganizationKind, allowed_actions,
    },
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// Contacts of an organisation (контакты).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ContactsDto {
    /// Postal address (почтовый адрес).
    #[validate(length(max = limit(organizations::ADDRESS_MAX)))]
    #[schema(max_length = 500)]
    pub address: Option<String>,
    /// Office phone, e.g. `+7 301 221-00-00` (normalised to `+73012210000`).
    #[validate(length(max = limit(values::PHONE_MAX)))]
    #[schema(max_length = 32, pattern = "^\\+?[0-9 ()-]{10,31}$", example = "+7 301 221-00-00")]
    pub phone: Option<String>,
    /// Office e-mail.
    #[validate(length(max = limit(values::EMAIL_MAX)))]
    #[schema(max_length = 254, format = Email, example = "info@school.example")]
    pub email: Option<String>,
    /// Web site.
    #[validate(length(max = limit(organizations::ADDRESS_MAX)))]
    #[schema(max_length = 500)]
    pub website: Option<String>,
}

impl From<ContactsDto> for Contacts {
    fn from(c: ContactsDto) -> Self {
        Contacts { address: c.address, phone: c.phone, email: c.email, website: c.website }
    }
}

impl From<Contacts> for ContactsDto {
    fn from(c: Contacts) -> Self {
        ContactsDto { address: c.address, phone: c.phone, email: c.email, website: c.website }
    }
}

/// An organisation as a client writes it (create; merge-patched for updates).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct OrganizationWrite {
    /// Full name (полное наименование).
    #[validate(required, length(min = 1, max = limit(organizations::NAME_MAX)))]
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 500,
        example = "МАОУ «Бичурская СОШ № 1»"
    )]
    pub name: Option<String>,
    /// Short name (краткое наименование).
    #[validate(length(max = limit(organizations::SHORT_NAME_MAX)))]
    #[schema(max_length = 200)]
    pub short_name: Option<String>,
    /// Kind of participant (вид участника).
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub kind: Option<OrganizationKind>,
    /// Level (уровень); derived from the kind, required only for `other`.
    pub level: Option<Level>,
    /// Parent organisation (вышестоящая организация), e.g. the municipal authority of a school.
    pub parent_id: Option<Uuid>,
    /// Region code, two digits (код региона), e.g. `03`; inherited from a regional or lower parent.
    #[schema(pattern = "^[0-9]{2}$", example = "03")]
    pub region_code: Option<String>,
    /// Municipality code (код муниципалитета, e.g. ОКТМО); required at municipal and
    /// institutional levels, inherited from the parent.
    #[validate(length(min = 1, max = limit(values::MUNICIPALITY_CODE_MAX)))]
    #[schema(min_length = 1, max_length = 32, pattern = "^[0-9A-Za-z_-]+$", example = "81606000")]
    pub municipality_code: Option<String>,
    /// Municipality name (наименование муниципального образования).
    #[validate(length(max = limit(organizations::SHORT_NAME_MAX)))]
    #[schema(max_length = 200, example = "МО «Бичурский район»")]
    pub municipality_name: Option<String>,
    /// ИНН (10 digits for organisations), checksum verified.
    #[schema(pattern = "^([0-9]{10}|[0-9]{12})$")]
    pub inn: Option<String>,
    /// IANA time zone (часовой пояс); default `Europe/Moscow` or the parent's.
    #[validate(length(max = limit(organizations::TIME_ZONE_MAX)))]
    #[schema(max_length = 64, example = "Asia/Irkutsk")]
    pub time_zone: Option<String>,
    /// Contacts.
    #[validate(nested)]
    pub contacts: Option<ContactsDto>,
    /// Date opened (дата открытия).
    pub opened_on: Option<NaiveDate>,
    /// The person this organisation names responsible for the regional system — «ответственный
    /// за работу в цифровой экосистеме ДПО» (BU 2.2.4) for the regional authority, institute or
    /// ЦНППМ; «ответственный специалист муниципальной методической службы» (BU 2.3.4) for the
    /// municipal authority or methodological service. Only those kinds; the person must work in
    /// the same region (municipal level: the same municipality). Shown with work contacts in
    /// the regional passport export; `null` clears it.
    pub responsible_person_id: Option<Uuid>,
}

impl From<OrganizationWrite> for OrganizationInput {
    fn from(w: OrganizationWrite) -> Self {
        OrganizationInput {
            name: w.name,
            short_name: w.short_name,
            kind: w.kind,
            level: w.level,
            parent_id: w.parent_id,
            region_code: w.region_code,
            municipality_code: w.municipality_code,
            municipality_name: w.municipality_name,
            inn: w.inn,
            time_zone: w.time_zone,
            contacts: w.contacts.map(Contacts::from).unwrap_or_default(),
            opened_on: w.opened_on,
            responsible_person_id: w.responsible_person_id,
        }
    }
}

impl From<OrganizationInput> for OrganizationWrite {
    fn from(i: OrganizationInput) -> Self {
        OrganizationWrite {
            name: i.name,
            short_name: i.short_name,
            kind: i.kind,
            // The level follows from the kind except for `other`; keeping it lets a kind change
            // re-derive it.
            level: if i.kind == Some(OrganizationKind::Other) { i.level } else { None },
            parent_id: i.parent_id,
            region_code: i.region_code,
            municipality_code: i.municipality_code,
            municipality_name: i.municipality_name,
            inn: i.inn,
            time_zone: i.time_zone,
            contacts: Some(i.contacts.into()),
            opened_on: i.opened_on,
            responsible_person_id: i.responsible_person_id,
        }
    }
}

/// A network participant (участник сети).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationView {
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
    /// Region code.
    pub region_code: String,
    /// Municipality code.
    pub municipality_code: Option<String>,
    /// Municipality name.
    pub municipality_name: Option<String>,
    /// ИНН.
    pub inn: Option<String>,
    /// IANA time zone.
    pub time_zone: String,
    /// Contacts.
    pub contacts: ContactsDto,
    /// Date opened.
    pub opened_on: Option<NaiveDate>,
    /// Date closed (дата закрытия), set by the close action.
    pub closed_on: Option<NaiveDate>,
    /// The actions the caller may take now (допустимые действия): `update` for the roles that
    /// change organisations, `close` for those that close them while it is open.
    pub allowed_actions: Vec<OrganizationAction>,
    /// The person responsible for the regional system (BU 2.2.4, 2.3.4).
    pub responsible_person_id: Option<Uuid>,
    /// Created at (UTC).
    pub created_at: DateTime<Utc>,
    /// Updated at (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version; the `ETag` is this number in quotes.
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub version: i64,
}

impl OrganizationView {
    /// The view of an organisation for the caller.
    pub fn new(o: Organization, actor: &Actor) -> Self {
        OrganizationView {
            allowed_actions: allowed_actions(actor, &o),
            id: o.id,
            name: o.name,
            short_name: o.short_name,
            kind: o.kind,
            level: o.level,
            parent_id: o.parent_id,
            region_code: o.region_code,
            municipality_code: o.municipality_code,
            municipality_name: o.municipality_name,
            inn: o.inn,
            time_zone: o.time_zone,
            contacts: o.contacts.into(),
            opened_on: o.opened_on,
            closed_on: o.closed_on,
            responsible_person_id: o.responsible_person_id,
            created_at: o.created_at,
            updated_at: o.updated_at,
            version: o.version,
        }
    }
}

impl crate::extract::ValueChecks for OrganizationWrite {
    fn value_errors(&self) -> Vec<rsnms_domain::FieldError> {
        use rsnms_domain::values::{Email, Inn, MunicipalityCode, Phone, RegionCode, TimeZone};
        let mut out = Vec::new();
        crate::extract::check_value(&mut out, self.region_code.as_deref(), |v| RegionCode::parse("region_code", v));
        crate::extract::check_value(&mut out, self.municipality_code.as_deref(), |v| {
            MunicipalityCode::parse("municipality_code", v)
        });
        crate::extract::check_value(&mut out, self.inn.as_deref(), |v| Inn::parse("inn", v));
        crate::extract::check_value(&mut out, self.time_zone.as_deref(), |v| TimeZone::parse("time_zone", v));
        if let Some(c) = &self.contacts {
            crate::extract::check_value(&mut out, c.email.as_deref(), |v| Email::parse("contacts.email", v));
            crate::extract::check_value(&mut out, c.phone.as_deref(), |v| Phone::parse("contacts.phone", v));
        }
        out
    }
}

impl crate::extract::ValueChecks for CloseOrganization {}

crate::list_schema!(OrganizationList, OrganizationView, "A page of organisations.");

/// Closing an organisation (закрытие).
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CloseOrganization {
    /// Date closed.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub closed_on: Option<NaiveDate>,
}
