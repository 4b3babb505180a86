//! Access tokens of trusted OpenID Connect providers (the region's identity provider), accepted
//! beside this API's own HS256 tokens (`RSNMS_OIDC_PROVIDERS`, see `docs/AUTH.md`).
//!
//! A token is the provider's when its (unverified) `iss` is a configured issuer; it is then
//! verified against that provider only: an asymmetric algorithm the provider is allowed
//! (RS*/PS*/ES256/ES384/EdDSA; `none` and HS* never), a key of the provider's JWKS whose
//! family (and `alg`, when the JWK pins one) fits the algorithm, `iss`, `aud`, `exp` and `nbf`
//! with a small skew. The verified subject becomes an actor through
//! [`rsnms_domain::identities::resolve_external`] (a linked account, or role and organisation
//! from claims).

mod keys;

use std::time::Duration;

use jsonwebtoken::{Algorithm, Validation, decode, decode_header};
use rsnms_domain::{
    DomainError, Msg,
    auth::Role,
    identities::{ClaimMapping, External, OrganizationKey, Presented, resolve_external},
};
use serde::Deserialize;
use serde_json::Value;

use super::jwt::{ExternalSubject, Verified};
use crate::{AppState, problem::ApiError};

/// One trusted provider: an entry of `RSNMS_OIDC_PROVIDERS` (a JSON array).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSettings {
    /// Short name: identity links and audit subjects (`<name>:<subject>`) carry it.
    pub name: String,
    /// `iss` of its tokens, e.g. `https://sso.example.ru/realms/teachers`.
    pub issuer: String,
    /// The `aud` its tokens must carry for this API.
    pub audience: String,
    /// Discovery document (default `<issuer>/.well-known/openid-configuration`).
    #[serde(default)]
    pub discovery_url: Option<String>,
    /// JWKS URL, to skip discovery.
    #[serde(default)]
    pub jwks_url: Option<String>,
    /// The claim naming the account (default `sub`).
    #[serde(default = "default_subject_claim")]
    pub subject_claim: String,
    /// The claim holding the role (a string or a list; a dotted path such as
    /// `realm_access.roles` reaches into objects). Unset: subjects must be linked to accounts.
    #[serde(default)]
    pub role_claim: Option<String>,
    /// The claim holding the organisation (ИНН or id, see `organization_key`).
    #[serde(default)]
    pub organization_claim: Option<String>,
    /// How `organization_claim` names the organisation: `inn` (default) or `id`.
    #[serde(default = "default_organization_key")]
    pub organization_key: OrganizationKey,
    /// Roles the provider may grant through `role_claim` (default none: every role it may grant
    /// is listed, so a realm-wide role that happens to share a name grants nothing unlisted).
    /// Required, non-empty, when `role_claim` is set.
    #[serde(default)]
    pub claim_roles: Vec<Role>,
    /// Client ids whose tokens are accepted (`azp`, the authorised party). Set: a token must
    /// carry one of them. Unset: `azp` is not checked.
    #[serde(default)]
    pub authorized_parties: Option<Vec<String>>,
    /// Algorithms accepted from it (default RS256, PS256, ES256, EdDSA).
    #[serde(default = "default_algorithms")]
    pub algorithms: Vec<Algorithm>,
}

fn default_subject_claim() -> String {
    "sub".into()
}

fn default_organization_key() -> OrganizationKey {
    OrganizationKey::Inn
}

fn default_algorithms() -> Vec<Algorithm> {
    vec![Algorithm::RS256, Algorithm::PS256, Algorithm::ES256, Algorithm::EdDSA]
}

/// Asymmetric algorithms only: a provider's token is never accepted with `none` or HS*.
const ASYMMETRIC: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// The providers and how they are reached.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The providers (`RSNMS_OIDC_PROVIDERS`; none by default).
    pub providers: Vec<ProviderSettings>,
    /// `RSNMS_OIDC_ALLOW_HTTP_LOOPBACK`: plain http to a loopback provider (tests, local
    /// development; default false: https only).
    pub allow_http_loopback: bool,
    /// `RSNMS_OIDC_TIMEOUT_MS`: connect and total timeout of a fetch (default 5000).
    pub timeout: Duration,
    /// `RSNMS_OIDC_REFRESH_SECONDS`: at most one fetch per provider in this time on unknown
    /// keys (default 60).
    pub refresh_interval: Duration,
    /// `RSNMS_OIDC_KEYS_MAX_AGE_SECONDS`: keys are fetched again when older (default 3600).
    pub max_key_age: Duration,
    /// `RSNMS_OIDC_KEYS_HARD_MAX_AGE_SECONDS`: while the provider cannot be reached, its last
    /// keys stay usable until this long after they were fetched, never longer (default 86400).
    pub hard_max_key_age: Duration,
    /// Allowed clock skew for `exp`/`nbf`/`iat`, in seconds (60).
    pub leeway_seconds: u64,
}

