//! Test harness: `spawn_app()` starts the real server on port 0 over a fresh database —
//! a new SQLite file, or a new PostgreSQL database when `TEST_DATABASE_URL` is set — so that the
//! same suite runs on both engines.

#![expect(clippy::unwrap_used, clippy::expect_used, reason = "a test harness fails loudly on what it did not expect")]

use rsnms::{Harness, Settings, build_with};
use rsnms_domain::auth::{Actor, Role};
use rsnms_http::auth::TokenIssuer;
use rsnms_persistence::Store;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use std::net::TcpListener;

use uuid::Uuid;

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// HTTP client.
    pub client: reqwest::Client,
    /// The server's token issuer, to mint tokens of any role.
    pub issuer: TokenIssuer,
    /// Direct access to the repositories (to check what is stored).
    pub store: Store,
    /// The database URL.
    pub database_url: String,
    /// An administrator's token.
    pub admin: String,
    /// Stops the server (gracefully or not), as SIGTERM/SIGINT would.
    pub handle: actix_web::dev::ServerHandle,
}

/// Which engine this run uses.
pub fn engine() -> &'static str {
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty()) { "postgres" } else { "sqlite" }
}

/// A fresh database URL of the current engine (a new SQLite file or PostgreSQL database).
pub async fn fresh_database_url() -> String {
    match std::env::var("TEST_DATABASE_URL").ok().filter(|v| !v.is_empty()) {
        Some(admin_url) => {
            let name = format!("rsnms_test_{}", Uuid::now_v7().simple());
            let conn =
                Database::connect(&admin_url).await.expect("TEST_DATABASE_URL must point at a reachable PostgreSQL");
            conn.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
            conn.close().await.ok();
            let (base, _) = admin_url.rsplit_once('/').expect("TEST_DATABASE_URL must end with /DBNAME");
            format!("{base}/{name}")
        }
        None => {
            let dir = std::env::temp_dir().join("rsnms-tests");
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}?mode=rwc", dir.join(format!("{}.db", Uuid::now_v7())).display())
        }
    }
}

/// Settings for a test server over a database.
pub fn test_settings(database_url: &str) -> Settings {
    Settings {
        database_url: database_url.to_owned(),
        db_max_connections: 8,
        count_limit: rsnms_domain::page::DEFAULT_COUNT_LIMIT,
        db_acquire_timeout_ms: 5000,
        bind: "127.0.0.1:0".into(),
        workers: 1,
        jwt_secret: Some(secrecy::SecretString::from("test-secret-test-secret-test-secret-0123")),
        jwt_issuer: "rsnms".into(),
        jwt_audience: "rsnms-api".into(),
        token_ttl_seconds: 900,
        admin_login: "admin".into(),
        admin_password: Some(secrecy::SecretString::from("admin-password-123")),
        admin_password_file: None,
        cors_origins: vec!["https://frontend.example".into()],
        body_limit: 64 * 1024,
        shutdown_timeout_seconds: 5,
        rate_limit_per_minute: 100_000,
        trusted_proxies: Vec::new(),
        sign_in_address_per_minute: 1000,
        sign_in_login_per_minute: 1000,
        sign_in: rsnms_domain::sign_in::SignInPolicy::default(),
        refresh_ttl_seconds: 3600,
        token_check_ttl_ms: 1000,
        idempotency_ttl_hours: 48,
        idempotency_lease_seconds: 60,
        test_idempotency_fault: None,
        min_group_size: 5,
        pd_term_days: 30,
        pd_retention: rsnms_domain::personal_data::Retention::default(),
        route_evidence: rsnms_domain::development::iom::EvidencePolicy::default(),
        attachments: rsnms_domain::attachments::Limits::default(),
        exchange: rsnms::exchange::ExchangeSettings::for_tests(),
        pace: rsnms_http::middleware::Pace::default(),
        oidc: rsnms_http::auth::OidcSettings::default(),
    }
}

/// Starts a server on a fresh database.
pub async fn spawn_app() -> TestApp {
    let database_url = fresh_database_url().await;
    spawn_with(test_settings(&database_url)).await
}

