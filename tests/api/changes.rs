//! The change feed: `GET /api/v1/changes`.

use std::collections::BTreeMap;

use rsnms_domain::{
    auth::{Actor, Ctx, Role},
    organizations::{Contacts, Level, NewOrganization, OrganizationKind},
};
use rsnms_tests::{TestApp, engine, id, spawn_app};
use serde_json::{Value, json};

/// Follows the feed from a cursor to its end, `limit` events a page.
async fn follow(app: &TestApp, token: &str, after: &str, extra: &str, limit: u32) -> (Vec<Value>, String) {
    let mut cursor = after.to_owned();
    let mut out = Vec::new();
    loop {
        let r = app.get(&format!("/api/v1/changes?after={cursor}&limit={limit}{extra}"), token).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let items = r.body["items"].as_array().unwrap().clone();
        cursor = r.body["next_cursor"].as_str().unwrap().to_owned();
        out.extend(items);
        if !r.body["has_more"].as_bool().unwrap() {
            return (out, cursor);
        }
        assert!(r.header("link").is_some_and(|l| l.contains("rel=\"next\"")));
    }
}

/// Applies events in order: created/updated replace, deleted removes.
fn rebuild(events: &[Value]) -> BTreeMap<(String, String), Value> {
    let mut state = BTreeMap::new();
    for e in events {
        let key = (e["resource_type"].as_str().unwrap().to_owned(), e["resource_id"].as_str().unwrap().to_owned());
        match e["action"].as_str().unwrap() {
            "deleted" => {
                state.remove(&key);
            }
            _ => {
                state.insert(key, e["payload"].clone());
            }
        }
    }
    state
}

#[tokio::test]
async fn a_consumer_following_the_feed_from_zero_rebuilds_the_same_state() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let a = app
        .create_person(json!({"surname": "Иванова", "first_name": "Анна", "organization_id": r.school_a["id"]}))
        .await;
    let b = app
        .create_person(json!({"surname": "Петров", "first_name": "Пётр", "organization_id": r.school_b["id"]}))
        .await;
    let upd =
        app.patch(&format!("/api/v1/persons/{}", id(&a)), &app.admin, "\"1\"", &json!({"position": "методист"})).await;
    assert_eq!(upd.status, 200, "{}", upd.text);
    let del = app
        .send("DELETE", &format!("/api/v1/persons/{}", id(&b)), Some(&app.admin), None, &[("if-match", "\"1\"")])
        .await;
    assert_eq!(del.status, 204, "{}", del.text);
    let close = app
        .send(
            "POST",
            &format!("/api/v1/organizations/{}/close", id(&r.school_b)),
            Some(&app.admin),
            Some(&json!({"closed_on": "2026-09-01"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(close.status, 200, "{}", close.text);

    let (events, _) = follow(&app, &app.admin, "0", "&types=organization,person", 3).await;
    let positions: Vec<i64> = events.iter().map(|e| e["cursor"].as_str().unwrap().parse().unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "strictly increasing cursors");
    let state = rebuild(&events);

    let orgs = app.get("/api/v1/organizations?limit=500", &app.admin).await.body["items"].as_array().unwrap().clone();
    let persons = app.get("/api/v1/persons?limit=500", &app.admin).await.body["items"].as_array().unwrap().clone();
    let expected: usize = orgs.len() + persons.len();
    assert_eq!(state.len(), expected, "exactly the live resources: {:?}", state.keys());
    for o in &orgs {
        let got = &state[&("organization".to_owned(), id(o))];
        for f in ["name", "kind", "parent_id", "municipality_code", "closed_on", "version"] {
            assert_eq!(got[f], o[f], "organization {} field {f}", id(o));
        }
    }
    for p in &persons {
        let got = &state[&("person".to_owned(), id(p))];
        for f in ["surname", "first_name", "position", "organization_id", "version"] {
            assert_eq!(got[f], p[f], "person {} field {f}", id(p));
        }
    }
    assert!(!state.contains_key(&("person".to_owned(), id(&b))), "the deleted person is gone");
}

#[tokio::test]
async fn the_feed_resumes_from_any_cursor_and_filters_by_type() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    app.create_person(json!({"surname": "Иванова", "first_name": "Анна", "organization_id": r.school_a["id"]})).await;
    let (all, end) = follow(&app, &app.admin, "0", "", 100).await;
    assert!(all.len() >= 6);
    let middle = all[2]["cursor"].as_str().unwrap();
    let (rest, end2) = follow(&app, &app.admin, middle, "", 2).await;
    assert_eq!(rest, all[3..].to_vec());
    assert_eq!(end, end2);
    let (nothing_new, same) = follow(&app, &app.admin, &end, "", 10).await;
    assert!(nothing_new.is_empty());
    assert_eq!(same, end, "polling at the end keeps the cursor");
    let (persons, _) = follow(&app, &app.admin, "0", "&types=person", 100).await;
    assert_eq!(persons.len(), 1);
    assert_eq!(persons[0]["event_type"], "person.created");
    let bad = app.get("/api/v1/changes?after=abc", &app.admin).await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), vec!["after"]);
}

