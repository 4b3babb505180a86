//! Bulk imports: `POST /api/v1/imports/{dataset}` with NDJSON and CSV bodies.

use rsnms::exchange::ExchangeSettings;
use rsnms_domain::auth::Role;
use rsnms_tests::{Region, Reply, TestApp, id, spawn_app, spawn_with, test_settings};
use serde_json::{Value, json};

/// A valid СНИЛС built from a number (the checksum computed).
pub fn snils(n: u32) -> String {
    let digits = format!("{:09}", 2_000_000 + n);
    let sum: u32 = digits.chars().enumerate().map(|(i, c)| c.to_digit(10).unwrap() * (9 - i as u32)).sum();
    let check = match sum {
        s if s < 100 => s,
        100 | 101 => 0,
        s => (s % 101) % 100,
    };
    format!("{}-{}-{} {:02}", &digits[0..3], &digits[3..6], &digits[6..9], check)
}

/// A valid ten-digit ИНН built from a number.
pub fn inn(n: u32) -> String {
    let nine = format!("{:09}", 30_000_000 + n);
    let w = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    let sum: u32 = nine.chars().zip(w).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    format!("{nine}{}", (sum % 11) % 10)
}

/// Encodes text as Windows-1251 (Cyrillic, ASCII and the few signs the tests use).
fn cp1251(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            'А'..='я' => (c as u32 - 'А' as u32 + 0xC0) as u8,
            'Ё' => 0xA8,
            'ё' => 0xB8,
            '«' => 0xAB,
            '»' => 0xBB,
            '№' => 0xB9,
            c if c.is_ascii() => c as u8,
            other => panic!("not in the test's CP1251 table: {other}"),
        })
        .collect()
}

pub async fn import(app: &TestApp, path: &str, token: &str, content_type: &str, body: Vec<u8>) -> Reply {
    import_with(app, path, token, content_type, body, &[]).await
}

pub async fn import_with(
    app: &TestApp,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
    headers: &[(&str, &str)],
) -> Reply {
    rsnms_tests::upload(app, token, &format!("/api/v1/imports/{path}"), content_type, &body, headers).await
}

pub fn person(r: &Region, n: u32, surname: &str) -> Value {
    json!({"surname": surname, "first_name": "Анна", "organization_id": r.school_a["id"], "roles": ["teacher"], "snils": snils(n)})
}

pub fn ndjson(lines: &[Value]) -> Vec<u8> {
    lines.iter().map(|l| format!("{l}\n")).collect::<String>().into_bytes()
}

pub async fn persons_of(app: &TestApp) -> Vec<Value> {
    let r = app.get("/api/v1/persons?limit=500", &app.admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"].as_array().unwrap().clone()
}

/// Every person the admin sees matching a query (`&name=…`), page by page.
pub async fn every_person(app: &TestApp, query: &str) -> Vec<Value> {
    let mut everyone = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app.get(&format!("/api/v1/persons?limit=500{query}{cursor}"), &app.admin).await;
        assert_eq!(page.status, 200, "{}", page.text);
        everyone.extend(page.body["items"].as_array().unwrap().iter().cloned());
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    everyone
}

#[tokio::test]
async fn persons_import_from_ndjson_then_upserts_by_snils_and_counts_unchanged_records() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let body = ndjson(&[person(&r, 1, "Иванова"), person(&r, 2, "Петрова")]);
    let first = import(&app, "persons", &app.admin, "application/x-ndjson", body).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["received"], 2);
    assert_eq!(first.body["created"], 2);
    assert_eq!(first.body["committed"], true);
    assert_eq!(persons_of(&app).await.len(), 2);

    // The same people again, one with a new position; matched by СНИЛС, not duplicated.
    let mut changed = person(&r, 2, "Петрова");
    changed["position"] = json!("учитель физики");
    let body = ndjson(&[person(&r, 1, "Иванова"), changed]);
    let second = import(&app, "persons?id_scheme=snils", &app.admin, "application/x-ndjson", body).await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!((second.body["created"].as_u64(), second.body["updated"].as_u64()), (Some(0), Some(1)));
    assert_eq!(second.body["unchanged"], 1);
    let all = persons_of(&app).await;
    assert_eq!(all.len(), 2);
    let petrova = all.iter().find(|p| p["surname"] == "Петрова").unwrap();
    assert_eq!(petrova["position"], "учитель физики");
    assert_eq!(petrova["version"], 2);
    let ivanova = all.iter().find(|p| p["surname"] == "Иванова").unwrap();
    assert_eq!(ivanova["version"], 1, "an unchanged record is not written");
}

