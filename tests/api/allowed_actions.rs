//! The caller's allowed actions (issue 22 item 4): for every resource with a lifecycle and
//! several roles, `allowed_actions` (on the resource and on its list item) is exactly the set
//! of actions that then succeed for that caller. Each listed action is taken on a fresh
//! resource in the same state (it consumes the state); each other one must be refused with
//! 403, 404 or 409.

use chrono::{Duration, Utc};
use rsnms_domain::auth::Role;
use rsnms_persistence::entities::webhook_subscriptions;
use rsnms_tests::{Region, TestApp, id, spawn_app};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use crate::{
    agreements::{buryatia, indicator, parties},
    network_requests::{action, complete_draft, policy},
};

/// How an action is taken on a resource: method, path and body.
type Call = (&'static str, String, Option<Value>);

/// An action by its wire name, and how to take it on a given resource.
struct Attempt {
    name: &'static str,
    call: Box<dyn Fn(&Value) -> Call>,
}

fn attempt(name: &'static str, call: impl Fn(&Value) -> Call + 'static) -> Attempt {
    Attempt { name, call: Box::new(call) }
}

fn etag_of(v: &Value) -> String {
    format!("\"{}\"", v["version"])
}

fn names(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

async fn take(app: &TestApp, token: &str, resource: &Value, a: &Attempt) -> rsnms_tests::Reply {
    let (method, path, body) = (a.call)(resource);
    let etag = etag_of(resource);
    app.send(method, &path, Some(token), body.as_ref(), &[("if-match", &etag)]).await
}

/// What a check is about: the caller, how to read the resource and its list.
struct Case<'a> {
    who: &'a str,
    token: &'a str,
    item: fn(&Value) -> String,
    list: Option<&'a str>,
}

/// Reads `allowed_actions` as the caller (a resource it cannot read allows nothing), checks the
/// list item says the same, then tries every action: the listed ones on fresh resources must
/// succeed, the others must be refused. Returns the listed actions.
async fn check(app: &TestApp, case: &Case<'_>, fresh: impl AsyncFn() -> Value, attempts: &[Attempt]) -> Vec<String> {
    let resource = fresh().await;
    let read = app.get(&(case.item)(&resource), case.token).await;
    let listed = match read.status {
        200 => names(&read.body["allowed_actions"]),
        403 | 404 => Vec::new(),
        other => panic!("{}: reading answered {other}: {}", case.who, read.text),
    };
    assert!(read.status != 200 || read.body["allowed_actions"].is_array(), "{}: {}", case.who, read.text);
    for n in &listed {
        assert!(attempts.iter().any(|a| a.name == n), "{}: unknown action {n} listed", case.who);
    }
    if let (200, Some(list)) = (read.status, case.list) {
        let page = app.get(list, case.token).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let item = page.body["items"].as_array().unwrap().iter().find(|i| i["id"] == resource["id"]).cloned();
        let item = item.unwrap_or_else(|| panic!("{}: the item is not in {list}", case.who));
        assert_eq!(names(&item["allowed_actions"]), listed, "{}: the list item says otherwise", case.who);
    }
    for a in attempts {
        if listed.iter().any(|n| n == a.name) {
            let own = fresh().await;
            let res = take(app, case.token, &own, a).await;
            assert!(res.status < 300, "{}: `{}` is listed but answered {}: {}", case.who, a.name, res.status, res.text);
        } else {
            let res = take(app, case.token, &resource, a).await;
            assert!(
                matches!(res.status, 403 | 404 | 409),
                "{}: `{}` is not listed ({listed:?}) but answered {}: {}",
                case.who,
                a.name,
                res.status,
                res.text
            );
        }
    }
    listed
}

fn request_path(v: &Value) -> String {
    format!("/api/v1/network-requests/{}", id(v))
}

fn yesterday() -> String {
    (Utc::now() - Duration::days(1)).date_naive().to_string()
}

fn request_attempts(forward_to: Value) -> Vec<Attempt> {
    let post = |suffix: &'static str, body: Value| {
        move |r: &Value| ("POST", format!("{}/{suffix}", request_path(r)), Some(body.clone()))
    };
    vec![
        attempt("update", |r| ("PATCH", request_path(r), Some(json!({"subject": "Другая тема"})))),
        attempt("send", post("send", json!({}))),
        attempt("receive", post("receive", json!({"incoming_number": "вх-2", "received_on": yesterday()}))),
        attempt(
            "reply",
            post(
                "reply",
                json!({"text": "Сведения прилагаем.", "responder_name": "Петров П. П.", "responder_position": "директор"}),
            ),
        ),
        attempt("extend", post("extend", json!({"days": 1, "reason": "Сбор сведений"}))),
        attempt("clarification_request", post("clarification-request", json!({"text": "Уточните период"}))),
        attempt("clarification", post("clarification", json!({"text": "За 2025 год"}))),
        attempt(
            "forward",
            post("forward", json!({"addressee_organization_id": forward_to, "reason": "По компетенции"})),
        ),
        attempt("withdraw", post("withdraw", json!({"reason": "Направлен ошибочно"}))),
    ]
}

