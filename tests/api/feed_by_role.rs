//! The change feed follows the read rules of the resources (issue 14 item 4, issue 23 item 3):
//! replaying it per role rebuilds what that role reads with GET, personal data travels only to
//! roles that may read it (audited), and a network request's events reach both parties, each
//! as its GET shows the request.

use std::collections::BTreeMap;

use rsnms_domain::auth::Role;
use rsnms_tests::{Region, TestApp, id, spawn_app};
use serde_json::{Value, json};

/// Every event of the given types the token receives, from the beginning.
pub(crate) async fn feed(app: &TestApp, token: &str, types: &str) -> Vec<Value> {
    let mut cursor = "0".to_owned();
    let mut out = Vec::new();
    loop {
        let r = app.get(&format!("/api/v1/changes?after={cursor}&limit=200&types={types}"), token).await;
        assert_eq!(r.status, 200, "{}", r.text);
        out.extend(r.body["items"].as_array().unwrap().iter().cloned());
        cursor = r.body["next_cursor"].as_str().unwrap().to_owned();
        if !r.body["has_more"].as_bool().unwrap() {
            return out;
        }
    }
}

/// Applies events in order: created/updated replace, deleted removes.
fn replay(events: &[Value]) -> BTreeMap<String, Value> {
    let mut state = BTreeMap::new();
    for e in events {
        let key = e["resource_id"].as_str().unwrap().to_owned();
        if e["action"] == "deleted" {
            state.remove(&key);
        } else {
            state.insert(key, e["payload"].clone());
        }
    }
    state
}

/// The list a role reads with GET, by id (`None` when the role may not read it: 403).
async fn listed(app: &TestApp, token: &str, path: &str) -> Option<BTreeMap<String, Value>> {
    let r = app.get(&format!("{path}?limit=500"), token).await;
    if r.status == 403 {
        return None;
    }
    assert_eq!(r.status, 200, "{}", r.text);
    Some(r.body["items"].as_array().unwrap().iter().map(|v| (id(v), v.clone())).collect())
}

struct Reader {
    name: &'static str,
    token: String,
}

fn readers(app: &TestApp, r: &Region, teacher: &Value) -> Vec<Reader> {
    vec![
        Reader { name: "admin", token: app.admin.clone() },
        Reader { name: "operator", token: app.token(Role::Operator, None, None) },
        Reader { name: "integration", token: app.token(Role::Integration, None, None) },
        Reader { name: "municipal A", token: app.token(Role::Municipal, Some(&r.mun_a), None) },
        Reader { name: "organization school A", token: app.token(Role::Organization, Some(&r.school_a), None) },
        Reader { name: "teacher", token: app.token(Role::Teacher, Some(&r.school_a), Some(&id(teacher))) },
        Reader { name: "analyst", token: app.token(Role::Analyst, None, None) },
    ]
}

async fn people(app: &TestApp, r: &Region) -> (Value, Value) {
    let a = app
        .create_person(json!({"surname": "Иванова", "first_name": "Анна", "organization_id": r.school_a["id"],
            "snils": "112-233-445 95", "birth_date": "1990-01-01", "hire_date": "2015-09-01",
            "email": "ivanova@school.example", "phone": "+7 301 221-00-00", "subjects": ["математика"]}))
        .await;
    let b = app
        .create_person(json!({"surname": "Петров", "first_name": "Пётр", "organization_id": r.school_b["id"], "hire_date": "2020-09-01"}))
        .await;
    let upd =
        app.patch(&format!("/api/v1/persons/{}", id(&a)), &app.admin, "\"1\"", &json!({"position": "методист"})).await;
    assert_eq!(upd.status, 200, "{}", upd.text);
    (upd.body, b)
}