#[tokio::test]
async fn a_malformed_line_rejects_an_atomic_import_naming_its_line_and_nothing_is_written() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let mut bad = person(&r, 3, "Сидорова");
    bad["snils"] = json!("112-233-445 96");
    let mut body = ndjson(&[person(&r, 1, "Иванова")]);
    body.extend_from_slice(b"{\"surname\": \"broken\n\n");
    body.extend(ndjson(&[bad]));
    let res = import(&app, "persons", &app.admin, "application/x-ndjson", body).await;
    res.assert_problem(422);
    let s = &res.body["summary"];
    assert_eq!(
        (s["received"].as_u64(), s["rejected"].as_u64(), s["committed"].as_bool()),
        (Some(3), Some(2), Some(false))
    );
    let errors = s["errors"].as_array().unwrap();
    assert_eq!(errors[0]["line"], 2);
    assert_eq!(errors[0]["code"], "malformed");
    assert_eq!(errors[1]["line"], 4, "the blank line 3 is skipped but counted");
    assert_eq!(errors[1]["field"], "snils");
    assert!(persons_of(&app).await.is_empty(), "all or nothing: the good first line is not kept");
}

#[tokio::test]
async fn with_atomic_false_the_good_lines_are_kept() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let body = ndjson(&[
        person(&r, 1, "Иванова"),
        json!({"surname": "Без организации", "first_name": "Ольга"}),
        person(&r, 1, "Дубликат"),
        person(&r, 2, "Петрова"),
    ]);
    let res = import(&app, "persons?atomic=false&mode=create", &app.admin, "application/x-ndjson", body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["created"].as_u64(), res.body["rejected"].as_u64()), (Some(2), Some(2)));
    let errors = res.body["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e["line"] == 2 && e["field"] == "organization_id" && e["code"] == "required"));
    assert!(errors.iter().any(|e| e["line"] == 3 && e["field"] == "snils" && e["code"] == "conflict"));
    let names: Vec<String> = persons_of(&app).await.iter().map(|p| p["surname"].as_str().unwrap().to_owned()).collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"Иванова".to_owned()) && names.contains(&"Петрова".to_owned()));
}

#[tokio::test]
async fn a_dry_run_reports_what_would_happen_and_writes_nothing() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let before = app.get("/api/v1/changes", &app.admin).await.body["items"].as_array().unwrap().len();
    let body = ndjson(&[person(&r, 1, "Иванова"), person(&r, 2, "Петрова")]);
    let res = import(&app, "persons?dry_run=true", &app.admin, "application/x-ndjson", body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["created"].as_u64(), res.body["dry_run"].as_bool()), (Some(2), Some(true)));
    assert_eq!(res.body["committed"], false);
    assert!(persons_of(&app).await.is_empty());
    let after = app.get("/api/v1/changes", &app.admin).await.body["items"].as_array().unwrap().len();
    assert_eq!(before, after, "a dry run publishes no events");
}

