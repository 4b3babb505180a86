use serde::{Deserialize, Serialize};

/// The level of the network an organisation works at (RO §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Федеральный уровень.
    Federal,
    /// Региональный уровень.
    Regional,
    /// Муниципальный уровень.
    Municipal,
    /// Институциональный уровень (образовательные организации).
    Institutional,
}

impl Level {
    /// Every level, top down.
    pub const ALL: [Level; 4] = [Level::Federal, Level::Regional, Level::Municipal, Level::Institutional];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Federal => "federal",
            Level::Regional => "regional",
            Level::Municipal => "municipal",
            Level::Institutional => "institutional",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// Depth from the top (federal = 0).
    pub fn depth(self) -> u8 {
        self as u8
    }
}

macro_rules! kinds {
    ($( $(#[$doc:meta])* $variant:ident = $wire:literal => $level:expr ),+ $(,)?) => {
        /// The kind of a participant (DOMAIN §2).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum OrganizationKind {
            $( $(#[$doc])* $variant, )+
        }

        impl OrganizationKind {
            /// Every kind.
            pub const ALL: &'static [OrganizationKind] = &[$(OrganizationKind::$variant),+];

            /// Wire name.
            pub fn as_str(self) -> &'static str {
                match self { $(OrganizationKind::$variant => $wire,)+ }
            }

            /// The level this kind works at; `None` for `other`, whose level is given.
            pub fn level(self) -> Option<Level> {
                match self { $(OrganizationKind::$variant => $level,)+ }
            }
        }
    };
}

kinds! {
    /// Федеральный оператор (ФГАОУ ДПО «Академия Минпросвещения России»).
    FederalOperator = "federal_operator" => Some(Level::Federal),
    /// Федеральный методический центр.
    FederalMethodologicalCenter = "federal_methodological_center" => Some(Level::Federal),
    /// Региональный орган управления образованием.
    RegionalAuthority = "regional_authority" => Some(Level::Regional),
    /// Региональный институт развития образования.
    RegionalInstitute = "regional_institute" => Some(Level::Regional),
    /// ЦНППМ — центр непрерывного повышения профессионального мастерства.
    Cnppm = "cnppm" => Some(Level::Regional),
    /// Региональное методическое объединение.
    RegionalMethodologicalAssociation = "regional_methodological_association" => Some(Level::Regional),
    /// Профессиональная ассоциация, общественно-профессиональное объединение.
    ProfessionalAssociation = "professional_association" => Some(Level::Regional),
    /// Организация СПО.
    SpoOrganization = "spo_organization" => Some(Level::Regional),
    /// Организация ДПО.
    DpoOrganization = "dpo_organization" => Some(Level::Regional),
    /// Муниципальный орган управления образованием.
    MunicipalAuthority = "municipal_authority" => Some(Level::Municipal),
    /// Муниципальная методическая служба.
    MunicipalMethodologicalService = "municipal_methodological_service" => Some(Level::Municipal),
    /// Муниципальный методический совет.
    MunicipalMethodologicalCouncil = "municipal_methodological_council" => Some(Level::Municipal),
    /// Муниципальное методическое объединение.
    MunicipalMethodologicalAssociation = "municipal_methodological_association" => Some(Level::Municipal),
    /// Муниципальный ресурсный центр.
    MunicipalResourceCenter = "municipal_resource_center" => Some(Level::Municipal),
    /// Образовательная организация (школа и др.).
    EducationalOrganization = "educational_organization" => Some(Level::Institutional),
    /// Организация дополнительного образования детей.
    AdditionalEducationOrganization = "additional_education_organization" => Some(Level::Institutional),
    /// Иная организация (другого региона, объединение работодателей, НКО).
    Other = "other" => None,
}

impl OrganizationKind {
    /// Whether organisations of this kind name a person responsible for the regional system:
    /// the regional authority, institute and ЦНППМ for the region («ответственный за работу в
    /// цифровой экосистеме ДПО», BU 2.2.4) and the municipal authority and methodological service
    /// for a municipality («ответственный специалист муниципальной методической службы», BU 2.3.4).
    pub fn names_responsible_person(self) -> bool {
        matches!(
            self,
            OrganizationKind::RegionalAuthority
                | OrganizationKind::RegionalInstitute
                | OrganizationKind::Cnppm
                | OrganizationKind::MunicipalAuthority
                | OrganizationKind::MunicipalMethodologicalService
        )
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}