/// Replays the feed of one resource type as a reader and compares it with the reader's GET of
/// the list, field by field (less the fields GET derives on the day of reading, and the
/// event-only fields of the payload); a role that gets 403 must receive no event of the type.
async fn assert_replay_equals_get(
    app: &TestApp,
    reader: &Reader,
    resource_type: &str,
    path: &str,
    derived: &[&str],
    event_only: &[&str],
) {
    let mut state = replay(&feed(app, &reader.token, resource_type).await);
    for payload in state.values_mut() {
        for f in event_only {
            payload.as_object_mut().unwrap().remove(*f);
        }
    }
    let Some(get) = listed(app, &reader.token, path).await else {
        assert!(state.is_empty(), "{}: a role that may not read {path} receives none of its events", reader.name);
        return;
    };
    assert_eq!(state.keys().collect::<Vec<_>>(), get.keys().collect::<Vec<_>>(), "{}: the same rows", reader.name);
    for (rid, view) in &get {
        let mut expected = view.clone();
        for f in derived {
            expected.as_object_mut().unwrap().remove(*f);
        }
        assert_eq!(state[rid], expected, "{}: {resource_type} {rid} field by field", reader.name);
    }
}

#[tokio::test]
async fn replaying_the_persons_feed_gives_each_role_exactly_its_get_of_persons() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let (a, _b) = people(&app, &r).await;
    for reader in readers(&app, &r, &a) {
        assert_replay_equals_get(&app, &reader, "person", "/api/v1/persons", &["young_specialist"], &[]).await;
    }
}

#[tokio::test]
async fn replaying_the_organizations_feed_gives_each_role_the_organizations_it_reads() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let (a, _) = people(&app, &r).await;
    for reader in readers(&app, &r, &a) {
        assert_replay_equals_get(&app, &reader, "organization", "/api/v1/organizations", &["allowed_actions"], &[])
            .await;
    }
}

#[tokio::test]
async fn an_analyst_reads_no_rows_of_persons_organizations_or_routes_from_the_feed() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    people(&app, &r).await;
    let analyst = app.token(Role::Analyst, None, None);
    for path in ["/api/v1/persons", "/api/v1/organizations", "/api/v1/routes"] {
        assert_eq!(app.get(path, &analyst).await.status, 403, "{path}");
    }
    let all = feed(&app, &analyst, "").await;
    for e in &all {
        let t = e["resource_type"].as_str().unwrap();
        assert!(!["person", "organization", "route", "account", "network_request"].contains(&t), "{e}");
    }
}

#[tokio::test]
async fn personal_data_in_the_feed_is_audited_as_a_read_by_whoever_receives_it() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let (a, _) = people(&app, &r).await;
    let reads = |role: &'static str| {
        let app = &app;
        let pid = id(&a);
        async move {
            let audit =
                app.get(&format!("/api/v1/audit?resource_type=person&resource_id={pid}&limit=500"), &app.admin).await;
            assert_eq!(audit.status, 200, "{}", audit.text);
            audit.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["action"] == "read_personal_data" && i["actor_role"] == role)
                .count()
        }
    };
    assert_eq!(reads("municipal").await, 0);
    let municipal = app.token(Role::Municipal, Some(&r.mun_a), None);
    let events = feed(&app, &municipal, "person").await;
    let mine: Vec<&Value> = events.iter().filter(|e| e["resource_id"] == a["id"]).collect();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[1]["payload"]["snils"], "112-233-445 95");
    assert_eq!(mine[1]["payload"]["hire_date"], "2015-09-01", "non-personal fields travel");
    assert_eq!(reads("municipal").await, 2, "each event that showed the СНИЛС is an audited read");
}

fn request(sender: &Value, addressee: &Value) -> Value {
    json!({
        "sender_organization_id": sender["id"],
        "addressee_organization_id": addressee["id"],
        "reply_contact": "670000, Улан-Удэ, ул. Ленина, 1; info@school.example",
        "author": {"surname": "Иванова", "first_name": "Мария", "patronymic": "Петровна", "position": "методист", "phone": "8 (301) 221-00-00"},
        "subject": "О предоставлении сведений о курсах",
        "body": "Просим предоставить сведения.",
        "channel": "edms"
    })
}

