//! Federal exports (`/api/v1/exports/federal/…`): routes, diagnostics, programmes as JSON that
//! validates against its published schema and as CSV; the responsible persons of the passport.

use rsnms_domain::auth::Role;
use rsnms_tests::{Region, Reply, TestApp, id, spawn_app};
use serde_json::{Value, json};

use crate::{
    diagnostics::{Framework, framework, record},
    imports::snils,
};

/// Validates a body against a schema of the served OpenAPI document (JSON Schema 2020-12, as
/// OpenAPI 3.1 uses), resolving `#/components/schemas/…` references within the document.
async fn assert_matches_schema(app: &TestApp, name: &str, body: &Value) {
    let spec = app.get("/openapi.json", &app.admin).await.body;
    assert!(spec["components"]["schemas"][name].is_object(), "{name} is not published");
    let schema = json!({"$ref": format!("#/components/schemas/{name}"), "components": spec["components"]});
    let validator = jsonschema::draft202012::new(&schema).expect("the published schema compiles");
    assert!(!validator.is_valid(&json!({})), "{name}: the validator must reject an empty object");
    let errors: Vec<String> = validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{name} does not validate: {errors:#?}");
}

/// Whether the audit trail records a read of a person's personal data.
async fn personal_data_read(app: &TestApp, person: &str) -> bool {
    let audit =
        app.get(&format!("/api/v1/audit?resource_type=person&resource_id={person}&limit=500"), &app.admin).await;
    assert_eq!(audit.status, 200, "{}", audit.text);
    audit.body["items"].as_array().unwrap().iter().any(|i| i["action"] == "read_personal_data")
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

pub async fn person(app: &TestApp, org: &Value, surname: &str, extra: Value) -> Value {
    let mut body =
        json!({"surname": surname, "first_name": "Анна", "organization_id": org["id"], "roles": ["teacher"]});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    app.create_person(body).await
}

/// Creates an approved 2026 route for a teacher with a deficit in ICT, one step on a federal
/// registry programme.
pub async fn route(app: &TestApp, f: &Framework, teacher: &str, tutor: &str, program: &Value) -> Value {
    let operator = app.token(Role::Operator, None, None);
    let body = json!({
        "person_id": teacher, "tutor_id": tutor, "period_start": "2026-01-01", "period_end": "2026-12-31",
        "diagnostic_ids": [f.campaign["id"]], "deficit_competency_ids": [f.ict],
        "steps": [{
            "title": "Курс «Цифровой урок»", "competency_ids": [f.ict], "activity": "program", "program_id": program["id"],
            "planned_start": "2026-02-01", "planned_end": "2026-03-01", "expected_result": "Урок с цифровыми инструментами",
            "reporting_form": "certificate"
        }]
    });
    let created = app.post("/api/v1/routes", &operator, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.body
}

async fn export(app: &TestApp, path: &str, token: &str, headers: &[(&str, &str)]) -> Reply {
    app.send("GET", path, Some(token), None, headers).await
}

#[tokio::test]
async fn the_routes_export_names_a_person_only_by_snils_follows_period_and_territory_and_has_a_csv_form() {
    let app = spawn_app().await;
    let r: Region = app.seed_region().await;
    let f = framework(&app, &r).await;
    let cnppm =
        app.create_org(json!({"name": "ЦНППМ Республики Бурятия", "kind": "cnppm", "parent_id": r.region["id"]})).await;
    let tutor = id(&person(&app, &cnppm, "Тьюторова", json!({"roles": ["tutor"]})).await);
    let a = id(&person(&app, &r.school_a, "Иванова", json!({"snils": snils(11)})).await);
    let b = id(&person(&app, &r.school_b, "Петрова", json!({})).await);
    for t in [&a, &b] {
        record(
            &app,
            &f.campaign,
            json!([{"person_id": t, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"}]),
        )
        .await;
    }
    let program = app
        .post(
            "/api/v1/programs",
            &app.admin,
            &json!({"title": "Цифровой урок", "kind": "qualification_upgrade", "hours": 36, "form": "distance",
                    "developer_id": cnppm["id"], "competency_ids": [f.ict], "federal_registry": true,
                    "registry_id": "ФР-2025-0412", "registry_included_on": "2025-06-01"}),
        )
        .await;
    assert_eq!(program.status, 201, "{}", program.text);
    let route_a = route(&app, &f, &a, &tutor, &program.body).await;
    let route_b = route(&app, &f, &b, &tutor, &program.body).await;

    let integration = app.token(Role::Integration, None, None);
    let year = "/api/v1/exports/federal/routes?period_from=2026-01-01&period_to=2026-12-31";
    let res = export(&app, year, &integration, &[]).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.header("content-type").unwrap_or_default().starts_with("application/json"));
    let body = &res.body;
    assert_eq!((body["schema"].as_str(), body["schema_version"].as_str()), (Some("rsnms.federal.routes"), Some("1.0")));
    let routes = body["routes"].as_array().unwrap();
    assert_eq!(routes.len(), 2);
    assert_eq!(body["totals"]["routes"], 2);
    assert_eq!(body["totals"]["steps"], 2);
    let first = routes.iter().find(|x| x["id"] == route_a["id"]).unwrap();
    assert_eq!(first["person"]["id"].as_str(), Some(a.as_str()));
    assert_eq!(first["person"]["snils"].as_str().map(digits), Some(digits(&snils(11))));
    assert_eq!(first["organization"]["id"], r.school_a["id"]);
    assert_eq!(first["organization"]["municipality_code"], "81606000");
    assert_eq!(first["tutor_organization"]["id"], cnppm["id"]);
    assert_eq!(first["status"], "draft");
    assert_eq!(first["deficits"][0]["code"], "Ц-1");
    let step = &first["steps"][0];
    assert_eq!(
        (step["activity"].as_str(), step["program_registry_id"].as_str()),
        (Some("program"), Some("ФР-2025-0412"))
    );
    assert_eq!(
        (step["planned_start"].as_str(), step["reporting_form"].as_str()),
        (Some("2026-02-01"), Some("certificate"))
    );
    let second = routes.iter().find(|x| x["id"] == route_b["id"]).unwrap();
    assert!(second["person"]["snils"].is_null(), "no СНИЛС known: null, the route still counts");
    for name in ["Иванова", "Петрова", "Тьюторова", "Анна"] {
        assert!(!res.text.contains(name), "{name}: no names in the routes export");
    }
    assert_matches_schema(&app, "FederalRoutesV1", body).await;

    let only_b = export(&app, &format!("{year}&municipality_code=81625000"), &integration, &[]).await;
    let ids: Vec<&Value> = only_b.body["routes"].as_array().unwrap().iter().map(|x| &x["id"]).collect();
    assert_eq!(ids, vec![&route_b["id"]]);
    let earlier =
        export(&app, "/api/v1/exports/federal/routes?period_from=2025-01-01&period_to=2025-12-31", &integration, &[])
            .await;
    assert_eq!(earlier.status, 200, "{}", earlier.text);
    assert_eq!(earlier.body["routes"], json!([]), "no route overlaps 2025");
    assert_matches_schema(&app, "FederalRoutesV1", &earlier.body).await;

    let csv = export(&app, year, &integration, &[("accept", "text/csv")]).await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap_or_default().starts_with("text/csv"), "{:?}", csv.header("content-type"));
    assert!(csv.text.starts_with('\u{feff}'), "UTF-8 with a byte order mark for Excel");
    let lines: Vec<&str> = csv.text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 3, "a header and one row per step: {lines:?}");
    assert!(lines[0].starts_with("route_id,person_id,person_snils,"));
    let row_a = lines.iter().find(|l| l.starts_with(route_a["id"].as_str().unwrap())).unwrap();
    assert!(row_a.contains(&digits(&snils(11))) && row_a.contains("ФР-2025-0412") && row_a.contains("Ц-1"), "{row_a}");
    let semi = export(&app, &format!("{year}&format=csv&delimiter=semicolon"), &integration, &[]).await;
    assert!(semi.text.trim_start_matches('\u{feff}').starts_with("route_id;person_id;"), "{}", semi.text);
    let json_wins = export(&app, &format!("{year}&format=json"), &integration, &[("accept", "text/csv")]).await;
    assert_eq!(json_wins.body["schema"], "rsnms.federal.routes", "the parameter wins over Accept");

    for role in [Role::Teacher, Role::Analyst, Role::Tutor] {
        let token = app.token(role, Some(&r.school_a), Some(&a));
        export(&app, year, &token, &[]).await.assert_problem(403);
    }
    export(&app, "/api/v1/exports/federal/routes?period_from=2026-02-01&period_to=2026-01-01", &integration, &[])
        .await
        .assert_problem(422);
    export(&app, &format!("{year}&format=xml"), &integration, &[]).await.assert_problem(422);
    let operator = app.token(Role::Operator, None, None);
    assert_eq!(export(&app, year, &operator, &[]).await.status, 200);
    assert!(personal_data_read(&app, &a).await, "the СНИЛС read is audited");
}

#[tokio::test]
async fn the_diagnostics_export_holds_aggregates_only_suppresses_small_groups_and_matches_its_schema() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let mut items = Vec::new();
    let mut people = Vec::new();
    for (i, score) in [40, 45, 50, 55, 80].into_iter().enumerate() {
        let t = id(&person(&app, &r.school_a, &format!("Учитель{i}"), json!({"snils": snils(20 + i as u32)})).await);
        items.push(json!({"person_id": t, "competency_id": f.ict, "score": score, "assessed_on": "2025-10-01"}));
        people.push(t);
    }
    let lone = id(&person(&app, &r.school_b, "Одинокова", json!({})).await);
    items.push(json!({"person_id": lone, "competency_id": f.ict, "score": 30, "assessed_on": "2025-10-02"}));
    people.push(lone);
    record(&app, &f.campaign, Value::Array(items)).await;

    let integration = app.token(Role::Integration, None, None);
    let path = "/api/v1/exports/federal/diagnostics?period_from=2025-01-01&period_to=2025-12-31";
    let res = export(&app, path, &integration, &[]).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["schema"], "rsnms.federal.diagnostics");
    assert_eq!(res.body["min_group_size"], 5);
    let campaigns = res.body["campaigns"].as_array().unwrap();
    assert_eq!(campaigns.len(), 1);
    assert_eq!(campaigns[0]["id"], f.campaign["id"]);
    let cells = campaigns[0]["cells"].as_array().unwrap();
    let cell = |m: Option<&str>| {
        cells.iter().find(|c| c["competency"]["code"] == "Ц-1" && c["municipality_code"].as_str() == m).unwrap()
    };
    let whole = cell(None);
    assert_eq!((whole["participants"].as_u64(), whole["with_deficit"].as_u64()), (Some(6), Some(5)));
    assert_eq!(whole["share_percent"].as_f64(), Some(83.3));
    // Disclosure control: the whole territory minus A would give B's one person, so A is withheld
    // as B's complement.
    let a = cell(Some("81606000"));
    assert!(a["suppressed"].as_bool().unwrap() && a["participants"].is_null(), "complement: {a}");
    let b = cell(Some("81625000"));
    assert!(b["suppressed"].as_bool().unwrap() && b["participants"].is_null(), "one person: suppressed {b}");
    for p in &people {
        assert!(!res.text.contains(p.as_str()), "no person ids in an aggregate export");
    }
    assert!(!res.text.contains("Одинокова"));
    assert_matches_schema(&app, "FederalDiagnosticsV1", &res.body).await;

    let only_a = export(&app, &format!("{path}&municipality_code=81606000"), &integration, &[]).await;
    let cells = only_a.body["campaigns"][0]["cells"].as_array().unwrap();
    assert!(cells.iter().all(|c| c["municipality_code"].is_null() || c["municipality_code"] == "81606000"));
    let whole = cells.iter().find(|c| c["municipality_code"].is_null() && c["competency"]["code"] == "Ц-1").unwrap();
    assert!(whole["participants"].is_null(), "the filter publishes A's figure only as the whole export does");
    let later = export(
        &app,
        "/api/v1/exports/federal/diagnostics?period_from=2027-01-01&period_to=2027-12-31",
        &integration,
        &[],
    )
    .await;
    assert_eq!(later.body["campaigns"], json!([]), "the campaign ran in 2025");

    let csv = export(&app, &format!("{path}&format=csv"), &integration, &[]).await;
    assert_eq!(csv.status, 200);
    let lines: Vec<&str> = csv.text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "campaign_id,campaign_name,instrument,target_group,campaign_from,campaign_to,competency_id,competency_code,competency_name,municipality_code,municipality_name,participants,with_deficit,share_percent,suppressed"
    );
    assert_eq!(lines.len() - 1, campaigns[0]["cells"].as_array().unwrap().len(), "one row per cell");
    assert!(lines.iter().any(|l| l.ends_with(",6,5,83.3,false")), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("81606000") && l.ends_with(",,,,true")), "{lines:?}");
    let teacher = app.token(Role::Teacher, Some(&r.school_a), Some(&people[0]));
    export(&app, path, &teacher, &[]).await.assert_problem(403);
    let analyst = app.token(Role::Analyst, None, None);
    export(&app, path, &analyst, &[]).await.assert_problem(403);
}

