//! Issue 18: references by the ids partners hold (ИНН, СНИЛС), and the `update` and `delete`
//! strategies, with the summary's status and echoed options.

use rsnms_domain::auth::Role;
use rsnms_tests::{TestApp, id, spawn_app};
use serde_json::Value;

use crate::imports::{import, inn, snils};

/// Two schools under municipality A, created by ИНН; their ids by ИНН.
async fn schools(app: &TestApp, parent: &str) -> (String, String) {
    let csv = format!(
        "name,kind,parent_id,inn\nШкола № 101,educational_organization,{parent},{}\nШкола № 102,educational_organization,{parent},{}\n",
        inn(101),
        inn(102)
    );
    let res = import(app, "organizations?id_scheme=inn", &app.admin, "text/csv", csv.into_bytes()).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let list = app.get(&format!("/api/v1/organizations?parent_id={parent}&limit=100"), &app.admin).await;
    let by_inn = |n: u32| {
        list.body["items"].as_array().unwrap().iter().find(|o| o["inn"] == inn(n)).map(id).expect("school by ИНН")
    };
    (by_inn(101), by_inn(102))
}

async fn person_by_snils(app: &TestApp, n: u32) -> Option<Value> {
    let digits: String = snils(n).chars().filter(char::is_ascii_digit).collect();
    let res = app.get(&format!("/api/v1/persons?snils={digits}"), &app.admin).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["items"].as_array().unwrap().first().cloned()
}

#[tokio::test]
async fn a_persons_csv_names_its_schools_by_inn_and_an_unknown_inn_is_a_line_error_naming_it() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let (first, second) = schools(&app, &id(&r.mun_a)).await;
    let csv = format!(
        "surname,first_name,organization_id,snils,roles\n\
         Иванова,Анна,{},{},teacher\n\
         Петрова,Мария,{},{},teacher\n\
         Сидорова,Ольга,{},{},teacher\n",
        inn(101),
        snils(1),
        inn(102),
        snils(2),
        inn(999),
        snils(3)
    );
    let res = import(&app, "persons?org_id_scheme=inn&atomic=false", &app.admin, "text/csv", csv.into_bytes()).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["created"].as_u64(), res.body["rejected"].as_u64()), (Some(2), Some(1)), "{}", res.text);
    assert_eq!(res.body["status"], "warning");
    assert_eq!(res.body["options"]["org_id_scheme"], "inn");
    assert_eq!(res.body["options"]["mode"], "upsert");
    let error = &res.body["errors"][0];
    assert_eq!((error["line"].as_u64(), error["field"].as_str()), (Some(4), Some("organization_id")));
    assert_eq!(error["code"], "not_found");
    assert!(error["message"].as_str().unwrap().contains(&inn(999)), "the value is named: {error}");
    assert_eq!(person_by_snils(&app, 1).await.unwrap()["organization_id"], first.as_str());
    assert_eq!(person_by_snils(&app, 2).await.unwrap()["organization_id"], second.as_str());
    assert!(person_by_snils(&app, 3).await.is_none());

    // A scheme the dataset has no reference for is refused, naming the option.
    let res = import(&app, "persons?competency_id_scheme=code", &app.admin, "text/csv", b"surname\n".to_vec()).await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(res.text.contains("competency_id_scheme"), "{}", res.text);
}

#[tokio::test]
async fn a_school_outside_the_callers_scope_is_not_found_by_its_inn() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    schools(&app, &id(&r.mun_a)).await;
    let token = app.token(Role::Municipal, Some(&r.mun_b), None);
    let csv =
        format!("surname,first_name,organization_id,snils,roles\nИванова,Анна,{},{},teacher\n", inn(101), snils(1));
    let res = import(&app, "persons?org_id_scheme=inn", &token, "text/csv", csv.into_bytes()).await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.body["summary"]["status"], "error");
    assert_eq!(res.body["summary"]["errors"][0]["field"], "organization_id");
    assert!(person_by_snils(&app, 1).await.is_none());
}

#[tokio::test]
async fn update_only_rejects_a_record_that_matches_nothing_and_creates_nothing() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let school = id(&r.school_a);
    let csv = format!("surname,first_name,organization_id,snils,roles\nИванова,Анна,{school},{},teacher\n", snils(1));
    let res = import(&app, "persons", &app.admin, "text/csv", csv.into_bytes()).await;
    assert_eq!(res.status, 200, "{}", res.text);

    let csv = format!("snils,surname\n{},Смирнова\n{},Кузнецова\n", snils(1), snils(2));
    let res =
        import(&app, "persons?id_scheme=snils&mode=update&atomic=false", &app.admin, "text/csv", csv.into_bytes())
            .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        (res.body["updated"].as_u64(), res.body["created"].as_u64(), res.body["rejected"].as_u64()),
        (Some(1), Some(0), Some(1)),
        "{}",
        res.text
    );
    let error = &res.body["errors"][0];
    assert_eq!(
        (error["line"].as_u64(), error["field"].as_str(), error["code"].as_str()),
        (Some(3), Some("snils"), Some("not_found"))
    );
    assert_eq!(person_by_snils(&app, 1).await.unwrap()["surname"], "Смирнова");
    assert!(person_by_snils(&app, 2).await.is_none(), "update never creates");

    // A dataset that takes no `update` (or `delete`) says so, naming `mode`.
    for path in ["diagnostic-results?mode=update", "organizations?mode=delete"] {
        let res = import(&app, path, &app.admin, "application/x-ndjson", b"{}\n".to_vec()).await;
        assert_eq!(res.status, 422, "{path}: {}", res.text);
        assert!(res.text.contains("mode"), "{path}: {}", res.text);
    }
}

#[tokio::test]
async fn delete_by_snils_removes_the_matching_person_and_a_missing_one_is_a_line_error() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let school = id(&r.school_a);
    let csv = format!(
        "surname,first_name,organization_id,snils,roles\nИванова,Анна,{school},{},teacher\nПетрова,Мария,{school},{},teacher\n",
        snils(1),
        snils(2)
    );
    let res = import(&app, "persons", &app.admin, "text/csv", csv.into_bytes()).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let gone = person_by_snils(&app, 1).await.unwrap();

    let csv = format!("snils\n{}\n{}\n", snils(1), snils(3));
    let res =
        import(&app, "persons?id_scheme=snils&mode=delete&atomic=false", &app.admin, "text/csv", csv.into_bytes())
            .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["deleted"].as_u64(), res.body["rejected"].as_u64()), (Some(1), Some(1)), "{}", res.text);
    assert_eq!(res.body["status"], "warning");
    assert_eq!(res.body["errors"][0]["field"], "snils");
    assert_eq!(app.get(&format!("/api/v1/persons/{}", id(&gone)), &app.admin).await.status, 404);
    assert!(person_by_snils(&app, 2).await.is_some(), "only the named person is deleted");

    // All or nothing: a delete with a missing person deletes nothing.
    let csv = format!("snils\n{}\n{}\n", snils(2), snils(4));
    let res = import(&app, "persons?id_scheme=snils&mode=delete", &app.admin, "text/csv", csv.into_bytes()).await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.body["summary"]["status"], "error");
    assert!(person_by_snils(&app, 2).await.is_some());
}
