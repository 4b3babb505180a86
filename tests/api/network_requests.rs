use chrono::Utc;
use rsnms_domain::{auth::Role, network_requests::NetworkRequestRepository};
use rsnms_tests::{TestApp, id, spawn_app};
use serde_json::{Value, json};

pub(crate) fn complete_draft(sender: &Value, addressee: &Value) -> Value {
    json!({
        "sender_organization_id": sender["id"],
        "addressee_organization_id": addressee["id"],
        "reply_contact": "670000, Улан-Удэ, ул. Ленина, 1; info@school.example",
        "author": {"surname": "Иванова", "first_name": "Мария", "patronymic": "Петровна", "position": "методист", "phone": "8 (301) 221-00-00"},
        "subject": "О предоставлении сведений о курсах повышения квалификации",
        "body": "Просим предоставить сведения.",
        "channel": "edms"
    })
}

pub(crate) async fn action(app: &TestApp, token: &str, r: &Value, name: &str, body: Value) -> rsnms_tests::Reply {
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

pub(crate) async fn policy(app: &TestApp, code: &str) -> Value {
    let list = app.get("/api/v1/deadline-policies", &app.admin).await;
    list.body["items"].as_array().unwrap().iter().find(|p| p["code"] == code).cloned().expect("shipped policy")
}

/// Drafts, sends and receives a request from school A to school B; returns it received.
async fn received(app: &TestApp, r: &rsnms_tests::Region, received_on: &str, policy_code: Option<&str>) -> Value {
    let mut body = complete_draft(&r.school_a, &r.school_b);
    if let Some(code) = policy_code {
        body["policy_id"] = policy(app, code).await["id"].clone();
    }
    let draft = app.post("/api/v1/network-requests", &app.admin, &body).await;
    assert_eq!(draft.status, 201, "{}", draft.text);
    let sent = action(app, &app.admin, &draft.body, "send", json!({"sent_on": received_on})).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let got =
        action(app, &app.admin, &sent.body, "receive", json!({"incoming_number": "вх-1", "received_on": received_on}))
            .await;
    assert_eq!(got.status, 200, "{}", got.text);
    got.body
}

#[tokio::test]
async fn a_request_received_on_friday_31_october_2025_is_due_on_monday_10_november_and_can_be_answered() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let addressee = app.token(Role::Organization, Some(&r.school_b), None);
    let draft = app.post("/api/v1/network-requests", &sender, &complete_draft(&r.school_a, &r.school_b)).await;
    assert_eq!(draft.status, 201, "{}", draft.text);
    assert_eq!(draft.body["status"], "draft");
    let sent = action(&app, &sender, &draft.body, "send", json!({"sent_on": "2025-10-30"})).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert_eq!(sent.body["outgoing_number"], "1/2025");
    assert_eq!(sent.body["sender"]["name"], r.school_a["name"]);
    assert_eq!(sent.body["addressee"]["name"], r.school_b["name"]);
    // The sender may not register receipt.
    action(&app, &sender, &sent.body, "receive", json!({"incoming_number": "1", "received_on": "2025-10-31"}))
        .await
        .assert_problem(403);
    let got = action(
        &app,
        &addressee,
        &sent.body,
        "receive",
        json!({"incoming_number": "вх-245", "received_on": "2025-10-31"}),
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.text);
    let d = &got.body["deadline"];
    assert_eq!(d["policy"]["code"], "fz210_art7_2");
    assert_eq!(d["starts_on"], "2025-11-01");
    assert_eq!(d["due_on"], "2025-11-10");
    assert_eq!(d["counted_days"], 5);
    assert_eq!(d["skipped_days"], json!(["2025-11-02", "2025-11-03", "2025-11-04", "2025-11-08", "2025-11-09"]));
    assert_eq!(d["provisional"], false);
    assert_eq!(d["extended_by"], 0);
    assert_eq!(d["time_zone"], "Asia/Irkutsk");
    assert_eq!(got.body["overdue"], true, "10 November 2025 is long past");
    let answered = action(&app, &addressee, &got.body, "reply", json!({"text": "Сведения прилагаем.", "responder_name": "Петров П. П.", "responder_position": "директор", "replied_on": "2025-11-07", "attachments": [{"name": "svedeniya.pdf", "media_type": "application/pdf", "size": 1024, "sha256": "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"}]})).await;
    assert_eq!(answered.status, 200, "{}", answered.text);
    assert_eq!(answered.body["status"], "answered");
    assert_eq!(answered.body["overdue"], false);
    assert_eq!(
        answered.body["reply"]["attachments"][0]["sha256"],
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    let history: Vec<(Value, Value, Value)> = answered.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["action"].clone(), t["from"].clone(), t["to"].clone()))
        .collect();
    assert_eq!(
        history,
        vec![
            (json!("create"), Value::Null, json!("draft")),
            (json!("send"), json!("draft"), json!("sent")),
            (json!("receive"), json!("sent"), json!("received")),
            (json!("reply"), json!("received"), json!("answered")),
        ]
    );
    // The second request of the sender in 2025 gets the next number.
    let second = app.post("/api/v1/network-requests", &sender, &complete_draft(&r.school_a, &r.school_b)).await;
    let second = action(&app, &sender, &second.body, "send", json!({"sent_on": "2025-12-01"})).await;
    assert_eq!(second.body["outgoing_number"], "2/2025");
}

