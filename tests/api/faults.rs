//! Faults: a database that goes away and comes back, graceful shutdown under load, and two server
//! instances over one database.

use rsnms_tests::{engine, spawn_app, spawn_with, test_settings};
use sea_orm::{ConnectionTrait, Database};
use serde_json::json;

/// Whether this run has PostgreSQL (the outage tests need it; the PostgreSQL suite runs them in CI).
fn postgres_here() -> bool {
    if engine() == "postgres" {
        return true;
    }
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "this fault test needs PostgreSQL (TEST_DATABASE_URL); the PostgreSQL suite runs it in CI"
    );
    false
}

/// The app's database taken away: new sessions refused, open ones terminated.
struct Outage {
    admin: sea_orm::DatabaseConnection,
    name: String,
}

impl Outage {
    async fn begin(app: &rsnms_tests::TestApp) -> Self {
        let admin = Database::connect(&std::env::var("TEST_DATABASE_URL").unwrap()).await.unwrap();
        let name = app.database_url.rsplit('/').next().unwrap().to_owned();
        admin.execute_unprepared(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).await.unwrap();
        admin
            .execute_unprepared(&format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            ))
            .await
            .unwrap();
        Self { admin, name }
    }

    /// The database back.
    async fn end(&self) {
        self.admin.execute_unprepared(&format!("ALTER DATABASE {} ALLOW_CONNECTIONS true", self.name)).await.unwrap();
    }
}

