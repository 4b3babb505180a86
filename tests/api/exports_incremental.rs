//! Issue 18: incremental federal exports — `updated_since` agrees with the change feed, `limit`
//! and `cursor` page a record export, and the bundle is one ZIP whose manifest's checksums
//! verify.

use std::{
    collections::{BTreeMap, BTreeSet},
    io::Read,
};

use rsnms_domain::auth::Role;
use rsnms_tests::{TestApp, id, spawn_app};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    diagnostics::{framework, record},
    exports::{person, route},
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

#[tokio::test]
async fn an_incremental_export_holds_exactly_the_records_the_feed_changed_and_its_zip_manifest_verifies() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let cnppm =
        app.create_org(json!({"name": "ЦНППМ Республики Бурятия", "kind": "cnppm", "parent_id": r.region["id"]})).await;
    let tutor = id(&person(&app, &cnppm, "Тьюторова", json!({"roles": ["tutor"]})).await);
    let a = id(&person(&app, &r.school_a, "Иванова", json!({})).await);
    let b = id(&person(&app, &r.school_b, "Петрова", json!({})).await);
    for t in [&a, &b] {
        let result = json!([{"person_id": t, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"}]);
        record(&app, &f.campaign, result).await;
    }
    let first = program(&app, &cnppm, "Цифровой урок").await;
    let second = program(&app, &cnppm, "Формирующее оценивание").await;
    route(&app, &f, &a, &tutor, &first).await;

    // The receiver has applied every event so far: the instant of the last is its mark.
    let before = feed(&app).await;
    let since = before.last().unwrap()["occurred_at"].as_str().unwrap().to_owned();

    let current = app.get(&format!("/api/v1/programs/{}", id(&first)), &app.admin).await;
    let patched = app
        .patch(&format!("/api/v1/programs/{}", id(&first)), &app.admin, &current.etag(), &json!({"hours": 72}))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
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
    let res = app
        .client
        .get(format!("{}/api/v1/exports/federal/bundle?{window}", app.base))
        .bearer_auth(&integration)
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
    let manifest: Value = serde_json::from_slice(&members["manifest.json"]).unwrap();
    assert_eq!(
        (manifest["schema"].as_str(), manifest["schema_version"].as_str()),
        (Some("rsnms.federal.manifest"), Some("1.0"))
    );
    assert!(manifest["generated_at"].is_string());
    let listed: BTreeSet<&str> =
        manifest["files"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(listed, BTreeSet::from(["programs.json", "routes.json"]));
    assert_eq!(members.len(), 3, "the manifest's files and the manifest: {:?}", members.keys());
    for file in manifest["files"].as_array().unwrap() {
        let content = &members[file["name"].as_str().unwrap()];
        assert_eq!(file["sha256"].as_str().unwrap(), hex::encode(Sha256::digest(content)), "{file}");
        assert_eq!(file["bytes"].as_u64(), Some(content.len() as u64));
    }
    let zipped_programs: Value = serde_json::from_slice(&members["programs.json"]).unwrap();
    let zipped_routes: Value = serde_json::from_slice(&members["routes.json"]).unwrap();
    assert_eq!(ids(&zipped_programs["programs"]), programs_changed);
    assert_eq!(ids(&zipped_routes["routes"]), routes_changed);
    let records = |name: &str| {
        manifest["files"].as_array().unwrap().iter().find(|f| f["name"] == name).unwrap()["records"].as_u64()
    };
    assert_eq!((records("programs.json"), records("routes.json")), (Some(2), Some(1)));

    // A cut transfer does not verify.
    let cut = &members["routes.json"][..members["routes.json"].len() - 1];
    assert_ne!(hex::encode(Sha256::digest(cut)), manifest["files"][1]["sha256"].as_str().unwrap());

    // Aggregates are computed whole: they refuse the window, naming it.
    let diagnostics = app.get(&format!("/api/v1/exports/federal/diagnostics?{window}"), &integration).await;
    assert_eq!(diagnostics.status, 422, "{}", diagnostics.text);
    assert!(diagnostics.text.contains("updated_since"), "{}", diagnostics.text);
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
