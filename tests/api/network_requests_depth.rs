//! Network requests in depth (issue 23): visibility by fact, calendar corrections that never
//! fail, exact hour terms.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use rsnms_domain::{auth::Role, network_requests::NetworkRequestRepository};
use rsnms_tests::{TestApp, id, spawn_app};

use super::network_requests::{action, policy};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

/// A complete draft (the base suite's) holding personal data.
fn complete_draft(sender: &Value, addressee: &Value) -> Value {
    let mut draft = super::network_requests::complete_draft(sender, addressee);
    draft["body"] = json!("Просим предоставить сведения об учителе Петрове П. П., СНИЛС 112-233-445 95.");
    draft["contains_personal_data"] = json!(true);
    draft["personal_data_basis"] = json!("152-ФЗ, ст. 6, ч. 1, п. 2");
    draft
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

async fn policy_id(app: &TestApp, code: &str) -> Value {
    policy(app, code).await["id"].clone()
}

async fn put_calendar(app: &TestApp, year: i32, body: &Value, version: Option<&Value>) -> rsnms_tests::Reply {
    let etag = version.map(|v| format!("\"{v}\""));
    let headers: Vec<(&str, &str)> = etag.iter().map(|e| ("if-match", e.as_str())).collect();
    app.send("PUT", &format!("/api/v1/calendars/{year}"), Some(&app.admin), Some(body), &headers).await
}

fn dates(v: &Value) -> Vec<NaiveDate> {
    v.as_array().map(|a| a.iter().map(|d| d.as_str().unwrap().parse().unwrap()).collect()).unwrap_or_default()
}

#[tokio::test]
async fn a_federal_correction_contradicting_a_regional_total_is_refused_and_one_that_keeps_it_recomputes_open_requests()
{
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let today = Utc::now().date_naive();
    // An open request of the Buryat school B, under a 30-day term.
    let mut body = complete_draft(&r.school_a, &r.school_b);
    body["policy_id"] = policy_id(&app, "fz59_art12").await;
    let draft = app.post("/api/v1/network-requests", &app.admin, &body).await;
    let sent = action(&app, &app.admin, &draft.body, "send", json!({"sent_on": today})).await;
    let got =
        action(&app, &app.admin, &sent.body, "receive", json!({"incoming_number": "вх-7", "received_on": today})).await;
    assert_eq!(got.status, 200, "{}", got.text);
    let due: NaiveDate = got.body["deadline"]["due_on"].as_str().unwrap().parse().unwrap();
    if due.weekday().num_days_from_monday() >= 5 {
        return; // a working weekend day: nothing simple to move
    }
    let year = due.year();
    let path = format!("/api/v1/calendars/{year}?region_code=03");
    let view = app.get(&path, &app.admin).await;
    assert_eq!(view.status, 200, "{}", view.text);
    // The region declares its published total (the one the layers give today).
    let regional = view.body["regional"].as_array().unwrap().first().cloned();
    let regional_days = regional.as_ref().map(|l| l["non_working_days"].clone()).unwrap_or(json!([]));
    let declared = view.body["effective"]["working_days_total"].as_u64().unwrap();
    let layer = json!({"region_code": "03", "source": "Указ Главы Республики Бурятия", "non_working_days": regional_days, "working_days_total": declared});
    let put = put_calendar(&app, year, &layer, regional.as_ref().map(|l| &l["version"])).await;
    assert_eq!(put.status, 200, "{}", put.text);

    // A federal correction making the due day a day off would leave the region one day short.
    let federal = &view.body["federal"];
    let mut off: Vec<NaiveDate> = if federal.is_null() {
        let regional: Vec<NaiveDate> = dates(&regional_days);
        dates(&view.body["effective"]["non_working_weekdays"]).into_iter().filter(|d| !regional.contains(d)).collect()
    } else {
        dates(&federal["non_working_days"])
    };
    off.push(due);
    let on = dates(&federal["working_weekend_days"]);
    let shortened: Option<Vec<NaiveDate>> = federal["shortened_days"]
        .as_array()
        .map(|_| dates(&federal["shortened_days"]).into_iter().filter(|d| *d != due).collect());
    let version = (!federal.is_null()).then(|| federal["version"].clone());
    let correction = json!({"source": "Постановление (исправление)", "non_working_days": off, "working_weekend_days": on, "shortened_days": shortened});
    let refused = put_calendar(&app, year, &correction, version.as_ref()).await;
    refused.assert_problem(422);
    assert_eq!(refused.error_fields(), vec!["regional_layers.03"], "{}", refused.text);
    assert!(refused.text.contains(&due.to_string()), "{}", refused.text);
    let after = app.get(&format!("/api/v1/network-requests/{}", id(&got.body)), &app.admin).await;
    assert_eq!(after.body["deadline"]["due_on"], json!(due), "nothing was written");
    assert_eq!(app.get(&path, &app.admin).await.status, 200);

    // Compensated by a working Saturday of the same year, the correction keeps the total.
    let saturday = (1..=7)
        .map(|n| due + Duration::days(n))
        .chain((1..=7).map(|n| due - Duration::days(n)))
        .find(|d| d.weekday() == Weekday::Sat && d.year() == year)
        .unwrap();
    let mut on = on;
    on.push(saturday);
    let mut correction = correction;
    correction["working_weekend_days"] = json!(on);
    let done = put_calendar(&app, year, &correction, version.as_ref()).await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.body["recomputed_request_ids"], json!([id(&got.body)]), "{}", done.text);
    assert_eq!(done.body["recomputed_requests"], 1);
    let moved = app.get(&format!("/api/v1/network-requests/{}", id(&got.body)), &app.admin).await;
    let moved_due: NaiveDate = moved.body["deadline"]["due_on"].as_str().unwrap().parse().unwrap();
    assert!(moved_due > due, "{}", moved.text);
    let region = app.get(&path, &app.admin).await;
    assert_eq!(region.status, 200, "{}", region.text);
    assert_eq!(region.body["effective"]["working_days_total"].as_u64(), Some(declared));
}