impl Default for OidcSettings {
    fn default() -> Self {
        Self {
            providers: Vec::new(),
            allow_http_loopback: false,
            timeout: Duration::from_secs(5),
            refresh_interval: Duration::from_secs(60),
            max_key_age: Duration::from_secs(3600),
            hard_max_key_age: Duration::from_secs(86_400),
            leeway_seconds: 60,
        }
    }
}

impl OidcSettings {
    /// Parses `RSNMS_OIDC_PROVIDERS` (a JSON array of [`ProviderSettings`]) and checks it:
    /// distinct names and issuers, asymmetric algorithms, https URLs.
    pub fn parse_providers(json: &str, allow_http_loopback: bool) -> Result<Vec<ProviderSettings>, String> {
        let providers: Vec<ProviderSettings> = serde_json::from_str(json).map_err(|e| e.to_string())?;
        for (i, p) in providers.iter().enumerate() {
            let named = |what: &str| format!("provider {}: {what}", p.name);
            if p.name.trim().is_empty() || p.name.contains(':') || p.name.len() > 100 {
                return Err(format!("provider {i}: a name is 1–100 characters without ':'"));
            }
            if providers[..i].iter().any(|q| q.name == p.name || q.issuer == p.issuer) {
                return Err(named("name and issuer must be unique"));
            }
            if p.audience.trim().is_empty() {
                return Err(named("audience is required"));
            }
            if p.role_claim.is_some() && p.claim_roles.is_empty() {
                return Err(named("role_claim needs claim_roles: the roles this provider may grant"));
            }
            if p.authorized_parties.as_ref().is_some_and(|a| a.is_empty() || a.iter().any(|c| c.trim().is_empty())) {
                return Err(named("authorized_parties, when set, lists client ids"));
            }
            if p.algorithms.is_empty() || p.algorithms.iter().any(|a| !ASYMMETRIC.contains(a)) {
                return Err(named("algorithms must be asymmetric (RS*, PS*, ES256, ES384, EdDSA)"));
            }
            let urls = [Some(&p.issuer), p.discovery_url.as_ref(), p.jwks_url.as_ref()];
            for u in urls.into_iter().flatten() {
                keys::allowed_url(u, allow_http_loopback).map_err(|e| named(&e))?;
            }
        }
        Ok(providers)
    }
}

/// Why a provider's token was refused.
#[derive(Debug, Clone)]
pub enum OidcRefusal {
    /// Not acceptable (signature, claims, key): 401, detailed only in the log.
    Invalid(String),
    /// Verified, but its subject maps to no actor: 403 naming it.
    Forbidden(Msg),
    /// The database could not be read: 503.
    Unavailable,
}

impl From<OidcRefusal> for ApiError {
    fn from(r: OidcRefusal) -> Self {
        match r {
            OidcRefusal::Invalid(reason) => {
                tracing::info!(%reason, "provider token refused");
                ApiError::unauthorized(Msg::new("Токен недействителен или истёк", "The token is invalid or expired"))
            }
            OidcRefusal::Forbidden(m) => ApiError::from(DomainError::Forbidden(m)),
            OidcRefusal::Unavailable => ApiError::from(DomainError::Unavailable("identity mapping".into())),
        }
    }
}

struct Provider {
    settings: ProviderSettings,
    keys: keys::KeySet,
    mapping: ClaimMapping,
}

/// The trusted providers of this instance (shared by its workers).
pub struct Providers {
    settings: OidcSettings,
    providers: Vec<Provider>,
    client: reqwest::Client,
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Providers").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl Providers {
    /// The providers of the settings.
    pub fn new(settings: OidcSettings) -> Result<Self, String> {
        let providers = settings
            .providers
            .iter()
            .map(|p| Provider {
                keys: keys::KeySet::new(&p.issuer, p.discovery_url.as_deref(), p.jwks_url.as_deref()),
                mapping: ClaimMapping {
                    provider: p.name.clone(),
                    from_claims: p.role_claim.is_some(),
                    roles: p.claim_roles.clone(),
                    organization_key: p.organization_key,
                },
                settings: p.clone(),
            })
            .collect();
        Ok(Self { client: keys::client(settings.timeout)?, providers, settings })
    }

    /// The configured provider names.
    pub fn names(&self) -> Vec<String> {
        self.providers.iter().map(|p| p.settings.name.clone()).collect()
    }

    /// How many times a provider's keys were fetched (`None`: no such provider).
    pub fn key_fetches(&self, name: &str) -> Option<u64> {
        self.providers.iter().find(|p| p.settings.name == name).map(|p| p.keys.fetches())
    }