async fn act(app: &TestApp, r: &Value, name: &str, body: Value) -> Value {
    let etag = format!("\"{}\"", r["version"]);
    let res = app
        .send(
            "POST",
            &format!("/api/v1/network-requests/{}/{name}", id(r)),
            Some(&app.admin),
            Some(&body),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(res.status, 200, "{name}: {}", res.text);
    res.body
}

#[tokio::test]
async fn both_parties_of_a_sent_request_and_those_above_them_receive_every_event_and_a_draft_stays_the_senders() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let draft = app.post("/api/v1/network-requests", &app.admin, &request(&r.school_a, &r.school_b)).await;
    assert_eq!(draft.status, 201, "{}", draft.text);
    let sent = act(&app, &draft.body, "send", json!({"sent_on": "2025-10-31"})).await;
    act(&app, &sent, "receive", json!({"incoming_number": "вх-1", "received_on": "2025-10-31"})).await;
    let other = app.post("/api/v1/network-requests", &app.admin, &request(&r.school_a, &r.school_b)).await;
    assert_eq!(other.status, 201, "{}", other.text);
    act(&app, &other.body, "withdraw", json!({})).await;

    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let addressee = app.token(Role::Organization, Some(&r.school_b), None);
    let above_sender = app.token(Role::Municipal, Some(&r.mun_a), None);
    let above_addressee = app.token(Role::Municipal, Some(&r.mun_b), None);
    let actions = |events: &[Value], rid: &Value| -> Vec<String> {
        events
            .iter()
            .filter(|e| &e["resource_id"] == rid)
            .map(|e| e["payload"]["event"].as_str().unwrap().to_owned())
            .collect()
    };
    for (name, token) in [("sender", &sender), ("above the sender", &above_sender)] {
        let events = feed(&app, token, "network_request").await;
        assert_eq!(actions(&events, &draft.body["id"]), ["create", "send", "receive"], "{name}");
        assert!(!actions(&events, &other.body["id"]).is_empty(), "{name} sees its own draft");
    }
    for (name, token) in [("addressee", &addressee), ("above the addressee", &above_addressee)] {
        let events = feed(&app, token, "network_request").await;
        assert_eq!(actions(&events, &draft.body["id"]), ["send", "receive"], "{name}: from the sending on");
        assert!(actions(&events, &other.body["id"]).is_empty(), "{name}: a withdrawn draft never reaches it");
    }
}

