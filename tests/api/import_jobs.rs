//! Asynchronous imports: `POST /api/v1/imports/{dataset}` with `Prefer: respond-async`, and the
//! jobs at `/api/v1/imports/jobs`.

use std::time::Duration;

use rsnms_domain::auth::Role;
use rsnms_tests::{Region, Reply, TestApp, fresh_database_url, id, spawn_app, spawn_with, test_settings};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::imports::{import, snils};

fn person(r: &Region, n: u32, surname: &str) -> Value {
    json!({"surname": surname, "first_name": "Анна", "organization_id": r.school_a["id"], "roles": ["teacher"], "snils": snils(n)})
}

fn ndjson(lines: &[Value]) -> Vec<u8> {
    lines.iter().map(|l| format!("{l}\n")).collect::<String>().into_bytes()
}

/// Submits an asynchronous import.
pub async fn submit(app: &TestApp, path: &str, token: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> Reply {
    let mut rb = app
        .client
        .post(format!("{}/api/v1/imports/{path}", app.base))
        .bearer_auth(token)
        .header("content-type", "application/x-ndjson")
        .header("prefer", "respond-async")
        .body(body);
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    let res = rb.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, headers, body, text }
}

/// Polls a job until it has ended; returns every state seen on the way, the last one ended.
pub async fn until_ended(app: &TestApp, location: &str, token: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    for _ in 0..3000 {
        let r = app.get(location, token).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let status = r.body["status"].as_str().unwrap().to_owned();
        seen.push(r.body);
        if matches!(status.as_str(), "succeeded" | "failed" | "cancelled") {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the job at {location} did not end: {:?}", seen.last());
}

async fn persons_of(app: &TestApp) -> Vec<Value> {
    let r = app.get("/api/v1/persons?limit=500", &app.admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"].as_array().unwrap().clone()
}

async fn stored_pieces(app: &TestApp) -> i64 {
    let conn = &app.store.db.exec();
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM import_job_chunks",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// A body with good records, a malformed line and a record failing validation.
fn mixed_body(r: &Region) -> Vec<u8> {
    let mut bad = person(r, 3, "Сидорова");
    bad["snils"] = json!("112-233-445 96");
    let mut body = ndjson(&[person(r, 1, "Иванова"), person(r, 2, "Петрова")]);
    body.extend_from_slice(b"{\"surname\": \"broken\n");
    body.extend(ndjson(&[bad, person(r, 4, "Орлова")]));
    body
}

#[tokio::test]
async fn an_async_import_answers_202_and_its_job_ends_with_the_summary_a_synchronous_import_gives() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let res = submit(&app, "persons?atomic=false&id_scheme=snils", &app.admin, mixed_body(&r), &[]).await;
    assert_eq!(res.status, 202, "{}", res.text);
    let location = res.header("location").unwrap();
    assert_eq!(location, format!("/api/v1/imports/jobs/{}", id(&res.body)));
    assert_eq!(res.header("preference-applied").as_deref(), Some("respond-async"));
    assert!(matches!(res.body["status"].as_str(), Some("queued" | "running" | "succeeded")), "{}", res.text);
    assert_eq!(res.body["options"]["atomic"], false);
    assert_eq!(res.body["options"]["id_scheme"], "snils");
    assert_eq!(res.body["body_bytes"].as_u64(), Some(mixed_body(&r).len() as u64));

    let job = until_ended(&app, &location, &app.admin).await.pop().unwrap();
    assert_eq!(job["status"], "succeeded", "{job}");
    assert!(job["problem"].is_null());
    assert_eq!(persons_of(&app).await.len(), 3);
    assert_eq!(stored_pieces(&app).await, 0, "the stored body is dropped when the job ends");

    // The same body, synchronously, on a twin database: the same summary.
    let twin = spawn_app().await;
    let tr = twin.seed_region().await;
    let body = mixed_body(&tr);
    let sync = import(&twin, "persons?atomic=false&id_scheme=snils", &twin.admin, "application/x-ndjson", body).await;
    assert_eq!(sync.status, 200, "{}", sync.text);
    assert_eq!(job["summary"], sync.body);
    for n in ["received", "created", "updated", "unchanged", "rejected"] {
        assert_eq!(job["progress"][n], sync.body[n], "progress.{n} ends equal to the summary");
    }
    assert_eq!((sync.body["created"].as_u64(), sync.body["rejected"].as_u64()), (Some(3), Some(2)));
}

#[tokio::test]
async fn a_running_job_shows_its_progress_as_its_batches_commit() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let total = 3000; // more than one committed batch (2 000 lines)
    let body = ndjson(&(1..=total).map(|n| person(&r, n, "Пакетная")).collect::<Vec<_>>());
    let res = submit(&app, "persons?atomic=false", &app.admin, body, &[]).await;
    assert_eq!(res.status, 202, "{}", res.text);
    let seen = until_ended(&app, &res.header("location").unwrap(), &app.admin).await;
    let received: Vec<u64> = seen.iter().map(|j| j["progress"]["received"].as_u64().unwrap()).collect();
    assert!(received.windows(2).all(|w| w[0] <= w[1]), "progress never goes back: {received:?}");
    assert!(
        seen.iter().any(|j| j["status"] == "running"
            && (1..u64::from(total)).contains(&j["progress"]["received"].as_u64().unwrap())
            && j["progress"]["created"] == j["progress"]["received"]),
        "a running job shows how far it got: {received:?}"
    );
    let last = seen.last().unwrap();
    assert_eq!(last["status"], "succeeded");
    assert_eq!(last["progress"]["created"].as_u64(), Some(u64::from(total)));
    assert!(last["started_at"].is_string() && last["finished_at"].is_string());
}

#[tokio::test]
async fn a_failed_atomic_job_leaves_nothing_and_carries_the_problem() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let res = submit(&app, "persons", &app.admin, mixed_body(&r), &[("accept-language", "en")]).await;
    assert_eq!(res.status, 202, "{}", res.text);
    let location = res.header("location").unwrap();
    let job = until_ended(&app, &location, &app.admin).await.pop().unwrap();
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["problem"]["status"], 422);
    assert_eq!(job["problem"]["type"], "https://rsnms.ru/problems/import-rejected");
    assert_eq!(job["problem"]["title"], "Загрузка отклонена", "rendered in the reader's language");
    assert_eq!((job["summary"]["received"].as_u64(), job["summary"]["rejected"].as_u64()), (Some(5), Some(2)));
    assert_eq!(job["summary"]["committed"], false);
    assert_eq!(job["summary"]["errors"][0]["line"], 3);
    assert!(persons_of(&app).await.is_empty(), "all or nothing: the good records are not kept");
    let en = app.send("GET", &location, Some(&app.admin), None, &[("accept-language", "en")]).await;
    assert_eq!(en.body["problem"]["title"], "Import rejected");
    assert_eq!(stored_pieces(&app).await, 0);
}