#[tokio::test]
async fn organizations_import_from_windows_1251_csv_and_match_by_inn() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let parent = id(&r.mun_a);
    let csv = format!(
        "name;kind;parent_id;inn;contacts.address\n\
         МАОУ «Школа № 2»;educational_organization;{parent};{};\"с. Бичура; ул. Советская, 1\"\n\
         МАОУ «Школа № 3»;educational_organization;{parent};{};\n",
        inn(1),
        inn(2)
    );
    let res =
        import(&app, "organizations?id_scheme=inn", &app.admin, "text/csv; charset=windows-1251", cp1251(&csv)).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["created"], 2);
    let list = app.get(&format!("/api/v1/organizations?parent_id={parent}"), &app.admin).await;
    let school2 = list.body["items"].as_array().unwrap().iter().find(|o| o["inn"] == inn(1)).unwrap().clone();
    assert_eq!(school2["name"], "МАОУ «Школа № 2»");
    assert_eq!(school2["municipality_code"], r.mun_a["municipality_code"], "inherited from the parent");
    assert_eq!(school2["contacts"]["address"], "с. Бичура; ул. Советская, 1");

    // UTF-8 with a comma delimiter: a rename matched by ИНН updates in place.
    let csv = format!("inn,name\n{},МАОУ «Бичурская школа № 2»\n", inn(1));
    let res = import(&app, "organizations?id_scheme=inn", &app.admin, "text/csv", csv.into_bytes()).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["updated"].as_u64(), res.body["created"].as_u64()), (Some(1), Some(0)));
    let got = app.get(&format!("/api/v1/organizations/{}", id(&school2)), &app.admin).await;
    assert_eq!(got.body["name"], "МАОУ «Бичурская школа № 2»");
    assert_eq!(got.body["version"], 2);
}

#[tokio::test]
async fn a_retried_import_with_the_same_idempotency_key_creates_nothing_twice() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let body = ndjson(&[person(&r, 1, "Иванова"), person(&r, 2, "Петрова")]);
    let key = [("idempotency-key", "import-2026-11-23-persons")];
    let first = import_with(&app, "persons?mode=create", &app.admin, "application/x-ndjson", body.clone(), &key).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let again = import_with(&app, "persons?mode=create", &app.admin, "application/x-ndjson", body.clone(), &key).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.body, first.body);
    assert_eq!(persons_of(&app).await.len(), 2);
    let other = ndjson(&[person(&r, 3, "Сидорова")]);
    let reused = import_with(&app, "persons?mode=create", &app.admin, "application/x-ndjson", other, &key).await;
    reused.assert_problem(422);
    assert_eq!(reused.error_fields(), vec!["Idempotency-Key"]);
    assert_eq!(persons_of(&app).await.len(), 2);
}

#[tokio::test]
async fn a_body_far_larger_than_the_json_limit_streams_through() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    // 400 records of ~300 bytes: about twice the 64 KiB JSON body limit of the test server.
    let lines: Vec<Value> = (1..=400)
        .map(|n| {
            let mut p = person(&r, n, "Загружаемая");
            p["position"] = json!("учитель начальных классов ".repeat(7).trim().to_owned());
            p
        })
        .collect();
    let body = ndjson(&lines);
    assert!(body.len() > 2 * 64 * 1024);
    let res = import(&app, "persons", &app.admin, "application/x-ndjson", body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["created"], 400);
    let page = app.get("/api/v1/persons?limit=500&name=Загружаемая", &app.admin).await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 400);
}

#[tokio::test]
async fn an_import_over_the_configured_size_is_refused_and_leaves_nothing() {
    let mut settings = test_settings(&app_url().await);
    settings.exchange = ExchangeSettings { import_max_bytes: 1000, ..ExchangeSettings::for_tests() };
    let app = spawn_with(settings).await;
    let r = app.seed_region().await;
    let body = ndjson(&(1..=20).map(|n| person(&r, n, "Лишняя")).collect::<Vec<_>>());
    assert!(body.len() > 1000);
    let res = import(&app, "persons", &app.admin, "application/x-ndjson", body).await;
    res.assert_problem(413);
    assert!(persons_of(&app).await.is_empty());
}

#[tokio::test]
async fn a_kept_lines_import_cut_off_by_the_size_limit_keeps_the_batches_read_before_it() {
    let probe = spawn_app().await;
    let r = probe.seed_region().await;
    let lines: Vec<String> = (1..=3000).map(|n| format!("{}\n", person(&r, n, "Обрезанная"))).collect();
    let first_batch: usize = lines[..2000].iter().map(String::len).sum();
    let mut settings = test_settings(&probe.database_url);
    settings.exchange =
        ExchangeSettings { import_max_bytes: first_batch as u64 + 64 * 1024, ..ExchangeSettings::for_tests() };
    let app = spawn_with(settings).await;
    // Chunked (no Content-Length): the limit is met while the second batch is read, as the
    // first one is being written.
    let body = lines.concat().into_bytes();
    let res = app
        .post_chunked("/api/v1/imports/persons?atomic=false", &app.admin, "application/x-ndjson", &body, 16 * 1024, &[])
        .await;
    assert_eq!(res.status().as_u16(), 413);
    let kept = every_person(&app, "&name=Обрезанная").await.len();
    assert_eq!(kept, 2000, "the batch written before the body was cut off is kept, nothing after it");
}

