//! The outgoing registration number of a sender (исходящий регистрационный номер): a sequence per
//! sender and year, written through a template such as `{seq}/{year}` (`17/2026`) or
//! `ЦНППМ-{seq:3}/{yy}` (`ЦНППМ-017/26`).

use chrono::{DateTime, Datelike, Utc};
use uuid::Uuid;

use super::NetworkRequestRepository;
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Role},
    clock::date_at,
    organizations::{Organization, OrganizationRepository},
};

/// The template of senders that configured none.
pub const DEFAULT_NUMBER_FORMAT: &str = "{seq}/{year}";

/// The longest template, in characters (the number itself stays under the stored 100).
pub const NUMBER_FORMAT_MAX: usize = 50;

/// The widest zero padding of `{seq:N}`.
const MAX_WIDTH: usize = 9;

/// Roles that read and set a sender's numbering (for the organisations in their scope).
pub const ACTING: [Role; 4] = [Role::Admin, Role::Operator, Role::Municipal, Role::Organization];

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    /// Literal text.
    Text(&'a str),
    /// The sequence number, zero-padded to at least the width.
    Seq(usize),
    /// The four-digit year.
    Year,
    /// The last two digits of the year.
    Yy,
    /// Something in braces that is not a placeholder (kept literally when formatting).
    Unknown(&'a str),
    /// A `{` or `}` without its partner (kept literally when formatting).
    Stray(&'a str),
}

fn pieces(format: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = format;
    while !rest.is_empty() {
        let Some(at) = rest.find(['{', '}']) else {
            out.push(Piece::Text(rest));
            break;
        };
        if at > 0 {
            out.push(Piece::Text(&rest[..at]));
        }
        rest = &rest[at..];
        if rest.starts_with('}') {
            out.push(Piece::Stray(&rest[..1]));
            rest = &rest[1..];
            continue;
        }
        let Some(close) = rest.find('}').filter(|c| !rest[1..*c].contains('{')) else {
            out.push(Piece::Stray(&rest[..1]));
            rest = &rest[1..];
            continue;
        };
        let whole = &rest[..=close];
        out.push(match &rest[1..close] {
            "seq" => Piece::Seq(1),
            "year" => Piece::Year,
            "yy" => Piece::Yy,
            inner => match inner.strip_prefix("seq:").and_then(|w| w.parse::<usize>().ok()) {
                Some(w) if (1..=MAX_WIDTH).contains(&w) && inner.len() == 5 => Piece::Seq(w),
                _ => Piece::Unknown(whole),
            },
        });
        rest = &rest[close + 1..];
    }
    out
}

/// Writes the outgoing number of a template: `{seq}` the sequence (`{seq:N}` zero-padded to `N`
/// digits, 1–9), `{year}` the year, `{yy}` its last two digits; anything else is copied.
pub fn format_outgoing_number(format: &str, seq: i64, year: i32) -> String {
    pieces(format)
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) | Piece::Unknown(t) | Piece::Stray(t) => t.to_owned(),
            Piece::Seq(w) => format!("{seq:0w$}"),
            Piece::Year => year.to_string(),
            Piece::Yy => format!("{:02}", year.rem_euclid(100)),
        })
        .collect()
}

/// Checks a template (field `format`): 1–50 characters without control characters, exactly one
/// `{seq}` or `{seq:N}` (so that every number of a year is distinct), and no other placeholder
/// than `{year}` and `{yy}`. Returns the trimmed template, or every problem at once.
pub fn check_number_format(field: &str, format: Option<&str>) -> Result<String, Vec<FieldError>> {
    let Some(format) = format.map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(vec![FieldError::required(field)]);
    };
    let mut errors = Vec::new();
    if format.chars().count() > NUMBER_FORMAT_MAX {
        errors.push(FieldError::new(
            field,
            "too_long",
            Msg::new(
                format!("Не длиннее {NUMBER_FORMAT_MAX} символов"),
                format!("At most {NUMBER_FORMAT_MAX} characters"),
            ),
        ));
    }
    if format.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            "control_character",
            Msg::new("Управляющие символы недопустимы", "Control characters are not allowed"),
        ));
    }
    let parts = pieces(format);
    for p in &parts {
        match p {
            Piece::Unknown(raw) => errors.push(FieldError::new(
                field,
                "unknown_placeholder",
                Msg::new(
                    format!(
                        "Неизвестная подстановка {raw}: допустимы {{seq}}, {{seq:N}} (N от 1 до 9), {{year}}, {{yy}}"
                    ),
                    format!("Unknown placeholder {raw}: use {{seq}}, {{seq:N}} (N from 1 to 9), {{year}}, {{yy}}"),
                ),
            )),
            Piece::Stray(raw) => errors.push(FieldError::new(
                field,
                "unbalanced_brace",
                Msg::new(format!("Непарная скобка «{raw}»"), format!("Unbalanced brace '{raw}'")),
            )),
            _ => {}
        }
    }
    match parts.iter().filter(|p| matches!(p, Piece::Seq(_))).count() {
        0 => errors.push(FieldError::new(
            field,
            "seq_required",
            Msg::new(
                "Шаблон должен содержать {seq}, иначе номера совпадут",
                "The template must contain {seq}, or numbers would repeat",
            ),
        )),
        1 => {}
        _ => errors.push(FieldError::new(
            field,
            "seq_repeated",
            Msg::new("{seq} — не больше одного раза", "{seq} may appear only once"),
        )),
    }
    if errors.is_empty() { Ok(format.to_owned()) } else { Err(errors) }
}

