use chrono::{Datelike, NaiveDate, Utc, Weekday};
use rsnms_domain::auth::Role;
use rsnms_tests::spawn_app;
use serde_json::{Value, json};

#[tokio::test]
async fn the_calendar_shows_federal_and_regional_layers_with_sources_and_the_effective_year() {
    let app = spawn_app().await;
    let teacher = app.token(Role::Analyst, None, None);
    let y = app.get("/api/v1/calendars/2025", &teacher).await;
    assert_eq!(y.status, 200, "{}", y.text);
    assert_eq!(y.body["provisional"], false);
    assert_eq!(y.body["federal"]["working_days_total"], 247);
    assert!(y.body["federal"]["source"].as_str().unwrap().contains("1335"));
    assert!(y.body["federal"]["working_weekend_days"].as_array().unwrap().contains(&json!("2025-11-01")));
    assert!(y.body["regional"].as_array().unwrap().iter().all(|l| l["layer"] == "regional"));
    let buryatia = app.get("/api/v1/calendars/2026?region_code=03", &teacher).await;
    assert_eq!(buryatia.body["effective"]["region_code"], "03");
    let federal_total = buryatia.body["federal"]["working_days_total"].as_u64().unwrap();
    assert_eq!(federal_total, 247);
    let extra = buryatia.body["regional"][0]["non_working_days"].as_array().unwrap().len() as u64;
    assert_eq!(buryatia.body["effective"]["working_days_total"].as_u64().unwrap(), federal_total - extra);
    let future = app.get("/api/v1/calendars/2031", &teacher).await;
    assert_eq!(future.body["provisional"], true);
    assert_eq!(future.body["federal"], Value::Null);
    app.get("/api/v1/calendars/1800", &teacher).await.assert_problem(422);
}

#[tokio::test]
async fn a_calendar_put_is_for_admins_and_reports_every_issue() {
    let app = spawn_app().await;
    let op = app.token(Role::Operator, None, None);
    let body = json!({"source": "Постановление № 1", "non_working_days": ["2030-01-05", "2029-12-31", "2030-01-07", "2030-01-07"], "working_weekend_days": ["2030-01-08"], "working_days_total": 1});
    app.send("PUT", "/api/v1/calendars/2030", Some(&op), Some(&body), &[]).await.assert_problem(403);
    let bad = app.send("PUT", "/api/v1/calendars/2030", Some(&app.admin), Some(&body), &[]).await;
    bad.assert_problem(422);
    let mut fields = bad.error_fields();
    fields.sort();
    fields.dedup();
    assert_eq!(fields, vec!["non_working_days", "working_days_total", "working_weekend_days"]);
    assert!(bad.body["errors"].as_array().unwrap().len() >= 5, "{}", bad.text);
    let stored = app.get("/api/v1/calendars/2025", &app.admin).await;
    let federal = &stored.body["federal"];
    let unchanged = json!({"source": federal["source"], "non_working_days": federal["non_working_days"], "working_weekend_days": federal["working_weekend_days"], "working_days_total": federal["working_days_total"]});
    app.send("PUT", "/api/v1/calendars/2025", Some(&app.admin), Some(&unchanged), &[]).await.assert_problem(428);
    let ok = app
        .send(
            "PUT",
            "/api/v1/calendars/2025",
            Some(&app.admin),
            Some(&unchanged),
            &[("if-match", &format!("\"{}\"", federal["version"]))],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["layer"]["version"], 2);
}

