//! Tokens of a trusted OpenID Connect provider (issue 21). The provider is simulated on
//! loopback: discovery and JWKS served by a small actix server that counts its JWKS fetches;
//! its RSA and EC keys are fixtures under `tests/fixtures/oidc/` (PKCS#1 / PKCS#8 DER and their
//! public JWKs, made once with Python's `cryptography`).

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};

use actix_web::{App, HttpResponse, HttpServer, web};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use rsnms::Settings;
use rsnms_domain::{
    audit::{AuditFilter, AuditRepository},
    auth::Role,
    page::PageRequest,
};
use rsnms_http::auth::{OidcSettings, ProviderSettings};
use rsnms_tests::{TestApp, fresh_database_url, id, spawn_with, test_settings};
use serde_json::{Value, json};

const RSA_A: &[u8] = include_bytes!("../fixtures/oidc/rsa-a.der");
const RSA_B: &[u8] = include_bytes!("../fixtures/oidc/rsa-b.der");
const EC_A: &[u8] = include_bytes!("../fixtures/oidc/ec-a.der");
const AUDIENCE: &str = "rsnms-api";

fn jwk(name: &str) -> Value {
    let text = match name {
        "rsa-a" => include_str!("../fixtures/oidc/rsa-a.jwk.json"),
        "rsa-b" => include_str!("../fixtures/oidc/rsa-b.jwk.json"),
        _ => include_str!("../fixtures/oidc/ec-a.jwk.json"),
    };
    serde_json::from_str(text).unwrap()
}

/// The simulated provider: its issuer URL, the keys it publishes, and how often its JWKS was read.
struct Provider {
    issuer: String,
    keys: Arc<Mutex<Vec<Value>>>,
    jwks_fetches: Arc<AtomicUsize>,
    /// While set, discovery and JWKS answer 503 (the provider is away).
    down: Arc<std::sync::atomic::AtomicBool>,
}

impl Provider {
    async fn start(keys: &[&str]) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let issuer = format!("http://127.0.0.1:{}/realms/teachers", listener.local_addr().unwrap().port());
        let published = Arc::new(Mutex::new(keys.iter().map(|k| jwk(k)).collect::<Vec<_>>()));
        let fetches = Arc::new(AtomicUsize::new(0));
        let down = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (iss, ks, n, d) = (issuer.clone(), published.clone(), fetches.clone(), down.clone());
        let server = HttpServer::new(move || {
            let (iss, ks, n, d) = (iss.clone(), ks.clone(), n.clone(), d.clone());
            let d2 = d.clone();
            App::new()
                .route(
                    "/realms/teachers/.well-known/openid-configuration",
                    web::get().to(move || {
                        let (iss, d) = (iss.clone(), d.clone());
                        async move {
                            if d.load(Ordering::SeqCst) {
                                return HttpResponse::ServiceUnavailable().finish();
                            }
                            HttpResponse::Ok().json(json!({"issuer": iss, "jwks_uri": format!("{iss}/certs")}))
                        }
                    }),
                )
                .route(
                    "/realms/teachers/certs",
                    web::get().to(move || {
                        let (ks, n, d) = (ks.clone(), n.clone(), d2.clone());
                        async move {
                            n.fetch_add(1, Ordering::SeqCst);
                            if d.load(Ordering::SeqCst) {
                                return HttpResponse::ServiceUnavailable().finish();
                            }
                            HttpResponse::Ok().json(json!({"keys": *ks.lock().unwrap()}))
                        }
                    }),
                )
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self { issuer, keys: published, jwks_fetches: fetches, down }
    }

    fn publish(&self, keys: &[&str]) {
        *self.keys.lock().unwrap() = keys.iter().map(|k| jwk(k)).collect();
    }

    fn go_down(&self) {
        self.down.store(true, Ordering::SeqCst);
    }

    fn fetches(&self) -> usize {
        self.jwks_fetches.load(Ordering::SeqCst)
    }

    /// The claims of a fresh token for `sub`, valid for five minutes.
    fn claims(&self, sub: &str) -> Value {
        let now = chrono::Utc::now().timestamp();
        json!({"iss": self.issuer, "aud": AUDIENCE, "sub": sub, "iat": now, "exp": now + 300, "azp": "frontend"})
    }
}

/// Signs claims with a fixture key under a `kid` and an algorithm.
fn sign(claims: &Value, key: &[u8], kid: &str, alg: Algorithm) -> String {
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    let key = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_der(key),
        _ => EncodingKey::from_rsa_der(key),
    };
    encode(&header, claims, &key).unwrap()
}

