//! What screens need: conditional reads, counts, sort orders.

use rsnms_tests::{id, spawn_app};

#[tokio::test]
async fn a_single_resource_answers_304_without_a_body_when_its_etag_matches() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let path = format!("/api/v1/organizations/{}", id(&r.school_a));
    let first = app.get(&path, &app.admin).await;
    assert_eq!(first.status, 200);
    let tag = first.etag();
    for header in [tag.clone(), format!("W/{tag}"), format!("\"nope\", {tag}"), "*".to_owned()] {
        let again = app.send("GET", &path, Some(&app.admin), None, &[("if-none-match", &header)]).await;
        assert_eq!(again.status, 304, "If-None-Match: {header}");
        assert!(again.text.is_empty());
        assert_eq!(again.etag(), tag);
    }
    let other = app.send("GET", &path, Some(&app.admin), None, &[("if-none-match", "\"999999\"")]).await;
    assert_eq!(other.status, 200);
    assert_eq!(other.body["id"], r.school_a["id"]);
    // A change makes the old tag stale: the full body comes back.
    let changed = app.patch(&path, &app.admin, &tag, &serde_json::json!({"short_name": "СОШ № 1"})).await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let stale = app.send("GET", &path, Some(&app.admin), None, &[("if-none-match", &tag)]).await;
    assert_eq!(stale.status, 200);
    assert_ne!(stale.etag(), tag);
}

#[tokio::test]
async fn a_list_page_carries_a_weak_etag_that_changes_with_its_rows() {
    let app = spawn_app().await;
    let _ = app.seed_region().await;
    let path = "/api/v1/organizations?limit=10";
    let first = app.get(path, &app.admin).await;
    assert_eq!(first.status, 200);
    let tag = first.etag();
    assert!(tag.starts_with("W/\""), "{tag}");
    let again = app.send("GET", path, Some(&app.admin), None, &[("if-none-match", &tag)]).await;
    assert_eq!(again.status, 304);
    assert!(again.text.is_empty());
    let _ = app
        .create_org(
            serde_json::json!({"name": "ГАУ ДПО РБ «БРИОП»", "kind": "regional_institute", "region_code": "03"}),
        )
        .await;
    let after = app.send("GET", path, Some(&app.admin), None, &[("if-none-match", &tag)]).await;
    assert_eq!(after.status, 200);
    assert_ne!(after.etag(), tag);
}

#[tokio::test]
async fn if_none_match_never_hides_an_error_or_a_change() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let foreign = app.token(rsnms_domain::auth::Role::Organization, Some(&r.school_b), None);
    let path = format!("/api/v1/organizations/{}", id(&r.school_a));
    let hidden = app.send("GET", &path, Some(&foreign), None, &[("if-none-match", "*")]).await;
    assert_eq!(hidden.status, 404);
}

/// A deterministic pseudo-random Cyrillic word (a few repeat, so ties are met).
fn word(n: u64, salt: u64) -> String {
    let letters: Vec<char> = "абвгдежзийклмнопрстуфхцчшщэюя".chars().collect();
    let mut x = (n % 400).wrapping_mul(6_364_136_223_846_793_005).wrapping_add(salt);
    let mut s = String::new();
    for i in 0..3 {
        x ^= x >> 13;
        x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let c = letters[usize::try_from(x % letters.len() as u64).unwrap()];
        s.push(if i == 0 { c.to_uppercase().next().unwrap() } else { c });
    }
    s
}

async fn import_ndjson(app: &rsnms_tests::TestApp, dataset: &str, lines: &[serde_json::Value]) {
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let res = app
        .client
        .post(format!("{}/api/v1/imports/{dataset}", app.base))
        .bearer_auth(&app.admin)
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    assert!(status == 200 || status == 201, "import {dataset}: {status} {}", res.text().await.unwrap_or_default());
}

