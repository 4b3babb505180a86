//! Value types that can only be built valid ("parse, don't validate"): СНИЛС, ИНН, e-mail,
//! phone, region and municipality codes, IANA time zones.

use serde::{Deserialize, Serialize};

use crate::{FieldError, Msg};

fn invalid(field: &str, code: &str, ru: &str, en: &str) -> FieldError {
    FieldError::new(field, code, Msg::new(ru, en))
}

/// A СНИЛС (insurance number of an individual ledger account): 11 digits with a checksum.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Snils(String);

impl Snils {
    /// Parses `123-456-789 01`, `12345678901` and similar spellings; checks the checksum.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let digits: String = raw.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
        if digits.len() != 11 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid(
                field,
                "invalid_snils",
                "СНИЛС должен состоять из 11 цифр",
                "SNILS must consist of 11 digits",
            ));
        }
        let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
        let number: u32 = d[..9].iter().fold(0, |acc, x| acc * 10 + x);
        let given = d[9] * 10 + d[10];
        // Numbers up to 001-001-998 were issued before checksums existed.
        if number > 1_001_998 && Self::checksum(&d[..9]) != given {
            return Err(invalid(
                field,
                "invalid_snils",
                "Неверная контрольная сумма СНИЛС",
                "SNILS checksum does not match",
            ));
        }
        Ok(Self(digits))
    }

    fn checksum(d: &[u32]) -> u32 {
        let sum: u32 = d.iter().enumerate().map(|(i, x)| x * (9 - i as u32)).sum();
        match sum {
            s if s < 100 => s,
            100 | 101 => 0,
            s => match s % 101 {
                100 => 0,
                r => r,
            },
        }
    }

    /// The 11 digits, as stored.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// Builds from digits already validated (e.g. read back from the store).
    pub fn from_trusted(digits: String) -> Self {
        Self(digits)
    }

    /// The usual spelling `123-456-789 01`.
    pub fn formatted(&self) -> String {
        let s = &self.0;
        format!("{}-{}-{} {}", &s[0..3], &s[3..6], &s[6..9], &s[9..11])
    }

    /// The masked spelling `***-***-*** 01` for callers that may not read personal data.
    pub fn masked(&self) -> String {
        format!("***-***-*** {}", &self.0[9..11])
    }
}

/// An ИНН of a legal entity (10 digits) or an individual (12 digits), checksum verified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Inn(String);

impl Inn {
    /// Parses and checks an ИНН.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        let d: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
        let bad = || invalid(field, "invalid_inn", "Неверный ИНН", "INN is not valid (10 or 12 digits with checksum)");
        if d.len() != s.len() {
            return Err(bad());
        }
        let check =
            |w: &[u32], upto: usize| -> u32 { w.iter().zip(&d[..upto]).map(|(a, b)| a * b).sum::<u32>() % 11 % 10 };
        let ok = match d.len() {
            10 => check(&[2, 4, 10, 3, 5, 9, 4, 6, 8], 9) == d[9],
            12 => {
                check(&[7, 2, 4, 10, 3, 5, 9, 4, 6, 8], 10) == d[10]
                    && check(&[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8], 11) == d[11]
            }
            _ => false,
        };
        if ok { Ok(Self(s.to_owned())) } else { Err(bad()) }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address (a pragmatic check: one `@`, a dotted domain, no spaces, ≤ 254 chars).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    /// Parses an address, trimming white space.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        let ok = s.len() <= EMAIL_MAX
            && !s.chars().any(char::is_whitespace)
            && match s.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(invalid(field, "invalid_email", "Неверный адрес электронной почты", "Not a valid e-mail address"))
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number, normalised to `+<digits>`; Russian `8XXXXXXXXXX` becomes `+7XXXXXXXXXX`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone(String);

impl Phone {
    /// Parses a phone number written with spaces, dashes and parentheses.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        let allowed = s.chars().all(|c| c.is_ascii_digit() || " -()+".contains(c));
        let plus = s.starts_with('+');
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        let normalised = match (plus, digits.len()) {
            (false, 11) if digits.starts_with('8') || digits.starts_with('7') => Some(format!("+7{}", &digits[1..])),
            (false, 10) => Some(format!("+7{digits}")),
            (true, 10..=15) => Some(format!("+{digits}")),
            _ => None,
        };
        match normalised {
            Some(n) if allowed && s.matches('+').count() <= 1 => Ok(Self(n)),
            _ => Err(invalid(
                field,
                "invalid_phone",
                "Неверный номер телефона",
                "Not a valid phone number (10–15 digits, e.g. +7 301 221-00-00)",
            )),
        }
    }

