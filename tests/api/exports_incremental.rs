//! Issue 18: incremental federal exports — `updated_since` agrees with the change feed, `limit`
//! and `cursor` page a record export, and the bundle is one ZIP whose manifest's checksums
//! verify.

use std::{
    collections::{BTreeMap, BTreeSet},
    io::Read,
};

use rsnms_domain::auth::Role;
use rsnms_tests::{Region, TestApp, id, spawn_app};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    diagnostics::{Framework, campaign, framework, record},
    exports::{person, route},
    imports::snils,
    personal_data::{consent, withdraw},
};

async fn program(app: &TestApp, developer: &Value, title: &str) -> Value {
    let res = app
        .post(
            "/api/v1/programs",
            &app.admin,
            &json!({"title": title, "kind": "qualification_upgrade", "hours": 36, "form": "distance",
                    "developer_id": developer["id"], "competency_ids": [], "federal_registry": false}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

/// Every feed event so far, in order.
async fn feed(app: &TestApp) -> Vec<Value> {
    let mut cursor = "0".to_owned();
    let mut out = Vec::new();
    loop {
        let r = app.get(&format!("/api/v1/changes?after={cursor}&limit=500"), &app.admin).await;
        assert_eq!(r.status, 200, "{}", r.text);
        out.extend(r.body["items"].as_array().unwrap().iter().cloned());
        cursor = r.body["next_cursor"].as_str().unwrap().to_owned();
        if !r.body["has_more"].as_bool().unwrap() {
            return out;
        }
    }
}

/// The ids of a resource type whose feed events came after an instant.
fn changed_after(events: &[Value], resource_type: &str, since: &str) -> BTreeSet<String> {
    let since: chrono::DateTime<chrono::Utc> = since.parse().unwrap();
    events
        .iter()
        .filter(|e| e["resource_type"] == resource_type)
        .filter(|e| e["occurred_at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap() > since)
        .map(|e| e["resource_id"].as_str().unwrap().to_owned())
        .collect()
}

fn ids(items: &Value) -> BTreeSet<String> {
    items.as_array().unwrap().iter().map(id).collect()
}

/// The regional ЦНППМ.
async fn cnppm(app: &TestApp, r: &Region) -> Value {
    app.create_org(json!({"name": "ЦНППМ Республики Бурятия", "kind": "cnppm", "parent_id": r.region["id"]})).await
}

/// Records each teacher's 2025 result of the framework's campaign.
async fn assessed(app: &TestApp, f: &Framework, teachers: &[&String]) {
    for t in teachers {
        let result = json!([{"person_id": t, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"}]);
        record(app, &f.campaign, result).await;
    }
}

/// The instant of the last feed event so far: the mark of a receiver that has applied every
/// event.
async fn mark(app: &TestApp) -> String {
    let before = feed(app).await;
    before.last().unwrap()["occurred_at"].as_str().unwrap().to_owned()
}

/// Changes a programme (its hours).
async fn lengthen(app: &TestApp, program: &Value) {
    let current = app.get(&format!("/api/v1/programs/{}", id(program)), &app.admin).await;
    let patched = app
        .patch(&format!("/api/v1/programs/{}", id(program)), &app.admin, &current.etag(), &json!({"hours": 72}))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
}

#[tokio::test]
async fn an_incremental_export_holds_exactly_the_records_the_feed_changed_and_its_zip_manifest_verifies() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let cnppm = cnppm(&app, &r).await;
    let tutor = id(&person(&app, &cnppm, "Тьюторова", json!({"roles": ["tutor"]})).await);
    let a = id(&person(&app, &r.school_a, "Иванова", json!({})).await);
    let b = id(&person(&app, &r.school_b, "Петрова", json!({})).await);
    assessed(&app, &f, &[&a, &b]).await;
    let first = program(&app, &cnppm, "Цифровой урок").await;
    let second = program(&app, &cnppm, "Формирующее оценивание").await;
    route(&app, &f, &a, &tutor, &first).await;

    // The receiver has applied every event so far: the instant of the last is its mark.
    let since = mark(&app).await;

    lengthen(&app, &first).await;
    let third = program(&app, &cnppm, "Наставничество").await;
    let route_b = route(&app, &f, &b, &tutor, &second).await;

    let events = feed(&app).await;
    let programs_changed = changed_after(&events, "program", &since);
    let routes_changed = changed_after(&events, "route", &since);
    assert_eq!(programs_changed, BTreeSet::from([id(&first), id(&third)]));
    assert_eq!(routes_changed, BTreeSet::from([id(&route_b)]));

    let integration = app.token(Role::Integration, None, None);
    let window = format!("period_from=2026-01-01&period_to=2026-12-31&updated_since={}", since.replace('+', "%2B"));
    let programs = app.get(&format!("/api/v1/exports/federal/programs?{window}"), &integration).await;
    assert_eq!(programs.status, 200, "{}", programs.text);
    assert_eq!(ids(&programs.body["programs"]), programs_changed, "{}", programs.text);
    assert_eq!(
        programs.body["updated_since"].as_str().map(|s| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap()),
        Some(since.parse().unwrap())
    );
    let routes = app.get(&format!("/api/v1/exports/federal/routes?{window}"), &integration).await;
    assert_eq!(routes.status, 200, "{}", routes.text);
    assert_eq!(ids(&routes.body["routes"]), routes_changed, "{}", routes.text);
    assert_eq!(routes.body["totals"]["routes"], 1);

    // One ZIP: both files and the manifest, whose counts and SHA-256 match the members.
    let members = bundle(&app, &window, &integration).await;
    let manifest = verified(&members);
    assert_eq!(
        (manifest["schema"].as_str(), manifest["schema_version"].as_str()),
        (Some("rsnms.federal.manifest"), Some("1.0"))
    );
    assert!(manifest["generated_at"].is_string());
    let listed: BTreeSet<&str> =
        manifest["files"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(listed, BTreeSet::from(["programs.json", "routes.json", "diagnostics.json", "regional-passport.json"]));
    assert_eq!(members.len(), 5, "the manifest's files and the manifest: {:?}", members.keys());
    assert_eq!(ids(&member(&members, "programs.json")["programs"]), programs_changed);
    assert_eq!(ids(&member(&members, "routes.json")["routes"]), routes_changed);
    let records = |name: &str| records_of(&manifest, name);
    assert_eq!((records("programs.json"), records("routes.json")), (Some(2), Some(1)));

    // A cut transfer does not verify.
    let cut = &members["routes.json"][..members["routes.json"].len() - 1];
    assert_ne!(hex::encode(Sha256::digest(cut)), manifest["files"][1]["sha256"].as_str().unwrap());

    // Nothing else changed after the mark: no campaign, participant or person.
    assert_eq!((records("diagnostics.json"), records("regional-passport.json")), (Some(0), Some(0)));
    let diagnostics = app.get(&format!("/api/v1/exports/federal/diagnostics?{window}"), &integration).await;
    assert_eq!(diagnostics.status, 200, "{}", diagnostics.text);
    assert_eq!(diagnostics.body["campaigns"], json!([]), "{}", diagnostics.text);
}

#[tokio::test]
async fn a_record_export_reads_page_by_page_with_the_lists_cursor() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let mut made = BTreeSet::new();
    for n in 0..3 {
        made.insert(id(&program(&app, &r.region, &format!("Программа {n}")).await));
    }
    let integration = app.token(Role::Integration, None, None);
    let mut seen = BTreeSet::new();
    let mut path = "/api/v1/exports/federal/programs?period_to=2099-12-31&limit=2".to_owned();
    let mut pages = 0;
    loop {
        let res = app.get(&path, &integration).await;
        assert_eq!(res.status, 200, "{}", res.text);
        pages += 1;
        let items = res.body["programs"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(id));
        match res.body["next_cursor"].as_str() {
            Some(c) => {
                assert!(res.header("link").is_some_and(|l| l.contains("rel=\"next\"")));
                path = format!("/api/v1/exports/federal/programs?period_to=2099-12-31&limit=2&cursor={c}");
            }
            None => break,
        }
        assert!(pages < 5);
    }
    assert_eq!(seen, made);
    assert_eq!(pages, 2);
    let bad = app.get("/api/v1/exports/federal/programs?cursor=%%%", &integration).await;
    assert_eq!(bad.status, 422, "{}", bad.text);
}

/// Opens a bundle: its members by name.
async fn bundle(app: &TestApp, query: &str, token: &str) -> BTreeMap<String, Vec<u8>> {
    let res = app
        .client
        .get(format!("{}/api/v1/exports/federal/bundle?{query}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("the bundle is a ZIP");
    let mut members = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        members.insert(file.name().unwrap().into_owned(), content);
    }
    members
}

/// Checks a bundle's manifest against its members (size, SHA-256) and answers it.
fn verified(members: &BTreeMap<String, Vec<u8>>) -> Value {
    let manifest: Value = serde_json::from_slice(&members["manifest.json"]).unwrap();
    assert_eq!(manifest["files"].as_array().unwrap().len() + 1, members.len());
    for file in manifest["files"].as_array().unwrap() {
        let content = &members[file["name"].as_str().unwrap()];
        assert_eq!(file["sha256"].as_str().unwrap(), hex::encode(Sha256::digest(content)), "{file}");
        assert_eq!(file["bytes"].as_u64(), Some(content.len() as u64));
    }
    manifest
}

fn member(members: &BTreeMap<String, Vec<u8>>, name: &str) -> Value {
    serde_json::from_slice(&members[name]).unwrap()
}

fn records_of(manifest: &Value, name: &str) -> Option<u64> {
    manifest["files"].as_array().unwrap().iter().find(|f| f["name"] == name)?["records"].as_u64()
}

fn person_ids(items: &Value, key: &str) -> BTreeSet<String> {
    items.as_array().unwrap().iter().map(|i| i[key].as_str().unwrap().to_owned()).collect()
}

/// Every page of an export read with `limit`, following `next_cursor`: the concatenation of a
/// list of every page.
async fn every_page(app: &TestApp, token: &str, path: &str, list: &str) -> (Vec<Value>, usize) {
    let mut out = Vec::new();
    let mut url = path.to_owned();
    let mut pages = 0;
    loop {
        let res = app.get(&url, token).await;
        assert_eq!(res.status, 200, "{}", res.text);
        pages += 1;
        out.extend(res.body[list].as_array().unwrap().iter().cloned());
        match res.body["next_cursor"].as_str() {
            Some(c) => {
                assert!(res.header("link").is_some_and(|l| l.contains("rel=\"next\"")), "{:?}", res.headers);
                url = format!("{path}&cursor={c}");
            }
            None => return (out, pages),
        }
        assert!(pages < 20, "the pages end");
    }
}

#[tokio::test]
async fn every_federal_export_and_the_bundle_name_exactly_the_records_the_feed_changed_after_an_instant() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let cnppm = cnppm(&app, &r).await;
    let service = app
        .create_org(json!({"name": "МКУ «Бичурский методический центр»", "kind": "municipal_methodological_service", "parent_id": r.mun_a["id"]}))
        .await;
    let tutor = id(&person(&app, &cnppm, "Тьюторова", json!({"roles": ["tutor"]})).await);
    let a = id(&person(&app, &r.school_a, "Иванова", json!({})).await);
    let b = id(&person(&app, &r.school_b, "Петрова", json!({})).await);
    person(&app, &service, "Орлова", json!({"roles": ["methodologist"], "position": "методист"})).await;
    let official = person(&app, &r.mun_a, "Соколова", json!({"roles": ["manager"], "position": "специалист"})).await;
    let mun_a = format!("/api/v1/organizations/{}", id(&r.mun_a));
    let etag = app.get(&mun_a, &app.admin).await.etag();
    let named = app.patch(&mun_a, &app.admin, &etag, &json!({"responsible_person_id": official["id"]})).await;
    assert_eq!(named.status, 200, "{}", named.text);
    assessed(&app, &f, &[&a, &b]).await;
    let autumn = campaign(&app, &r.region, &[f.ict.as_str()], "2026-09-01", "2026-12-31").await;
    let first = program(&app, &cnppm, "Цифровой урок").await;
    route(&app, &f, &a, &tutor, &first).await;

    let since = mark(&app).await;

    // Changes of every kind an export covers.
    lengthen(&app, &first).await;
    let third = program(&app, &cnppm, "Наставничество").await;
    route(&app, &f, &b, &tutor, &third).await;
    record(&app, &autumn, json!([{"person_id": b, "competency_id": f.ict, "score": 30, "assessed_on": "2026-09-15"}]))
        .await;
    person(&app, &service, "Бадмаева", json!({"roles": ["methodologist"], "position": "методист"})).await;
    let path = format!("/api/v1/persons/{}", id(&official));
    let etag = app.get(&path, &app.admin).await.etag();
    assert_eq!(app.patch(&path, &app.admin, &etag, &json!({"position": "главный специалист"})).await.status, 200);
    let school_b = format!("/api/v1/organizations/{}", id(&r.school_b));
    let etag = app.get(&school_b, &app.admin).await.etag();
    assert_eq!(app.patch(&school_b, &app.admin, &etag, &json!({"name": "МБОУ «Кабанская СОШ № 1»"})).await.status, 200);

    let events = feed(&app).await;
    let changed = |t: &str| changed_after(&events, t, &since);
    let since_t: chrono::DateTime<chrono::Utc> = since.parse().unwrap();
    let campaigns_changed: BTreeSet<String> = events
        .iter()
        .filter(|e| e["occurred_at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap() > since_t)
        .filter_map(|e| match e["resource_type"].as_str() {
            Some("diagnostic") => e["resource_id"].as_str().map(str::to_owned),
            Some("diagnostic_result") => e["payload"]["campaign_id"].as_str().map(str::to_owned),
            _ => None,
        })
        .collect();
    assert_eq!(campaigns_changed, BTreeSet::from([id(&autumn)]));
    assert_eq!(changed("organization"), BTreeSet::from([id(&r.school_b)]));
    assert_eq!(changed("person").len(), 2, "the new methodologist and the responsible official");

    let integration = app.token(Role::Integration, None, None);
    let window = format!("period_from=2025-01-01&period_to=2026-12-31&updated_since={}", since.replace('+', "%2B"));
    let get = |export: &'static str| {
        let (app, token, window) = (&app, &integration, &window);
        async move {
            let res = app.get(&format!("/api/v1/exports/federal/{export}?{window}"), token).await;
            assert_eq!(res.status, 200, "{}", res.text);
            res.body
        }
    };
    // The feed and the exports agree, resource by resource.
    let programs = get("programs").await;
    assert_eq!(ids(&programs["programs"]), changed("program"));
    let routes = get("routes").await;
    assert_eq!(ids(&routes["routes"]), changed("route"));
    let diagnostics = get("diagnostics").await;
    assert_eq!(ids(&diagnostics["campaigns"]), campaigns_changed);
    assert!(diagnostics["updated_since"].is_string());
    let passport = get("regional-passport").await;
    assert_eq!(passport["schema_version"], "1.2");
    assert_eq!(ids(&passport["participants"]), changed("organization"), "{passport}");
    let staff = ids(&passport["methodologists"]);
    let responsible = person_ids(&passport["responsible_persons"], "person_id");
    assert_eq!(responsible, BTreeSet::from([id(&official)]), "{passport}");
    assert_eq!(&staff | &responsible, changed("person"), "{passport}");
    let whole = app
        .get("/api/v1/exports/federal/regional-passport?period_from=2025-01-01&period_to=2026-12-31", &integration)
        .await;
    assert_eq!(passport["totals"], whole.body["totals"], "totals stay the whole territory's");
    assert!(whole.body["participants"].as_array().unwrap().len() > 1);

    // Page by page with the lists' cursor: the same records, one key a page.
    let (participants, pages) = every_page(
        &app,
        &integration,
        &format!("/api/v1/exports/federal/regional-passport?{window}&limit=1"),
        "participants",
    )
    .await;
    assert_eq!(pages, 3, "a participant, a methodologist, a responsible person");
    assert_eq!(ids(&Value::from(participants)), changed("organization"));
    let (campaigns, pages) = every_page(
        &app,
        &integration,
        "/api/v1/exports/federal/diagnostics?period_from=2025-01-01&period_to=2026-12-31&limit=1",
        "campaigns",
    )
    .await;
    assert_eq!((pages, ids(&Value::from(campaigns))), (2, BTreeSet::from([id(&f.campaign), id(&autumn)])));

    // The bundle holds the same, and its manifest verifies.
    let members = bundle(&app, &window, &integration).await;
    let manifest = verified(&members);
    assert_eq!(ids(&member(&members, "programs.json")["programs"]), changed("program"));
    assert_eq!(ids(&member(&members, "routes.json")["routes"]), changed("route"));
    assert_eq!(ids(&member(&members, "diagnostics.json")["campaigns"]), campaigns_changed);
    let zipped = member(&members, "regional-passport.json");
    assert_eq!(ids(&zipped["participants"]), changed("organization"));
    assert_eq!(
        &ids(&zipped["methodologists"]) | &person_ids(&zipped["responsible_persons"], "person_id"),
        changed("person")
    );
    let counts: Vec<Option<u64>> = ["programs.json", "routes.json", "diagnostics.json", "regional-passport.json"]
        .iter()
        .map(|n| records_of(&manifest, n))
        .collect();
    assert_eq!(counts, [Some(2), Some(1), Some(1), Some(3)]);
}

#[tokio::test]
async fn a_municipal_authority_exports_only_its_territory_and_the_bundle_keeps_the_personal_data_rules() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let cnppm = cnppm(&app, &r).await;
    let tutor = id(&person(&app, &cnppm, "Тьюторова", json!({"roles": ["tutor"]})).await);
    let a = id(&person(&app, &r.school_a, "Иванова", json!({"snils": snils(41)})).await);
    let her = id(&person(&app, &r.school_a, "Смирнова", json!({"snils": snils(42)})).await);
    let b = id(&person(&app, &r.school_b, "Петрова", json!({"snils": snils(43)})).await);
    for p in ["iom", "diagnostics"] {
        consent(&app, &her, p).await;
    }
    let federal = consent(&app, &her, "federal_exchange").await;
    let course = program(&app, &cnppm, "Цифровой урок").await;
    let mut routes = BTreeMap::new();
    for t in [&a, &her, &b] {
        let result = json!([{"person_id": t, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"}]);
        record(&app, &f.campaign, result).await;
        routes.insert(t.clone(), id(&route(&app, &f, t, &tutor, &course).await));
    }
    withdraw(&app, &her, &federal).await;
    let digits = |n: u32| snils(n).chars().filter(char::is_ascii_digit).collect::<String>();

    let municipal = app.token(Role::Municipal, Some(&r.mun_a), None);
    let year = "period_from=2026-01-01&period_to=2026-12-31";
    let own = app.get(&format!("/api/v1/exports/federal/routes?{year}"), &municipal).await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert_eq!(ids(&own.body["routes"]), BTreeSet::from([routes[&a].clone(), routes[&her].clone()]));
    assert_eq!(own.body["territory"]["municipality_code"], r.mun_a["municipality_code"]);
    for other in ["municipality_code=81625000", "region_code=04"] {
        let refused = app.get(&format!("/api/v1/exports/federal/bundle?{year}&{other}"), &municipal).await;
        refused.assert_problem(403);
    }
    let teacher = app.token(Role::Teacher, Some(&r.school_a), Some(&a));
    app.get(&format!("/api/v1/exports/federal/bundle?{year}"), &teacher).await.assert_problem(403);

    let members = bundle(&app, year, &municipal).await;
    let manifest = verified(&members);
    assert_eq!(manifest["territory"]["municipality_code"], r.mun_a["municipality_code"]);
    let zipped = member(&members, "routes.json");
    assert_eq!(ids(&zipped["routes"]), BTreeSet::from([routes[&a].clone(), routes[&her].clone()]));
    let everything: Vec<u8> = members.values().flatten().copied().collect();
    let everything = String::from_utf8_lossy(&everything);
    assert!(everything.contains(&digits(41)), "her colleague's СНИЛС travels");
    assert!(!everything.contains(&digits(42)), "no basis for the federal exchange: no СНИЛС");
    assert!(!everything.contains(&digits(43)) && !everything.contains(&b), "nothing of another municipality");
    let passport = member(&members, "regional-passport.json");
    for p in passport["participants"].as_array().unwrap() {
        assert_eq!(p["municipality_code"], r.mun_a["municipality_code"], "{p}");
    }
    let diagnostics = member(&members, "diagnostics.json");
    for c in diagnostics["campaigns"].as_array().unwrap() {
        for cell in c["cells"].as_array().unwrap() {
            assert!(
                cell["municipality_code"].is_null() || cell["municipality_code"] == r.mun_a["municipality_code"],
                "{cell}"
            );
        }
    }
}