/// A request from school A to school B under a policy that allows extensions, in `state`.
async fn request_in(app: &TestApp, r: &Region, policy_id: &Value, state: &str) -> Value {
    let mut body = complete_draft(&r.school_a, &r.school_b);
    body["policy_id"] = policy_id.clone();
    let draft = app.post("/api/v1/network-requests", &app.admin, &body).await;
    assert_eq!(draft.status, 201, "{}", draft.text);
    let step = async |from: Value, name: &str, body: Value| {
        let next = action(app, &app.admin, &from, name, body).await;
        assert_eq!(next.status, 200, "{name}: {}", next.text);
        next.body
    };
    if state == "draft" {
        return draft.body;
    }
    let sent = step(draft.body, "send", json!({"sent_on": yesterday()})).await;
    if state == "sent" {
        return sent;
    }
    let got = step(sent, "receive", json!({"incoming_number": "вх-1", "received_on": yesterday()})).await;
    match state {
        "received" => got,
        "clarification" => step(got, "clarification-request", json!({"text": "Уточните"})).await,
        "answered" => {
            step(
                got,
                "reply",
                json!({"text": "Ответ", "responder_name": "Петров П. П.", "responder_position": "директор"}),
            )
            .await
        }
        other => panic!("no state {other}"),
    }
}

/// Every role around a request from school A to school B: the two parties, the municipalities
/// above each, the region's roles, a foreign organisation and the integration.
fn request_callers(app: &TestApp, r: &Region, foreign: &Value) -> Vec<(&'static str, String)> {
    vec![
        ("admin", app.admin.clone()),
        ("operator", app.token(Role::Operator, None, None)),
        ("sender", app.token(Role::Organization, Some(&r.school_a), None)),
        ("addressee", app.token(Role::Organization, Some(&r.school_b), None)),
        ("municipal of the sender", app.token(Role::Municipal, Some(&r.mun_a), None)),
        ("municipal of the addressee", app.token(Role::Municipal, Some(&r.mun_b), None)),
        ("foreign organisation", app.token(Role::Organization, Some(foreign), None)),
        ("integration", app.token(Role::Integration, None, None)),
    ]
}

async fn network_requests_in(states: &[&str]) -> Vec<(String, String, Vec<String>)> {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let foreign = app
        .create_org(
            json!({"name": "МБОУ «Селенгинская СОШ»", "kind": "educational_organization", "parent_id": r.mun_b["id"]}),
        )
        .await;
    let citizen = policy(&app, "fz59_art12").await["id"].clone();
    let attempts = request_attempts(r.region["id"].clone());
    let mut seen = Vec::new();
    for state in states {
        for (who, token) in request_callers(&app, &r, &foreign) {
            let label = format!("{who}, {state}");
            let case = Case {
                who: &label,
                token: &token,
                item: request_path,
                list: Some("/api/v1/network-requests?limit=500"),
            };
            let listed = check(&app, &case, async || request_in(&app, &r, &citizen, state).await, &attempts).await;
            seen.push(((*state).to_owned(), who.to_owned(), listed));
        }
    }
    seen
}