#[tokio::test]
async fn correcting_a_calendar_recomputes_due_dates_not_yet_due() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let today = Utc::now().date_naive();
    let draft = app
        .post(
            "/api/v1/network-requests",
            &app.admin,
            &json!({"sender_organization_id": r.school_a["id"], "addressee_organization_id": r.school_b["id"], "reply_contact": "info@school.example", "author": {"surname": "Иванова", "first_name": "Мария", "patronymic": "Петровна", "position": "методист", "email": "m@school.example"}, "subject": "Сведения"}),
        )
        .await;
    let etag = draft.etag();
    let sent = app
        .send(
            "POST",
            &format!("/api/v1/network-requests/{}/send", draft.body["id"].as_str().unwrap()),
            Some(&app.admin),
            // The UTC date is never ahead of the sender's (Irkutsk) date, whatever the hour.
            Some(&json!({"sent_on": today})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let got = app
        .send(
            "POST",
            &format!("/api/v1/network-requests/{}/receive", sent.body["id"].as_str().unwrap()),
            Some(&app.admin),
            Some(&json!({"incoming_number": "1", "received_on": today})),
            &[("if-match", &sent.etag())],
        )
        .await;
    assert_eq!(got.status, 200, "{}", got.text);
    let due: NaiveDate = got.body["deadline"]["due_on"].as_str().unwrap().parse().unwrap();
    if matches!(due.weekday(), Weekday::Sat | Weekday::Sun) {
        return; // a working weekend day: nothing simple to move
    }
    let year = app.get(&format!("/api/v1/calendars/{}", due.year()), &app.admin).await;
    let federal = &year.body["federal"];
    let mut days: Vec<Value> = federal["non_working_days"].as_array().cloned().unwrap_or_default();
    days.push(json!(due));
    let body = json!({"source": "Исправление", "non_working_days": days, "working_weekend_days": federal["working_weekend_days"].as_array().cloned().unwrap_or_default()});
    let headers: Vec<(&str, String)> =
        if federal.is_null() { vec![] } else { vec![("if-match", format!("\"{}\"", federal["version"]))] };
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let put =
        app.send("PUT", &format!("/api/v1/calendars/{}", due.year()), Some(&app.admin), Some(&body), &headers).await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(put.body["recomputed_requests"], 1);
    let after = app.get(&format!("/api/v1/network-requests/{}", got.body["id"].as_str().unwrap()), &app.admin).await;
    let moved: NaiveDate = after.body["deadline"]["due_on"].as_str().unwrap().parse().unwrap();
    assert!(moved > due);
    assert!(after.body["deadline"]["skipped_days"].as_array().unwrap().contains(&json!(due)));
}

#[tokio::test]
async fn shipped_deadline_policies_exist_and_a_region_adds_its_own() {
    let app = spawn_app().await;
    let list = app.get("/api/v1/deadline-policies", &app.admin).await;
    let codes: Vec<&str> = list.body["items"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["fz210_art7_2", "fz59_art12", "fz8_art18"]);
    let p8 = &list.body["items"][2];
    assert_eq!((p8["term_value"].clone(), p8["max_extension_days"].clone()), (json!(30), json!(15)));
    let org = app.token(Role::Analyst, None, None);
    let body = json!({"code": "ro03_order", "name": "Региональный срок", "term_value": 10, "term_unit": "working_days", "legal_basis": "Приказ № 1", "max_extensions": 1, "max_extension_days": 5});
    app.post("/api/v1/deadline-policies", &org, &body).await.assert_problem(403);
    let op = app.token(Role::Operator, None, None);
    let created = app.post("/api/v1/deadline-policies", &op, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    app.post("/api/v1/deadline-policies", &op, &body).await.assert_problem(409);
    let bad = app
        .post(
            "/api/v1/deadline-policies",
            &op,
            &json!({"code": "x", "name": "y", "term_value": 0, "legal_basis": "z", "max_extensions": 1}),
        )
        .await;
    bad.assert_problem(422);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["term_unit", "term_value"]);
    let path = format!("/api/v1/deadline-policies/{}", created.body["id"].as_str().unwrap());
    let patched = app.patch(&path, &op, &created.etag(), &json!({"is_default": true})).await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let list = app.get("/api/v1/deadline-policies", &app.admin).await;
    let defaults: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["is_default"] == true)
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(defaults, vec!["ro03_order"]);
}