async fn app_url() -> String {
    // A fresh database of the current engine, through the harness.
    let probe = spawn_app().await;
    probe.database_url.clone()
}

#[tokio::test]
async fn imports_refuse_unknown_datasets_other_roles_and_other_media_types() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let body = ndjson(&[person(&r, 1, "Иванова")]);
    import(&app, "wizards", &app.admin, "application/x-ndjson", body.clone()).await.assert_problem(404);
    let teacher = app.token(Role::Teacher, Some(&r.school_a), Some(&uuid::Uuid::now_v7().to_string()));
    import(&app, "persons", &teacher, "application/x-ndjson", body.clone()).await.assert_problem(403);
    import(&app, "persons", &app.admin, "application/xml", body.clone()).await.assert_problem(415);
    let bad = import(&app, "persons?id_scheme=inn", &app.admin, "application/x-ndjson", body).await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), vec!["id_scheme"]);
}

#[tokio::test]
async fn a_municipality_imports_only_into_its_own_institutions() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let municipal = app.token(Role::Municipal, Some(&r.mun_a), None);
    let mut foreign = person(&r, 2, "Чужая");
    foreign["organization_id"] = r.school_b["id"].clone();
    let body = ndjson(&[person(&r, 1, "Своя"), foreign]);
    let res = import(&app, "persons?atomic=false", &municipal, "application/x-ndjson", body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["created"].as_u64(), res.body["rejected"].as_u64()), (Some(1), Some(1)));
    assert_eq!(res.body["errors"][0]["field"], "organization_id");
    assert_eq!(res.body["errors"][0]["line"], 2);
}

#[tokio::test]
async fn the_command_line_import_loads_a_file_through_the_same_rules() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let dir = std::env::temp_dir().join("rsnms-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{}.csv", uuid::Uuid::now_v7()));
    let csv = format!(
        "surname;first_name;organization_id;snils;roles\nИванова;Анна;{0};{1};teacher,mentor\nПетрова;Ольга;{0};123;teacher\n",
        id(&r.school_a),
        snils(1)
    );
    std::fs::write(&file, cp1251(&csv)).unwrap();
    let args = rsnms::exchange::ImportArgs {
        file: file.clone(),
        dataset: "persons".into(),
        format: None,
        charset: Some("windows-1251".into()),
        options: rsnms_http::imports::RawOptions {
            id_scheme: Some("snils".into()),
            atomic: Some(false),
            ..Default::default()
        },
        subject: "cli-test".into(),
        progress: false,
    };
    let summary = rsnms::exchange::import_file(&app.store, &args).await.unwrap();
    assert_eq!((summary.created, summary.rejected, summary.committed), (1, 1, true));
    assert_eq!((summary.errors[0].line, summary.errors[0].field.as_str()), (3, "snils"));
    let all = persons_of(&app).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["roles"], json!(["teacher", "mentor"]));
    let again = rsnms::exchange::import_file(&app.store, &args).await.unwrap();
    assert_eq!((again.created, again.unchanged), (0, 1), "matched by СНИЛС the second time");
    std::fs::remove_file(file).ok();
}