async fn hour_policy(app: &TestApp, hours: u32) -> Value {
    let body = json!({"code": format!("h{hours}"), "name": format!("{hours} часов"), "term_value": hours, "term_unit": "hours", "legal_basis": "Регламент, п. 17", "max_extensions": 1, "max_extension_days": 24});
    let created = app.post("/api/v1/deadline-policies", &app.admin, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.body["id"].clone()
}

async fn received_with(app: &TestApp, r: &rsnms_tests::Region, policy: &Value, receive: Value) -> rsnms_tests::Reply {
    let mut body = complete_draft(&r.school_a, &r.school_b);
    body["policy_id"] = policy.clone();
    let draft = app.post("/api/v1/network-requests", &app.admin, &body).await;
    let sent_on = receive["received_on"].clone();
    let sent = action(app, &app.admin, &draft.body, "send", json!({"sent_on": sent_on})).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    action(app, &app.admin, &sent.body, "receive", receive).await
}

fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn an_hour_term_ends_at_its_instant_across_midnight_a_weekend_and_a_regional_day_off() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let policy = hour_policy(&app, 24).await;
    // Tuesday 17 February 2026, 20:00 in Irkutsk; Wednesday 18 is Сагаалган in Buryatia: 4 h on
    // Tuesday, the clock stops on Wednesday, 20 h on Thursday.
    let at = |n: &str, on: &str, time: &str| json!({"incoming_number": n, "received_on": on, "received_at": format!("{on}T{time}")});
    let got = received_with(&app, &r, &policy, at("вх-1", "2026-02-17", "20:00:00")).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(instant(&got.body["received_at"]).to_rfc3339(), "2026-02-17T12:00:00+00:00");
    let d = &got.body["deadline"];
    assert_eq!(instant(&d["due_at"]).to_rfc3339(), "2026-02-19T12:00:00+00:00", "{}", got.text);
    assert_eq!(d["due_on"], "2026-02-19");
    assert_eq!(d["skipped_days"], json!(["2026-02-18"]));
    // Friday 6 March 2026, 22:30: 1.5 h on Friday, the weekend and Women's Day moved to Monday
    // 9 March stop the clock, 22.5 h on Tuesday 10 March.
    let got = received_with(&app, &r, &policy, at("вх-2", "2026-03-06", "22:30:00")).await;
    assert_eq!(got.status, 200, "{}", got.text);
    let d = &got.body["deadline"];
    assert_eq!(instant(&d["due_at"]).to_rfc3339(), "2026-03-10T14:30:00+00:00", "{}", got.text);
    assert_eq!(d["skipped_days"], json!(["2026-03-07", "2026-03-08", "2026-03-09"]));
    // The time of receipt must lie on the date received, and not ahead of now.
    let bad = received_with(
        &app,
        &r,
        &policy,
        json!({"incoming_number": "вх-3", "received_on": "2026-03-06", "received_at": "2026-03-05T10:00:00"}),
    )
    .await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), vec!["received_at"]);
}

