//! The signing keys of one provider: discovery (`/.well-known/openid-configuration`) and JWKS,
//! fetched with a timeout, cached, and fetched again when a token names a key that is not in
//! the cache or when the cache is older than `max_key_age` (either at most once per
//! `refresh_interval`, failed attempts included); while the provider is away, the last keys
//! serve until `hard_max_key_age`.
//! One fetch runs at a time per provider; other requests needing it wait for that one.

use std::{
    collections::HashMap,
    sync::{
        Arc, RwLock,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use jsonwebtoken::{
    Algorithm, DecodingKey,
    jwk::{AlgorithmParameters, Jwk, JwkSet},
};
use serde::Deserialize;

use super::OidcSettings;

/// A usable key of the provider.
#[derive(Clone)]
pub(super) struct Key {
    /// The key.
    pub decoding: DecodingKey,
    /// The algorithm the JWK pins (`alg`), if any.
    pub alg: Option<String>,
    /// `kty`/`crv` family, to match the token's algorithm.
    pub family: Family,
}

/// Key families, as algorithms require them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    Rsa,
    P256,
    P384,
    Ed25519,
}

impl Family {
    /// Whether a token signed with `alg` may be verified with a key of this family.
    pub fn fits(self, alg: Algorithm) -> bool {
        use Algorithm::{ES256, ES384, EdDSA, PS256, PS384, PS512, RS256, RS384, RS512};
        match self {
            Family::Rsa => matches!(alg, RS256 | RS384 | RS512 | PS256 | PS384 | PS512),
            Family::P256 => alg == ES256,
            Family::P384 => alg == ES384,
            Family::Ed25519 => alg == EdDSA,
        }
    }
}

#[derive(Default)]
struct Cache {
    keys: HashMap<String, Key>,
    /// Keys published without a `kid` (used only when a token names none).
    anonymous: Vec<Key>,
    fetched_at: Option<Instant>,
    /// The last fetch (or failed attempt): a key not in the cache is fetched again only when
    /// this is `refresh_interval` old.
    refreshed_at: Option<Instant>,
}

/// The keys of one provider.
pub(super) struct KeySet {
    issuer: String,
    discovery_url: String,
    jwks_url: Option<String>,
    cache: RwLock<Arc<Cache>>,
    fetching: tokio::sync::Mutex<()>,
    fetches: AtomicU64,
}

/// What a lookup needs from the cache.
pub(super) enum Lookup<'a> {
    /// The key named `kid`.
    Kid(&'a str),
    /// The only key published without a `kid`.
    Anonymous,
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

const MAX_DOCUMENT_BYTES: usize = 512 * 1024;

impl KeySet {
    pub fn new(issuer: &str, discovery_url: Option<&str>, jwks_url: Option<&str>) -> Self {
        let discovery_url = discovery_url.map_or_else(
            || format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/')),
            str::to_owned,
        );
        Self {
            issuer: issuer.to_owned(),
            discovery_url,
            jwks_url: jwks_url.map(str::to_owned),
            cache: RwLock::new(Arc::new(Cache::default())),
            fetching: tokio::sync::Mutex::new(()),
            fetches: AtomicU64::new(0),
        }
    }

    /// How many times the key set was fetched (metrics and tests).
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    fn snapshot(&self) -> Arc<Cache> {
        self.cache.read().map(|c| Arc::clone(&c)).unwrap_or_default()
    }

    fn find(cache: &Cache, lookup: &Lookup<'_>) -> Option<Key> {
        match lookup {
            Lookup::Kid(kid) => cache.keys.get(*kid).cloned(),
            Lookup::Anonymous => match cache.anonymous.as_slice() {
                [only] => Some(only.clone()),
                _ => None,
            },
        }
    }

    /// The key a token names: from the cache, or after a fetch when the cache is empty, older
    /// than `max_key_age`, or lacks the key (rate-limited). While the provider cannot be
    /// reached, the keys fetched last stay usable until `hard_max_key_age` after that fetch,
    /// never longer: a provider that is gone for good stops being trusted.
    pub async fn key(&self, client: &reqwest::Client, s: &OidcSettings, lookup: Lookup<'_>) -> Result<Key, String> {
        let fresh = |c: &Cache| c.fetched_at.is_some_and(|t| t.elapsed() < s.max_key_age);
        let usable = |c: &Cache| c.fetched_at.is_some_and(|t| t.elapsed() < s.hard_max_key_age);
        let cache = self.snapshot();
        if let (true, Some(key)) = (fresh(&cache), Self::find(&cache, &lookup)) {
            return Ok(key);
        }
        let _one_at_a_time = self.fetching.lock().await;
        // Another request may have fetched while this one waited.
        let cache = self.snapshot();
        let found = Self::find(&cache, &lookup);
        if let (true, Some(key)) = (fresh(&cache), &found) {
            return Ok(key.clone());
        }
        let may_refresh = cache.refreshed_at.is_none_or(|t| t.elapsed() >= s.refresh_interval);
        let stale =
            |e: String| if usable(&cache) { e } else { format!("{e}; the keys fetched last are too old to trust") };
        if !may_refresh {
            return found.filter(|_| usable(&cache)).ok_or_else(|| stale("unknown key (refresh rate-limited)".into()));
        }
        match self.fetch(client, s).await {
            Ok(next) => {
                let key = Self::find(&next, &lookup);
                if let Ok(mut c) = self.cache.write() {
                    *c = Arc::new(next);
                }
                key.ok_or_else(|| "unknown key".to_owned())
            }
            Err(e) => {
                tracing::warn!(issuer = %self.issuer, error = %e, "identity provider keys not fetched");
                // The last keys are kept, still dated by their fetch: the next attempt waits
                // for `refresh_interval`, and they expire at `hard_max_key_age`.
                let kept = Cache {
                    keys: cache.keys.clone(),
                    anonymous: cache.anonymous.clone(),
                    fetched_at: cache.fetched_at,
                    refreshed_at: Some(Instant::now()),
                };
                if let Ok(mut c) = self.cache.write() {
                    *c = Arc::new(kept);
                }
                found.filter(|_| usable(&cache)).ok_or_else(|| stale(e))
            }
        }
    }

    async fn fetch(&self, client: &reqwest::Client, s: &OidcSettings) -> Result<Cache, String> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let jwks_url = match &self.jwks_url {
            Some(u) => u.clone(),
            None => {
                let d: Discovery = get_json(client, s, &self.discovery_url).await?;
                if d.issuer.trim_end_matches('/') != self.issuer.trim_end_matches('/') {
                    return Err(format!("discovery names the issuer {}", d.issuer));
                }
                d.jwks_uri
            }
        };
        let set: JwkSet = get_json(client, s, &jwks_url).await?;
        let now = Some(Instant::now());
        let mut cache = Cache { fetched_at: now, refreshed_at: now, ..Cache::default() };
        for jwk in &set.keys {
            let Some(key) = usable(jwk) else { continue };
            match &jwk.common.key_id {
                Some(kid) => {
                    cache.keys.insert(kid.clone(), key);
                }
                None => cache.anonymous.push(key),
            }
        }
        Ok(cache)
    }
}

/// A signing key this API can use (public asymmetric keys only; `use: enc` keys are skipped).
fn usable(jwk: &Jwk) -> Option<Key> {
    use jsonwebtoken::jwk::{EllipticCurve, PublicKeyUse};
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return None;
    }
    let family = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Family::Rsa,
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 => Family::P256,
            EllipticCurve::P384 => Family::P384,
            _ => return None,
        },
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => Family::Ed25519,
        _ => return None,
    };
    let alg = jwk.common.key_algorithm.map(|a| a.to_string());
    Some(Key { decoding: DecodingKey::from_jwk(jwk).ok()?, alg, family })
}