#[tokio::test]
async fn another_account_gets_404_for_a_job_and_lists_only_its_own() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let municipal_a = app.token(Role::Municipal, Some(&r.mun_a), None);
    let municipal_b = app.token(Role::Municipal, Some(&r.mun_b), None);
    let res = submit(&app, "persons", &municipal_a, ndjson(&[person(&r, 1, "Своя")]), &[]).await;
    assert_eq!(res.status, 202, "{}", res.text);
    let location = res.header("location").unwrap();
    let job = until_ended(&app, &location, &municipal_a).await.pop().unwrap();
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["summary"]["created"], 1, "run with the submitter's scope: {job}");

    app.get(&location, &municipal_b).await.assert_problem(404);
    let ghost = format!("/api/v1/imports/jobs/{}", uuid::Uuid::now_v7());
    app.get(&ghost, &municipal_a).await.assert_problem(404);
    assert_eq!(app.get(&location, &app.admin).await.status, 200, "administrators see every job");

    let own = app.get("/api/v1/imports/jobs", &municipal_a).await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert_eq!(own.body["items"].as_array().unwrap().len(), 1);
    let other = app.get("/api/v1/imports/jobs", &municipal_b).await;
    assert!(other.body["items"].as_array().unwrap().is_empty(), "{}", other.text);
}