#[tokio::test]
async fn an_extended_hour_term_is_recomputed_from_the_instant_of_receipt_not_from_midnight() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let policy = hour_policy(&app, 48).await;
    // Irkutsk keeps UTC+8 all year.
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let got = received_with(&app, &r, &policy, json!({"incoming_number": "вх-1", "received_on": today})).await;
    assert_eq!(got.status, 200, "{}", got.text);
    let received = instant(&got.body["received_at"]);
    assert!((Utc::now() - received).num_seconds().abs() < 60, "received now: {}", got.text);
    let due = instant(&got.body["deadline"]["due_at"]);
    assert!(due >= received + Duration::hours(48));

    // Extended by one hour: later by at least that hour (never a day earlier), counted from receipt.
    let extended = action(&app, &app.admin, &got.body, "extend", json!({"days": 1, "reason": "Сбор сведений"})).await;
    assert_eq!(extended.status, 200, "{}", extended.text);
    let extended_due = instant(&extended.body["deadline"]["due_at"]);
    assert!(extended_due >= due + Duration::hours(1), "{due} -> {extended_due}");
    assert!(extended_due < due + Duration::hours(25), "{due} -> {extended_due}");
    assert_eq!(extended.body["deadline"]["extended_by"], 1);
    assert_eq!(extended.body["received_at"], got.body["received_at"]);

    // A federal correction makes the first working weekday after receipt a day off.
    let due_on: NaiveDate = extended.body["deadline"]["due_on"].as_str().unwrap().parse().unwrap();
    let Some(day) = today.iter_days().skip(1).take_while(|d| *d <= due_on).find(|d| {
        d.weekday().num_days_from_monday() < 5
            && !extended.body["deadline"]["skipped_days"].as_array().unwrap().contains(&json!(d))
    }) else {
        return;
    };
    let year = day.year();
    let view = app.get(&format!("/api/v1/calendars/{year}?region_code=03"), &app.admin).await;
    let federal = &view.body["federal"];
    let regional: Vec<NaiveDate> =
        view.body["regional"].as_array().unwrap().iter().flat_map(|l| dates(&l["non_working_days"])).collect();
    let mut off: Vec<NaiveDate> = if federal.is_null() {
        dates(&view.body["effective"]["non_working_weekdays"]).into_iter().filter(|d| !regional.contains(d)).collect()
    } else {
        dates(&federal["non_working_days"])
    };
    off.push(day);
    let shortened: Option<Vec<NaiveDate>> = federal["shortened_days"]
        .as_array()
        .map(|_| dates(&federal["shortened_days"]).into_iter().filter(|d| *d != day).collect());
    let version = (!federal.is_null()).then(|| federal["version"].clone());
    let body = json!({"source": "Исправление", "non_working_days": off, "working_weekend_days": dates(&federal["working_weekend_days"]), "shortened_days": shortened});
    let put = put_calendar(&app, year, &body, version.as_ref()).await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(put.body["recomputed_request_ids"], json!([id(&got.body)]), "{}", put.text);
    let after = app.get(&format!("/api/v1/network-requests/{}", id(&got.body)), &app.admin).await;
    let recomputed = instant(&after.body["deadline"]["due_at"]);
    // A whole working day more, from the same instant of receipt: from midnight it would end
    // earlier by the time of day of receipt.
    assert!(recomputed >= extended_due + Duration::hours(24), "{extended_due} -> {recomputed}: {}", after.text);
    assert_eq!(after.body["deadline"]["extended_by"], 1);
    assert_eq!(after.body["received_at"], got.body["received_at"]);
    assert!(after.body["deadline"]["skipped_days"].as_array().unwrap().contains(&json!(day)));
}