    /// The provider whose issuer a token claims (read without verifying), if any.
    fn claimed_by(&self, token: &str) -> Option<&Provider> {
        if self.providers.is_empty() {
            return None;
        }
        let claims: Value = jsonwebtoken::dangerous::insecure_decode_claims(token).ok()?;
        let iss = claims.get("iss")?.as_str()?;
        self.providers.iter().find(|p| p.settings.issuer == iss)
    }

    /// Whether a token claims to come from a configured provider.
    pub fn claims(&self, token: &str) -> bool {
        self.claimed_by(token).is_some()
    }

    /// Verifies a provider's token and maps it to its actor.
    pub async fn authenticate(&self, state: &AppState, token: &str) -> Result<Verified, OidcRefusal> {
        let provider = self.claimed_by(token).ok_or_else(|| OidcRefusal::Invalid("no provider".into()))?;
        let claims = self.verify(provider, token).await?;
        let presented = presented(&provider.settings, &claims)?;
        let now = chrono::Utc::now();
        let identities = state.identities.as_ref();
        let external = resolve_external(identities, state.organizations.as_ref(), &provider.mapping, &presented, now)
            .await
            .map_err(|e| match e {
                DomainError::Forbidden(m) => OidcRefusal::Forbidden(m),
                other => {
                    tracing::warn!(error = %other, "identity mapping failed");
                    OidcRefusal::Unavailable
                }
            })?;
        let external_subject = |linked| ExternalSubject {
            provider: provider.settings.name.clone(),
            subject: presented.subject.clone(),
            linked,
        };
        match external {
            External::Linked { actor, generation } => Ok(Verified {
                actor,
                generation: Some(generation),
                session: None,
                external: Some(external_subject(true)),
            }),
            External::Claims(actor) => {
                Ok(Verified { actor, generation: None, session: None, external: Some(external_subject(false)) })
            }
            External::Revoked => Err(OidcRefusal::Invalid("issued before the account's tokens were revoked".into())),
            External::AccountDeleted => Err(OidcRefusal::Invalid("the linked account is deleted".into())),
        }
    }

    async fn verify(&self, provider: &Provider, token: &str) -> Result<serde_json::Map<String, Value>, OidcRefusal> {
        let invalid = |e: &dyn std::fmt::Display| OidcRefusal::Invalid(format!("{}: {e}", provider.settings.name));
        let header = decode_header(token).map_err(|e| invalid(&e))?;
        if !header.typ.as_deref().is_none_or(access_token_type) {
            return Err(invalid(&format!("token type {:?} is not an access token", header.typ)));
        }
        if !ASYMMETRIC.contains(&header.alg) || !provider.settings.algorithms.contains(&header.alg) {
            return Err(invalid(&format!("algorithm {:?} not allowed", header.alg)));
        }
        let lookup = match header.kid.as_deref() {
            Some(kid) => keys::Lookup::Kid(kid),
            None => keys::Lookup::Anonymous,
        };
        let key = provider.keys.key(&self.client, &self.settings, lookup).await.map_err(|e| invalid(&e))?;
        let pinned = key.alg.as_deref().is_none_or(|a| a == format!("{:?}", header.alg));
        if !key.family.fits(header.alg) || !pinned {
            return Err(invalid(&format!("algorithm {:?} does not fit the key", header.alg)));
        }
        let mut validation = Validation::new(header.alg);
        validation.algorithms = vec![header.alg];
        validation.leeway = self.settings.leeway_seconds;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[provider.settings.issuer.as_str()]);
        validation.set_audience(&[provider.settings.audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        let data =
            decode::<serde_json::Map<String, Value>>(token, &key.decoding, &validation).map_err(|e| invalid(&e))?;
        // Keycloak marks its tokens by a `typ` claim: an ID or refresh token of the same audience
        // is not an access token.
        if let Some(typ) = data.claims.get("typ").and_then(Value::as_str)
            && !typ.eq_ignore_ascii_case("bearer")
        {
            return Err(invalid(&format!("token type '{typ}' is not an access token")));
        }
        if let Some(parties) = &provider.settings.authorized_parties {
            let azp = data.claims.get("azp").and_then(Value::as_str);
            if !azp.is_some_and(|azp| parties.iter().any(|p| p == azp)) {
                return Err(invalid(&format!("authorised party {azp:?} is not accepted")));
            }
        }
        let iat = data.claims.get("iat").and_then(Value::as_i64);
        let leeway = i64::try_from(self.settings.leeway_seconds).unwrap_or(0);
        if iat.is_some_and(|iat| iat > chrono::Utc::now().timestamp() + leeway) {
            return Err(invalid(&"issued in the future"));
        }
        Ok(data.claims)
    }
}

/// Whether a JOSE `typ` header names a JWT access token (RFC 9068 `at+jwt`, or plain `JWT`
/// as most providers send); `id+jwt`, `logout+jwt` and the like are refused.
fn access_token_type(typ: &str) -> bool {
    let typ = typ.strip_prefix("application/").unwrap_or(typ);
    typ.eq_ignore_ascii_case("jwt") || typ.eq_ignore_ascii_case("at+jwt")
}

/// A claim by dotted path (`realm_access.roles`).
fn claim<'a>(claims: &'a serde_json::Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut v = claims.get(parts.next()?)?;
    for p in parts {
        v = v.get(p)?;
    }
    Some(v)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    }
}