/// Starts a server with given settings; it accepts the tokens the harness mints for actors
/// that are not accounts (`TestApp::token`).
pub async fn spawn_with(settings: Settings) -> TestApp {
    spawn_with_harness(settings, Harness { accept_unbound_tokens: true }).await
}

/// Starts a server with given settings and harness settings.
pub async fn spawn_with_harness(settings: Settings, harness: Harness) -> TestApp {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let server = build_with(&settings, listener, harness).await.expect("server builds");
    rsnms::bootstrap_admin(&settings, &server.store).await.expect("admin");
    let port = server.port;
    let handle = server.server.handle();
    tokio::spawn(server.server);
    let admin = server
        .issuer
        .issue(
            &Actor {
                subject: "test-admin".into(),
                role: Role::Admin,
                organization_id: None,
                region_code: None,
                municipality_code: None,
                person_id: None,
            },
            None,
        )
        .unwrap();
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        // A pooled connection is dropped after 1 s idle, well before the server's 5 s keep-alive ends
        // it: reusing one the server is closing fails the request (hyper `IncompleteMessage`), which
        // happened when a test spent seconds between two requests (RSA signing in a debug build).
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(std::time::Duration::from_secs(1))
            .build()
            .unwrap(),
        issuer: server.issuer,
        store: server.store,
        database_url: settings.database_url,
        admin,
        handle,
    }
}

/// A response read whole.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body as JSON (`Null` when empty or not JSON).
    pub body: Value,
    /// Body as text.
    pub text: String,
}

impl Reply {
    /// Sends a request and reads its answer.
    pub async fn of(rb: reqwest::RequestBuilder) -> Reply {
        let res = rb.send().await.expect("request sent");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, headers, body, text }
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    /// The fields named by a problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }

    /// The `ETag` header.
    pub fn etag(&self) -> String {
        self.header("etag").expect("etag header")
    }

    /// Asserts the body is problem+json with this status.
    pub fn assert_problem(&self, status: u16) {
        assert_eq!(self.status, status, "unexpected status, body: {}", self.text);
        assert!(
            self.header("content-type").unwrap_or_default().starts_with("application/problem+json"),
            "not problem+json: {:?} {}",
            self.header("content-type"),
            self.text
        );
        assert_eq!(self.body["status"].as_u64(), Some(u64::from(status)));
        assert!(self.body["title"].is_string() && self.body["detail"].is_string() && self.body["type"].is_string());
    }
}

impl TestApp {
    /// Mints a token for an actor.
    pub fn token(&self, role: Role, organization: Option<&Value>, person_id: Option<&str>) -> String {
        let actor = Actor {
            subject: format!("test-{}", role.as_str()),
            role,
            organization_id: organization.map(|o| o["id"].as_str().unwrap().parse().unwrap()),
            region_code: organization.and_then(|o| o["region_code"].as_str().map(str::to_owned)),
            municipality_code: organization.and_then(|o| o["municipality_code"].as_str().map(str::to_owned)),
            person_id: person_id.map(|p| p.parse().unwrap()),
        };
        self.issuer.issue(&actor, None).unwrap()
    }