#[tokio::test]
async fn a_job_runs_as_its_submitter_so_records_outside_their_scope_are_rejected() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let municipal_a = app.token(Role::Municipal, Some(&r.mun_a), None);
    let mut foreign = person(&r, 2, "Чужая");
    foreign["organization_id"] = r.school_b["id"].clone();
    let res = submit(&app, "persons?atomic=false", &municipal_a, ndjson(&[person(&r, 1, "Своя"), foreign]), &[]).await;
    assert_eq!(res.status, 202, "{}", res.text);
    let job = until_ended(&app, &res.header("location").unwrap(), &municipal_a).await.pop().unwrap();
    assert_eq!((job["summary"]["created"].as_u64(), job["summary"]["rejected"].as_u64()), (Some(1), Some(1)));
    assert_eq!(job["summary"]["errors"][0]["field"], "organization_id");
}

#[tokio::test]
async fn an_idempotent_retry_of_an_async_import_returns_the_same_job() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let body = ndjson(&[person(&r, 1, "Иванова"), person(&r, 2, "Петрова")]);
    let key = [("idempotency-key", "async-import-1")];
    let first = submit(&app, "persons?mode=create", &app.admin, body.clone(), &key).await;
    assert_eq!(first.status, 202, "{}", first.text);
    let location = first.header("location").unwrap();
    until_ended(&app, &location, &app.admin).await;
    let again = submit(&app, "persons?mode=create", &app.admin, body.clone(), &key).await;
    assert_eq!(again.status, 202, "{}", again.text);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.header("location"), Some(location.clone()));
    assert_eq!(again.body["id"], first.body["id"]);
    let other = submit(&app, "persons?mode=create", &app.admin, ndjson(&[person(&r, 3, "Сидорова")]), &key).await;
    other.assert_problem(422);
    assert_eq!(other.error_fields(), vec!["Idempotency-Key"]);
    let jobs = app.get("/api/v1/imports/jobs", &app.admin).await;
    assert_eq!(jobs.body["items"].as_array().unwrap().len(), 1, "one job: {}", jobs.text);
    assert_eq!(persons_of(&app).await.len(), 2);
}

#[tokio::test]
async fn an_async_import_over_the_size_limit_is_refused_and_leaves_no_job() {
    let url = fresh_database_url().await;
    let mut settings = test_settings(&url);
    settings.exchange.import_max_bytes = 1000;
    let app = spawn_with(settings).await;
    let r = app.seed_region().await;
    let body = ndjson(&(1..=20).map(|n| person(&r, n, "Лишняя")).collect::<Vec<_>>());
    // Chunked (no Content-Length): the limit is met while the body streams into storage.
    let res = app
        .post_chunked(
            "/api/v1/imports/persons",
            &app.admin,
            "application/x-ndjson",
            &body,
            300,
            &[("prefer", "respond-async")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 413);
    let jobs = app.get("/api/v1/imports/jobs", &app.admin).await;
    assert!(jobs.body["items"].as_array().unwrap().is_empty(), "{}", jobs.text);
    assert_eq!(stored_pieces(&app).await, 0, "nothing of the cut-off body is kept");
}

#[tokio::test]
async fn a_queued_job_can_be_cancelled_and_an_ended_one_cannot() {
    // No worker runs here after its first (idle) round: jobs stay queued.
    let url = fresh_database_url().await;
    let mut settings = test_settings(&url);
    settings.exchange.import_job_poll_ms = 3_600_000;
    let app = spawn_with(settings).await;
    let r = app.seed_region().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let res = submit(&app, "persons", &app.admin, ndjson(&[person(&r, 1, "Иванова")]), &[]).await;
    assert_eq!(res.status, 202, "{}", res.text);
    assert_eq!(res.body["status"], "queued");
    let location = res.header("location").unwrap();
    let read = app.get(&location, &app.admin).await;
    app.send("DELETE", &location, Some(&app.admin), None, &[]).await.assert_problem(428);
    let cancelled = app.send("DELETE", &location, Some(&app.admin), None, &[("if-match", &read.etag())]).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(stored_pieces(&app).await, 0);
    let again = app.send("DELETE", &location, Some(&app.admin), None, &[("if-match", &cancelled.etag())]).await;
    again.assert_problem(409);
    // A worker never takes a cancelled job.
    let ran = rsnms::import_jobs::import_round(app.store.units.as_ref(), &jobs_of(&app), "test-worker").await.unwrap();
    assert!(!ran);
    assert!(persons_of(&app).await.is_empty());
}

fn jobs_of(app: &TestApp) -> std::sync::Arc<dyn rsnms_domain::exchange::ImportJobRepository> {
    app.store.import_jobs.clone()
}

#[tokio::test]
async fn two_instances_over_one_database_run_every_job_exactly_once() {
    let first = spawn_app().await;
    let second = spawn_with(test_settings(&first.database_url)).await;
    let r = first.seed_region().await;
    let mut locations = Vec::new();
    for k in 0..6u32 {
        let app = if k % 2 == 0 { &first } else { &second };
        let body = ndjson(&(1..=40).map(|n| person(&r, k * 100 + n, "Параллельная")).collect::<Vec<_>>());
        let res = submit(app, "persons?mode=create", &first.admin, body, &[]).await;
        assert_eq!(res.status, 202, "{}", res.text);
        locations.push(res.header("location").unwrap());
    }
    for (k, location) in locations.iter().enumerate() {
        let app = if k % 2 == 0 { &second } else { &first };
        let job = until_ended(app, location, &first.admin).await.pop().unwrap();
        assert_eq!(job["status"], "succeeded", "{job}");
        assert_eq!(job["summary"]["created"], 40, "created once, never rejected as existing: {job}");
        assert_eq!(job["attempts"], 1, "{job}");
    }
    let page = first.get("/api/v1/persons?limit=500&name=Параллельная", &first.admin).await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 240);
}

