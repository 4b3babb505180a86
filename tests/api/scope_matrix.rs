//! The cross-scope matrix, generated from the route table: every route with an id in its path is
//! called on an object that belongs to municipality A / organisation A with the tokens of
//! municipality B, organisation B, a teacher, a tutor not assigned, and an analyst. Every read,
//! update, delete and action must answer exactly as it does for an id that does not exist (404, or
//! 403 for a role limit — existence never leaks), and nothing may change. A route whose collection
//! has no fixture here fails the test: new routes cannot slip past it.

use std::{future::Future, pin::Pin};

use rsnms_domain::auth::Role;
use rsnms_tests::{Region, TestApp, id, spawn_app};
use serde_json::{Value, json};

type Fixture = for<'a> fn(&'a TestApp, &'a Region) -> Pin<Box<dyn Future<Output = String> + 'a>>;

/// Collections whose objects belong to someone, with a factory making one that belongs to A.
fn fixtures() -> Vec<(&'static str, Fixture)> {
    vec![
        ("/api/v1/organizations", |_, r| Box::pin(async move { id(&r.school_a) })),
        ("/api/v1/persons", |app, r| {
            Box::pin(async move {
                id(&app.create_person(json!({"surname": "Иванова", "first_name": "Анна", "organization_id": r.school_a["id"], "snils": "112-233-445 95", "roles": ["teacher"]})).await)
            })
        }),
        ("/api/v1/network-requests", |app, r| {
            Box::pin(async move {
                let draft = app
                    .post(
                        "/api/v1/network-requests",
                        &app.admin,
                        &json!({
                            "sender_organization_id": r.school_a["id"], "addressee_organization_id": r.mun_a["id"],
                            "reply_contact": "info@school.example", "subject": "О сведениях", "body": "Просим предоставить.", "channel": "email",
                            "author": {"surname": "Иванова", "first_name": "Мария", "patronymic": "Петровна", "position": "методист", "email": "m@school.example"}
                        }),
                    )
                    .await;
                assert_eq!(draft.status, 201, "{}", draft.text);
                let sent = app
                    .send(
                        "POST",
                        &format!("/api/v1/network-requests/{}/send", id(&draft.body)),
                        Some(&app.admin),
                        Some(&json!({})),
                        &[("if-match", &draft.etag())],
                    )
                    .await;
                assert_eq!(sent.status, 200, "{}", sent.text);
                id(&draft.body)
            })
        }),
        ("/api/v1/agreements", |app, r| {
            Box::pin(async move {
                let institute =
                    app.create_org(json!({"name": "БРИОП", "kind": "regional_institute", "region_code": "03"})).await;
                let doc = include_str!("../fixtures/buryatia-535.json")
                    .replace("{{regional_authority}}", &id(&r.region))
                    .replace("{{regional_institute}}", &id(&institute))
                    .replace("{{municipal_authority}}", &id(&r.mun_a));
                let created = app.post("/api/v1/agreements", &app.admin, &serde_json::from_str(&doc).unwrap()).await;
                assert_eq!(created.status, 201, "{}", created.text);
                id(&created.body)
            })
        }),
        ("/api/v1/routes", |app, r| Box::pin(crate::routes::route_in_school_a(app, r))),
        ("/api/v1/accounts", |app, r| {
            Box::pin(async move {
                let body = json!({"kind": "user", "login": "school.a", "secret": "correct-horse-battery", "role": "organization", "organization_id": r.school_a["id"]});
                let created = app.post("/api/v1/accounts", &app.admin, &body).await;
                assert_eq!(created.status, 201, "{}", created.text);
                id(&created.body)
            })
        }),
        ("/api/v1/mentoring-pairs", |app, r| Box::pin(crate::offerings::pair_in_school_a(app, r))),
        ("/api/v1/imports/jobs", |app, r| {
            Box::pin(async move {
                let municipal_a = app.token(Role::Municipal, Some(&r.mun_a), None);
                let body = format!(
                    "{}\n",
                    json!({"surname": "Импортная", "first_name": "Анна", "organization_id": r.school_a["id"], "roles": ["teacher"]})
                );
                let res = crate::import_jobs::submit(app, "persons", &municipal_a, body.into_bytes(), &[]).await;
                assert_eq!(res.status, 202, "{}", res.text);
                // Ended, so that the admin's reads around each call see the same job.
                crate::import_jobs::until_ended(app, &res.header("location").unwrap(), &municipal_a).await;
                id(&res.body)
            })
        }),
        ("/api/v1/webhooks", |app, r| {
            Box::pin(async move {
                let municipal_a = app.token(Role::Municipal, Some(&r.mun_a), None);
                let body = json!({"url": "https://lms.example.org/hook", "event_types": ["person.*"]});
                let created = app.post("/api/v1/webhooks", &municipal_a, &body).await;
                assert_eq!(created.status, 201, "{}", created.text);
                id(&created.body)
            })
        }),
    ]
}