/// Checks that a body has every property its published schema requires (recursively through
/// `$ref`s of objects and arrays).
fn conforms(spec: &Value, schema: &Value, body: &Value, path: &str) {
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => &spec["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    };
    if let Some(required) = schema["required"].as_array() {
        for name in required {
            let name = name.as_str().unwrap();
            assert!(body.get(name).is_some(), "{path}.{name} is required by the published schema");
        }
    }
    if let (Some(props), Some(obj)) = (schema["properties"].as_object(), body.as_object()) {
        for (name, sub) in props {
            if let Some(v) = obj.get(name) {
                conforms(spec, sub, v, &format!("{path}.{name}"));
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), body.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            conforms(spec, items, v, &format!("{path}[{i}]"));
        }
    }
}

#[tokio::test]
async fn the_regional_passport_export_covers_the_period_and_territory_and_matches_its_schema() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let service = app
        .create_org(json!({"name": "МКУ «Методический центр»", "kind": "municipal_methodological_service", "parent_id": r.mun_a["id"]}))
        .await;
    let methodologist = app
        .create_person(json!({"surname": "Орлова", "first_name": "Вера", "position": "методист", "organization_id": service["id"], "roles": ["methodologist"], "snils": snils(7)}))
        .await;
    app.create_person(
        json!({"surname": "Иванова", "first_name": "Анна", "organization_id": r.school_a["id"], "roles": ["teacher"]}),
    )
    .await;
    let closed = app
        .send(
            "POST",
            &format!("/api/v1/organizations/{}/close", id(&r.school_b)),
            Some(&app.admin),
            Some(&json!({"closed_on": "2025-06-30"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text);

    let integration = app.token(Role::Integration, None, None);
    let path = "/api/v1/exports/federal/regional-passport?region_code=03&period_from=2026-01-01&period_to=2026-12-31";
    let res = app.get(path, &integration).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let p = &res.body;
    assert_eq!(
        (p["schema"].as_str(), p["schema_version"].as_str()),
        (Some("rsnms.federal.regional-passport"), Some("1.2"))
    );
    let ids: Vec<&str> = p["participants"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&r.school_a["id"].as_str().unwrap()) && ids.contains(&service["id"].as_str().unwrap()));
    assert!(!ids.contains(&r.school_b["id"].as_str().unwrap()), "closed before the period");
    assert_eq!(p["totals"]["participants"].as_u64(), Some(ids.len() as u64));
    let staff = p["methodologists"].as_array().unwrap();
    assert_eq!(staff.len(), 1);
    assert_eq!(staff[0]["id"], methodologist["id"]);
    assert_eq!(staff[0]["full_name"], "Орлова Вера");
    assert_eq!(staff[0]["municipality_code"], r.mun_a["municipality_code"]);
    assert!(!res.text.contains(&snils(7)) && staff[0].get("snils").is_none(), "no personal data beyond the name");

    let spec = app.get("/openapi.json", &app.admin).await.body;
    let schema = json!({"$ref": "#/components/schemas/FederalRegionalPassportV1"});
    conforms(&spec, &schema, p, "$");
    let programs = app.get("/api/v1/exports/federal/programs?period_to=2026-12-31", &integration).await;
    assert_eq!(programs.status, 200, "{}", programs.text);
    assert_eq!(programs.body["schema"], "rsnms.federal.programs");
    conforms(&spec, &json!({"$ref": "#/components/schemas/FederalProgramsV1"}), &programs.body, "$");

    let only_b = app.get("/api/v1/exports/federal/regional-passport?municipality_code=81625000&period_from=2025-01-01&period_to=2025-12-31", &integration).await;
    let ids: Vec<&str> =
        only_b.body["participants"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&r.school_b["id"].as_str().unwrap()), "open during part of 2025");
    assert!(!ids.contains(&r.school_a["id"].as_str().unwrap()));
    let teacher = app.token(Role::Teacher, Some(&r.school_a), Some(&uuid::Uuid::now_v7().to_string()));
    app.get(path, &teacher).await.assert_problem(403);
    let bad =
        app.get("/api/v1/exports/federal/programs?period_from=2026-02-01&period_to=2026-01-01", &integration).await;
    bad.assert_problem(422);
}

/// Every page of the change feed of `types`, as the token sees it.
pub async fn feed(app: &TestApp, token: &str, types: &str) -> Vec<Value> {
    let mut cursor = "0".to_owned();
    let mut out = Vec::new();
    loop {
        let r = app.get(&format!("/api/v1/changes?after={cursor}&limit=500&types={types}"), token).await;
        assert_eq!(r.status, 200, "{}", r.text);
        out.extend(r.body["items"].as_array().unwrap().iter().cloned());
        cursor = r.body["next_cursor"].as_str().unwrap().to_owned();
        if !r.body["has_more"].as_bool().unwrap() {
            return out;
        }
    }
}

#[tokio::test]
async fn a_large_persons_import_answers_line_for_line_as_if_every_line_ran_alone() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let municipal = app.token(Role::Municipal, Some(&r.mun_a), None);
    app.create_person(person(&r, 1, "Старожилова")).await;
    let mut outsider = person(&r, 9000, "Чужая");
    outsider["organization_id"] = r.school_b["id"].clone();
    app.create_person(outsider).await;

    // 2 300 lines: more than one of the engine's chunks, new persons written together, with
    // lines among them that must not be: a match, repeats of a СНИЛС within a chunk and across
    // chunks, an organisation outside the caller's territory, a malformed line, a bad СНИЛС, and
    // the СНИЛС of a person the caller cannot see (the store refuses it: its chunk falls back to
    // line by line).
    let mut body = String::new();
    for line in 1..=2300u32 {
        let mut p = person(&r, 100 + line, &format!("Учитель{line}"));
        match line {
            10 => {
                p = person(&r, 1, "Старожилова");
                p["position"] = json!("завуч");
            }
            20 => {
                p = person(&r, 100 + 15, "Учитель15");
                p["position"] = json!("повтор в том же куске");
            }
            2100 => {
                p = person(&r, 100 + 5, "Учитель5");
                p["position"] = json!("повтор из прошлого куска");
            }
            77 => p["surname"] = json!(r#"Д"Арт\{а,б} NULL"#),
            30 => p["organization_id"] = r.school_b["id"].clone(),
            50 => p["snils"] = json!("112-233-445 96"),
            2200 => p["snils"] = json!(snils(9000)),
            _ => {}
        }
        if line == 40 {
            body.push_str("{\"surname\": \"broken\n");
        } else {
            body.push_str(&format!("{p}\n"));
        }
    }
    let res =
        import(&app, "persons?id_scheme=snils&atomic=false", &municipal, "application/x-ndjson", body.into_bytes())
            .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let s = &res.body;
    assert_eq!(s["received"], 2300);
    assert_eq!((s["created"].as_u64(), s["updated"].as_u64(), s["unchanged"].as_u64()), (Some(2293), Some(3), Some(0)));
    assert_eq!(s["rejected"], 4);
    let errors: Vec<(u64, &str, &str)> = s["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        vec![
            (30, "organization_id", "not_found"),
            (40, "$", "malformed"),
            (50, "snils", "invalid_snils"),
            (2200, "snils", "conflict"),
        ],
        "{errors:?}"
    );

    let everyone = every_person(&app, "").await;
    assert_eq!(everyone.len(), 2 + 2293);
    let by_surname = |n: &str| everyone.iter().filter(|p| p["surname"] == n).cloned().collect::<Vec<_>>();
    assert_eq!(by_surname("Старожилова")[0]["position"], "завуч");
    assert_eq!(by_surname("Учитель15").len(), 1, "a repeated СНИЛС creates one person");
    assert_eq!(by_surname("Учитель15")[0]["position"], "повтор в том же куске");
    assert_eq!(by_surname("Учитель15")[0]["version"], 2);
    assert_eq!(by_surname("Учитель5")[0]["position"], "повтор из прошлого куска");
    assert!(by_surname("Учитель2201").len() == 1, "the rest of the fallen-back chunk is created");
    assert!(by_surname("Учитель2200").is_empty() && by_surname("Учитель30").is_empty());
    assert_eq!(by_surname(r#"Д"Арт\{а,б} NULL"#).len(), 1, "quotes, backslashes and braces are stored as sent");

    // Each new person is one audited event in commit order, in the territory of its school.
    let created: Vec<Value> =
        feed(&app, &municipal, "person").await.into_iter().filter(|e| e["event_type"] == "person.created").collect();
    assert_eq!(created.len(), 1 + 2293, "the municipality sees its own persons' events");
    let mut ids: Vec<&str> = created.iter().map(|e| e["resource_id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 1 + 2293);
    let updated =
        feed(&app, &app.admin, "person").await.into_iter().filter(|e| e["event_type"] == "person.updated").count();
    assert_eq!(updated, 3);
}