#[tokio::test]
async fn sending_a_draft_without_the_mandatory_items_names_every_missing_one() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let draft =
        app.post("/api/v1/network-requests", &app.admin, &json!({"sender_organization_id": r.school_a["id"]})).await;
    assert_eq!(draft.status, 201, "{}", draft.text);
    let refused = action(&app, &app.admin, &draft.body, "send", json!({})).await;
    refused.assert_problem(422);
    let mut fields = refused.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "addressee_organization_id",
            "author.first_name",
            "author.patronymic",
            "author.phone_or_email",
            "author.position",
            "author.surname",
            "reply_contact",
            "subject"
        ]
    );
    // Nothing changed: the draft is still a draft at the same version.
    let again = app.get(&format!("/api/v1/network-requests/{}", id(&draft.body)), &app.admin).await;
    assert_eq!(again.body["status"], "draft");
    assert_eq!(again.body["version"], draft.body["version"]);
    // Completing it by a merge patch makes it sendable.
    let patched = app
        .patch(
            &format!("/api/v1/network-requests/{}", id(&draft.body)),
            &app.admin,
            &again.etag(),
            &complete_draft(&r.school_a, &r.school_b),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let sent = action(&app, &app.admin, &patched.body, "send", json!({})).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert!(sent.body["sent_on"].is_string());
}

#[tokio::test]
async fn wrong_transitions_answer_409_naming_the_allowed_actions() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let draft = app.post("/api/v1/network-requests", &app.admin, &complete_draft(&r.school_a, &r.school_b)).await;
    let early = action(
        &app,
        &app.admin,
        &draft.body,
        "reply",
        json!({"text": "x", "responder_name": "x", "responder_position": "x"}),
    )
    .await;
    early.assert_problem(409);
    assert_eq!(early.body["allowed"], json!(["update", "send", "withdraw"]));
    let sent = action(&app, &app.admin, &draft.body, "send", json!({})).await;
    let patch = app
        .patch(
            &format!("/api/v1/network-requests/{}", id(&sent.body)),
            &app.admin,
            &sent.etag(),
            &json!({"subject": "Другая тема"}),
        )
        .await;
    patch.assert_problem(409);
    assert_eq!(patch.body["allowed"], json!(["receive", "withdraw"]));
    let stale = action(&app, &app.admin, &draft.body, "withdraw", json!({})).await;
    stale.assert_problem(412);
    let withdrawn = action(&app, &app.admin, &sent.body, "withdraw", json!({"reason": "Направлен ошибочно"})).await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text);
    assert_eq!(withdrawn.body["history"][2]["note"], "Направлен ошибочно");
    let after = action(
        &app,
        &app.admin,
        &withdrawn.body,
        "receive",
        json!({"incoming_number": "1", "received_on": "2025-01-10"}),
    )
    .await;
    after.assert_problem(409);
    assert!(after.body["allowed"].as_array().is_none_or(|a| a.is_empty()), "{}", after.text);
    let no_if_match =
        app.post(&format!("/api/v1/network-requests/{}/send", id(&draft.body)), &app.admin, &json!({})).await;
    no_if_match.assert_problem(428);
}