/// Every row of a list, page after page, in the order the server gives.
async fn walk(app: &rsnms_tests::TestApp, path: &str, limit: u32) -> Vec<serde_json::Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut url = format!("{path}{sep}limit={limit}");
    let mut all = Vec::new();
    loop {
        let page = app.get(&url, &app.admin).await;
        assert_eq!(page.status, 200, "{url}: {}", page.text);
        all.extend(page.body["items"].as_array().unwrap().iter().cloned());
        match page.body["next_cursor"].as_str() {
            Some(c) => url = format!("{path}{sep}limit={limit}&cursor={c}"),
            None => return all,
        }
    }
}

fn ids(rows: &[serde_json::Value]) -> Vec<String> {
    rows.iter().map(id).collect()
}

#[tokio::test]
async fn organisations_sorted_by_name_page_without_gaps_or_repeats_in_both_directions() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let lines: Vec<_> = (0..1500)
        .map(
            |n| serde_json::json!({"name": word(n, 7), "kind": "educational_organization", "parent_id": r.mun_a["id"]}),
        )
        .collect();
    import_ndjson(&app, "organizations", &lines).await;
    let mut by_hand = walk(&app, "/api/v1/organizations", 500).await;
    assert_eq!(by_hand.len(), 1505);
    by_hand.sort_by(|a, b| (a["name"].as_str(), id(a)).cmp(&(b["name"].as_str(), id(b))));
    let ascending = walk(&app, "/api/v1/organizations?sort=name", 97).await;
    assert_eq!(ids(&ascending), ids(&by_hand));
    let descending = walk(&app, "/api/v1/organizations?sort=-name&kind=educational_organization", 113).await;
    let mut expected: Vec<_> = by_hand.iter().filter(|o| o["kind"] == "educational_organization").cloned().collect();
    expected.reverse();
    assert_eq!(ids(&descending), ids(&expected));
}

#[tokio::test]
async fn a_sort_or_cursor_the_list_does_not_know_is_a_422_naming_it() {
    let app = spawn_app().await;
    let _ = app.seed_region().await;
    let bad = app.get("/api/v1/organizations?sort=inn", &app.admin).await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), vec!["sort"]);
    let first = app.get("/api/v1/organizations?sort=name&limit=2", &app.admin).await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    for tampered in [format!("{cursor}x"), "eyJzIjoibmFtZSIsImsiOls1XSwiaSI6IngifQ".to_owned()] {
        let r = app.get(&format!("/api/v1/organizations?sort=name&limit=2&cursor={tampered}"), &app.admin).await;
        r.assert_problem(422);
        assert_eq!(r.error_fields(), vec!["cursor"]);
    }
    // A cursor of one order is refused by another (and by the id order).
    for other in ["sort=-name&", ""] {
        let r = app.get(&format!("/api/v1/organizations?{other}limit=2&cursor={cursor}"), &app.admin).await;
        r.assert_problem(422);
        assert_eq!(r.error_fields(), vec!["cursor"]);
    }
    // A well-formed cursor whose key has the wrong type is refused too.
    let wrong_type = base64_url(r#"{"s":"name","k":[5],"i":"01a208e7-1ff3-760b-9f9c-140424bfadde"}"#);
    let r = app.get(&format!("/api/v1/organizations?sort=name&cursor={wrong_type}"), &app.admin).await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["cursor"]);
    // A text key with a NUL inside (PostgreSQL refuses it as a parameter) is a 422, never a 500.
    let nul = base64_url(r#"{"s":"name","k":["a\u0000b"],"i":"01a208e7-1ff3-760b-9f9c-140424bfadde"}"#);
    let r = app.get(&format!("/api/v1/organizations?sort=name&cursor={nul}"), &app.admin).await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["cursor"]);
}