fn rs256(claims: &Value) -> String {
    sign(claims, RSA_A, "rsa-a", Algorithm::RS256)
}

/// The provider as configured: role from `rsnms_role`, organisation by ИНН from `org_inn`
/// (or no claim mapping at all: subjects must be linked).
fn provider_settings(p: &Provider, from_claims: bool) -> ProviderSettings {
    let mut s = OidcSettings::parse_providers(
        &json!([{"name": "region", "issuer": p.issuer, "audience": AUDIENCE}]).to_string(),
        true,
    )
    .unwrap()
    .remove(0);
    if from_claims {
        s.role_claim = Some("rsnms_role".into());
        s.organization_claim = Some("org_inn".into());
        s.claim_roles = vec![Role::Operator, Role::Municipal, Role::Organization, Role::Analyst];
    }
    s
}

async fn spawn(p: &Provider, from_claims: bool, change: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = test_settings(&fresh_database_url().await);
    settings.oidc = OidcSettings {
        providers: vec![provider_settings(p, from_claims)],
        allow_http_loopback: true,
        refresh_interval: std::time::Duration::from_secs(3600),
        ..OidcSettings::default()
    };
    change(&mut settings);
    spawn_with(settings).await
}

async fn school(app: &TestApp, name: &str, inn: &str, parent: &Value) -> Value {
    app.create_org(json!({"name": name, "kind": "educational_organization", "parent_id": parent["id"], "inn": inn}))
        .await
}

#[tokio::test]
async fn a_provider_token_mapped_from_claims_reaches_exactly_its_organisation() {
    let p = Provider::start(&["rsa-a", "ec-a"]).await;
    let app = spawn(&p, true, |_| {}).await;
    let region = app.seed_region().await;
    let ours = school(&app, "МАОУ «Гимназия № 3»", "0323085435", &region.mun_a).await;
    let theirs = school(&app, "МБОУ «СОШ № 2»", "0309004459", &region.mun_b).await;
    let mut claims = p.claims("6f1c2a7e-staff-001");
    claims["rsnms_role"] = json!(["offline_access", "organization"]);
    claims["org_inn"] = json!("0323085435");

    for token in [rs256(&claims), sign(&claims, EC_A, "ec-a", Algorithm::ES256)] {
        let me = app.get("/api/v1/auth/me", &token).await;
        assert_eq!(me.status, 200, "{}", me.text);
        assert_eq!(me.body["subject"], "region:6f1c2a7e-staff-001");
        assert_eq!(me.body["role"], "organization");
        assert_eq!(me.body["organization_id"], ours["id"]);
        assert_eq!(app.get(&format!("/api/v1/organizations/{}", id(&ours)), &token).await.status, 200);
        app.get(&format!("/api/v1/organizations/{}", id(&theirs)), &token).await.assert_problem(404);
        app.get(&format!("/api/v1/organizations/{}", id(&region.school_a)), &token).await.assert_problem(404);
        app.get("/api/v1/accounts", &token).await.assert_problem(403);
    }
}

#[tokio::test]
async fn what_a_provider_actor_writes_is_audited_under_its_provider_and_subject() {
    let p = Provider::start(&["rsa-a"]).await;
    let app = spawn(&p, true, |_| {}).await;
    let region = app.seed_region().await;
    let ours = school(&app, "МАОУ «Гимназия № 3»", "0323085435", &region.mun_a).await;
    let mut claims = p.claims("staff-42");
    claims["rsnms_role"] = json!("organization");
    claims["org_inn"] = json!("0323085435");
    let person = json!({"surname": "Иванова", "first_name": "Мария", "organization_id": ours["id"]});
    let r = app.post("/api/v1/persons", &rs256(&claims), &person).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let filter = AuditFilter { actor_subject: Some("region:staff-42".into()), ..AuditFilter::default() };
    let page = app.store.audit.list(&filter, PageRequest::default()).await.unwrap();
    assert!(
        page.items.iter().any(|a| a.action == "create"
            && a.resource_id.map(|i| i.to_string()) == r.body["id"].as_str().map(str::to_owned))
    );
}

