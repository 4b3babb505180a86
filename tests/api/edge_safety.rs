//! The edge of the API under attack (issue 14 items 7 and 8): CSV exports safe to open in a
//! spreadsheet, headers on every answer, slow clients cut off, text a database cannot store
//! refused with the field named.

use std::time::{Duration, Instant};

use rsnms_domain::auth::Role;
use rsnms_http::middleware::Pace;
use rsnms_tests::{TestApp, fresh_database_url, id, spawn_app, spawn_with, test_settings};
use serde_json::json;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::{
    diagnostics::{area, campaign, competency, record, teacher},
    imports::import,
};

/// A formula a spreadsheet would run (the classic DDE payload).
const FORMULA: &str = "=cmd|' /C calc'!A0";

/// The cells of a CSV export (byte order mark dropped), parsed by a CSV reader.
fn cells(text: &str, delimiter: u8) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect()
}

/// Cells a spreadsheet would read as a formula: beginning with `=`, `+`, `-`, `@`, a tab or a
/// carriage return, unless a plain number.
fn formula_cells(rows: &[Vec<String>]) -> Vec<String> {
    let number = |c: &str| c.strip_prefix('-').is_some_and(|d| d.parse::<f64>().is_ok() && !d.starts_with(['+', '-']));
    rows.iter().flatten().filter(|c| c.starts_with(['=', '+', '-', '@', '\t', '\r']) && !number(c)).cloned().collect()
}

async fn export(app: &TestApp, token: &str, path: &str) -> String {
    let r = app.get(&format!("/api/v1/exports/federal/{path}"), token).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    assert!(r.header("content-type").unwrap_or_default().starts_with("text/csv"), "{path}");
    assert!(r.text.starts_with('\u{feff}'), "{path}: the byte order mark stays");
    r.text
}

#[tokio::test]
async fn every_csv_export_guards_formula_cells_and_an_exported_file_imports_back_unchanged() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let digital = area(&app, "Ц", "digital").await;
    let bad = id(&competency(&app, &digital, "Ц-1", FORMULA).await);
    let diag = campaign(&app, &r.region, &[&bad], "2026-01-10", "2026-02-10").await;
    let tutor = id(&app
        .create_person(json!({"surname": "Тьюторова", "first_name": "Анна", "organization_id": r.region["id"], "roles": ["tutor"]}))
        .await);
    let person = teacher(&app, &r.school_a, "Иванова").await;
    record(&app, &diag, json!([{"person_id": person, "competency_id": bad, "score": 10, "assessed_on": "2026-01-20"}]))
        .await;
    // Titles that spreadsheets would run, a negative-looking one, and one that already begins
    // with the guard character.
    let titles = [FORMULA, "+7 (999) 123-45-67", "-1+2", "@SUM(A1:A9)", "=1+1", "'=already quoted", "-12"];
    for t in titles {
        let p = app
            .post(
                "/api/v1/programs",
                &app.admin,
                &json!({"title": t, "kind": "qualification_upgrade", "hours": 36, "form": "distance",
                        "developer_id": r.region["id"], "competency_ids": [bad], "federal_registry": false}),
            )
            .await;
        assert_eq!(p.status, 201, "{t:?}: {}", p.text);
    }
    let route = json!({
        "person_id": person, "tutor_id": tutor, "period_start": "2026-03-01", "period_end": "2026-12-31",
        "diagnostic_ids": [diag["id"]], "deficit_competency_ids": [bad],
        "steps": [{"title": "@Курс", "competency_ids": [bad], "activity": "self_education",
                   "planned_start": "2026-03-01", "planned_end": "2026-04-01", "expected_result": "-",
                   "reporting_form": "open_lesson"}]
    });
    let created = app.post("/api/v1/routes", &app.admin, &route).await;
    assert_eq!(created.status, 201, "{}", created.text);

    let integration = app.token(Role::Integration, None, None);
    let period = "period_from=2026-01-01&period_to=2026-12-31&format=csv";
    for (path, must_show) in
        [("programs", "'=cmd|' /C calc'!A0"), ("routes", "'@Курс"), ("diagnostics", "'=cmd|' /C calc'!A0")]
    {
        for (delimiter, name) in [(b',', "comma"), (b';', "semicolon")] {
            let text = export(&app, &integration, &format!("{path}?{period}&delimiter={name}")).await;
            let rows = cells(&text, delimiter);
            assert!(rows.len() > 1, "{path}: rows expected: {text}");
            assert_eq!(formula_cells(&rows), Vec::<String>::new(), "{path} ({name}): no cell may run as a formula");
            assert!(rows.iter().flatten().any(|c| c == must_show), "{path}: the guarded value is kept: {text}");
        }
    }
    let programs = cells(&export(&app, &integration, &format!("programs?{period}")).await, b',');
    let shown: Vec<&str> = programs.iter().skip(1).map(|row| row[1].as_str()).collect();
    for expected in ["'+7 (999) 123-45-67", "'-1+2", "'@SUM(A1:A9)", "'=1+1", "''=already quoted", "-12"] {
        assert!(shown.contains(&expected), "{expected:?} in {shown:?}");
    }

    // The export read back by the importer: every value is what was stored (nothing changes).
    let text = export(&app, &integration, &format!("programs?{period}&delimiter=semicolon")).await;
    let back = import(&app, "programs", &app.admin, "text/csv", text.into_bytes()).await;
    assert_eq!(back.status, 200, "{}", back.text);
    assert_eq!(
        (back.body["created"].as_u64(), back.body["updated"].as_u64(), back.body["unchanged"].as_u64()),
        (Some(0), Some(0), Some(titles.len() as u64)),
        "{}",
        back.text
    );
    let stored = app.get("/api/v1/programs?limit=500", &app.admin).await;
    let mut stored: Vec<&str> =
        stored.body["items"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    stored.sort_unstable();
    let mut titles = titles.to_vec();
    titles.sort_unstable();
    assert_eq!(stored, titles);
}