#[tokio::test]
async fn a_request_received_before_the_instant_was_stored_counts_from_the_start_of_its_day() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let got = received_with(
        &app,
        &r,
        &policy_id(&app, "fz210_art7_2").await,
        json!({"incoming_number": "вх-1", "received_on": "2025-10-31"}),
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.text);
    // Received on an earlier day without a time: the start of that day in Irkutsk.
    assert_eq!(instant(&got.body["received_at"]).to_rfc3339(), "2025-10-30T16:00:00+00:00");
    // As a row written before the column existed: the migration's backfill gives the same.
    let db = rsnms_persistence::Database::connect(&rsnms_persistence::DbSettings::new(app.database_url.clone(), 1))
        .await
        .unwrap();
    let conn = &db.exec();
    conn.execute_unprepared("UPDATE network_requests SET received_at = NULL").await.unwrap();
    rsnms_migrations::backfill_received_at(conn).await.unwrap();
    let row = conn
        .query_one_raw(sea_orm::Statement::from_string(db.backend(), "SELECT received_at FROM network_requests"))
        .await
        .unwrap()
        .unwrap();
    let stored: DateTime<Utc> = row.try_get("", "received_at").unwrap();
    assert_eq!(stored.to_rfc3339(), "2025-10-30T16:00:00+00:00");
    let after = app.get(&format!("/api/v1/network-requests/{}", id(&got.body)), &app.admin).await;
    assert_eq!(after.body["received_at"], got.body["received_at"], "{}", after.text);
    assert_eq!(after.body["deadline"], got.body["deadline"]);
}

fn reply_body(replied_on: Option<&str>) -> Value {
    let mut body = json!({"text": "Сведения направляем.", "responder_name": "Петров Пётр Петрович", "responder_position": "директор"});
    if let Some(d) = replied_on {
        body["replied_on"] = json!(d);
    }
    body
}