fn base64_url(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[tokio::test]
async fn a_count_is_given_only_when_asked_and_bounded_when_exact() {
    let probe = spawn_app().await;
    let r = probe.seed_region().await;
    let mut settings = rsnms_tests::test_settings(&probe.database_url);
    settings.count_limit = 40;
    let app = rsnms_tests::spawn_with(settings).await;
    let lines: Vec<_> = (0..60)
        .map(
            |n| serde_json::json!({"name": word(n, 3), "kind": "educational_organization", "parent_id": r.mun_b["id"]}),
        )
        .collect();
    import_ndjson(&app, "organizations", &lines).await;
    let plain = app.get("/api/v1/organizations?limit=5", &app.admin).await;
    assert!(plain.body.get("count").is_none() && plain.body.get("count_exact").is_none(), "{}", plain.text);
    let small =
        app.get(&format!("/api/v1/organizations?limit=5&count=exact&parent_id={}", id(&r.mun_a)), &app.admin).await;
    assert_eq!(small.body["count"], 1, "{}", small.text);
    assert_eq!(small.body["count_exact"], true);
    assert_eq!(small.body["items"].as_array().unwrap().len(), 1);
    let big = app.get("/api/v1/organizations?limit=5&count=exact&sort=name", &app.admin).await;
    assert_eq!(big.body["count"], 40, "{}", big.text);
    assert_eq!(big.body["count_exact"], false);
    // The count is of the filter, not of the page: the second page says the same.
    let cursor = big.body["next_cursor"].as_str().unwrap();
    let second =
        app.get(&format!("/api/v1/organizations?limit=5&count=exact&sort=name&cursor={cursor}"), &app.admin).await;
    assert_eq!(second.body["count"], 40);
    let estimate = app.get("/api/v1/organizations?limit=5&count=estimate", &app.admin).await;
    assert!(estimate.body["count"].as_u64().is_some(), "{}", estimate.text);
    if rsnms_tests::engine() == "sqlite" {
        assert_eq!(estimate.body["count"], 40);
        assert_eq!(estimate.body["count_exact"], false);
    } else {
        assert_eq!(estimate.body["count_exact"], false);
    }
    let bad = app.get("/api/v1/organizations?count=all", &app.admin).await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), vec!["count"]);
}

/// The order a sort gives, computed by hand: the key (NULL after every value), then the id; a
/// descending order is the exact reverse.
fn by_hand(
    rows: &[serde_json::Value],
    key: impl Fn(&serde_json::Value) -> Vec<Option<String>>,
    descending: bool,
) -> Vec<String> {
    let mut sorted: Vec<_> = rows.to_vec();
    sorted.sort_by_key(|r| {
        let k: Vec<(bool, String)> = key(r).into_iter().map(|v| (v.is_none(), v.unwrap_or_default())).collect();
        (k, id(r))
    });
    if descending {
        sorted.reverse();
    }
    ids(&sorted)
}

fn field(r: &serde_json::Value, name: &str) -> Option<String> {
    r[name].as_str().map(str::to_owned)
}

#[tokio::test]
async fn persons_sorted_by_name_and_by_organisation_page_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let lines: Vec<_> = (0..2000)
        .map(|n| {
            let org = if n % 3 == 0 { &r.school_a } else { &r.school_b };
            serde_json::json!({"surname": word(n, 1), "first_name": word(n / 2, 2), "organization_id": org["id"], "roles": ["teacher"]})
        })
        .collect();
    import_ndjson(&app, "persons", &lines).await;
    let all = walk(&app, "/api/v1/persons", 500).await;
    assert_eq!(all.len(), 2000);
    let name = |p: &serde_json::Value| vec![field(p, "surname"), field(p, "first_name")];
    let org = |p: &serde_json::Value| vec![field(p, "organization_id"), field(p, "surname"), field(p, "first_name")];
    assert_eq!(ids(&walk(&app, "/api/v1/persons?sort=name", 89).await), by_hand(&all, name, false));
    assert_eq!(ids(&walk(&app, "/api/v1/persons?sort=-name", 250).await), by_hand(&all, name, true));
    assert_eq!(ids(&walk(&app, "/api/v1/persons?sort=organization", 101).await), by_hand(&all, org, false));
    assert_eq!(ids(&walk(&app, "/api/v1/persons?sort=-organization", 77).await), by_hand(&all, org, true));
}