/// A request (method, path, token, headers), its status and whether the answer is private.
type Case<'a> = (&'a str, &'a str, Option<&'a str>, &'a [(&'a str, &'a str)], u16, bool);

#[tokio::test]
async fn every_answer_says_nosniff_and_api_answers_are_not_stored() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let person = app
        .create_person(json!({"surname": "Иванова", "first_name": "Анна", "organization_id": r.school_a["id"],
                              "birth_date": "1980-01-02", "roles": ["teacher"]}))
        .await;
    let admin = app.admin.as_str();
    let person_path = format!("/api/v1/persons/{}", id(&person));
    let cases: [Case; 10] = [
        ("GET", person_path.as_str(), Some(admin), &[], 200, true),
        ("GET", "/api/v1/persons?limit=5", Some(admin), &[], 200, true),
        ("GET", "/api/v1/persons", None, &[], 401, true),
        ("GET", "/api/v1/no-such-thing", Some(admin), &[], 404, true),
        ("DELETE", "/api/v1/persons", Some(admin), &[], 405, true),
        (
            "OPTIONS",
            "/api/v1/persons",
            None,
            &[("origin", "https://frontend.example"), ("access-control-request-method", "GET")],
            200,
            true,
        ),
        ("GET", "/health/live", None, &[], 200, false),
        ("GET", "/metrics", None, &[], 200, false),
        ("GET", "/openapi.json", None, &[], 200, false),
        ("GET", "/docs/", None, &[], 200, false),
    ];
    for (method, path, token, headers, status, private) in cases {
        let res = app.send(method, path, token, None, headers).await;
        assert_eq!(res.status, status, "{method} {path}: {}", res.text);
        assert_eq!(res.header("x-content-type-options").as_deref(), Some("nosniff"), "{method} {path}");
        let cache = res.header("cache-control");
        if private {
            assert_eq!(cache.as_deref(), Some("no-store"), "{method} {path}: API answers may carry personal data");
        } else {
            assert_ne!(cache.as_deref(), Some("no-store"), "{method} {path}: public answers stay cacheable");
        }
    }
    let token = app
        .send(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"grant_type": "password",
        "username": "admin", "password": "admin-password-123"})),
            &[],
        )
        .await;
    assert_eq!(token.status, 200, "{}", token.text);
    assert_eq!(token.header("cache-control").as_deref(), Some("no-store"));
    let csv = app.get("/api/v1/exports/federal/programs?format=csv", admin).await;
    assert_eq!(
        (csv.header("x-content-type-options").as_deref(), csv.header("cache-control").as_deref()),
        (Some("nosniff"), Some("no-store"))
    );
}