#[tokio::test]
async fn regional_and_municipal_organisations_name_a_responsible_person_whom_the_passport_shows_with_contacts() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let service = app
        .create_org(json!({"name": "МКУ «Бичурский методический центр»", "kind": "municipal_methodological_service", "parent_id": r.mun_a["id"]}))
        .await;
    let specialist = person(&app, &service, "Орлова", json!({"roles": ["methodologist"], "position": "методист", "email": "orlova@bichura.example", "phone": "+7 301 332-11-22", "snils": snils(31)})).await;
    let official = person(
        &app,
        &r.region,
        "Соколов",
        json!({"roles": ["manager"], "position": "консультант", "email": "sokolov@minobr.example"}),
    )
    .await;
    let elsewhere = person(&app, &r.school_b, "Кабанова", json!({})).await;

    let patch = |org: &Value, body: Value| {
        let app = &app;
        let path = format!("/api/v1/organizations/{}", id(org));
        async move {
            let etag = app.get(&path, &app.admin).await.etag();
            app.patch(&path, &app.admin, &etag, &body).await
        }
    };
    let wrong_place = patch(&r.mun_a, json!({"responsible_person_id": elsewhere["id"]})).await;
    wrong_place.assert_problem(422);
    assert_eq!(wrong_place.error_fields(), vec!["responsible_person_id"]);
    assert_eq!(wrong_place.body["errors"][0]["code"], "outside_territory", "{}", wrong_place.text);
    let school = patch(&r.school_a, json!({"responsible_person_id": specialist["id"]})).await;
    school.assert_problem(422);
    assert_eq!(school.body["errors"][0]["code"], "not_allowed");
    let unknown = patch(&r.mun_a, json!({"responsible_person_id": uuid::Uuid::now_v7()})).await;
    assert_eq!(unknown.body["errors"][0]["code"], "not_found", "{}", unknown.text);
    let named = patch(&r.mun_a, json!({"responsible_person_id": specialist["id"]})).await;
    assert_eq!(named.status, 200, "{}", named.text);
    assert_eq!(named.body["responsible_person_id"], specialist["id"]);
    let regional = patch(&r.region, json!({"responsible_person_id": official["id"]})).await;
    assert_eq!(regional.status, 200, "{}", regional.text);
    // The municipal authority's own account names its responsible person too.
    let municipal = app.token(Role::Municipal, Some(&r.mun_b), None);
    let b_specialist = person(&app, &r.mun_b, "Баирова", json!({})).await;
    let path_b = format!("/api/v1/organizations/{}", id(&r.mun_b));
    let etag = app.get(&path_b, &municipal).await.etag();
    let own = app.patch(&path_b, &municipal, &etag, &json!({"responsible_person_id": b_specialist["id"]})).await;
    assert_eq!(own.status, 200, "{}", own.text);
    let cleared = app.patch(&path_b, &municipal, &own.etag(), &json!({"responsible_person_id": null})).await;
    assert!(cleared.body["responsible_person_id"].is_null(), "{}", cleared.text);

    let feed = app.get("/api/v1/changes?after=0&limit=500", &app.admin).await;
    let events = feed.body["items"].as_array().unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["resource_id"] == r.mun_a["id"] && e["payload"]["responsible_person_id"] == specialist["id"]),
        "the designation is published in the change feed"
    );
    let still_named = app
        .send(
            "DELETE",
            &format!("/api/v1/persons/{}", id(&specialist)),
            Some(&app.admin),
            None,
            &[("if-match", "\"1\"")],
        )
        .await;
    still_named.assert_problem(409);

    let integration = app.token(Role::Integration, None, None);
    let path = "/api/v1/exports/federal/regional-passport?period_from=2026-01-01&period_to=2026-12-31";
    let res = export(&app, path, &integration, &[]).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let p = &res.body;
    assert_eq!(p["schema_version"], "1.2");
    let responsible = p["responsible_persons"].as_array().unwrap();
    assert_eq!(responsible.len(), 2, "{responsible:?}");
    let municipal = responsible.iter().find(|x| x["level"] == "municipal").unwrap();
    assert_eq!(municipal["municipality_code"], "81606000");
    assert_eq!(municipal["designated_by"]["id"], r.mun_a["id"]);
    assert_eq!(municipal["person_id"], specialist["id"]);
    assert_eq!(municipal["full_name"], "Орлова Анна");
    assert_eq!(municipal["organization"]["id"], service["id"]);
    assert_eq!(municipal["email"], "orlova@bichura.example");
    assert!(municipal["phone"].as_str().is_some_and(|s| s.ends_with("3013321122")), "{municipal}");
    assert!(municipal.get("snils").is_none() && !res.text.contains(&digits(&snils(31))), "contacts, not СНИЛС");
    let regional = responsible.iter().find(|x| x["level"] == "regional").unwrap();
    assert_eq!(
        (regional["designated_by"]["id"].clone(), regional["municipality_code"].clone()),
        (r.region["id"].clone(), Value::Null)
    );
    let indicators = p["indicators"].as_array().unwrap();
    assert!(
        indicators
            .iter()
            .any(|i| i["code"] == "regional_events" && i["municipality_code"].is_null() && i["year"] == 2026),
        "{indicators:?}"
    );
    assert!(indicators.iter().any(|i| i["municipality_code"] == "81606000"));
    assert_eq!(p["totals"]["routes"], 0);
    assert_matches_schema(&app, "FederalRegionalPassportV1", p).await;
    assert!(personal_data_read(&app, &id(&specialist)).await, "reads of the contacts are audited");

    let only_a = export(&app, &format!("{path}&municipality_code=81606000"), &integration, &[]).await;
    let responsible = only_a.body["responsible_persons"].as_array().unwrap();
    assert_eq!(responsible.len(), 1);
    assert_eq!(responsible[0]["person_id"], specialist["id"]);
    assert!(only_a.body["indicators"].as_array().unwrap().iter().all(|i| i["municipality_code"] == "81606000"));
    export(&app, &format!("{path}&format=csv"), &integration, &[]).await.assert_problem(422);
}