#[tokio::test]
async fn network_requests_sorted_by_dates_and_status_keep_the_undated_ones_at_the_end() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    for n in 0..30u32 {
        let draft = app
            .post(
                "/api/v1/network-requests",
                &app.admin,
                &crate::network_requests::complete_draft(&r.school_a, &r.school_b),
            )
            .await;
        assert_eq!(draft.status, 201, "{}", draft.text);
        if n % 3 == 0 {
            continue; // stays a draft: no dates
        }
        let day = format!("2025-11-{:02}", 3 + n % 7);
        let sent =
            crate::network_requests::action(&app, &app.admin, &draft.body, "send", serde_json::json!({"sent_on": day}))
                .await;
        assert_eq!(sent.status, 200, "{}", sent.text);
        if n % 2 == 0 {
            let got = crate::network_requests::action(&app, &app.admin, &sent.body, "receive", serde_json::json!({"incoming_number": format!("вх-{n}"), "received_on": format!("2025-11-{:02}", 12 + n % 5)})).await;
            assert_eq!(got.status, 200, "{}", got.text);
        }
    }
    let all = walk(&app, "/api/v1/network-requests", 500).await;
    assert_eq!(all.len(), 30);
    for key in ["due_on", "sent_on", "received_on", "status"] {
        for (descending, limit) in [(false, 4), (true, 7)] {
            let sign = if descending { "-" } else { "" };
            let got = walk(&app, &format!("/api/v1/network-requests?sort={sign}{key}"), limit).await;
            let value = |q: &serde_json::Value| {
                vec![if key == "due_on" { q["deadline"]["due_on"].as_str().map(str::to_owned) } else { field(q, key) }]
            };
            assert_eq!(ids(&got), by_hand(&all, value, descending), "sort={sign}{key}");
        }
    }
    let counted = app.get("/api/v1/network-requests?status=draft&count=exact&sort=due_on&limit=2", &app.admin).await;
    assert_eq!(counted.body["count"], 10, "{}", counted.text);
    assert_eq!(counted.body["count_exact"], true);
}

/// How a test reads a row's sort key.
type KeyOf<'a> = &'a dyn Fn(&serde_json::Value) -> Vec<Option<String>>;

/// The rows of every order of one list, checked against the order computed by hand, ascending
/// and descending, with page sizes that do not divide the list.
async fn check_orders(app: &rsnms_tests::TestApp, list: &str, all: &[serde_json::Value], keys: &[(&str, KeyOf<'_>)]) {
    for (key, value) in keys {
        for (descending, limit) in [(false, 37), (true, 53)] {
            let sign = if descending { "-" } else { "" };
            let got = walk(app, &format!("{list}?sort={sign}{key}"), limit).await;
            assert_eq!(got.len(), all.len(), "sort={sign}{key}");
            assert_eq!(ids(&got), by_hand(all, value, descending), "sort={sign}{key}");
        }
    }
}

#[tokio::test]
async fn agreements_sorted_by_signing_date_and_number_page_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let (r, institute) = crate::imports_exchange::parties(&app).await;
    let lines: Vec<_> = (0..300u64)
        .map(|n| {
            let mut a =
                crate::imports_exchange::agreement(&r, &institute, if n % 2 == 0 { &r.mun_a } else { &r.mun_b });
            a["number"] = serde_json::json!(format!("{}-{}", n % 37, word(n, 5)));
            if n % 5 == 0 {
                a["status"] = serde_json::json!("draft");
                a["signed_on"] = serde_json::Value::Null;
            } else {
                a["signed_on"] = serde_json::json!(format!("2021-08-{:02}", 1 + n % 23));
            }
            a
        })
        .collect();
    import_ndjson(&app, "agreements", &lines).await;
    let all = walk(&app, "/api/v1/agreements", 500).await;
    assert_eq!(all.len(), 300);
    assert_eq!(all.iter().filter(|a| a["signed_on"].is_null()).count(), 60);
    let signed = |a: &serde_json::Value| vec![field(a, "signed_on")];
    let number = |a: &serde_json::Value| vec![field(a, "number")];
    check_orders(&app, "/api/v1/agreements", &all, &[("signed_on", &signed), ("number", &number)]).await;
    let counted = app.get("/api/v1/agreements?sort=-signed_on&count=exact&limit=3", &app.admin).await;
    assert_eq!(counted.body["count"], 300, "{}", counted.text);
    assert!(counted.body["items"][0]["signed_on"].is_null(), "an unsigned draft first descending");
}

#[tokio::test]
async fn events_sorted_by_the_day_they_are_held_page_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let lines: Vec<_> = (0..400u64)
        .map(|n| {
            serde_json::json!({"title": word(n, 9), "kind": "seminar", "level": "municipal",
                "held_on": format!("2026-{:02}-{:02}", 1 + n % 12, 1 + n % 28), "organizer_id": r.mun_a["id"]})
        })
        .collect();
    import_ndjson(&app, "events", &lines).await;
    let all = walk(&app, "/api/v1/events", 500).await;
    assert_eq!(all.len(), 400);
    let held = |e: &serde_json::Value| vec![field(e, "held_on")];
    check_orders(&app, "/api/v1/events", &all, &[("held_on", &held)]).await;
    let next = app.get("/api/v1/events?sort=held_on&from=2026-12-01&count=exact&limit=5", &app.admin).await;
    assert_eq!(next.body["count"], all.iter().filter(|e| e["held_on"].as_str() >= Some("2026-12-01")).count());
    let first = all.iter().filter_map(|e| e["held_on"].as_str()).filter(|d| *d >= "2026-12-01").min();
    assert_eq!(next.body["items"][0]["held_on"].as_str(), first, "{}", next.text);
}