    /// The normalised number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A region code of the Russian Federation (two digits, `01`–`99`), e.g. `03` for Buryatia.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegionCode(String);

impl RegionCode {
    /// Parses a two-digit region code.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.len() == 2 && s.chars().all(|c| c.is_ascii_digit()) && s != "00" {
            Ok(Self(s.to_owned()))
        } else {
            Err(invalid(
                field,
                "invalid_region_code",
                "Код региона — две цифры, например 03",
                "A region code is two digits, e.g. 03",
            ))
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A municipality code (ОКТМО or a region's own code): 1–32 letters, digits, `-` or `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MunicipalityCode(String);

impl MunicipalityCode {
    /// Parses a municipality code.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if (1..=MUNICIPALITY_CODE_MAX).contains(&s.len())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            Ok(Self(s.to_owned()))
        } else {
            Err(invalid(
                field,
                "invalid_municipality_code",
                &format!(
                    "Код муниципалитета — от 1 до {MUNICIPALITY_CODE_MAX} латинских букв, цифр, «-» или «_» (например, ОКТМО)"
                ),
                &format!(
                    "A municipality code is 1–{MUNICIPALITY_CODE_MAX} latin letters, digits, '-' or '_' (e.g. OKTMO)"
                ),
            ))
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IANA time zone name known to the tz database, e.g. `Europe/Moscow`, `Asia/Irkutsk`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeZone(String);

impl TimeZone {
    /// The default zone of the network.
    pub const DEFAULT: &'static str = "Europe/Moscow";

    /// Parses an IANA zone name.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        match raw.trim().parse::<chrono_tz::Tz>() {
            Ok(tz) => Ok(Self(tz.name().to_owned())),
            Err(_) => Err(invalid(
                field,
                "invalid_time_zone",
                "Неизвестный часовой пояс IANA (например, Europe/Moscow)",
                "Unknown IANA time zone (e.g. Europe/Moscow)",
            )),
        }
    }

    /// The zone as a chrono-tz value (Moscow if the stored name is somehow unknown).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.0.parse().unwrap_or(chrono_tz::Europe::Moscow)
    }

    /// The zone name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Builds from a stored name.
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }
}

/// The longest e-mail address, in bytes (RFC 5321's path limit).
pub const EMAIL_MAX: usize = 254;
/// The longest phone number as written, in characters.
pub const PHONE_MAX: usize = 32;
/// The longest СНИЛС as written (`123-456-789 01`), in characters.
pub const SNILS_MAX: usize = 14;
/// The longest municipality code, in characters.
pub const MUNICIPALITY_CODE_MAX: usize = 32;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snils_with_valid_checksum_parses_and_masks() {
        let s = Snils::parse("snils", "112-233-445 95").unwrap();
        assert_eq!(s.digits(), "11223344595");
        assert_eq!(s.formatted(), "112-233-445 95");
        assert_eq!(s.masked(), "***-***-*** 95");
    }

    #[test]
    fn snils_with_wrong_checksum_is_refused() {
        assert!(Snils::parse("snils", "112-233-445 96").is_err());
        assert!(Snils::parse("snils", "1122334459").is_err());
    }

    #[test]
    fn snils_checksum_edge_sums() {
        // 9 weights of "000000000" give 0 < 100, issued numbers start above 001-001-998.
        assert!(Snils::parse("s", "001-001-998 00").is_ok());
    }

    #[test]
    fn inn_checksums() {
        assert!(Inn::parse("inn", "7707083893").is_ok());
        assert!(Inn::parse("inn", "7707083894").is_err());
        assert!(Inn::parse("inn", "500100732259").is_ok());
        assert!(Inn::parse("inn", "500100732258").is_err());
    }

    #[test]
    fn phones_normalise() {
        assert_eq!(Phone::parse("p", "8 (301) 221-00-00").unwrap().as_str(), "+73012210000");
        assert_eq!(Phone::parse("p", "+7 301 221 00 00").unwrap().as_str(), "+73012210000");
        assert!(Phone::parse("p", "12345").is_err());
        assert!(Phone::parse("p", "+7 301 abc").is_err());
    }

    #[test]
    fn emails() {
        assert!(Email::parse("e", "a@b.ru").is_ok());
        assert!(Email::parse("e", "a@b").is_err());
        assert!(Email::parse("e", "a b@c.ru").is_err());
    }

    #[test]
    fn zones() {
        assert_eq!(TimeZone::parse("tz", "Asia/Irkutsk").unwrap().as_str(), "Asia/Irkutsk");
        assert!(TimeZone::parse("tz", "Mars/Olympus").is_err());
    }
}