#[tokio::test]
async fn a_late_reply_is_recorded_as_a_breach_with_its_delay_in_history_and_stats() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let addressee = app.token(Role::Organization, Some(&r.school_b), None);
    let policy = policy_id(&app, "fz210_art7_2").await;
    let receive = json!({"incoming_number": "вх-1", "received_on": "2025-10-31"});
    // Due Monday 10 November 2025 (5 working days); answered today: a breach.
    let late = received_with(&app, &r, &policy, receive.clone()).await;
    assert_eq!(late.body["deadline"]["due_on"], "2025-11-10");
    let answered = action(&app, &addressee, &late.body, "reply", reply_body(None)).await;
    assert_eq!(answered.status, 200, "{}", answered.text);
    let breach = &answered.body["breach"];
    assert_eq!(breach["due_at"], late.body["deadline"]["due_at"]);
    let delay = breach["delay_seconds"].as_i64().unwrap();
    let expected = (Utc::now() - instant(&late.body["deadline"]["due_at"])).num_seconds();
    assert!((expected - delay).abs() < 60, "{delay} vs {expected}");
    assert!(breach["days_late"].as_i64().unwrap() > 300);
    let history: Vec<&str> =
        answered.body["history"].as_array().unwrap().iter().map(|t| t["action"].as_str().unwrap()).collect();
    assert_eq!(history, vec!["create", "send", "receive", "reply", "breach"]);
    assert_eq!(answered.body["history"][4]["note"], format!("PT{delay}S"));
    // Dated the day after the due day: late by a day (its hour unknown).
    let next_day = received_with(&app, &r, &policy, receive.clone()).await;
    let answered = action(&app, &addressee, &next_day.body, "reply", reply_body(Some("2025-11-11"))).await;
    assert_eq!(answered.status, 200, "{}", answered.text);
    assert_eq!(answered.body["breach"]["days_late"], 1);
    // Dated within the term: no breach.
    let in_time = received_with(&app, &r, &policy, receive).await;
    let answered = action(&app, &addressee, &in_time.body, "reply", reply_body(Some("2025-11-10"))).await;
    assert_eq!(answered.status, 200, "{}", answered.text);
    assert!(answered.body["breach"].is_null(), "{}", answered.text);
    // The breach stays with the request, and both parties' counts show it.
    let seen = app.get(&format!("/api/v1/network-requests/{}", id(&late.body)), &addressee).await;
    assert!(seen.body["breach"]["delay_seconds"].as_i64().unwrap() > 0);
    let stats = app.get("/api/v1/network-requests/stats", &app.admin).await;
    let b = counts(&stats.body, "organizations", "organization_id", &r.school_b["id"]);
    assert_eq!((b["as_addressee"]["answered"].as_u64(), b["as_addressee"]["late"].as_u64()), (Some(3), Some(2)));
    let a = counts(&stats.body, "organizations", "organization_id", &r.school_a["id"]);
    assert_eq!(a["as_sender"]["late"], 2);
    let mun = counts(&stats.body, "municipalities", "municipality_code", &json!("81625000"));
    assert_eq!(mun["as_addressee"]["late"], 2, "{}", stats.text);
}

#[tokio::test]
async fn the_due_soon_notice_comes_the_policy_s_lead_time_before_the_end() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let body = json!({"code": "h48", "name": "48 часов", "term_value": 48, "term_unit": "hours", "legal_basis": "Регламент", "due_soon_hours": 30});
    let mut zero = body.clone();
    zero["due_soon_hours"] = json!(0);
    let bad = app.post("/api/v1/deadline-policies", &app.admin, &zero).await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), vec!["due_soon_hours"]);
    let created = app.post("/api/v1/deadline-policies", &app.admin, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["due_soon_hours"], 30);
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let got =
        received_with(&app, &r, &created.body["id"], json!({"incoming_number": "вх-1", "received_on": today})).await;
    assert_eq!(got.status, 200, "{}", got.text);
    let due = instant(&got.body["deadline"]["due_at"]);
    let store = &app.store.network_requests;
    assert_eq!(store.notify_deadlines(due - Duration::hours(31), 100).await.unwrap(), (0, 0));
    assert_eq!(store.notify_deadlines(due - Duration::hours(29), 100).await.unwrap(), (1, 0));
    assert_eq!(store.notify_deadlines(due - Duration::hours(1), 100).await.unwrap(), (0, 0), "once");
    let audit = app
        .get(
            &format!("/api/v1/audit?resource_type=network_request&resource_id={}&action=due_soon", id(&got.body)),
            &app.admin,
        )
        .await;
    assert_eq!(audit.body["items"].as_array().unwrap().len(), 1, "{}", audit.text);
}