/// A request from school A to school B, sent and received today; its view.
async fn received_today(app: &rsnms_tests::TestApp, r: &rsnms_tests::Region, subject: &str) -> Value {
    let today = Utc::now().date_naive();
    let draft = app
        .post(
            "/api/v1/network-requests",
            &app.admin,
            &json!({"sender_organization_id": r.school_a["id"], "addressee_organization_id": r.school_b["id"], "reply_contact": "info@school.example", "author": {"surname": "Иванова", "first_name": "Мария", "patronymic": "Петровна", "position": "методист", "email": "m@school.example"}, "subject": subject}),
        )
        .await;
    assert_eq!(draft.status, 201, "{}", draft.text);
    let id = draft.body["id"].as_str().unwrap().to_owned();
    let sent = app
        .send(
            "POST",
            &format!("/api/v1/network-requests/{id}/send"),
            Some(&app.admin),
            Some(&json!({"sent_on": today})),
            &[("if-match", &draft.etag())],
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let got = app
        .send(
            "POST",
            &format!("/api/v1/network-requests/{id}/receive"),
            Some(&app.admin),
            Some(&json!({"incoming_number": subject, "received_on": today})),
            &[("if-match", &sent.etag())],
        )
        .await;
    assert_eq!(got.status, 200, "{}", got.text);
    got.body
}

#[tokio::test]
async fn a_calendar_correction_gives_every_open_request_the_due_date_receiving_it_anew_gives() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let mut open = Vec::new();
    for n in 1..=3 {
        open.push(received_today(&app, &r, &format!("Сведения {n}")).await);
    }
    let due: NaiveDate = open[0]["deadline"]["due_on"].as_str().unwrap().parse().unwrap();
    if matches!(due.weekday(), Weekday::Sat | Weekday::Sun) {
        return; // a working weekend day: nothing simple to move
    }
    let year = app.get(&format!("/api/v1/calendars/{}", due.year()), &app.admin).await;
    let federal = &year.body["federal"];
    let mut days: Vec<Value> = federal["non_working_days"].as_array().cloned().unwrap_or_default();
    days.push(json!(due));
    let body = json!({"source": "Исправление", "non_working_days": days, "working_weekend_days": federal["working_weekend_days"].as_array().cloned().unwrap_or_default()});
    let headers: Vec<(&str, String)> =
        if federal.is_null() { vec![] } else { vec![("if-match", format!("\"{}\"", federal["version"]))] };
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let put =
        app.send("PUT", &format!("/api/v1/calendars/{}", due.year()), Some(&app.admin), Some(&body), &headers).await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(put.body["recomputed_requests"], 3);

    // The per-request computation: a request received on the same day under the new calendar.
    let fresh = received_today(&app, &r, "Сведения 4").await;
    let expected = &fresh["deadline"];
    assert!(expected["due_on"].as_str().unwrap().parse::<NaiveDate>().unwrap() > due);
    for before in &open {
        let after = app.get(&format!("/api/v1/network-requests/{}", before["id"].as_str().unwrap()), &app.admin).await;
        assert_eq!(after.status, 200, "{}", after.text);
        for field in ["starts_on", "due_on", "due_at", "counted_days", "skipped_days", "region_code"] {
            assert_eq!(after.body["deadline"][field], expected[field], "{field}");
        }
        assert_eq!(after.body["version"], before["version"].as_i64().unwrap() + 1);
    }
    let recomputed = app.get("/api/v1/changes?after=0&limit=500&types=network_request", &app.admin).await;
    assert_eq!(recomputed.status, 200, "{}", recomputed.text);
    let events = recomputed.body["items"].as_array().unwrap();
    let recomputes = events.iter().filter(|e| e["payload"]["event"] == "recompute").count();
    assert_eq!(recomputes, 3, "one audited event per recomputed request");
}