fn listed_for<'a>(seen: &'a [(String, String, Vec<String>)], state: &str, who: &str) -> &'a [String] {
    &seen.iter().find(|(s, w, _)| s == state && w == who).unwrap().2
}

#[tokio::test]
async fn a_drafted_or_sent_requests_allowed_actions_are_those_that_then_succeed_for_each_side_and_role() {
    let seen = network_requests_in(&["draft", "sent"]).await;
    assert_eq!(listed_for(&seen, "draft", "sender"), ["update", "send", "withdraw"]);
    assert_eq!(listed_for(&seen, "draft", "municipal of the sender"), ["update", "send", "withdraw"]);
    assert!(listed_for(&seen, "draft", "addressee").is_empty(), "a draft is not the addressee's");
    assert_eq!(listed_for(&seen, "sent", "addressee"), ["receive"]);
    assert_eq!(listed_for(&seen, "sent", "sender"), ["withdraw"]);
    assert_eq!(listed_for(&seen, "sent", "admin"), ["receive", "withdraw"]);
    assert!(listed_for(&seen, "sent", "integration").is_empty());
}

#[tokio::test]
async fn a_received_paused_or_answered_requests_allowed_actions_are_those_that_then_succeed_for_each_side_and_role() {
    let seen = network_requests_in(&["received", "clarification", "answered"]).await;
    assert_eq!(listed_for(&seen, "received", "addressee"), ["reply", "extend", "clarification_request", "forward"]);
    assert_eq!(listed_for(&seen, "received", "sender"), ["withdraw"]);
    assert_eq!(listed_for(&seen, "clarification", "sender"), ["clarification", "withdraw"]);
    assert!(listed_for(&seen, "clarification", "addressee").is_empty());
    assert!(listed_for(&seen, "answered", "admin").is_empty());
}

#[tokio::test]
async fn an_agreements_allowed_actions_are_those_that_then_succeed_for_each_party_and_role() {
    let app = spawn_app().await;
    let (region, institute) = parties(&app).await;
    let numbers = std::cell::Cell::new(0u32);
    let fresh = async |state: &str| {
        numbers.set(numbers.get() + 1);
        let mut doc = buryatia(&region, &institute, &region.mun_a);
        doc["number"] = json!(format!("535-{}", numbers.get()));
        if state == "draft" {
            let o = doc.as_object_mut().unwrap();
            o.remove("status");
            o.remove("signed_on");
            o.remove("valid_from");
            o.insert("valid_until".into(), json!("2099-12-31"));
        }
        let created = app.post("/api/v1/agreements", &app.admin, &doc).await;
        assert_eq!(created.status, 201, "{}", created.text);
        if state != "terminated" {
            return created.body;
        }
        let path = format!("/api/v1/agreements/{}/terminate", id(&created.body));
        let body = json!({"terminated_on": "2024-06-01", "reason": "по соглашению сторон"});
        let t = app.send("POST", &path, Some(&app.admin), Some(&body), &[("if-match", &created.etag())]).await;
        assert_eq!(t.status, 200, "{}", t.text);
        t.body
    };
    let path = |a: &Value| format!("/api/v1/agreements/{}", id(a));
    let attempts = vec![
        attempt("update", move |a| ("PATCH", path(a), Some(json!({"place": "г. Улан-Удэ"})))),
        attempt("sign", move |a| ("POST", format!("{}/sign", path(a)), Some(json!({"signed_on": "2024-01-15"})))),
        attempt("amend", move |a| {
            let body = json!({"number": "1", "signed_on": "2023-12-20", "effective_from": "2024-01-01",
                "changes": {"targets": [{"indicator": "indicator.1", "year": 2024, "value": 45}]}});
            ("POST", format!("{}/amendments", path(a)), Some(body))
        }),
        attempt("terminate", move |a| {
            ("POST", format!("{}/terminate", path(a)), Some(json!({"terminated_on": "2024-06-01"})))
        }),
        attempt("report_value", move |a| {
            let i = indicator(a, "indicator.1")["id"].as_str().unwrap().to_owned();
            let body = json!({"year": 2022, "value": 21.0, "source": "мониторинг БРИОП"});
            ("POST", format!("{}/indicators/{i}/values", path(a)), Some(body))
        }),
    ];
    let callers = [
        ("admin", app.admin.clone()),
        ("operator", app.token(Role::Operator, None, None)),
        ("municipal party", app.token(Role::Municipal, Some(&region.mun_a), None)),
        ("institute party", app.token(Role::Organization, Some(&institute), None)),
        ("foreign municipality", app.token(Role::Municipal, Some(&region.mun_b), None)),
        ("integration", app.token(Role::Integration, None, None)),
    ];
    let mut seen = Vec::new();
    for state in ["draft", "signed", "terminated"] {
        for (who, token) in &callers {
            let label = format!("{who}, {state}");
            let case = Case { who: &label, token, item: |a| format!("/api/v1/agreements/{}", id(a)), list: None };
            seen.push((state, *who, check(&app, &case, async || fresh(state).await, &attempts).await));
        }
    }
    let of = |state: &str, who: &str| seen.iter().find(|(s, w, _)| *s == state && *w == who).unwrap().2.clone();
    assert_eq!(of("draft", "admin"), ["update", "sign"]);
    assert_eq!(of("signed", "operator"), ["amend", "terminate", "report_value"]);
    assert_eq!(of("signed", "municipal party"), ["report_value"]);
    assert_eq!(of("terminated", "admin"), ["report_value"]);
    assert!(of("signed", "institute party").is_empty());
    // The list's items carry the same.
    let list = app.get("/api/v1/agreements?limit=500", &region_token(&app, &region)).await;
    assert_eq!(list.status, 200, "{}", list.text);
    for item in list.body["items"].as_array().unwrap() {
        let one = app.get(&format!("/api/v1/agreements/{}", id(item)), &region_token(&app, &region)).await;
        assert_eq!(item["allowed_actions"], one.body["allowed_actions"], "{item}");
    }
}