#[tokio::test]
async fn the_programmes_export_has_a_csv_form_and_its_json_matches_its_schema() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let created = app
        .post(
            "/api/v1/programs",
            &app.admin,
            &json!({"title": "Оценивание, \"формирующее\"", "kind": "qualification_upgrade", "hours": 36, "form": "blended",
                    "developer_id": r.region["id"], "competency_ids": [f.ict, f.assessment], "federal_registry": false}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let integration = app.token(Role::Integration, None, None);
    let path = "/api/v1/exports/federal/programs?period_to=2099-12-31";
    let json = export(&app, path, &integration, &[]).await;
    assert_eq!(json.body["programs"].as_array().unwrap().len(), 1);
    assert_matches_schema(&app, "FederalProgramsV1", &json.body).await;
    let csv = export(&app, path, &integration, &[("accept", "text/csv, application/json;q=0.5")]).await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-disposition").unwrap_or_default().contains("programs-"));
    let lines: Vec<&str> = csv.text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "id,title,kind,hours,form,developer_id,federal_registry,registry_id,registry_included_on,competency_ids"
    );
    assert_eq!(
        lines[1],
        format!(
            "{},\"Оценивание, \"\"формирующее\"\"\",qualification_upgrade,36,blended,{},false,,,{};{}",
            id(&created.body),
            id(&r.region),
            f.ict,
            f.assessment
        )
    );
}