fn presented(p: &ProviderSettings, claims: &serde_json::Map<String, Value>) -> Result<Presented, OidcRefusal> {
    let subject = claim(claims, &p.subject_claim).and_then(Value::as_str).map(str::trim).unwrap_or_default();
    if subject.is_empty() || subject.chars().count() > rsnms_domain::identities::MAX_SUBJECT_LEN {
        return Err(OidcRefusal::Forbidden(Msg::new(
            format!("Токен поставщика «{}» не содержит утверждения «{}»", p.name, p.subject_claim),
            format!("The token of '{}' carries no '{}' claim", p.name, p.subject_claim),
        )));
    }
    let organization = p.organization_claim.as_deref().and_then(|c| match claim(claims, c) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    });
    Ok(Presented {
        subject: subject.to_owned(),
        roles: p.role_claim.as_deref().map(|c| strings(claim(claims, c))).unwrap_or_default(),
        organization,
        issued_at: claims.get("iat").and_then(Value::as_i64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(extra: &str, loopback: bool) -> Result<Vec<ProviderSettings>, String> {
        OidcSettings::parse_providers(
            &format!(r#"[{{"name": "region", "issuer": "ISS", "audience": "rsnms-api"{extra}}}]"#)
                .replace("ISS", "https://sso.example.ru/realms/teachers"),
            loopback,
        )
    }

    #[test]
    fn providers_default_to_asymmetric_algorithms_and_the_sub_claim() {
        let p = parse("", false).unwrap().remove(0);
        assert_eq!(p.subject_claim, "sub");
        assert!(p.algorithms.iter().all(|a| ASYMMETRIC.contains(a)));
        assert!(p.claim_roles.is_empty(), "no role is granted by claim unless listed");
        assert!(p.authorized_parties.is_none());
    }

    #[test]
    fn a_role_claim_needs_the_roles_it_may_grant_listed() {
        assert!(parse(r#", "role_claim": "roles""#, false).is_err());
        assert!(parse(r#", "role_claim": "roles", "claim_roles": ["organization"]"#, false).is_ok());
        assert!(parse(r#", "authorized_parties": []"#, false).is_err());
    }

    #[test]
    fn only_access_token_types_pass_the_header_check() {
        for ok in ["JWT", "jwt", "at+jwt", "application/at+JWT"] {
            assert!(access_token_type(ok), "{ok}");
        }
        for refused in ["id+jwt", "logout+jwt", "JOSE", "secevent+jwt", ""] {
            assert!(!access_token_type(refused), "{refused}");
        }
    }

    #[test]
    fn symmetric_algorithms_and_unknown_fields_are_refused() {
        assert!(parse(r#", "algorithms": ["HS256"]"#, false).is_err());
        assert!(parse(r#", "algorithms": ["RS256", "HS512"]"#, false).is_err());
        assert!(parse(r#", "role": "admin""#, false).is_err());
    }

    #[test]
    fn provider_urls_are_https_and_http_only_to_loopback_when_allowed() {
        let http = |host: &str, loopback: bool| {
            OidcSettings::parse_providers(
                &format!(r#"[{{"name": "r", "issuer": "http://{host}/realms/t", "audience": "a"}}]"#),
                loopback,
            )
        };
        assert!(http("127.0.0.1:8080", false).is_err());
        assert!(http("127.0.0.1:8080", true).is_ok());
        assert!(http("[::1]:8080", true).is_ok());
        assert!(http("sso.example.ru", true).is_err());
        assert!(http("10.0.0.5", true).is_err());
    }

    #[test]
    fn names_and_issuers_are_unique() {
        let two = r#"[{"name": "a", "issuer": "https://x.ru/r", "audience": "a"},
                      {"name": "a", "issuer": "https://y.ru/r", "audience": "a"}]"#;
        assert!(OidcSettings::parse_providers(two, false).is_err());
    }

    #[test]
    fn a_role_claim_is_read_by_dotted_path_as_a_string_or_a_list() {
        let claims: serde_json::Map<String, Value> =
            serde_json::from_value(serde_json::json!({"realm_access": {"roles": ["a", "b"]}, "r": "c"})).unwrap();
        assert_eq!(strings(claim(&claims, "realm_access.roles")), ["a", "b"]);
        assert_eq!(strings(claim(&claims, "r")), ["c"]);
        assert!(strings(claim(&claims, "missing.path")).is_empty());
    }
}