fn region_token(app: &TestApp, region: &Region) -> String {
    app.token(Role::Municipal, Some(&region.mun_a), None)
}

#[tokio::test]
async fn an_organisations_allowed_actions_are_those_that_then_succeed_for_each_role() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let fresh = async |closed: bool| {
        let school = app
            .create_org(
                json!({"name": "МБОУ «Новая СОШ»", "kind": "educational_organization", "parent_id": r.mun_a["id"]}),
            )
            .await;
        if !closed {
            return school;
        }
        let path = format!("/api/v1/organizations/{}/close", id(&school));
        let c = app
            .send(
                "POST",
                &path,
                Some(&app.admin),
                Some(&json!({"closed_on": "2025-06-30"})),
                &[("if-match", &etag_of(&school))],
            )
            .await;
        assert_eq!(c.status, 200, "{}", c.text);
        c.body
    };
    let path = |o: &Value| format!("/api/v1/organizations/{}", id(o));
    let attempts = vec![
        attempt("update", move |o| ("PATCH", path(o), Some(json!({"short_name": "Новая СОШ"})))),
        attempt("close", move |o| ("POST", format!("{}/close", path(o)), Some(json!({"closed_on": "2025-12-31"})))),
    ];
    let callers = [
        ("admin", app.admin.clone()),
        ("operator", app.token(Role::Operator, None, None)),
        ("municipality", app.token(Role::Municipal, Some(&r.mun_a), None)),
        ("parent organisation", app.token(Role::Organization, Some(&r.mun_a), None)),
        ("foreign municipality", app.token(Role::Municipal, Some(&r.mun_b), None)),
        ("integration", app.token(Role::Integration, None, None)),
    ];
    let mut seen = Vec::new();
    for closed in [false, true] {
        for (who, token) in &callers {
            let label = format!("{who}, closed: {closed}");
            let case = Case {
                who: &label,
                token,
                item: |o| format!("/api/v1/organizations/{}", id(o)),
                list: Some("/api/v1/organizations?limit=500"),
            };
            seen.push((closed, *who, check(&app, &case, async || fresh(closed).await, &attempts).await));
        }
    }
    let of = |closed: bool, who: &str| seen.iter().find(|(c, w, _)| *c == closed && *w == who).unwrap().2.clone();
    assert_eq!(of(false, "municipality"), ["update", "close"]);
    assert_eq!(of(false, "parent organisation"), ["update"]);
    assert_eq!(of(true, "admin"), ["update"]);
    assert!(of(false, "integration").is_empty());
}

