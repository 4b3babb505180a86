//! The outgoing-number template of a sender: `/organizations/{id}/request-numbering`.

use rsnms_domain::auth::Role;
use rsnms_tests::{Region, Reply, TestApp, id, spawn_app};
use serde_json::{Value, json};

fn draft(r: &Region) -> Value {
    json!({
        "sender_organization_id": r.school_a["id"],
        "addressee_organization_id": r.school_b["id"],
        "reply_contact": "info@school.example",
        "author": {"surname": "Иванова", "first_name": "Мария", "patronymic": "Петровна", "position": "методист", "email": "m@school.example"},
        "subject": "О сведениях",
        "body": "Просим предоставить.",
        "channel": "email"
    })
}

/// Drafts and sends a request of school A (`sent_on` `None`: today); returns the sent request.
async fn send(app: &TestApp, token: &str, r: &Region, sent_on: Option<&str>) -> Value {
    let created = app.post("/api/v1/network-requests", token, &draft(r)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let body = sent_on.map_or_else(|| json!({}), |d| json!({"sent_on": d}));
    let sent = app
        .send(
            "POST",
            &format!("/api/v1/network-requests/{}/send", id(&created.body)),
            Some(token),
            Some(&body),
            &[("if-match", &created.etag())],
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    sent.body
}

fn path(org: &Value) -> String {
    format!("/api/v1/organizations/{}/request-numbering", id(org))
}

async fn put(app: &TestApp, token: &str, org: &Value, etag: Option<&str>, body: &Value) -> Reply {
    let headers: Vec<(&str, &str)> = etag.map(|e| vec![("if-match", e)]).unwrap_or_default();
    app.send("PUT", &path(org), Some(token), Some(body), &headers).await
}

#[tokio::test]
async fn a_sender_without_a_template_numbers_n_slash_year_as_the_preview_says() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let school = app.token(Role::Organization, Some(&r.school_a), None);
    let before = app.get(&path(&r.school_a), &school).await;
    assert_eq!(before.status, 200, "{}", before.text);
    assert_eq!(before.etag(), "\"0\"");
    assert_eq!(before.body["format"], "{seq}/{year}");
    assert_eq!(before.body["is_default"], true);
    assert_eq!(before.body["last_seq"], 0);
    let year = before.body["year"].as_i64().unwrap();
    assert_eq!(before.body["next_number"], format!("1/{year}"));
    let sent = send(&app, &school, &r, None).await;
    assert_eq!(sent["outgoing_number"], before.body["next_number"]);
    assert!(sent["sent_on"].as_str().unwrap().starts_with(&year.to_string()));
    let after = app.get(&path(&r.school_a), &school).await;
    assert_eq!(after.body["last_seq"], 1);
    assert_eq!(after.body["next_number"], format!("2/{year}"));
}

#[tokio::test]
async fn a_custom_template_applies_to_the_next_sent_request_and_the_sequence_continues() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let school = app.token(Role::Organization, Some(&r.school_a), None);
    let first = send(&app, &school, &r, Some("2026-03-02")).await;
    assert_eq!(first["outgoing_number"], "1/2026");
    let body = json!({"format": "ЦНППМ-{seq}/{year}"});
    put(&app, &school, &r.school_a, None, &body).await.assert_problem(428);
    let set = put(&app, &school, &r.school_a, Some("\"0\""), &body).await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.etag(), "\"1\"");
    assert_eq!(set.body["format"], "ЦНППМ-{seq}/{year}");
    assert_eq!(set.body["is_default"], false);
    let year = set.body["year"].as_i64().unwrap();
    assert_eq!(set.body["next_number"], format!("ЦНППМ-{}/{year}", if year == 2026 { 2 } else { 1 }));
    // A second writer still holding version 0 loses.
    put(&app, &school, &r.school_a, Some("\"0\""), &json!({"format": "{seq}"})).await.assert_problem(412);
    let second = send(&app, &school, &r, Some("2026-03-03")).await;
    assert_eq!(second["outgoing_number"], "ЦНППМ-2/2026", "the year's sequence continues under the new template");
    let unchanged = app.get(&format!("/api/v1/network-requests/{}", id(&first)), &school).await;
    assert_eq!(unchanged.body["outgoing_number"], "1/2026", "numbers already given stay");
    // Zero padding and the two-digit year.
    let padded = put(&app, &school, &r.school_a, Some(&set.etag()), &json!({"format": "{seq:3}-{yy}"})).await;
    assert_eq!(padded.status, 200, "{}", padded.text);
    assert_eq!(padded.body["version"], 2);
    let third = send(&app, &school, &r, Some("2026-03-04")).await;
    assert_eq!(third["outgoing_number"], "003-26");
    // The change is audited and published.
    let audit = app
        .get(&format!("/api/v1/audit?resource_type=request_numbering&resource_id={}", id(&r.school_a)), &app.admin)
        .await;
    assert_eq!(audit.body["items"].as_array().unwrap().len(), 2, "{}", audit.text);
    let feed = app.get("/api/v1/changes?after=0&limit=500", &app.admin).await;
    let events: Vec<&Value> = feed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event_type"] == "request_numbering.updated")
        .collect();
    assert_eq!(events.len(), 2, "{}", feed.text);
    assert_eq!(events[1]["payload"]["format"], "{seq:3}-{yy}");
}

