use chrono::{DateTime, NaiveDate, Utc};
use rsnms_domain::{
    persons::{MAX_BASES, MAX_ROLES, MAX_SUBJECTS, NAME_MAX, Person, PersonInput, PersonRole},
    values::{self, Snils},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::limit;

/// A person as a client writes them (create; merge-patched for updates).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PersonWrite {
    /// Surname (фамилия).
    #[validate(required, length(min = 1, max = limit(NAME_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 200, example = "Иванова")]
    pub surname: Option<String>,
    /// First name (имя).
    #[validate(required, length(min = 1, max = limit(NAME_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 200, example = "Анна")]
    pub first_name: Option<String>,
    /// Patronymic (отчество).
    #[validate(length(max = limit(NAME_MAX)))]
    #[schema(max_length = 200, example = "Петровна")]
    pub patronymic: Option<String>,
    /// Position (должность).
    #[validate(length(max = limit(NAME_MAX)))]
    #[schema(max_length = 200, example = "учитель математики")]
    pub position: Option<String>,
    /// Employing organisation.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub organization_id: Option<Uuid>,
    /// Roles in the network.
    #[serde(default)]
    #[validate(length(max = limit(MAX_ROLES)))]
    #[schema(max_items = 5)]
    pub roles: Vec<PersonRole>,
    /// Teaching subjects (преподаваемые предметы), e.g. `["математика", "физика"]`; stored
    /// normalised (trimmed, spaces collapsed, lower case), sorted and without repeats; blank
    /// entries are dropped. At most 20, each at most 100 characters. In CSV imports: one cell,
    /// subjects separated by `;` (by `,` when the delimiter is `;`). `null` or absent: none
    /// (in a patch, `null` clears them).
    #[validate(length(max = limit(MAX_SUBJECTS)))]
    #[schema(max_items = 20, example = json!(["математика", "физика"]))]
    pub subjects: Option<Vec<String>>,
    /// E-mail (personal data).
    #[validate(length(max = limit(values::EMAIL_MAX)))]
    #[schema(max_length = 254, format = Email, example = "ivanova@school.example")]
    pub email: Option<String>,
    /// Phone (personal data).
    #[validate(length(max = limit(values::PHONE_MAX)))]
    #[schema(max_length = 32, pattern = "^\\+?[0-9 ()-]{10,31}$", example = "+7 301 221-00-00")]
    pub phone: Option<String>,
    /// СНИЛС, `123-456-789 01` or 11 digits; checksum verified (personal data).
    #[validate(length(max = limit(values::SNILS_MAX)))]
    #[schema(max_length = 14, pattern = "^[0-9]{3}-?[0-9]{3}-?[0-9]{3}[ -]?[0-9]{2}$", example = "112-233-445 95")]
    pub snils: Option<String>,
    /// Birth date (personal data).
    pub birth_date: Option<NaiveDate>,
    /// Date pedagogical work began (дата начала педагогической деятельности).
    pub hire_date: Option<NaiveDate>,
    /// Bases of processing her personal data (основания обработки) to record with this write,
    /// each as `POST /persons/{id}/processing-bases` takes it and checked the same way (422 naming
    /// `processing_bases[i].<field>`); written with the person or not at all. In a patch each
    /// entry is a new basis (a withdrawal is `…/processing-bases/{id}/withdraw`); bases are read
    /// at `GET /persons/{id}/processing-bases`, never echoed here.
    #[validate(length(max = limit(MAX_BASES)), nested)]
    #[schema(max_items = 20)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_bases: Option<Vec<super::personal_data::BasisWrite>>,
}

impl PersonWrite {
    /// The bases the write carries, as the domain takes them.
    pub fn bases(&self) -> Vec<rsnms_domain::personal_data::BasisInput> {
        self.processing_bases.iter().flatten().cloned().map(Into::into).collect()
    }

    /// The bases a merge patch of a person carries (the patch was checked against this shape).
    pub fn bases_of_patch(patch: &serde_json::Value) -> Vec<rsnms_domain::personal_data::BasisInput> {
        serde_json::from_value::<Self>(patch.clone()).map(|w| w.bases()).unwrap_or_default()
    }
}