#[tokio::test]
async fn a_foreign_organisation_gets_404_and_an_addressee_does_not_see_drafts() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let draft = app.post("/api/v1/network-requests", &app.admin, &complete_draft(&r.school_a, &r.school_b)).await;
    let path = format!("/api/v1/network-requests/{}", id(&draft.body));
    let addressee = app.token(Role::Organization, Some(&r.school_b), None);
    let sibling = app
        .create_org(
            json!({"name": "МБОУ «Селенгинская СОШ»", "kind": "educational_organization", "parent_id": r.mun_b["id"]}),
        )
        .await;
    let foreign = app.token(Role::Organization, Some(&sibling), None);
    let above_addressee = app.token(Role::Organization, Some(&r.mun_b), None);
    let own_municipality = app.token(Role::Municipal, Some(&r.mun_a), None);
    app.get(&path, &addressee).await.assert_problem(404);
    assert_eq!(app.get(&path, &own_municipality).await.status, 200);
    action(&app, &app.admin, &draft.body, "send", json!({})).await;
    assert_eq!(app.get(&path, &addressee).await.status, 200);
    app.get(&path, &foreign).await.assert_problem(404);
    assert_eq!(app.get(&path, &above_addressee).await.status, 200);
    let list = app.get("/api/v1/network-requests", &foreign).await;
    assert_eq!(list.body["items"], json!([]));
    let teacher = app.token(Role::Teacher, Some(&r.school_a), Some(&uuid::Uuid::now_v7().to_string()));
    app.get(&path, &teacher).await.assert_problem(403);
    // An organisation cannot draft for another organisation.
    let other = app.post("/api/v1/network-requests", &addressee, &complete_draft(&r.school_a, &r.school_b)).await;
    other.assert_problem(422);
    assert_eq!(other.error_fields(), vec!["sender_organization_id"]);
}

#[tokio::test]
async fn extensions_follow_the_policy_limits() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let today = Utc::now().date_naive().to_string();
    let interagency = received(&app, &r, &today, None).await;
    let refused = action(&app, &app.admin, &interagency, "extend", json!({"days": 1, "reason": "Сбор сведений"})).await;
    refused.assert_problem(409);
    assert_eq!(refused.body["allowed"], json!(["reply", "clarification_request", "forward", "withdraw"]));
    let citizen = received(&app, &r, &today, Some("fz59_art12")).await;
    let due_before = citizen["deadline"]["due_on"].as_str().unwrap().to_owned();
    let too_much = action(&app, &app.admin, &citizen, "extend", json!({"days": 31, "reason": "Проверка"})).await;
    too_much.assert_problem(422);
    assert_eq!(too_much.error_fields(), vec!["days"]);
    let no_reason = action(&app, &app.admin, &citizen, "extend", json!({"days": 30})).await;
    assert_eq!(no_reason.error_fields(), vec!["reason"]);
    let extended =
        action(&app, &app.admin, &citizen, "extend", json!({"days": 30, "reason": "Дополнительная проверка"})).await;
    assert_eq!(extended.status, 200, "{}", extended.text);
    assert_eq!(extended.body["deadline"]["extended_by"], 30);
    assert_eq!(extended.body["deadline"]["counted_days"], 60);
    assert!(extended.body["deadline"]["due_on"].as_str().unwrap() > due_before.as_str());
    let again = action(&app, &app.admin, &extended.body, "extend", json!({"days": 1, "reason": "Ещё"})).await;
    again.assert_problem(409);
}