/// A sender's numbering as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNumbering {
    /// The configured template (`None`: the default).
    pub format: Option<String>,
    /// Version (`0` while never configured).
    pub version: i64,
    /// Last change, when configured.
    pub updated_at: Option<DateTime<Utc>>,
    /// The last sequence number given in the year asked for (`0`: none yet).
    pub last_seq: i64,
}

/// A sender's numbering with a preview of its next number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestNumbering {
    /// The sending organisation.
    pub organization_id: Uuid,
    /// The template in force.
    pub format: String,
    /// Whether the template is the default one (never configured).
    pub is_default: bool,
    /// The current year in the organisation's time zone.
    pub year: i32,
    /// Numbers given this year.
    pub last_seq: i64,
    /// The number the next request sent this year would get.
    pub next_number: String,
    /// Version (`0` while never configured).
    pub version: i64,
    /// Last change, when configured.
    pub updated_at: Option<DateTime<Utc>>,
}

fn view(org: &Organization, stored: StoredNumbering, year: i32) -> RequestNumbering {
    let format = stored.format.clone().unwrap_or_else(|| DEFAULT_NUMBER_FORMAT.to_owned());
    RequestNumbering {
        organization_id: org.id,
        next_number: format_outgoing_number(&format, stored.last_seq + 1, year),
        is_default: stored.format.is_none(),
        format,
        year,
        last_seq: stored.last_seq,
        version: stored.version,
        updated_at: stored.updated_at,
    }
}

fn year_of(org: &Organization, now: DateTime<Utc>) -> i32 {
    date_at(&org.time_zone, now).year()
}

/// A sender's numbering: admins and operators for any organisation, a municipal authority for the
/// organisations of its municipality, an organisation for itself and its subdivisions (404
/// outside the scope, 403 for other roles).
pub async fn get_request_numbering(
    requests: &dyn NetworkRequestRepository,
    orgs: &dyn OrganizationRepository,
    ctx: &Ctx,
    organization_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<RequestNumbering> {
    ctx.actor.require(&ACTING)?;
    let org = orgs.get(&ctx.actor.scope(), organization_id).await?;
    let year = year_of(&org, now);
    Ok(view(&org, requests.numbering(org.id, year).await?, year))
}

/// Sets a sender's template (who may: as [`get_request_numbering`]). `expected_version` is the
/// version read (`0` while never configured). The next request sent uses it; numbers already
/// given stay, and the sequence of the year continues.
pub async fn set_request_numbering(
    requests: &dyn NetworkRequestRepository,
    orgs: &dyn OrganizationRepository,
    ctx: &Ctx,
    organization_id: Uuid,
    expected_version: i64,
    format: String,
    now: DateTime<Utc>,
) -> DomainResult<RequestNumbering> {
    ctx.actor.require(&ACTING)?;
    let format = check_number_format("format", Some(&format)).map_err(DomainError::Validation)?;
    let org = orgs.get(&ctx.actor.scope(), organization_id).await?;
    let year = year_of(&org, now);
    let stored = requests.set_numbering(ctx, &org, expected_version, format, year).await?;
    Ok(view(&org, stored, year))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(format: &str) -> Vec<String> {
        check_number_format("format", Some(format)).err().unwrap_or_default().into_iter().map(|e| e.code).collect()
    }

    #[test]
    fn the_default_number_format_is_seq_slash_year() {
        assert_eq!(format_outgoing_number(DEFAULT_NUMBER_FORMAT, 17, 2026), "17/2026");
        assert_eq!(format_outgoing_number("ИСХ-{yy}-{seq}", 3, 2025), "ИСХ-25-3");
    }

    #[test]
    fn placeholders_and_zero_padding() {
        assert_eq!(format_outgoing_number("{seq}/{year}", 17, 2026), "17/2026");
        assert_eq!(format_outgoing_number("ЦНППМ-{seq:3}/{yy}", 7, 2026), "ЦНППМ-007/26");
        assert_eq!(format_outgoing_number("{seq:2}", 1234, 2026), "1234");
        assert_eq!(format_outgoing_number("{x}-{seq}", 1, 2026), "{x}-1");
    }

    #[test]
    fn templates_are_checked() {
        assert_eq!(check_number_format("format", Some("  ЦНППМ-{seq}/{year} ")), Ok("ЦНППМ-{seq}/{year}".into()));
        assert!(codes("{seq:9}-{yy}").is_empty());
        assert_eq!(codes("{year}"), vec!["seq_required"]);
        assert_eq!(codes("{seq}-{seq}"), vec!["seq_repeated"]);
        assert_eq!(codes("{seq}-{month}"), vec!["unknown_placeholder"]);
        assert_eq!(codes("{seq:0}"), vec!["unknown_placeholder", "seq_required"]);
        assert_eq!(codes("{seq:10}"), vec!["unknown_placeholder", "seq_required"]);
        assert_eq!(codes("{seq}{"), vec!["unbalanced_brace"]);
        assert_eq!(codes("}{seq}"), vec!["unbalanced_brace"]);
        assert_eq!(codes("{seq}\n"), Vec::<String>::new(), "trimmed");
        assert_eq!(codes("a\u{7}{seq}"), vec!["control_character"]);
        assert_eq!(codes(&format!("{}{{seq}}", "x".repeat(50))), vec!["too_long"]);
        assert_eq!(codes("   "), vec!["required"]);
    }
}