/// Whether a provider URL may be fetched: https, or http to a loopback address when allowed.
pub(super) fn allowed_url(url: &str, allow_http_loopback: bool) -> Result<url::Url, String> {
    let u = url::Url::parse(url).map_err(|e| format!("{url}: {e}"))?;
    let loopback = match u.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match u.scheme() {
        "https" => Ok(u),
        "http" if allow_http_loopback && loopback => Ok(u),
        _ => Err(format!(
            "{url}: provider URLs must be https (http only to loopback with RSNMS_OIDC_ALLOW_HTTP_LOOPBACK)"
        )),
    }
}

async fn get_json<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    s: &OidcSettings,
    url: &str,
) -> Result<T, String> {
    let u = allowed_url(url, s.allow_http_loopback)?;
    let mut res = client.get(u).send().await.map_err(|e| format!("{url}: {e}"))?;
    if !res.status().is_success() {
        return Err(format!("{url}: status {}", res.status()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(|e| format!("{url}: {e}"))? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_DOCUMENT_BYTES {
            return Err(format!("{url}: document over {MAX_DOCUMENT_BYTES} bytes"));
        }
    }
    serde_json::from_slice(&body).map_err(|e| format!("{url}: {e}"))
}

/// The HTTP client of provider fetches: timeouts, no redirects, no proxy from the environment.
pub(super) fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())
}