impl From<PersonWrite> for PersonInput {
    fn from(w: PersonWrite) -> Self {
        PersonInput {
            surname: w.surname,
            first_name: w.first_name,
            patronymic: w.patronymic,
            position: w.position,
            organization_id: w.organization_id,
            roles: w.roles,
            subjects: w.subjects.unwrap_or_default(),
            email: w.email,
            phone: w.phone,
            snils: w.snils,
            birth_date: w.birth_date,
            hire_date: w.hire_date,
        }
    }
}

impl From<PersonInput> for PersonWrite {
    fn from(i: PersonInput) -> Self {
        PersonWrite {
            surname: i.surname,
            first_name: i.first_name,
            patronymic: i.patronymic,
            position: i.position,
            organization_id: i.organization_id,
            roles: i.roles,
            subjects: Some(i.subjects),
            email: i.email,
            phone: i.phone,
            snils: i.snils,
            birth_date: i.birth_date,
            hire_date: i.hire_date,
            processing_bases: None,
        }
    }
}

/// A person. Personal data (СНИЛС, e-mail, phone, birth date) is shown only to roles that may
/// see it — administrators, operators, the municipality and the organisation of the person,
/// the integration, and the person themselves; others get `null` and a masked СНИЛС.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Surname.
    pub surname: String,
    /// First name.
    pub first_name: String,
    /// Patronymic.
    pub patronymic: Option<String>,
    /// «Фамилия Имя Отчество».
    pub full_name: String,
    /// Position.
    pub position: Option<String>,
    /// Employing organisation.
    pub organization_id: Uuid,
    /// Roles.
    #[schema(max_items = 5)]
    pub roles: Vec<PersonRole>,
    /// Teaching subjects, normalised and sorted.
    #[schema(max_items = 20, example = json!(["математика", "физика"]))]
    pub subjects: Vec<String>,
    /// Молодой специалист: under 35 or in the first three years of work (derived).
    pub young_specialist: bool,
    /// E-mail, `null` when hidden.
    pub email: Option<String>,
    /// Phone, `null` when hidden.
    pub phone: Option<String>,
    /// СНИЛС `123-456-789 01`, or masked `***-***-*** 01` when hidden.
    pub snils: Option<String>,
    /// Birth date, `null` when hidden.
    pub birth_date: Option<NaiveDate>,
    /// Date pedagogical work began.
    pub hire_date: Option<NaiveDate>,
    /// Whether personal data is shown in this response.
    pub personal_data_visible: bool,
    /// Created at (UTC).
    pub created_at: DateTime<Utc>,
    /// Updated at (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version; the `ETag` is this number in quotes.
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub version: i64,
}

impl PersonView {
    /// The view of a person, with personal data shown or hidden.
    pub fn new(p: Person, show: bool) -> Self {
        let young = p.is_young_specialist_today();
        let full_name = p.full_name();
        let snils = p.snils.map(|s| {
            let s = Snils::from_trusted(s);
            if show { s.formatted() } else { s.masked() }
        });
        PersonView {
            id: p.id,
            surname: p.surname,
            first_name: p.first_name,
            patronymic: p.patronymic,
            full_name,
            position: p.position,
            organization_id: p.organization_id,
            roles: p.roles,
            subjects: p.subjects,
            young_specialist: young,
            email: p.email.filter(|_| show),
            phone: p.phone.filter(|_| show),
            snils,
            birth_date: p.birth_date.filter(|_| show),
            hire_date: p.hire_date,
            personal_data_visible: show,
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
        }
    }
}

impl crate::extract::ValueChecks for PersonWrite {
    fn value_errors(&self) -> Vec<rsnms_domain::FieldError> {
        use rsnms_domain::values::{Email, Phone, Snils};
        let mut out = Vec::new();
        crate::extract::check_value(&mut out, self.email.as_deref(), |v| Email::parse("email", v));
        crate::extract::check_value(&mut out, self.phone.as_deref(), |v| Phone::parse("phone", v));
        crate::extract::check_value(&mut out, self.snils.as_deref(), |v| Snils::parse("snils", v));
        out
    }
}

crate::list_schema!(PersonList, PersonView, "A page of persons.");