#[tokio::test]
async fn text_holding_nul_is_refused_with_the_field_named_in_bodies_filters_imports_and_paths() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let admin = app.admin.as_str();
    let nul = "Ива\u{0}нова";
    let body = json!({"surname": nul, "first_name": "Анна", "organization_id": r.school_a["id"], "roles": ["teacher"],
                      "contacts": {"phone": "+7\u{0}"}});
    let res = app.post("/api/v1/persons", admin, &body).await;
    res.assert_problem(422);
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["contacts.phone", "surname"]);
    assert_eq!(res.body["errors"][0]["code"], "invalid_character");

    let en = app.send("POST", "/api/v1/persons", Some(admin), Some(&body), &[("accept-language", "en")]).await;
    assert!(en.body["errors"][0]["message"].as_str().unwrap().contains("U+0000"), "{}", en.text);

    let org = app.get(&format!("/api/v1/organizations/{}", id(&r.school_a)), admin).await;
    let patched = app
        .patch(&format!("/api/v1/organizations/{}", id(&r.school_a)), admin, &org.etag(), &json!({"name": "\u{0}"}))
        .await;
    patched.assert_problem(422);
    assert_eq!(patched.error_fields(), ["name"]);

    let token = app
        .send(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"grant_type": "password", "username": "ad\u{0}min",
            "password": "x"})),
            &[],
        )
        .await;
    token.assert_problem(422);
    assert_eq!(token.error_fields(), ["username"]);

    for filter in ["surname=%00", "surname=a%00b", "snils=%00"] {
        let res = app.get(&format!("/api/v1/persons?{filter}"), admin).await;
        res.assert_problem(422);
        assert_eq!(res.error_fields(), [filter.split('=').next().unwrap()], "{filter}");
    }
    app.get("/api/v1/monitoring/definitions/a%00b", admin).await.assert_problem(404);

    let csv = format!(
        "surname,first_name,organization_id,roles\nИванова,Анна,{},teacher\nПетрова,Ан\u{0}на,{},teacher\n",
        id(&r.school_a),
        id(&r.school_a)
    );
    let res = import(&app, "persons", admin, "text/csv", csv.into_bytes()).await;
    res.assert_problem(422);
    let errors = res.body["summary"]["errors"].as_array().unwrap();
    assert_eq!(
        (errors[0]["line"].as_u64(), errors[0]["field"].as_str()),
        (Some(3), Some("first_name")),
        "{}",
        res.text
    );
    assert_eq!(errors[0]["code"], "invalid_character");
    let ndjson = format!(
        "{}\n",
        json!({"surname": "Сидорова", "first_name": "Анна", "organization_id": r.school_a["id"],
        "roles": ["teacher"], "contacts": {"email": "a\u{0}@example.ru"}})
    );
    let res = import(&app, "persons", admin, "application/x-ndjson", ndjson.into_bytes()).await;
    res.assert_problem(422);
    assert_eq!(res.body["summary"]["errors"][0]["field"], "contacts.email", "{}", res.text);

    let persons = app.get("/api/v1/persons?limit=500", admin).await;
    assert_eq!(persons.body["items"], json!([]), "nothing half-written");
}