#[tokio::test]
async fn replaying_the_network_requests_feed_gives_each_party_and_those_above_exactly_their_get() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let mut personal = request(&r.school_a, &r.school_b);
    personal["contains_personal_data"] = json!(true);
    personal["personal_data_basis"] = json!("согласие субъекта персональных данных");
    personal["attachments"] = json!([{"name": "справка.pdf", "media_type": "application/pdf", "size": 1024,
        "sha256": "ab".repeat(32)}]);
    let answered = app.post("/api/v1/network-requests", &app.admin, &personal).await;
    assert_eq!(answered.status, 201, "{}", answered.text);
    let sent = act(&app, &answered.body, "send", json!({"sent_on": "2025-10-31"})).await;
    let received = act(&app, &sent, "receive", json!({"incoming_number": "вх-1", "received_on": "2025-10-31"})).await;
    act(&app, &received, "reply", json!({"text": "Сведения о Ивановой А. А. прилагаем.",
        "responder_name": "Петров Пётр", "responder_position": "директор",
        "attachments": [{"name": "ответ.pdf", "media_type": "application/pdf", "size": 2048, "sha256": "cd".repeat(32)}]}))
        .await;
    let plain = app.post("/api/v1/network-requests", &app.admin, &request(&r.school_a, &r.school_b)).await;
    assert_eq!(plain.status, 201, "{}", plain.text);
    act(&app, &plain.body, "send", json!({"sent_on": "2025-11-05"})).await;
    let draft = app.post("/api/v1/network-requests", &app.admin, &request(&r.school_a, &r.school_b)).await;
    assert_eq!(draft.status, 201, "{}", draft.text);

    let readers = [
        Reader { name: "admin", token: app.admin.clone() },
        Reader { name: "operator", token: app.token(Role::Operator, None, None) },
        Reader { name: "sender", token: app.token(Role::Organization, Some(&r.school_a), None) },
        Reader { name: "addressee", token: app.token(Role::Organization, Some(&r.school_b), None) },
        Reader { name: "above the sender", token: app.token(Role::Municipal, Some(&r.mun_a), None) },
        Reader { name: "above the addressee", token: app.token(Role::Municipal, Some(&r.mun_b), None) },
        Reader { name: "analyst", token: app.token(Role::Analyst, None, None) },
    ];
    for reader in &readers {
        assert_replay_equals_get(
            &app,
            reader,
            "network_request",
            "/api/v1/network-requests",
            &["overdue", "allowed_actions"],
            &["event"],
        )
        .await;
    }
    let hidden = |token: &str| {
        let app = &app;
        let token = token.to_owned();
        let rid = answered.body["id"].clone();
        async move {
            let events = feed(app, &token, "network_request").await;
            let last = events.iter().rev().find(|e| e["resource_id"] == rid).unwrap().clone();
            (
                last["payload"]["body"].clone(),
                last["payload"]["reply"]["text"].clone(),
                last["payload"]["personal_data_hidden"].clone(),
            )
        }
    };
    let (body, reply, flag) = hidden(&readers[3].token).await;
    assert_eq!(
        (body.as_str(), reply.as_str(), flag),
        (Some("Просим предоставить сведения."), Some("Сведения о Ивановой А. А. прилагаем."), json!(false)),
        "a party reads it"
    );
    let (body, reply, flag) = hidden(&readers[5].token).await;
    assert_eq!((body, reply, flag), (Value::Null, Value::Null, json!(true)), "above a party: hidden as GET hides it");
}

#[tokio::test]
async fn network_request_personal_data_in_the_feed_is_audited_as_a_read_only_for_readers_who_see_it() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let mut personal = request(&r.school_a, &r.school_b);
    personal["contains_personal_data"] = json!(true);
    personal["personal_data_basis"] = json!("согласие субъекта персональных данных");
    let created = app.post("/api/v1/network-requests", &app.admin, &personal).await;
    assert_eq!(created.status, 201, "{}", created.text);
    act(&app, &created.body, "send", json!({"sent_on": "2025-10-31"})).await;
    let reads = |role: &'static str| {
        let app = &app;
        let rid = id(&created.body);
        async move {
            let audit = app
                .get(&format!("/api/v1/audit?resource_type=network_request&resource_id={rid}&limit=500"), &app.admin)
                .await;
            assert_eq!(audit.status, 200, "{}", audit.text);
            let items = audit.body["items"].as_array().unwrap();
            items.iter().filter(|i| i["action"] == "read_personal_data" && i["actor_role"] == role).count()
        }
    };
    feed(&app, &app.token(Role::Municipal, Some(&r.mun_b), None), "network_request").await;
    assert_eq!(reads("municipal").await, 0, "above the addressee: hidden, so no read");
    feed(&app, &app.token(Role::Organization, Some(&r.school_b), None), "network_request").await;
    assert_eq!(reads("organization").await, 1, "the addressee read the sent event");
}

#[tokio::test]
async fn a_route_reaches_its_learner_and_its_tutor_as_their_gets_of_routes_show_it() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let route = crate::routes::route_in_school_a(&app, &r).await;
    let shown = app.get(&format!("/api/v1/routes/{route}"), &app.admin).await;
    let (learner, tutor) = (shown.body["person_id"].as_str().unwrap(), shown.body["tutor_id"].as_str().unwrap());
    let stranger = app
        .create_person(json!({"surname": "Чужая", "first_name": "Ирина", "organization_id": r.school_b["id"]}))
        .await;
    for (name, token) in [
        ("learner", app.token(Role::Teacher, Some(&r.school_a), Some(learner))),
        ("tutor", app.token(Role::Tutor, Some(&r.region), Some(tutor))),
        ("stranger", app.token(Role::Teacher, Some(&r.school_b), Some(&id(&stranger)))),
        ("municipal A", app.token(Role::Municipal, Some(&r.mun_a), None)),
        ("municipal B", app.token(Role::Municipal, Some(&r.mun_b), None)),
    ] {
        let state = replay(&feed(&app, &token, "route").await);
        let get = listed(&app, &token, "/api/v1/routes").await.unwrap();
        assert_eq!(state.keys().collect::<Vec<_>>(), get.keys().collect::<Vec<_>>(), "{name}");
        for (rid, view) in &get {
            for f in ["person_id", "tutor_id", "status", "period_start", "period_end", "version"] {
                assert_eq!(state[rid][f], view[f], "{name}: route {rid} field {f}");
            }
        }
    }
}