#[tokio::test]
async fn the_overdue_notice_reaches_the_sender_and_the_authority_above_the_addressee() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let policy = policy_id(&app, "fz210_art7_2").await;
    // Due Monday 10 November 2025: long overdue, and nobody has been told yet.
    let got = received_with(&app, &r, &policy, json!({"incoming_number": "вх-1", "received_on": "2025-10-31"})).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(app.store.network_requests.notify_deadlines(Utc::now(), 100).await.unwrap(), (0, 1));
    let overdue = |events: &[Value]| {
        events.iter().filter(|e| e["resource_id"] == got.body["id"] && e["payload"]["event"] == "overdue").count()
    };
    for (name, token) in [
        ("sender", app.token(Role::Organization, Some(&r.school_a), None)),
        ("above the sender", app.token(Role::Municipal, Some(&r.mun_a), None)),
        ("addressee", app.token(Role::Organization, Some(&r.school_b), None)),
        ("above the addressee", app.token(Role::Municipal, Some(&r.mun_b), None)),
    ] {
        let events = super::feed_by_role::feed(&app, &token, "network_request").await;
        assert_eq!(overdue(&events), 1, "{name}");
    }
}

#[tokio::test]
async fn a_clarification_request_pauses_the_term_and_the_clarification_resumes_it_later_by_the_pause() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let addressee = app.token(Role::Organization, Some(&r.school_b), None);
    let policy = hour_policy(&app, 48).await;
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let got = received_with(&app, &r, &policy, json!({"incoming_number": "вх-1", "received_on": today})).await;
    assert_eq!(got.status, 200, "{}", got.text);
    let due = instant(&got.body["deadline"]["due_at"]);
    let ask = json!({"text": "Уточните, за какой период нужны сведения."});
    // Only the addressee's side asks, with a text.
    action(&app, &sender, &got.body, "clarification-request", ask.clone()).await.assert_problem(403);
    let blank = action(&app, &addressee, &got.body, "clarification-request", json!({"text": " "})).await;
    blank.assert_problem(422);
    assert_eq!(blank.error_fields(), vec!["text"]);
    let paused = action(&app, &addressee, &got.body, "clarification-request", ask).await;
    assert_eq!(paused.status, 200, "{}", paused.text);
    assert_eq!(paused.body["status"], "clarification");
    assert!(paused.body["deadline"]["pauses"][0]["until"].is_null(), "{}", paused.text);
    // No reply while paused: the 409 names what is allowed.
    let early = action(&app, &addressee, &paused.body, "reply", reply_body(None)).await;
    early.assert_problem(409);
    assert_eq!(early.body["allowed"], json!(["clarification", "withdraw"]), "{}", early.text);
    // The term does not run out while paused.
    let store = &app.store.network_requests;
    assert_eq!(store.notify_deadlines(due + Duration::hours(1), 100).await.unwrap(), (0, 0));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let clarify = json!({"text": "За 2025 год."});
    action(&app, &addressee, &paused.body, "clarification", clarify.clone()).await.assert_problem(403);
    let resumed = action(&app, &sender, &paused.body, "clarification", clarify).await;
    assert_eq!(resumed.status, 200, "{}", resumed.text);
    assert_eq!(resumed.body["status"], "received");
    let d = &resumed.body["deadline"];
    let pause = &d["pauses"][0];
    let seconds = pause["seconds"].as_i64().unwrap();
    assert!(seconds >= 1, "{}", resumed.text);
    assert_eq!(d["paused_seconds"], seconds);
    assert_eq!(seconds, (instant(&pause["until"]) - instant(&pause["from"])).num_seconds());
    assert_eq!(instant(&d["due_at"]), due + Duration::seconds(seconds), "the term ends later by the pause");
    let history: Vec<(&str, &str)> = resumed.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["action"].as_str().unwrap(), t["note"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        history[3..],
        [("clarification_request", "Уточните, за какой период нужны сведения."), ("clarification", "За 2025 год.")]
    );
    // Both parties hear of both steps.
    for (name, token) in [("sender", &sender), ("addressee", &addressee)] {
        let events: Vec<String> = super::feed_by_role::feed(&app, token, "network_request")
            .await
            .iter()
            .filter(|e| e["resource_id"] == got.body["id"])
            .map(|e| e["payload"]["event"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            events.ends_with(&["clarification_request".to_owned(), "clarification".to_owned()]),
            "{name}: {events:?}"
        );
    }
    let answered = action(&app, &addressee, &resumed.body, "reply", reply_body(None)).await;
    assert_eq!(answered.status, 200, "{}", answered.text);
    assert!(answered.body["breach"].is_null(), "{}", answered.text);
}