    /// Sends a request.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut rb = self.client.request(method.parse().unwrap(), format!("{}{}", self.base, path));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.header("content-type", "application/json").body(b.to_string());
        }
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        Reply::of(rb).await
    }

    /// GET with a token.
    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send("GET", path, Some(token), None, &[]).await
    }

    /// POST JSON with a token.
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.send("POST", path, Some(token), Some(body), &[]).await
    }

    /// POSTs a body in chunks of `piece` bytes without `Content-Length` (as a streaming upload
    /// sends it), with a token and extra headers; returns the raw response.
    pub async fn post_chunked(
        &self,
        path: &str,
        token: &str,
        content_type: &str,
        body: &[u8],
        piece: usize,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let pieces: Vec<Result<Vec<u8>, std::io::Error>> = body.chunks(piece).map(|c| Ok(c.to_vec())).collect();
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(reqwest::Body::wrap_stream(futures_util::stream::iter(pieces)));
        for (n, v) in headers {
            req = req.header(*n, *v);
        }
        req.send().await.unwrap()
    }

    /// PATCH JSON with a token and `If-Match`.
    pub async fn patch(&self, path: &str, token: &str, etag: &str, body: &Value) -> Reply {
        self.send("PATCH", path, Some(token), Some(body), &[("if-match", etag)]).await
    }

    /// Creates an organisation as admin and returns it.
    pub async fn create_org(&self, body: Value) -> Value {
        let r = self.post("/api/v1/organizations", &self.admin, &body).await;
        assert_eq!(r.status, 201, "create org failed: {}", r.text);
        r.body
    }

    /// Creates a person as admin and returns them.
    pub async fn create_person(&self, body: Value) -> Value {
        let r = self.post("/api/v1/persons", &self.admin, &body).await;
        assert_eq!(r.status, 201, "create person failed: {}", r.text);
        r.body
    }

    /// A small region: the regional authority, two municipalities (A and B) each with an
    /// authority and a school.
    pub async fn seed_region(&self) -> Region {
        let region = self.create_org(json!({"name": "Министерство образования и науки Республики Бурятия", "kind": "regional_authority", "region_code": "03", "time_zone": "Asia/Irkutsk"})).await;
        let mun_a = self.create_org(json!({"name": "МУ РУО МО «Бичурский район»", "kind": "municipal_authority", "parent_id": region["id"], "municipality_code": "81606000", "municipality_name": "Бичурский район"})).await;
        let school_a = self.create_org(json!({"name": "МАОУ «Бичурская СОШ № 1»", "kind": "educational_organization", "parent_id": mun_a["id"]})).await;
        let mun_b = self.create_org(json!({"name": "МКУ РУО Кабанского района", "kind": "municipal_authority", "parent_id": region["id"], "municipality_code": "81625000", "municipality_name": "Кабанский район"})).await;
        let school_b = self
            .create_org(
                json!({"name": "МБОУ «Кабанская СОШ»", "kind": "educational_organization", "parent_id": mun_b["id"]}),
            )
            .await;
        Region { region, mun_a, school_a, mun_b, school_b }
    }
}

/// Organisations of a seeded region.
pub struct Region {
    /// Regional authority.
    pub region: Value,
    /// Municipal authority A.
    pub mun_a: Value,
    /// School in A.
    pub school_a: Value,
    /// Municipal authority B.
    pub mun_b: Value,
    /// School in B.
    pub school_b: Value,
}

/// The id of a JSON object.
pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// How many rows a table holds (to check what a refused request left behind).
pub async fn rows(app: &TestApp, table: &str) -> i64 {
    let db = rsnms_persistence::Database::connect(&rsnms_persistence::DbSettings::new(app.database_url.clone(), 1))
        .await
        .unwrap();
    let row = db
        .exec()
        .query_one_raw(sea_orm::Statement::from_string(db.backend(), format!("SELECT COUNT(*) AS n FROM {table}")))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

/// A small PDF-looking file (its magic bytes are PDF's), `n` bytes long, its content varied by
/// `seed`.
pub fn pdf(n: usize, seed: u8) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    v.extend((0..n.saturating_sub(v.len())).map(|i| u8::try_from(i % 251).unwrap().wrapping_add(seed)));
    v
}

/// The attachments path of a network request.
pub fn files(request: &Value) -> String {
    format!("/api/v1/network-requests/{}/attachments", id(request))
}

/// POSTs `bytes` as `media_type` to `path` (an upload, an import's body), with extra `headers`.
pub async fn upload(
    app: &TestApp,
    token: &str,
    path: &str,
    media_type: &str,
    bytes: &[u8],
    headers: &[(&str, &str)],
) -> Reply {
    let mut rb = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("content-type", media_type)
        .body(bytes.to_vec());
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    Reply::of(rb).await
}

/// Status, headers and bytes of a download, with extra `headers`.
pub async fn download(
    app: &TestApp,
    token: &str,
    url: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut rb = app.client.get(format!("{}{url}", app.base)).bearer_auth(token);
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    let res = rb.send().await.expect("download sent");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.bytes().await.unwrap().to_vec())
}