#[tokio::test]
async fn an_invalid_template_is_a_422_naming_format_and_writes_nothing() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    for bad in [
        json!({"format": "{year}"}),
        json!({"format": "{seq}-{month}"}),
        json!({"format": "{seq:12}"}),
        json!({"format": "№ {seq"}),
        json!({"format": format!("{}{{seq}}", "Я".repeat(50))}),
        json!({"format": "  "}),
        json!({}),
    ] {
        // Judged before the precondition: no If-Match needed to learn the body is wrong.
        let refused = put(&app, &app.admin, &r.school_a, None, &bad).await;
        refused.assert_problem(422);
        let mut fields = refused.error_fields();
        fields.dedup();
        assert_eq!(fields, vec!["format"], "{bad}: {}", refused.text);
    }
    let en = app
        .send(
            "PUT",
            &path(&r.school_a),
            Some(&app.admin),
            Some(&json!({"format": "{year}"})),
            &[("accept-language", "en"), ("if-match", "\"0\"")],
        )
        .await;
    en.assert_problem(422);
    assert!(en.text.contains("{seq}"), "{}", en.text);
    let stored = app.get(&path(&r.school_a), &app.admin).await;
    assert_eq!(stored.body["is_default"], true);
    assert_eq!(stored.body["version"], 0);
}

#[tokio::test]
async fn the_sequence_restarts_at_one_each_year() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let set = put(&app, &app.admin, &r.school_a, Some("\"0\""), &json!({"format": "ИСХ-{seq:2}/{yy}"})).await;
    assert_eq!(set.status, 200, "{}", set.text);
    let numbers = [
        send(&app, &app.admin, &r, Some("2024-12-27")).await,
        send(&app, &app.admin, &r, Some("2024-12-28")).await,
        send(&app, &app.admin, &r, Some("2025-01-09")).await,
        send(&app, &app.admin, &r, Some("2024-12-30")).await,
    ]
    .map(|s| s["outgoing_number"].as_str().unwrap().to_owned());
    assert_eq!(numbers, ["ИСХ-01/24", "ИСХ-02/24", "ИСХ-01/25", "ИСХ-03/24"]);
}

#[tokio::test]
async fn the_numbering_of_a_foreign_organisation_is_not_found_and_only_acting_roles_see_it() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let body = json!({"format": "{seq}-Б"});
    for foreign in
        [app.token(Role::Organization, Some(&r.school_b), None), app.token(Role::Municipal, Some(&r.mun_b), None)]
    {
        app.get(&path(&r.school_a), &foreign).await.assert_problem(404);
        put(&app, &foreign, &r.school_a, Some("\"0\""), &body).await.assert_problem(404);
    }
    let missing = json!({"id": "01a208e7-1ff3-760b-9f9c-140424bfadde"});
    app.get(&path(&missing), &app.admin).await.assert_problem(404);
    let analyst = app.token(Role::Analyst, None, None);
    app.get(&path(&r.school_a), &analyst).await.assert_problem(403);
    // The municipal authority above the school may set it; the school's own page shows it.
    let municipal_a = app.token(Role::Municipal, Some(&r.mun_a), None);
    let set = put(&app, &municipal_a, &r.school_a, Some("\"0\""), &json!({"format": "{seq}-А"})).await;
    assert_eq!(set.status, 200, "{}", set.text);
    let school = app.token(Role::Organization, Some(&r.school_a), None);
    assert_eq!(app.get(&path(&r.school_a), &school).await.body["format"], "{seq}-А");
    let other = app.get(&path(&r.school_b), &app.admin).await;
    assert_eq!(other.body["format"], "{seq}/{year}", "another sender keeps its own template");
}