#[tokio::test]
async fn a_forwarded_request_is_closed_with_a_link_to_a_new_one_sent_to_the_competent_participant() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let competent = app
        .create_org(
            json!({"name": "МБОУ «Бичурская СОШ № 2»", "kind": "educational_organization", "parent_id": r.mun_a["id"]}),
        )
        .await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let addressee = app.token(Role::Organization, Some(&r.school_b), None);
    let new_addressee = app.token(Role::Organization, Some(&competent), None);
    let policy = policy_id(&app, "fz210_art7_2").await;
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let got = received_with(&app, &r, &policy, json!({"incoming_number": "вх-1", "received_on": today})).await;
    assert_eq!(got.status, 200, "{}", got.text);
    let body = |to: &Value| json!({"addressee_organization_id": to, "reason": "Сведения ведёт СОШ № 2"});
    // Only the addressee's side forwards, to another participant, with a reason.
    action(&app, &sender, &got.body, "forward", body(&competent["id"])).await.assert_problem(403);
    let to_sender = action(&app, &addressee, &got.body, "forward", body(&r.school_a["id"])).await;
    to_sender.assert_problem(422);
    assert_eq!(to_sender.error_fields(), vec!["addressee_organization_id"]);
    let forwarded = action(&app, &addressee, &got.body, "forward", body(&competent["id"])).await;
    assert_eq!(forwarded.status, 200, "{}", forwarded.text);
    assert_eq!(forwarded.body["status"], "forwarded");
    let new_id = forwarded.body["forwarded_to"].as_str().unwrap().to_owned();
    let history: Vec<&str> =
        forwarded.body["history"].as_array().unwrap().iter().map(|t| t["action"].as_str().unwrap()).collect();
    assert_eq!(history, vec!["create", "send", "receive", "forward"]);
    // Closed: nothing more from it.
    let again = action(&app, &addressee, &forwarded.body, "reply", reply_body(None)).await;
    again.assert_problem(409);
    assert!(again.body["allowed"].as_array().is_none_or(Vec::is_empty), "{}", again.text);
    // The new request: sent by the same sender to the competent participant, received by nobody
    // yet, linked back; the new addressee receives it and its own term runs.
    let new = app.get(&format!("/api/v1/network-requests/{new_id}"), &new_addressee).await;
    assert_eq!(new.status, 200, "{}", new.text);
    assert_eq!(new.body["status"], "sent");
    assert_eq!(new.body["forwarded_from"], got.body["id"]);
    assert_eq!(new.body["sender"]["organization_id"], r.school_a["id"]);
    assert_eq!(new.body["addressee"]["organization_id"], competent["id"]);
    assert_eq!(new.body["outgoing_number"], got.body["outgoing_number"]);
    assert_eq!(new.body["subject"], got.body["subject"]);
    assert!(new.body["deadline"].is_null() && new.body["received_on"].is_null(), "{}", new.text);
    let from_sender = app.get(&format!("/api/v1/network-requests/{new_id}"), &sender).await;
    assert_eq!(from_sender.status, 200, "{}", from_sender.text);
    let received =
        action(&app, &new_addressee, &new.body, "receive", json!({"incoming_number": "вх-7", "received_on": today}))
            .await;
    assert_eq!(received.status, 200, "{}", received.text);
    assert!(received.body["deadline"]["due_at"].is_string());
    // The sender is informed: the original's `forward` event and the new request's reach it.
    let events = super::feed_by_role::feed(&app, &sender, "network_request").await;
    let of = |rid: &str| -> Vec<String> {
        events
            .iter()
            .filter(|e| e["resource_id"] == rid)
            .map(|e| e["payload"]["event"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(of(got.body["id"].as_str().unwrap()).last().map(String::as_str), Some("forward"));
    assert_eq!(of(&new_id), ["forward", "receive"]);
}