#[tokio::test]
async fn a_job_whose_worker_died_is_taken_again_and_resumes_after_its_last_commit() {
    use rsnms_domain::exchange::{ImportSummary, jobs::Checkpoint};
    // No worker runs here after its first (idle) round: the test plays both workers.
    let url = fresh_database_url().await;
    let mut settings = test_settings(&url);
    settings.exchange.import_job_poll_ms = 3_600_000;
    let app = spawn_with(settings).await;
    let r = app.seed_region().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let body = ndjson(&(1..=5).map(|n| person(&r, n, "Возобновлённая")).collect::<Vec<_>>());
    let res = submit(&app, "persons?atomic=false&mode=create", &app.admin, body, &[]).await;
    assert_eq!(res.status, 202, "{}", res.text);
    let job_id: uuid::Uuid = id(&res.body).parse().unwrap();

    // A worker leases the job, commits the first record with its checkpoint, and dies (its
    // lease runs out at once).
    let jobs = jobs_of(&app);
    let dead = jobs.lease("dead-worker", -1).await.unwrap().unwrap();
    assert_eq!(dead.id, job_id);
    app.create_person(person(&r, 1, "Возобновлённая")).await;
    let first = ImportSummary { received: 1, created: 1, ..ImportSummary::default() };
    jobs.checkpoint(job_id, "dead-worker", &Checkpoint { summary: first, last: false }, -1).await.unwrap();

    let ran = rsnms::import_jobs::import_round(app.store.units.as_ref(), &jobs, "live-worker").await.unwrap();
    assert!(ran);
    let job = app.get(&format!("/api/v1/imports/jobs/{job_id}"), &app.admin).await.body;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["attempts"], 2);
    assert_eq!(
        (job["summary"]["received"].as_u64(), job["summary"]["created"].as_u64(), job["summary"]["rejected"].as_u64()),
        (Some(5), Some(5), Some(0)),
        "the committed record is not applied again (mode=create would reject it): {job}"
    );
    assert_eq!(persons_of(&app).await.len(), 5);
    // The dead worker can no longer record anything.
    let end = Checkpoint { summary: ImportSummary::default(), last: true };
    assert!(jobs.checkpoint(job_id, "dead-worker", &end, 60).await.is_err());
}