#[tokio::test]
async fn an_accounts_allowed_actions_are_those_that_then_succeed_and_an_administrator_keeps_her_own() {
    let app = spawn_app().await;
    let logins = std::cell::Cell::new(0u32);
    let fresh = async || {
        logins.set(logins.get() + 1);
        let body = json!({"kind": "user", "login": format!("operator-{}", logins.get()), "secret": "a-long-secret-123", "role": "operator"});
        let r = app.post("/api/v1/accounts", &app.admin, &body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body
    };
    let path = |a: &Value| format!("/api/v1/accounts/{}", id(a));
    let attempts = vec![
        attempt("disable", move |a| ("POST", format!("{}/disable", path(a)), None)),
        attempt("enable", move |a| ("POST", format!("{}/enable", path(a)), None)),
        attempt("reset_password", move |a| {
            ("POST", format!("{}/password", path(a)), Some(json!({"secret": "another-secret-456"})))
        }),
        attempt("revoke_tokens", move |a| ("POST", format!("{}/revoke-tokens", path(a)), None)),
        attempt("delete", move |a| ("DELETE", path(a), None)),
    ];
    let r = app.seed_region().await;
    let callers = [
        ("admin", app.admin.clone()),
        ("operator", app.token(Role::Operator, None, None)),
        ("municipal", app.token(Role::Municipal, Some(&r.mun_a), None)),
    ];
    for (who, token) in &callers {
        let case = Case {
            who,
            token,
            item: |a| format!("/api/v1/accounts/{}", id(a)),
            list: Some("/api/v1/accounts?limit=500"),
        };
        let listed = check(&app, &case, async || fresh().await, &attempts).await;
        let expected: &[&str] =
            if *who == "admin" { &["disable", "enable", "reset_password", "revoke_tokens", "delete"] } else { &[] };
        assert_eq!(listed, expected, "{who}");
    }
    // An administrator's own account: neither disabled nor deleted by herself.
    let body = json!({"kind": "user", "login": "second-admin", "secret": "a-long-secret-123", "role": "admin"});
    let me = app.post("/api/v1/accounts", &app.admin, &body).await.body;
    let signed = json!({"grant_type": "password", "username": "second-admin", "password": "a-long-secret-123"});
    let signed = app.send("POST", "/api/v1/auth/token", None, Some(&signed), &[]).await;
    assert_eq!(signed.status, 200, "{}", signed.text);
    let mine = signed.body["access_token"].as_str().unwrap().to_owned();
    let own = app.get(&path(&me), &mine).await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert_eq!(names(&own.body["allowed_actions"]), ["enable", "reset_password", "revoke_tokens"]);
    for refused in &attempts[..1] {
        let res = take(&app, &mine, &me, refused).await;
        res.assert_problem(409);
        assert_eq!(res.body["allowed"], json!(["enable", "reset_password", "revoke_tokens"]), "{}", res.text);
    }
    take(&app, &mine, &me, &attempts[4]).await.assert_problem(409);
    assert_eq!(take(&app, &mine, &me, &attempts[1]).await.status, 200);
}

#[tokio::test]
async fn a_webhooks_allowed_actions_are_those_that_then_succeed_for_its_owner_and_others() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let owner = app.token(Role::Organization, Some(&r.school_a), None);
    let fresh = async |active: bool| {
        // Events of a type nothing here emits: no delivery is ever attempted.
        let body = json!({"url": "http://127.0.0.1:9/hook", "event_types": ["agreement.*"]});
        let s = app.post("/api/v1/webhooks", &owner, &body).await;
        assert_eq!(s.status, 201, "{}", s.text);
        if active {
            return s.body;
        }
        let uuid: uuid::Uuid = id(&s.body).parse().unwrap();
        webhook_subscriptions::Entity::update_many()
            .col_expr(webhook_subscriptions::Column::Active, Expr::value(false))
            .filter(webhook_subscriptions::Column::Id.eq(uuid))
            .exec(&app.store.db.exec())
            .await
            .unwrap();
        app.get(&format!("/api/v1/webhooks/{}", id(&s.body)), &owner).await.body
    };
    let path = |s: &Value| format!("/api/v1/webhooks/{}", id(s));
    let attempts = vec![
        attempt("enable", move |s| ("POST", format!("{}/enable", path(s)), None)),
        attempt("delete", move |s| ("DELETE", path(s), None)),
    ];
    let callers = [
        ("owner", owner.clone()),
        ("admin", app.admin.clone()),
        ("another organisation", app.token(Role::Organization, Some(&r.school_b), None)),
    ];
    let mut seen = Vec::new();
    for active in [true, false] {
        for (who, token) in &callers {
            let label = format!("{who}, active: {active}");
            let case = Case {
                who: &label,
                token,
                item: |s| format!("/api/v1/webhooks/{}", id(s)),
                list: Some("/api/v1/webhooks?limit=500"),
            };
            seen.push((active, *who, check(&app, &case, async || fresh(active).await, &attempts).await));
        }
    }
    let of = |active: bool, who: &str| seen.iter().find(|(a, w, _)| *a == active && *w == who).unwrap().2.clone();
    assert_eq!(of(true, "owner"), ["delete"]);
    assert_eq!(of(false, "owner"), ["enable", "delete"]);
    assert!(of(false, "another organisation").is_empty());
}