#[tokio::test]
async fn tokens_of_a_wrong_issuer_audience_algorithm_or_key_or_expired_are_refused_with_401() {
    let p = Provider::start(&["rsa-a", "rsa-b", "ec-a"]).await;
    let app = spawn(&p, true, |_| {}).await;
    let region = app.seed_region().await;
    school(&app, "МАОУ «Гимназия № 3»", "0323085435", &region.mun_a).await;
    let mut good = p.claims("staff-1");
    good["rsnms_role"] = json!("organization");
    good["org_inn"] = json!("0323085435");
    assert_eq!(app.get("/api/v1/auth/me", &rs256(&good)).await.status, 200);

    let with = |k: &str, v: Value| {
        let mut c = good.clone();
        c[k] = v;
        c
    };
    let now = chrono::Utc::now().timestamp();
    let hs256 = encode(&Header::new(Algorithm::HS256), &good, &EncodingKey::from_secret(b"region-secret")).unwrap();
    let unsigned = {
        let (head, _) = rs256(&good).split_once('.').map(|(h, r)| (h.to_owned(), r.to_owned())).unwrap();
        let _ = head;
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("{}.{}.", b64.encode(br#"{"alg":"none","typ":"JWT"}"#), b64.encode(good.to_string()))
    };
    let refused = [
        ("wrong issuer", rs256(&with("iss", json!("https://evil.example/realms/teachers")))),
        ("wrong audience", rs256(&with("aud", json!("account")))),
        ("expired", rs256(&with("exp", json!(now - 600)))),
        ("not yet valid", rs256(&with("nbf", json!(now + 600)))),
        ("issued in the future", rs256(&with("iat", json!(now + 600)))),
        ("signed by another key under rsa-a's kid", sign(&good, RSA_B, "rsa-a", Algorithm::RS256)),
        ("an RSA algorithm naming the EC key", sign(&good, RSA_A, "ec-a", Algorithm::RS256)),
        ("an algorithm the provider is not allowed", sign(&good, RSA_A, "rsa-a", Algorithm::RS384)),
        ("HS256 under the provider's issuer", hs256),
        ("alg none", unsigned),
    ];
    for (case, token) in refused {
        let r = app.get("/api/v1/auth/me", &token).await;
        assert_eq!(r.status, 401, "{case}: {}", r.text);
        r.assert_problem(401);
    }
    // The API's own tokens keep working beside the provider's.
    assert_eq!(app.get("/api/v1/auth/me", &app.admin).await.status, 200);
}

#[tokio::test]
async fn a_rotated_key_is_picked_up_and_known_keys_are_not_fetched_again() {
    let p = Provider::start(&["rsa-a"]).await;
    let app = spawn(&p, true, |s| s.oidc.refresh_interval = std::time::Duration::ZERO).await;
    let mut claims = p.claims("operator-1");
    claims["rsnms_role"] = json!("operator");
    assert_eq!(app.get("/api/v1/auth/me", &rs256(&claims)).await.status, 200);
    assert_eq!(app.get("/api/v1/auth/me", &rs256(&claims)).await.status, 200);
    assert_eq!(p.fetches(), 1, "keys are cached");

    p.publish(&["rsa-b"]);
    let rotated = sign(&claims, RSA_B, "rsa-b", Algorithm::RS256);
    assert_eq!(app.get("/api/v1/auth/me", &rotated).await.status, 200);
    assert_eq!(p.fetches(), 2, "the new kid made one fetch");
    app.get("/api/v1/auth/me", &rs256(&claims)).await.assert_problem(401);
    assert_eq!(app.get("/api/v1/auth/me", &rotated).await.status, 200);
}

#[tokio::test]
async fn an_unknown_kid_is_fetched_once_within_the_refresh_interval() {
    let p = Provider::start(&["rsa-a"]).await;
    let app = spawn(&p, true, |_| {}).await;
    let mut claims = p.claims("operator-1");
    claims["rsnms_role"] = json!("operator");
    let ghost = sign(&claims, RSA_B, "ghost", Algorithm::RS256);
    let (a, b) = tokio::join!(app.get("/api/v1/auth/me", &ghost), app.get("/api/v1/auth/me", &ghost));
    a.assert_problem(401);
    b.assert_problem(401);
    for _ in 0..3 {
        app.get("/api/v1/auth/me", &ghost).await.assert_problem(401);
    }
    assert_eq!(p.fetches(), 1, "one fetch for every unknown kid within the interval");
    assert_eq!(app.get("/api/v1/auth/me", &rs256(&claims)).await.status, 200);
    assert_eq!(p.fetches(), 1);
}

#[tokio::test]
async fn an_unmapped_subject_or_role_is_refused_with_403_naming_it() {
    let p = Provider::start(&["rsa-a"]).await;
    let linked_only = spawn(&p, false, |_| {}).await;
    let r = linked_only.get("/api/v1/auth/me", &rs256(&p.claims("stranger-7"))).await;
    r.assert_problem(403);
    assert!(r.body["detail"].as_str().unwrap().contains("stranger-7"), "{}", r.text);
    assert!(r.body["detail"].as_str().unwrap().contains("region"), "{}", r.text);

    let app = spawn(&p, true, |_| {}).await;
    let region = app.seed_region().await;
    school(&app, "МАОУ «Гимназия № 3»", "0323085435", &region.mun_a).await;
    let cases = [
        ("no role", json!({})),
        ("a role the provider may not grant", json!({"rsnms_role": "admin"})),
        ("a role of a person", json!({"rsnms_role": "teacher"})),
        ("two roles", json!({"rsnms_role": ["operator", "analyst"]})),
        ("no organisation", json!({"rsnms_role": "organization"})),
        ("an unknown ИНН", json!({"rsnms_role": "organization", "org_inn": "7700000009"})),
    ];
    for (case, extra) in cases {
        let mut claims = p.claims("staff-9");
        for (k, v) in extra.as_object().unwrap() {
            claims[k] = v.clone();
        }
        let r = app.get("/api/v1/auth/me", &rs256(&claims)).await;
        assert_eq!(r.status, 403, "{case}: {}", r.text);
        r.assert_problem(403);
    }
}

async fn account(app: &TestApp, login: &str, role: &str, org: &Value) -> Value {
    let body = json!({"kind": "user", "login": login, "secret": "correct-horse-battery", "role": role, "organization_id": org["id"]});
    let r = app.post("/api/v1/accounts", &app.admin, &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body
}

#[tokio::test]
async fn a_linked_subject_acts_as_its_account_until_revoked_disabled_or_unlinked() {
    let p = Provider::start(&["rsa-a"]).await;
    let app = spawn(&p, false, |_| {}).await;
    let region = app.seed_region().await;
    let acc = account(&app, "director", "organization", &region.school_a).await;
    let base = format!("/api/v1/accounts/{}", id(&acc));
    let link =
        app.post(&format!("{base}/identities"), &app.admin, &json!({"provider": "region", "subject": "kc-77"})).await;
    assert_eq!(link.status, 201, "{}", link.text);
    let listed = app.get(&format!("{base}/identities"), &app.admin).await;
    assert_eq!(listed.body[0]["subject"], "kc-77");

    let mut first = p.claims("kc-77");
    first["iat"] = json!(chrono::Utc::now().timestamp() - 5);
    let first = rs256(&first);
    let me = app.get("/api/v1/auth/me", &first).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["subject"], acc["id"]);
    assert_eq!(me.body["organization_id"], region.school_a["id"]);
    app.get(&format!("/api/v1/organizations/{}", id(&region.school_b)), &first).await.assert_problem(404);

    // Revoking the account's tokens ends the provider tokens issued before.
    let r = app.post(&format!("{base}/revoke-tokens"), &app.admin, &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.get("/api/v1/auth/me", &first).await.assert_problem(401);
    let mut later = p.claims("kc-77");
    later["iat"] = json!(chrono::Utc::now().timestamp() + 1);
    assert_eq!(app.get("/api/v1/auth/me", &rs256(&later)).await.status, 200);

    // A disabled account stays refused.
    assert_eq!(app.post(&format!("{base}/disable"), &app.admin, &json!({})).await.status, 200);
    app.get("/api/v1/auth/me", &rs256(&later)).await.assert_problem(401);
    assert_eq!(app.post(&format!("{base}/enable"), &app.admin, &json!({})).await.status, 200);
    let mut again = p.claims("kc-77");
    again["iat"] = json!(chrono::Utc::now().timestamp() + 2);
    assert_eq!(app.get("/api/v1/auth/me", &rs256(&again)).await.status, 200);

    // Unlinked: the subject maps to nothing.
    let unlink =
        app.send("DELETE", &format!("{base}/identities/{}", id(&link.body)), Some(&app.admin), None, &[]).await;
    assert_eq!(unlink.status, 204, "{}", unlink.text);
    app.get("/api/v1/auth/me", &rs256(&again)).await.assert_problem(403);
}

#[tokio::test]
async fn only_administrators_link_known_providers_and_a_subject_to_one_account() {
    let p = Provider::start(&["rsa-a"]).await;
    let app = spawn(&p, false, |_| {}).await;
    let region = app.seed_region().await;
    let a = account(&app, "one", "organization", &region.school_a).await;
    let b = account(&app, "two", "organization", &region.school_b).await;
    let path = |acc: &Value| format!("/api/v1/accounts/{}/identities", id(acc));
    let body = json!({"provider": "region", "subject": "kc-1"});
    assert_eq!(app.post(&path(&a), &app.admin, &body).await.status, 201);

    let dup = app.post(&path(&b), &app.admin, &body).await;
    dup.assert_problem(409);
    assert!(dup.text.contains("subject"), "{}", dup.text);
    let unknown = app.post(&path(&b), &app.admin, &json!({"provider": "esia", "subject": "kc-2"})).await;
    unknown.assert_problem(422);
    assert_eq!(unknown.error_fields(), ["provider"]);
    let blank = app.post(&path(&b), &app.admin, &json!({"provider": "region", "subject": "  "})).await;
    blank.assert_problem(422);
    let operator = app.token(rsnms_domain::auth::Role::Operator, None, None);
    app.post(&path(&b), &operator, &json!({"provider": "region", "subject": "kc-3"})).await.assert_problem(403);
    app.get(&path(&b), &operator).await.assert_problem(403);
    let missing = format!("/api/v1/accounts/{}/identities", uuid::Uuid::now_v7());
    app.post(&missing, &app.admin, &json!({"provider": "region", "subject": "kc-4"})).await.assert_problem(404);
    assert_eq!(app.get(&path(&b), &app.admin).await.body, json!([]));
}

#[tokio::test]
async fn a_subject_linked_to_a_deleted_account_is_refused_and_never_mapped_from_claims() {
    let p = Provider::start(&["rsa-a"]).await;
    let app = spawn(&p, true, |_| {}).await;
    let region = app.seed_region().await;
    let ours = school(&app, "МАОУ «Гимназия № 3»", "0323085435", &region.mun_a).await;
    let acc = account(&app, "former-director", "organization", &ours).await;
    let base = format!("/api/v1/accounts/{}", id(&acc));
    let link =
        app.post(&format!("{base}/identities"), &app.admin, &json!({"provider": "region", "subject": "kc-gone"})).await;
    assert_eq!(link.status, 201, "{}", link.text);
    // The same token would map from its claims to the school if the subject were not linked.
    let mut claims = p.claims("kc-gone");
    claims["rsnms_role"] = json!("organization");
    claims["org_inn"] = json!("0323085435");
    let me = app.get("/api/v1/auth/me", &rs256(&claims)).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["subject"], acc["id"], "linked: acts as the account");

    let deleted = app.send("DELETE", &base, Some(&app.admin), None, &[]).await;
    assert!(deleted.status == 204 || deleted.status == 200, "{}", deleted.text);
    let mut later = claims.clone();
    later["iat"] = json!(chrono::Utc::now().timestamp() + 1);
    app.get("/api/v1/auth/me", &rs256(&later)).await.assert_problem(401);
    app.get(&format!("/api/v1/organizations/{}", id(&ours)), &rs256(&later)).await.assert_problem(401);
    // Another, never linked subject with the same claims still maps from them.
    let mut other = later.clone();
    other["sub"] = json!("kc-new");
    assert_eq!(app.get("/api/v1/auth/me", &rs256(&other)).await.status, 200);
}

#[tokio::test]
async fn id_and_refresh_tokens_and_tokens_of_other_clients_are_refused() {
    let p = Provider::start(&["rsa-a"]).await;
    let app = spawn(&p, true, |s| {
        s.oidc.providers[0].authorized_parties = Some(vec!["frontend".into()]);
    })
    .await;
    let mut good = p.claims("operator-1");
    good["rsnms_role"] = json!("operator");
    assert_eq!(app.get("/api/v1/auth/me", &rs256(&good)).await.status, 200);
    let mut bearer = good.clone();
    bearer["typ"] = json!("Bearer");
    assert_eq!(app.get("/api/v1/auth/me", &rs256(&bearer)).await.status, 200, "Keycloak's access tokens pass");
    let typed = |typ: &str| {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("rsa-a".into());
        header.typ = Some(typ.into());
        encode(&header, &good, &EncodingKey::from_rsa_der(RSA_A)).unwrap()
    };
    assert_eq!(app.get("/api/v1/auth/me", &typed("at+jwt")).await.status, 200, "RFC 9068 access tokens pass");

    let with = |k: &str, v: Value| {
        let mut c = good.clone();
        c[k] = v;
        rs256(&c)
    };
    let without_azp = {
        let mut c = good.clone();
        c.as_object_mut().unwrap().remove("azp");
        rs256(&c)
    };
    let refused = [
        ("an ID token (typ claim)", with("typ", json!("ID"))),
        ("a refresh token", with("typ", json!("Refresh"))),
        ("an ID token (typ header)", typed("id+jwt")),
        ("a logout token", typed("logout+jwt")),
        ("another client's token", with("azp", json!("reporting-tool"))),
        ("no authorised party", without_azp),
    ];
    for (case, token) in refused {
        let r = app.get("/api/v1/auth/me", &token).await;
        assert_eq!(r.status, 401, "{case}: {}", r.text);
    }
}

#[tokio::test]
async fn a_provider_that_cannot_be_reached_is_trusted_only_until_the_hard_maximum_key_age() {
    let p = Provider::start(&["rsa-a"]).await;
    // Keys are always due for a refresh; a failed one keeps them only within the hard maximum.
    let patient = spawn(&p, true, |s| {
        s.oidc.max_key_age = std::time::Duration::ZERO;
        s.oidc.refresh_interval = std::time::Duration::ZERO;
    })
    .await;
    let strict = spawn(&p, true, |s| {
        s.oidc.max_key_age = std::time::Duration::ZERO;
        s.oidc.hard_max_key_age = std::time::Duration::ZERO;
        s.oidc.refresh_interval = std::time::Duration::ZERO;
    })
    .await;
    let mut claims = p.claims("operator-1");
    claims["rsnms_role"] = json!("operator");
    let token = rs256(&claims);
    assert_eq!(patient.get("/api/v1/auth/me", &token).await.status, 200);
    assert_eq!(strict.get("/api/v1/auth/me", &token).await.status, 200, "a fresh fetch serves");

    p.go_down();
    assert_eq!(patient.get("/api/v1/auth/me", &token).await.status, 200, "the last keys serve while young");
    strict.get("/api/v1/auth/me", &token).await.assert_problem(401);
}
