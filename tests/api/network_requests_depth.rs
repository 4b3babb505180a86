//! Network requests in depth (issue 23): visibility by fact, calendar corrections that never
//! fail, exact hour terms.

use rsnms_domain::auth::Role;
use rsnms_tests::{TestApp, id, spawn_app};
use serde_json::{Value, json};

fn complete_draft(sender: &Value, addressee: &Value) -> Value {
    json!({
        "sender_organization_id": sender["id"],
        "addressee_organization_id": addressee["id"],
        "reply_contact": "670000, Улан-Удэ, ул. Ленина, 1; info@school.example",
        "author": {"surname": "Иванова", "first_name": "Мария", "patronymic": "Петровна", "position": "методист", "phone": "8 (301) 221-00-00"},
        "subject": "О предоставлении сведений",
        "body": "Просим предоставить сведения об учителе Петрове П. П., СНИЛС 112-233-445 95.",
        "contains_personal_data": true,
        "personal_data_basis": "152-ФЗ, ст. 6, ч. 1, п. 2",
        "channel": "edms"
    })
}

async fn action(app: &TestApp, token: &str, r: &Value, name: &str, body: Value) -> rsnms_tests::Reply {
    let etag = format!("\"{}\"", r["version"]);
    app.send(
        "POST",
        &format!("/api/v1/network-requests/{}/{name}", id(r)),
        Some(token),
        Some(&body),
        &[("if-match", &etag)],
    )
    .await
}

fn counts<'a>(stats: &'a Value, list: &str, key: &str, value: &Value) -> &'a Value {
    stats[list].as_array().unwrap().iter().find(|o| &o[key] == value).unwrap_or(&Value::Null)
}

#[tokio::test]
async fn a_draft_withdrawn_before_sending_stays_invisible_to_its_addressee_and_out_of_its_counts() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let addressee = app.token(Role::Organization, Some(&r.school_b), None);
    let above_addressee = app.token(Role::Municipal, Some(&r.mun_b), None);
    let draft = app.post("/api/v1/network-requests", &sender, &complete_draft(&r.school_a, &r.school_b)).await;
    assert_eq!(draft.status, 201, "{}", draft.text);
    let withdrawn = action(&app, &sender, &draft.body, "withdraw", json!({"reason": "ошибка"})).await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text);
    assert_eq!(withdrawn.body["status"], "withdrawn");
    let path = format!("/api/v1/network-requests/{}", id(&draft.body));
    for token in [&addressee, &above_addressee] {
        app.get(&path, token).await.assert_problem(404);
        let list = app.get("/api/v1/network-requests", token).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 0, "{}", list.text);
    }
    assert_eq!(app.get(&path, &sender).await.status, 200);

    // A request withdrawn after sending stays visible to the addressee: it was sent.
    let second = app.post("/api/v1/network-requests", &sender, &complete_draft(&r.school_a, &r.school_b)).await;
    let sent = action(&app, &sender, &second.body, "send", json!({})).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let gone = action(&app, &sender, &sent.body, "withdraw", json!({"reason": "не нужен"})).await;
    assert_eq!(gone.status, 200, "{}", gone.text);
    let seen = app.get(&format!("/api/v1/network-requests/{}", id(&sent.body)), &addressee).await;
    assert_eq!(seen.status, 200, "{}", seen.text);
    assert_eq!(seen.body["status"], "withdrawn");

    // Counts: the administrator's view agrees with each organisation's own.
    let admin = app.get("/api/v1/network-requests/stats", &app.admin).await;
    assert_eq!(admin.status, 200, "{}", admin.text);
    let own = app.get("/api/v1/network-requests/stats", &addressee).await;
    let admin_b = counts(&admin.body, "organizations", "organization_id", &r.school_b["id"]);
    let own_b = counts(&own.body, "organizations", "organization_id", &r.school_b["id"]);
    assert_eq!(admin_b["as_addressee"]["withdrawn"], 1, "{}", admin.text);
    assert_eq!(admin_b["as_addressee"], own_b["as_addressee"]);
    let mun = json!("81625000");
    let admin_m = counts(&admin.body, "municipalities", "municipality_code", &mun);
    assert_eq!(admin_m["as_addressee"]["withdrawn"], 1, "{}", admin.text);
    assert_eq!(admin_m["as_addressee"]["draft"], 0);
    let sender_stats = app.get("/api/v1/network-requests/stats", &sender).await;
    let own_a = counts(&sender_stats.body, "organizations", "organization_id", &r.school_a["id"]);
    assert_eq!(own_a["as_sender"]["withdrawn"], 2, "{}", sender_stats.text);
}