#[tokio::test]
async fn an_import_jobs_allowed_actions_are_cancel_while_queued_and_nothing_once_cancelled() {
    // No worker takes jobs here after its first (idle) round: jobs stay queued.
    let url = rsnms_tests::fresh_database_url().await;
    let mut settings = rsnms_tests::test_settings(&url);
    settings.exchange.import_job_poll_ms = 3_600_000;
    let app = rsnms_tests::spawn_with(settings).await;
    let r = app.seed_region().await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let submitter = app.token(Role::Organization, Some(&r.school_a), None);
    let line =
        json!({"surname": "Иванова", "first_name": "Анна", "organization_id": r.school_a["id"], "roles": ["teacher"]});
    let fresh = async |cancelled: bool| {
        let res = crate::import_jobs::submit(&app, "persons", &submitter, format!("{line}\n").into_bytes(), &[]).await;
        assert_eq!(res.status, 202, "{}", res.text);
        assert_eq!(res.body["allowed_actions"], json!(["cancel"]), "{}", res.text);
        if !cancelled {
            return res.body;
        }
        let path = format!("/api/v1/imports/jobs/{}", id(&res.body));
        let c = app.send("DELETE", &path, Some(&submitter), None, &[("if-match", &etag_of(&res.body))]).await;
        assert_eq!(c.status, 200, "{}", c.text);
        c.body
    };
    let attempts = vec![attempt("cancel", |j| ("DELETE", format!("/api/v1/imports/jobs/{}", id(j)), None))];
    let callers = [
        ("submitter", submitter.clone()),
        ("admin", app.admin.clone()),
        ("another organisation", app.token(Role::Organization, Some(&r.school_b), None)),
    ];
    for cancelled in [false, true] {
        for (who, token) in &callers {
            let label = format!("{who}, cancelled: {cancelled}");
            let case = Case {
                who: &label,
                token,
                item: |j| format!("/api/v1/imports/jobs/{}", id(j)),
                list: Some("/api/v1/imports/jobs?limit=500"),
            };
            let listed = check(&app, &case, async || fresh(cancelled).await, &attempts).await;
            let expected: &[&str] = if cancelled || *who == "another organisation" { &[] } else { &["cancel"] };
            assert_eq!(listed, expected, "{label}");
        }
    }
}