#[tokio::test]
async fn the_feed_shows_each_caller_only_their_scope_and_no_personal_data() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let a = app
        .create_person(json!({"surname": "Иванова", "first_name": "Анна", "organization_id": r.school_a["id"], "snils": "112-233-445 95", "birth_date": "1990-01-01"}))
        .await;
    let b = app
        .create_person(json!({"surname": "Петров", "first_name": "Пётр", "organization_id": r.school_b["id"]}))
        .await;
    let municipal_a = app.token(Role::Municipal, Some(&r.mun_a), None);
    let (seen, _) = follow(&app, &municipal_a, "0", "", 100).await;
    let ids: Vec<&str> = seen.iter().map(|e| e["resource_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&a["id"].as_str().unwrap()) && ids.contains(&r.school_a["id"].as_str().unwrap()));
    assert!(!ids.contains(&b["id"].as_str().unwrap()), "a person of municipality B is not shown to A");
    assert!(!ids.contains(&r.school_b["id"].as_str().unwrap()));
    let teacher = app.token(Role::Teacher, Some(&r.school_a), Some(a["id"].as_str().unwrap()));
    let (own, _) = follow(&app, &teacher, "0", "&types=person,organization", 100).await;
    assert!(
        own.iter().all(|e| e["resource_id"] == a["id"] || e["resource_id"] == r.school_a["id"]),
        "a teacher sees only events about themselves and their own organisation"
    );
    assert_eq!(own.len(), 2);
    // Analysts read no persons with GET (403), so none of their events either.
    let analyst = app.token(Role::Analyst, None, None);
    let (all, _) = follow(&app, &analyst, "0", "&types=person", 100).await;
    assert!(all.is_empty(), "{all:?}");
}

#[tokio::test]
async fn an_event_that_commits_late_is_published_after_those_already_read() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let (_, cursor) = follow(&app, &app.admin, "0", "", 100).await;
    // A long transaction takes its outbox row first…
    let unit = rsnms_domain::exchange::UnitOfWork::begin(app.store.units.as_ref()).await.unwrap();
    let ctx = Ctx {
        actor: Actor {
            subject: "test-admin".into(),
            role: Role::Admin,
            organization_id: None,
            region_code: None,
            municipality_code: None,
            person_id: None,
        },
        request_id: "late".into(),
        idempotency: None,
    };
    let late = unit
        .organizations()
        .create(
            &ctx,
            NewOrganization {
                name: "Поздняя организация".into(),
                short_name: None,
                kind: OrganizationKind::Other,
                level: Level::Regional,
                parent_id: None,
                region_code: "03".into(),
                municipality_code: None,
                municipality_name: None,
                inn: None,
                time_zone: "Asia/Irkutsk".into(),
                contacts: Contacts::default(),
                opened_on: None,
                responsible_person_id: None,
            },
        )
        .await
        .unwrap();
    let mut after_early = cursor.clone();
    if engine() == "postgres" {
        // …another commits meanwhile with a later sequence number and is read at once (on SQLite
        // writers are serialised, so no write can commit while the unit is open)…
        app.create_person(json!({"surname": "Ранний", "first_name": "Иван", "organization_id": r.school_a["id"]}))
            .await;
        let (early, c) = follow(&app, &app.admin, &cursor, "", 100).await;
        assert_eq!(early.len(), 1, "only the committed event is published");
        assert_eq!(early[0]["event_type"], "person.created");
        after_early = c;
    } else {
        let (none, _) = follow(&app, &app.admin, &cursor, "", 100).await;
        assert!(none.is_empty(), "an uncommitted event is not published");
    }
    unit.commit().await.unwrap();
    // …and the late one is not skipped by a reader already past the early one.
    let (rest, _) = follow(&app, &app.admin, &after_early, "", 100).await;
    assert_eq!(rest.len(), 1, "{rest:?}");
    assert_eq!(rest[0]["resource_id"], json!(late.id));
}

#[tokio::test]
async fn a_municipal_caller_pages_through_its_own_events_and_never_another_regions_namesake_municipality() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    // Another region on the same database, one of whose municipalities has the same code.
    let other = app
        .create_org(json!({"name": "Министерство образования Алтайского края", "kind": "regional_authority", "region_code": "22", "time_zone": "Asia/Barnaul"}))
        .await;
    let namesake = app
        .create_org(json!({"name": "Управление образования района", "kind": "municipal_authority", "parent_id": other["id"], "municipality_code": r.mun_a["municipality_code"], "municipality_name": "Район"}))
        .await;
    let mut own = vec![r.mun_a["id"].clone(), r.school_a["id"].clone()];
    let mut foreign = vec![other["id"].clone(), namesake["id"].clone()];
    for i in 0..3 {
        own.push(
            app.create_person(
                json!({"surname": format!("Иванова{i}"), "first_name": "Анна", "organization_id": r.school_a["id"]}),
            )
            .await["id"]
                .clone(),
        );
        foreign.push(
            app.create_person(
                json!({"surname": format!("Петрова{i}"), "first_name": "Ольга", "organization_id": namesake["id"]}),
            )
            .await["id"]
                .clone(),
        );
    }
    let municipal_a = app.token(Role::Municipal, Some(&r.mun_a), None);
    let (whole, _) = follow(&app, &municipal_a, "0", "&types=person,organization", 100).await;
    let (paged, _) = follow(&app, &municipal_a, "0", "&types=person,organization", 1).await;
    assert_eq!(paged, whole, "page by page, the same events in the same order");
    let ids: Vec<&Value> = whole.iter().map(|e| &e["resource_id"]).collect();
    for id in &own {
        assert!(ids.contains(&id), "{id} of municipality A is in its feed");
    }
    for id in &foreign {
        assert!(!ids.contains(&id), "{id} of region 22 is not, though its municipality code is the same");
    }
}