/// A server that gives request heads 1 s and bodies 1 s of waiting plus 1 ms per kilobyte.
async fn strict_app() -> TestApp {
    let mut settings = test_settings(&fresh_database_url().await);
    settings.pace =
        Pace { head_timeout: Duration::from_secs(1), body_min_rate: 1000, body_grace: Duration::from_secs(1) };
    spawn_with(settings).await
}

/// Sends `head` at once, then trickles `trickle` one byte every 250 ms (as a slow-loris client
/// does) while reading the answer; returns the answer and when it ended.
async fn trickle(app: &TestApp, head: String, trickle: &'static [u8]) -> (String, Duration) {
    let addr = app.base.trim_start_matches("http://").to_owned();
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let started = Instant::now();
    write.write_all(head.as_bytes()).await.unwrap();
    let writer = tokio::spawn(async move {
        for b in trickle {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if write.write_all(&[*b]).await.is_err() {
                break;
            }
        }
        write
    });
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), read.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .ok();
    let ended = started.elapsed();
    writer.abort();
    (String::from_utf8_lossy(&answer).into_owned(), ended)
}

#[tokio::test]
async fn a_client_that_sends_its_body_slowly_is_cut_off_with_408() {
    let app = strict_app().await;
    let head = format!(
        "POST /api/v1/organizations HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{{",
        app.admin
    );
    let (answer, ended) = trickle(&app, head, &[b' '; 200]).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json") && answer.contains("request-timeout"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
    assert!(ended < Duration::from_secs(15), "cut after about the grace period, not after 50 s: {ended:?}");
}

#[tokio::test]
async fn a_client_that_sends_its_request_head_slowly_is_cut_off() {
    let app = strict_app().await;
    let (answer, ended) = trickle(
        &app,
        "GET /health/live HTTP/1.1\r\nHost: localhost\r\n".into(),
        b"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(ended < Duration::from_secs(15), "{ended:?}");
}

#[tokio::test]
async fn a_streamed_import_at_a_normal_rate_is_not_cut_off_by_the_body_rate() {
    let app = strict_app().await;
    let r = app.seed_region().await;
    let school = id(&r.school_a);
    let mut csv = String::from("surname,first_name,organization_id,roles\n");
    for i in 0..1500 {
        csv.push_str(&format!("Фамилия{i},Анна,{school},teacher\n"));
    }
    let res = app.post_chunked("/api/v1/imports/persons", &app.admin, "text/csv", csv.as_bytes(), 4096, &[]).await;
    let status = res.status().as_u16();
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], 1500, "{body}");
}

#[tokio::test]
async fn the_published_spec_states_the_idempotency_key_rule_the_server_enforces() {
    let app = spawn_app().await;
    let spec = app.get("/openapi.json", &app.admin).await.body;
    let mut documented = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["name"] == "Idempotency-Key" {
                    documented += 1;
                    assert_eq!(
                        p["schema"],
                        json!({"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"}),
                        "{method} {path}"
                    );
                }
            }
        }
    }
    assert!(documented > 20, "every POST documents the header: {documented}");
    let r = app.seed_region().await;
    let org = |n: usize| json!({"name": format!("Школа {n}"), "kind": "educational_organization", "parent_id": r.mun_a["id"]});
    let longest = "k".repeat(255);
    for (n, (key, status)) in
        [(longest.as_str(), 201), ("~!x-1_A", 201), ("with space", 422), ("a\tb", 422), (&"k".repeat(256), 422)]
            .into_iter()
            .enumerate()
    {
        let res = app
            .send("POST", "/api/v1/organizations", Some(&app.admin), Some(&org(n)), &[("idempotency-key", key)])
            .await;
        assert_eq!(res.status, status, "{key:?}: {}", res.text);
        if status == 422 {
            assert_eq!(res.error_fields(), ["Idempotency-Key"]);
        }
    }
}