/// Collections that are the region's shared reference data, readable by every role on purpose.
const SHARED: &[(&str, &str)] = &[
    ("/api/v1/calendars", "production calendars are public law, the same for everyone"),
    ("/api/v1/deadline-policies", "response terms are the region's legal reference data, the same for everyone"),
    ("/api/v1/competencies", "the competency framework is the region's shared reference data"),
    ("/api/v1/programs", "the programme catalogue is public to every participant"),
    (
        "/api/v1/route-templates",
        "route templates are the region's shared plans (no personal data); applying one checks every teacher's scope (tests/api/route_templates.rs)",
    ),
    ("/api/v1/events", "methodological events are announced to the whole network"),
    ("/api/v1/internship-sites", "the internship sites selected by the region are public to every participant"),
    (
        "/api/v1/monitoring/definitions",
        "indicator definitions are the region's methodology, the same for every monitoring reader",
    ),
    (
        "/api/v1/diagnostics",
        "campaign descriptions are region-wide; their results are filtered per person (tests/api/diagnostics.rs)",
    ),
];

/// The collection of a route addressing one object (`/x/{id}…` or `/x/{code}…` → `/x`).
fn collection_of(template: &str) -> Option<&str> {
    template.find("/{id}").or_else(|| template.find("/{code}")).map(|i| &template[..i])
}

fn fill(template: &str, first: &str) -> String {
    let mut used = false;
    template
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') {
                if used {
                    "01a208e7-1ff3-760b-9f9c-140424bfadde".to_owned()
                } else {
                    used = true;
                    first.to_owned()
                }
            } else {
                seg.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn objects_of_municipality_a_are_invisible_and_untouchable_for_every_outside_role() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let teacher_b = app
        .create_person(
            json!({"surname": "Учитель", "first_name": "Б", "organization_id": r.school_b["id"], "roles": ["teacher"]}),
        )
        .await;
    let tutor_b = app
        .create_person(
            json!({"surname": "Тьютор", "first_name": "Б", "organization_id": r.school_b["id"], "roles": ["tutor"]}),
        )
        .await;
    let outsiders = [
        ("municipality B", app.token(Role::Municipal, Some(&r.mun_b), None)),
        ("organisation B", app.token(Role::Organization, Some(&r.school_b), None)),
        ("teacher", app.token(Role::Teacher, Some(&r.school_b), teacher_b["id"].as_str())),
        ("tutor not assigned", app.token(Role::Tutor, Some(&r.school_b), tutor_b["id"].as_str())),
        ("analyst", app.token(Role::Analyst, None, None)),
    ];
    let doc = rsnms_http::openapi_json();
    let fixtures = fixtures();
    let mut uncovered = Vec::new();
    let mut checked = 0;
    let mut made: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        let Some(collection) = collection_of(template) else { continue };
        if SHARED.iter().any(|(c, _)| *c == collection) {
            continue;
        }
        let Some((_, make)) = fixtures.iter().find(|(c, _)| *c == collection) else {
            uncovered.push(template.clone());
            continue;
        };
        let object = match made.get(collection) {
            Some(o) => o.clone(),
            None => {
                let o = make(&app, &r).await;
                made.insert(collection.to_owned(), o.clone());
                o
            }
        };
        let own = format!("{collection}/{object}");
        for (method, _) in item.as_object().unwrap() {
            let method = method.to_uppercase();
            for (who, token) in &outsiders {
                let before = app.get(&own, &app.admin).await;
                assert_eq!(before.status, 200, "fixture {own} must be readable by the admin");
                let etag = before.header("etag").unwrap_or_else(|| "\"1\"".into());
                let body = matches!(method.as_str(), "POST" | "PATCH" | "PUT").then(|| json!({}));
                let headers = [("if-match", etag.as_str())];
                let real = app.send(&method, &fill(template, &object), Some(token), body.as_ref(), &headers).await;
                let ghost = app
                    .send(
                        &method,
                        &fill(template, "01a208e7-0000-7000-8000-000000000000"),
                        Some(token),
                        body.as_ref(),
                        &headers,
                    )
                    .await;
                assert!(
                    matches!(real.status, 403 | 404 | 422),
                    "{who}: {method} {template} on A's object answered {} {}",
                    real.status,
                    real.text
                );
                assert_eq!(
                    real.status, ghost.status,
                    "{who}: {method} {template} tells A's object from a missing one: {}",
                    real.text
                );
                let after = app.get(&own, &app.admin).await;
                assert_eq!(before.body, after.body, "{who}: {method} {template} changed A's object");
                checked += 1;
            }
        }
    }
    assert!(uncovered.is_empty(), "routes not covered by the cross-scope matrix (add a fixture): {uncovered:?}");
    assert!(checked >= 25, "only {checked} combinations checked");
}

#[test]
fn shared_collections_are_justified() {
    for (c, why) in SHARED {
        assert!(c.starts_with("/api/v1/") && why.len() > 10);
    }
    let _: Value = Value::Null;
}