#[tokio::test]
async fn a_database_outage_answers_503_with_retry_after_and_recovers_without_a_restart() {
    if !postgres_here() {
        return;
    }
    // Requests after the first 503 wait for the database this long before they too are 503.
    let mut settings = test_settings(&rsnms_tests::fresh_database_url().await);
    settings.db_acquire_timeout_ms = 300;
    let app = spawn_with(settings).await;
    assert_eq!(app.send("GET", "/health/ready", None, None, &[]).await.status, 200);
    let outage = Outage::begin(&app).await;

    let ready = app.send("GET", "/health/ready", None, None, &[]).await;
    ready.assert_problem(503);
    assert!(ready.header("retry-after").is_some());
    let api = app.get("/api/v1/organizations", &app.admin).await;
    api.assert_problem(503);
    assert!(api.header("retry-after").is_some());
    assert!(!api.text.to_lowercase().contains("sql") && !api.text.contains("postgres"), "no internals: {}", api.text);

    outage.end().await;
    let mut recovered = false;
    for _ in 0..50 {
        if app.get("/api/v1/organizations", &app.admin).await.status == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(recovered, "the server did not recover once the database came back");
    assert_eq!(app.send("GET", "/health/ready", None, None, &[]).await.status, 200);
}

/// The server's own count of requests in flight (the asking request included).
async fn in_flight(app: &rsnms_tests::TestApp) -> i64 {
    let m = app.send("GET", "/metrics", None, None, &[]).await;
    m.text
        .lines()
        .find_map(|l| l.strip_prefix("rsnms_http_requests_in_flight "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_graceful_stop_finishes_every_request_already_in_flight() {
    const CALLS: usize = 16;
    let app = spawn_app().await;
    // Each request sends its headers and half its body, then waits: it is in flight (the server is
    // reading it) when the stop begins, as under SIGTERM. The stop begins only once the server
    // itself counts every request in flight, and the bodies end only once the stop has begun —
    // no timing is assumed, however loaded the machine.
    let (go, _) = tokio::sync::broadcast::channel::<()>(1);
    let mut calls = Vec::new();
    for i in 0..CALLS {
        let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
        let url = format!("{}/api/v1/organizations", app.base);
        let token = app.admin.clone();
        let body = json!({"name": format!("Организация {i}"), "kind": "regional_methodological_association", "region_code": "03"}).to_string();
        let (head, tail) = body.split_at(body.len() / 2);
        let (head, tail) = (head.to_owned(), tail.to_owned());
        let go = go.subscribe();
        let stream = futures_util::stream::unfold((0, go), move |(step, mut go)| {
            let (head, tail) = (head.clone(), tail.clone());
            async move {
                match step {
                    0 => Some((Ok::<_, std::io::Error>(head.into_bytes()), (1, go))),
                    1 => {
                        let _ = go.recv().await;
                        Some((Ok(tail.into_bytes()), (2, go)))
                    }
                    _ => None,
                }
            }
        });
        calls.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(reqwest::Body::wrap_stream(stream))
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while in_flight(&app).await < i64::try_from(CALLS).unwrap() + 1 {
        assert!(std::time::Instant::now() < deadline, "the requests never reached the server");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let stopping = tokio::spawn(app.handle.clone().stop(true));
    // The stop has begun once the server accepts no new connection.
    let addr = app.base.trim_start_matches("http://").to_owned();
    while tokio::net::TcpStream::connect(&addr).await.is_ok() {
        assert!(std::time::Instant::now() < deadline, "the server never began to stop");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    go.send(()).unwrap();
    for c in calls {
        let status = c.await.unwrap().expect("an in-flight request was cut by the stop");
        assert_eq!(status, 201);
    }
    stopping.await.unwrap();
    // Every answered create is stored.
    let db = rsnms_persistence::Database::connect(&rsnms_persistence::DbSettings::new(app.database_url.clone(), 1))
        .await
        .unwrap();
    let row = db
        .exec()
        .query_one_raw(sea_orm::Statement::from_string(db.backend(), "SELECT COUNT(*) AS n FROM organizations"))
        .await
        .unwrap()
        .unwrap();
    let n: i64 = row.try_get("", "n").unwrap();
    assert_eq!(n, i64::try_from(CALLS).unwrap());
}

#[tokio::test]
async fn two_instances_over_one_database_keep_an_idempotency_key_single() {
    let first = spawn_app().await;
    let second = spawn_with(test_settings(&first.database_url)).await;
    let body = json!({"name": "ГАУ ДПО РБ «БРИОП»", "kind": "regional_institute", "region_code": "03"});
    let mut calls = Vec::new();
    for app in [&first, &second, &first, &second] {
        let client = app.client.clone();
        let url = format!("{}/api/v1/organizations", app.base);
        let token = first.admin.clone();
        let body = body.clone();
        calls.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .header("idempotency-key", "one-key")
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for c in calls {
        statuses.push(c.await.unwrap());
    }
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    assert!(statuses.contains(&201));
    let again = second
        .send("POST", "/api/v1/organizations", Some(&first.admin), Some(&body), &[("idempotency-key", "one-key")])
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    let list = first.get("/api/v1/organizations", &first.admin).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1, "exactly one organisation created");
}

/// A server whose idempotency leases last one second, with a "crash" injected for one key.
async fn with_fault(fault: &str) -> rsnms_tests::TestApp {
    let mut settings = test_settings(&rsnms_tests::fresh_database_url().await);
    settings.idempotency_lease_seconds = 1;
    settings.test_idempotency_fault = Some(fault.to_owned());
    spawn_with(settings).await
}

/// Retries a POST with its key until it is no longer 409 "in progress" (the dead run's lease
/// ends); the deadline is generous for a loaded machine, the lease is one second.
async fn retry_until_settled(
    app: &rsnms_tests::TestApp,
    path: &str,
    body: &serde_json::Value,
    key: &str,
) -> rsnms_tests::Reply {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let r = app.send("POST", path, Some(&app.admin), Some(body), &[("idempotency-key", key)]).await;
        if r.status != 409 || std::time::Instant::now() > deadline {
            return r;
        }
        assert_eq!(r.body["type"], "https://rsnms.ru/problems/idempotency-in-progress", "{}", r.text);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_retry_after_a_crash_between_the_change_and_its_stored_response_finds_the_change_and_never_makes_it_twice() {
    let app = with_fault("after:lost").await;
    let body = json!({"name": "ГАУ ДПО РБ «БРИОП»", "kind": "regional_institute", "region_code": "03"});
    let first =
        app.send("POST", "/api/v1/organizations", Some(&app.admin), Some(&body), &[("idempotency-key", "lost")]).await;
    first.assert_problem(503);
    let retry = retry_until_settled(&app, "/api/v1/organizations", &body, "lost").await;
    assert_eq!(retry.status, 303, "{}", retry.text);
    let location = retry.header("location").expect("the retry points at what the first run created");
    assert_eq!(retry.body["resource_type"], "organization");
    let list = app.get("/api/v1/organizations", &app.admin).await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "created exactly once");
    assert_eq!(location, format!("/api/v1/organizations/{}", items[0]["id"].as_str().unwrap()));
    assert_eq!(app.get(&location, &app.admin).await.status, 200);
    let again =
        app.send("POST", "/api/v1/organizations", Some(&app.admin), Some(&body), &[("idempotency-key", "lost")]).await;
    assert_eq!(again.status, 303, "the answer stays, never 409 again");
}

#[tokio::test]
async fn a_retry_after_a_crash_before_the_change_runs_the_request_once() {
    let app = with_fault("before:early").await;
    let body = json!({"name": "МБОУ СОШ № 1", "kind": "regional_institute", "region_code": "03"});
    let first =
        app.send("POST", "/api/v1/organizations", Some(&app.admin), Some(&body), &[("idempotency-key", "early")]).await;
    first.assert_problem(503);
    let retry = retry_until_settled(&app, "/api/v1/organizations", &body, "early").await;
    assert_eq!(retry.status, 201, "{}", retry.text);
    let replayed =
        app.send("POST", "/api/v1/organizations", Some(&app.admin), Some(&body), &[("idempotency-key", "early")]).await;
    assert_eq!(replayed.status, 201);
    assert_eq!(replayed.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(replayed.body, retry.body);
    let list = app.get("/api/v1/organizations", &app.admin).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1, "created exactly once");
}

#[tokio::test]
async fn a_key_whose_request_failed_before_changing_anything_is_free_again_at_once() {
    use crate::imports::import_with;
    let app = spawn_app().await;
    let key = [("idempotency-key", "imp")];
    // A 415 is answered before the body is read: the key is released, not stored.
    let refused = import_with(&app, "organizations", &app.admin, "text/plain", b"x".to_vec(), &key).await;
    refused.assert_problem(415);
    let ndjson = "{\"name\":\"ГБУ Центр\",\"kind\":\"regional_institute\",\"region_code\":\"03\"}\n";
    let ok = import_with(&app, "organizations", &app.admin, "application/x-ndjson", ndjson.into(), &key).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    // The streamed import uses the same mechanism: a retry replays, another body is refused.
    let replayed = import_with(&app, "organizations", &app.admin, "application/x-ndjson", ndjson.into(), &key).await;
    assert_eq!(replayed.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(replayed.body, ok.body);
    let other = ndjson.replace("Центр", "Центр 2");
    let other = import_with(&app, "organizations", &app.admin, "application/x-ndjson", other.into(), &key).await;
    other.assert_problem(422);
    let list = app.get("/api/v1/organizations", &app.admin).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn every_write_that_failed_in_an_outage_succeeds_once_when_retried_by_its_key() {
    if !postgres_here() {
        return;
    }
    let mut settings = test_settings(&rsnms_tests::fresh_database_url().await);
    settings.idempotency_lease_seconds = 1;
    settings.db_acquire_timeout_ms = 300;
    let app = spawn_with(settings).await;
    let outage = Outage::begin(&app).await;
    let bodies: Vec<_> = (0..5)
        .map(|i| json!({"name": format!("Организация {i}"), "kind": "regional_institute", "region_code": "03"}))
        .collect();
    for (i, body) in bodies.iter().enumerate() {
        let key = format!("outage-{i}");
        let r =
            app.send("POST", "/api/v1/organizations", Some(&app.admin), Some(body), &[("idempotency-key", &key)]).await;
        r.assert_problem(503);
    }
    outage.end().await;
    for (i, body) in bodies.iter().enumerate() {
        let key = format!("outage-{i}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let r = loop {
            let r = app
                .send("POST", "/api/v1/organizations", Some(&app.admin), Some(body), &[("idempotency-key", &key)])
                .await;
            if r.status == 201 || std::time::Instant::now() > deadline {
                break r;
            }
            assert!(r.status == 503 || r.status == 409, "{}", r.text);
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let list = app.get("/api/v1/organizations", &app.admin).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 5, "every write made exactly once");
}

#[tokio::test]
async fn instances_started_at_the_same_moment_on_an_empty_database_all_become_ready() {
    let url = rsnms_tests::fresh_database_url().await;
    let (a, b, c) =
        tokio::join!(spawn_with(test_settings(&url)), spawn_with(test_settings(&url)), spawn_with(test_settings(&url)));
    for app in [&a, &b, &c] {
        assert_eq!(app.send("GET", "/health/ready", None, None, &[]).await.status, 200);
    }
}

#[tokio::test]
async fn an_instance_older_than_the_database_schema_refuses_to_start_naming_the_unknown_migration() {
    let app = spawn_app().await;
    let db = rsnms_persistence::Database::connect(&rsnms_persistence::DbSettings::new(app.database_url.clone(), 1))
        .await
        .unwrap();
    db.exec()
        .execute_unprepared(
            "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m20991231_000001_from_the_future', 0)",
        )
        .await
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let Err(e) = rsnms::build(&test_settings(&app.database_url), listener).await else {
        panic!("an instance older than the schema started");
    };
    let message = format!("{e:#}");
    assert!(
        message.contains("newer than this binary") && message.contains("m20991231_000001_from_the_future"),
        "{message}"
    );
}

#[tokio::test]
async fn a_retry_after_a_crash_once_an_async_import_was_queued_finds_that_job_and_never_queues_a_second() {
    use crate::import_jobs::submit;
    let app = with_fault("after:queued").await;
    let body = "{\"name\":\"ГБУ Центр\",\"kind\":\"regional_institute\",\"region_code\":\"03\"}\n".as_bytes().to_vec();
    let key = [("idempotency-key", "queued")];
    let first = submit(&app, "organizations", &app.admin, body.clone(), &key).await;
    first.assert_problem(503);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let retry = loop {
        let r = submit(&app, "organizations", &app.admin, body.clone(), &key).await;
        if r.status != 409 || std::time::Instant::now() > deadline {
            break r;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(retry.status, 303, "the job was queued: the retry points at it: {}", retry.text);
    assert_eq!(retry.body["resource_type"], "import_job");
    let jobs = app.get("/api/v1/imports/jobs", &app.admin).await;
    let items = jobs.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "one job, never a second: {}", jobs.text);
    let location = retry.header("location").expect("the retry names the job's path");
    assert_eq!(location, format!("/api/v1/imports/jobs/{}", items[0]["id"].as_str().unwrap()));
    assert_eq!(app.get(&location, &app.admin).await.status, 200);
}

#[tokio::test]
async fn requests_waiting_when_the_database_comes_back_are_served_and_a_keyed_write_is_stored_once() {
    if !postgres_here() {
        return;
    }
    let mut settings = test_settings(&rsnms_tests::fresh_database_url().await);
    // Generous for a loaded machine; the database is let back in as soon as every request waits.
    settings.db_acquire_timeout_ms = 8000;
    let app = spawn_with(settings).await;
    let outage = Outage::begin(&app).await;
    // The outage is seen (the readiness probe, as a load balancer's, answers 503 at once).
    app.send("GET", "/health/ready", None, None, &[]).await.assert_problem(503);

    let started = std::time::Instant::now();
    let body = json!({"name": "ГАУ ДПО РБ «БРИОП»", "kind": "regional_institute", "region_code": "03"});
    let write =
        app.send("POST", "/api/v1/organizations", Some(&app.admin), Some(&body), &[("idempotency-key", "back")]);
    let reads = futures_util::future::join_all((0..3).map(|_| app.get("/api/v1/organizations", &app.admin)));
    let back = async {
        // Every request is in flight (4, and the asking one) before the database is let back in.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while in_flight(&app).await < 5 && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        outage.end().await;
    };
    let (write, reads, ()) = tokio::join!(write, reads, back);
    assert_eq!(write.status, 201, "{}", write.text);
    for r in &reads {
        assert_eq!(r.status, 200, "a read waiting for the database is served: {}", r.text);
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(8), "served when the database came back");
    let again =
        app.send("POST", "/api/v1/organizations", Some(&app.admin), Some(&body), &[("idempotency-key", "back")]).await;
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    let list = app.get("/api/v1/organizations", &app.admin).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1, "the write is stored once");
}