#[tokio::test]
async fn personal_data_needs_a_legal_basis_and_is_shown_only_to_those_who_may_with_every_read_audited() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let mut body = complete_draft(&r.school_a, &r.school_b);
    body["contains_personal_data"] = json!(true);
    let refused = app.post("/api/v1/network-requests", &app.admin, &body).await;
    refused.assert_problem(422);
    assert_eq!(refused.error_fields(), vec!["personal_data_basis"]);
    body["personal_data_basis"] = json!("п. 2 ч. 1 ст. 6 Федерального закона № 152-ФЗ");
    let draft = app.post("/api/v1/network-requests", &app.admin, &body).await;
    assert_eq!(draft.status, 201, "{}", draft.text);
    let path = format!("/api/v1/network-requests/{}", id(&draft.body));
    let above = app.token(Role::Municipal, Some(&r.mun_a), None);
    let hidden = app.get(&path, &above).await;
    assert_eq!(hidden.body["personal_data_hidden"], true);
    assert_eq!(hidden.body["body"], Value::Null);
    let party = app.token(Role::Organization, Some(&r.school_a), None);
    let shown = app.get(&path, &party).await;
    assert_eq!(shown.body["body"], "Просим предоставить сведения.");
    let audit = app
        .get(
            &format!(
                "/api/v1/audit?resource_type=network_request&resource_id={}&action=read_personal_data",
                id(&draft.body)
            ),
            &app.admin,
        )
        .await;
    assert_eq!(audit.status, 200, "{}", audit.text);
    // The admin's own read of the request (for the create response) is not a GET; the party's GET is audited.
    assert!(!audit.body["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn overdue_requests_are_listed_counted_and_notified_once_across_instances() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let late = received(&app, &r, "2025-10-31", None).await;
    let today = Utc::now().date_naive().to_string();
    let running = received(&app, &r, &today, None).await;
    let overdue = app.get("/api/v1/network-requests?overdue=true", &app.admin).await;
    let ids: Vec<String> = overdue.body["items"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(ids, vec![id(&late)]);
    let not_overdue = app.get("/api/v1/network-requests?overdue=false&status=received", &app.admin).await;
    assert_eq!(not_overdue.body["items"].as_array().unwrap().iter().map(id).collect::<Vec<_>>(), vec![id(&running)]);
    let before = app.get("/api/v1/network-requests?due_before=2025-11-11", &app.admin).await;
    assert_eq!(before.body["items"].as_array().unwrap().len(), 1);
    let stats = app.get("/api/v1/network-requests/stats", &app.admin).await;
    assert_eq!(stats.status, 200, "{}", stats.text);
    let b = stats.body["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["organization_id"] == r.school_b["id"])
        .unwrap();
    assert_eq!(b["as_addressee"]["received"], 2);
    assert_eq!(b["as_addressee"]["overdue"], 1);
    let m =
        stats.body["municipalities"].as_array().unwrap().iter().find(|o| o["municipality_code"] == "81625000").unwrap();
    assert_eq!(m["as_addressee"]["overdue"], 1);
    // Two instances scanning at once emit the overdue event once.
    let store = &app.store.network_requests;
    let now = Utc::now();
    let (a, b) = tokio::join!(store.notify_deadlines(now, 100), store.notify_deadlines(now, 100));
    let (_, again) = store.notify_deadlines(now, 100).await.unwrap();
    assert_eq!(again, 0);
    let emitted = a.unwrap().1 + b.unwrap().1;
    assert!(emitted <= 1);
    let audit = app
        .get(
            &format!("/api/v1/audit?resource_type=network_request&resource_id={}&action=overdue", id(&late)),
            &app.admin,
        )
        .await;
    assert_eq!(audit.body["items"].as_array().unwrap().len(), 1, "{}", audit.text);
}