#[tokio::test]
async fn a_tutor_replays_her_learners_from_the_feed_as_her_get_of_persons_shows_them_and_loses_them_with_the_route() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let route = crate::routes::route_in_school_a(&app, &r).await;
    let shown = app.get(&format!("/api/v1/routes/{route}"), &app.admin).await;
    let (learner, tutor) = (shown.body["person_id"].as_str().unwrap(), shown.body["tutor_id"].as_str().unwrap());
    people(&app, &r).await;
    let tutor = Reader { name: "tutor", token: app.token(Role::Tutor, Some(&r.region), Some(tutor)) };
    assert!(
        listed(&app, &tutor.token, "/api/v1/persons").await.unwrap().contains_key(learner),
        "her GET shows the learner"
    );
    assert_replay_equals_get(&app, &tutor, "person", "/api/v1/persons", &["young_specialist"], &[]).await;

    let etag = format!("\"{}\"", shown.body["version"]);
    let cancelled = app
        .send("POST", &format!("/api/v1/routes/{route}/cancel"), Some(&app.admin), None, &[("if-match", &etag)])
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text);
    assert!(!listed(&app, &tutor.token, "/api/v1/persons").await.unwrap().contains_key(learner));
    assert_replay_equals_get(&app, &tutor, "person", "/api/v1/persons", &["young_specialist"], &[]).await;
}

#[tokio::test]
async fn replaying_diagnostic_results_gives_the_tutor_the_learner_and_the_municipalities_their_get_of_results() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let route = crate::routes::route_in_school_a(&app, &r).await;
    let shown = app.get(&format!("/api/v1/routes/{route}"), &app.admin).await;
    let (learner, tutor) = (shown.body["person_id"].as_str().unwrap(), shown.body["tutor_id"].as_str().unwrap());
    let recorded = feed(&app, &app.admin, "diagnostic_result").await;
    let campaign = recorded.iter().find(|e| e["payload"]["person_id"] == learner).unwrap()["payload"]["campaign_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/diagnostics/{campaign}/results");
    let readers = [
        Reader { name: "tutor", token: app.token(Role::Tutor, Some(&r.region), Some(tutor)) },
        Reader { name: "learner", token: app.token(Role::Teacher, Some(&r.school_a), Some(learner)) },
        Reader { name: "municipal A", token: app.token(Role::Municipal, Some(&r.mun_a), None) },
        Reader { name: "municipal B", token: app.token(Role::Municipal, Some(&r.mun_b), None) },
        Reader { name: "analyst", token: app.token(Role::Analyst, None, None) },
    ];
    for reader in &readers {
        assert_replay_equals_get(&app, reader, "diagnostic_result", &path, &[], &[]).await;
    }
    assert!(!listed(&app, &readers[0].token, &path).await.unwrap().is_empty(), "the tutor reads her learner's result");

    let etag = format!("\"{}\"", shown.body["version"]);
    let cancelled = app
        .send("POST", &format!("/api/v1/routes/{route}/cancel"), Some(&app.admin), None, &[("if-match", &etag)])
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text);
    assert_replay_equals_get(&app, &readers[0], "diagnostic_result", &path, &[], &[]).await;
    assert!(listed(&app, &readers[0].token, &path).await.unwrap().is_empty(), "nothing once the route is cancelled");
}
