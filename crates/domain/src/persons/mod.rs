//! People of the network: teachers, managers, tutors, methodologists, mentors (DOMAIN §2).
//! Their СНИЛС, birth date and contacts are personal data (152-ФЗ): shown only to roles that
//! may see them, and every such read is audited.

mod employments;
mod repository;
mod rules;

pub use employments::{
    Employment, EmploymentInput, MAX_PERIODS, PositionCategory, list_employments, replace_employments, validate_periods,
};

pub use repository::{PersonFilter, PersonRepository};
pub use rules::READERS;
pub use rules::{
    Deps, LIMITS, MAX_BASES, MAX_ROLES, MAX_SUBJECTS, NAME_MAX, NewPerson, PersonInput, SUBJECT_MAX, Updated,
    create_person, create_persons, delete_person, get_person, list_persons, normalize_subject, update_person,
    update_persons,
};

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A role a person plays in the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PersonRole {
    /// Педагогический работник.
    Teacher,
    /// Управленческие кадры (руководитель, заместитель).
    Manager,
    /// Тьютор.
    Tutor,
    /// Методист (муниципальный тьютор).
    Methodologist,
    /// Наставник.
    Mentor,
}

impl PersonRole {
    /// Every role.
    pub const ALL: [PersonRole; 5] =
        [PersonRole::Teacher, PersonRole::Manager, PersonRole::Tutor, PersonRole::Methodologist, PersonRole::Mentor];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            PersonRole::Teacher => "teacher",
            PersonRole::Manager => "manager",
            PersonRole::Tutor => "tutor",
            PersonRole::Methodologist => "methodologist",
            PersonRole::Mentor => "mentor",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A person of the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Фамилия.
    pub surname: String,
    /// Имя.
    pub first_name: String,
    /// Отчество.
    pub patronymic: Option<String>,
    /// Должность.
    pub position: Option<String>,
    /// The employing organisation.
    pub organization_id: Uuid,
    /// Roles in the network.
    pub roles: Vec<PersonRole>,
    /// Teaching subjects (преподаваемые предметы), normalised, sorted and unique.
    pub subjects: Vec<String>,
    /// E-mail (personal data).
    pub email: Option<String>,
    /// Phone (personal data).
    pub phone: Option<String>,
    /// СНИЛС digits (personal data).
    pub snils: Option<String>,
    /// Birth date (personal data).
    pub birth_date: Option<NaiveDate>,
    /// Date the person started pedagogical work.
    pub hire_date: Option<NaiveDate>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version (the ETag).
    pub version: i64,
}

impl Person {
    /// Молодой специалист: under 35, or in the first three years of pedagogical work
    /// (NAO 12.5, RO 3.2.2). Derived on the given date, never stored.
    pub fn is_young_specialist(&self, today: NaiveDate) -> bool {
        let young = self.birth_date.is_some_and(|b| age_on(b, today) < 35);
        let novice = self.hire_date.and_then(|h| h.checked_add_months(Months::new(36))).is_some_and(|end| today < end);
        young || novice
    }

    /// [`Self::is_young_specialist`] today (the region's, [`crate::clock::region_today`]).
    pub fn is_young_specialist_today(&self) -> bool {
        self.is_young_specialist(crate::clock::region_today())
    }

    /// Full name «Фамилия Имя Отчество».
    pub fn full_name(&self) -> String {
        match &self.patronymic {
            Some(p) => format!("{} {} {}", self.surname, self.first_name, p),
            None => format!("{} {}", self.surname, self.first_name),
        }
    }
}

/// The personal-data fields of a person as its GET shows them (СНИЛС, e-mail, phone, birth date):
/// only readers who may read that person's personal data see them.
pub const PERSONAL_FIELDS: [&str; 4] = ["email", "phone", "snils", "birth_date"];

/// The change-event payload of a person: every field its GET shows, personal data included
/// (flagged, so that the feed hides it from readers without the right: [`hide_personal_data`]),
/// but not `young_specialist`, which is derived on the day of reading.
pub fn change_payload(p: &Person) -> serde_json::Value {
    serde_json::json!({
        "id": p.id,
        "surname": p.surname,
        "first_name": p.first_name,
        "patronymic": p.patronymic,
        "full_name": p.full_name(),
        "position": p.position,
        "organization_id": p.organization_id,
        "roles": p.roles,
        "subjects": p.subjects,
        "email": p.email,
        "phone": p.phone,
        "snils": p.snils.clone().map(|s| crate::values::Snils::from_trusted(s).formatted()),
        "birth_date": p.birth_date,
        "hire_date": p.hire_date,
        "personal_data_visible": true,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "version": p.version,
    })
}

/// Hides the personal data of a person's payload as its GET does for a reader without the
/// right: `null`, the СНИЛС masked (`***-***-*** 01`), `personal_data_visible: false`.
pub fn hide_personal_data(payload: &mut serde_json::Value) {
    let Some(o) = payload.as_object_mut() else { return };
    for f in PERSONAL_FIELDS {
        let Some(v) = o.get_mut(f) else { continue };
        *v = match (f, v.as_str()) {
            ("snils", Some(s)) => {
                let digits: String = s.chars().filter(char::is_ascii_digit).collect();
                serde_json::Value::String(crate::values::Snils::from_trusted(digits).masked())
            }
            _ => serde_json::Value::Null,
        };
    }
    if o.contains_key("personal_data_visible") {
        o.insert("personal_data_visible".into(), serde_json::Value::Bool(false));
    }
}

/// Whole years of age on a date.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> i32 {
    let mut age = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn person(birth: Option<&str>, hire: Option<&str>) -> Person {
        Person {
            id: Uuid::nil(),
            surname: "Иванова".into(),
            first_name: "Анна".into(),
            patronymic: None,
            position: None,
            organization_id: Uuid::nil(),
            roles: vec![],
            subjects: vec![],
            email: None,
            phone: None,
            snils: None,
            birth_date: birth.map(d),
            hire_date: hire.map(d),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        }
    }

    #[test]
    fn young_until_the_35th_birthday() {
        let p = person(Some("1991-06-15"), None);
        assert!(p.is_young_specialist(d("2026-06-14")));
        assert!(!p.is_young_specialist(d("2026-06-15")));
    }

    #[test]
    fn young_during_the_first_three_years_of_work() {
        let p = person(Some("1970-01-01"), Some("2024-09-01"));
        assert!(p.is_young_specialist(d("2027-08-31")));
        assert!(!p.is_young_specialist(d("2027-09-01")));
    }

    #[test]
    fn unknown_dates_are_not_young() {
        assert!(!person(None, None).is_young_specialist(d("2026-01-01")));
    }
}