#[tokio::test]
async fn routes_sorted_by_status_and_by_last_change_page_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = crate::diagnostics::framework(&app, &r).await;
    let tutor = id(&app
        .create_person(serde_json::json!({"surname": "Тьюторова", "first_name": "Ольга", "organization_id": r.region["id"], "roles": ["tutor"]}))
        .await);
    let teachers: Vec<_> = (0..200u64)
        .map(|n| serde_json::json!({"surname": word(n, 4), "first_name": "Анна", "organization_id": r.school_a["id"], "roles": ["teacher"]}))
        .collect();
    import_ndjson(&app, "persons", &teachers).await;
    let people: Vec<String> = walk(&app, "/api/v1/persons?role=teacher", 500).await.iter().map(id).collect();
    assert_eq!(people.len(), 200);
    let results: Vec<_> = people
        .iter()
        .map(|t| serde_json::json!({"person_id": t, "competency_id": f.ict, "score": 30, "assessed_on": "2025-10-01"}))
        .collect();
    crate::diagnostics::record(&app, &f.campaign, serde_json::json!(results)).await;
    for (n, t) in people.iter().enumerate() {
        let created = app.post("/api/v1/routes", &app.admin, &crate::routes::route_body(t, &tutor, &f, None)).await;
        assert_eq!(created.status, 201, "{}", created.text);
        if n % 3 != 0 {
            let route = id(&created.body);
            let approved = crate::routes::action(&app, &route, "approve", &app.admin, &created.etag()).await;
            assert_eq!(approved.status, 200, "{}", approved.text);
            if n % 2 == 0 {
                let started = crate::routes::action(&app, &route, "start", &app.admin, &approved.etag()).await;
                assert_eq!(started.status, 200, "{}", started.text);
            }
        }
    }
    let all = walk(&app, "/api/v1/routes", 500).await;
    assert_eq!(all.len(), 200);
    let status = |x: &serde_json::Value| vec![field(x, "status")];
    // RFC 3339 times of one zone and precision order as text; parse to be sure.
    let changed = |x: &serde_json::Value| {
        let t = chrono::DateTime::parse_from_rfc3339(x["updated_at"].as_str().unwrap()).unwrap();
        vec![Some(format!("{:020}", t.timestamp_nanos_opt().unwrap()))]
    };
    check_orders(&app, "/api/v1/routes", &all, &[("status", &status), ("updated_at", &changed)]).await;
    let latest = app.get("/api/v1/routes?sort=-updated_at&status=in_progress&count=exact&limit=1", &app.admin).await;
    assert_eq!(latest.body["count"], all.iter().filter(|x| x["status"] == "in_progress").count(), "{}", latest.text);
}
