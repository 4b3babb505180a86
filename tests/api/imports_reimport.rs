//! Re-imports of persons (issue 19): the matched records of a chunk are read together, merged in
//! memory and the changed ones written together, yet every line answers as if it ran alone.

use rsnms_domain::auth::Role;
use rsnms_tests::{Region, TestApp, spawn_app};
use serde_json::{Value, json};

use crate::imports::{every_person, feed, import, ndjson, person, snils};

/// `n` persons created by an import, found back by surname (`Учитель{n}`).
async fn seeded(app: &TestApp, r: &Region, n: u32) -> Vec<Value> {
    let lines: Vec<Value> = (1..=n).map(|i| person(r, i, &format!("Учитель{i}"))).collect();
    let res = import(app, "persons", &app.admin, "application/x-ndjson", ndjson(&lines)).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["created"], n);
    let everyone = every_person(app, "").await;
    (1..=n).map(|i| everyone.iter().find(|p| p["surname"] == format!("Учитель{i}")).cloned().unwrap()).collect()
}

fn errors(summary: &Value) -> Vec<(u64, String, String)> {
    summary["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn counts(s: &Value) -> [u64; 4] {
    ["created", "updated", "unchanged", "rejected"].map(|k| s[k].as_u64().unwrap())
}

#[tokio::test]
async fn a_reimport_by_id_merges_each_matched_person_and_answers_every_line_as_if_it_ran_alone() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let stored = seeded(&app, &r, 40).await;
    let id = |n: usize| stored[n - 1]["id"].clone();

    let mut lines: Vec<Value> = (1..=40).map(|n| json!({"id": id(n), "surname": format!("Учитель{n}")})).collect();
    lines[2]["position"] = json!("завуч"); // 3: changed
    lines[3]["roles"] = json!(["teacher", "mentor"]); // 4: roles rewritten
    lines[4]["subjects"] = json!([" Физика "]); // 5: subjects rewritten
    lines[5]["organization_id"] = r.school_b["id"].clone(); // 6: moved to another school
    lines[6]["birth_date"] = json!("2999-01-01"); // 7: invalid
    lines[7]["position"] = json!("один"); // 8: changed, and again below
    lines[8]["snils"] = json!(snils(500)); // 9: a new СНИЛС
    lines[9]["snils"] = json!(snils(11)); // 10: the СНИЛС of person 11
    lines[11]["surname"] = json!(""); // 12: a required name blanked
    lines.push(json!({"id": id(8), "position": "два"})); // line 41: person 8 again
    lines.push(json!({"id": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "surname": "Никто"})); // line 42

    let res = import(&app, "persons?atomic=false", &app.admin, "application/x-ndjson", ndjson(&lines)).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["received"], 42);
    assert_eq!(counts(&res.body), [0, 7, 31, 4], "{}", res.text);
    let errs = errors(&res.body);
    let where_: Vec<(u64, &str)> = errs.iter().map(|(l, f, _)| (*l, f.as_str())).collect();
    assert_eq!(where_, vec![(7, "birth_date"), (10, "snils"), (12, "surname"), (42, "id")], "{errs:?}");
    assert_eq!((errs[0].2.as_str(), errs[1].2.as_str(), errs[3].2.as_str()), ("out_of_range", "conflict", "not_found"));

    let everyone = every_person(&app, "").await;
    assert_eq!(everyone.len(), 40);
    let now = |n: usize| everyone.iter().find(|p| p["id"] == id(n)).cloned().unwrap();
    for n in [1, 2, 7, 10, 11, 12, 40] {
        assert_eq!(now(n)["version"], 1, "person {n} is not written");
        assert_eq!(now(n)["updated_at"], stored[n - 1]["updated_at"]);
    }
    assert_eq!((now(3)["position"].clone(), now(3)["version"].clone()), (json!("завуч"), json!(2)));
    assert_eq!(now(4)["roles"], json!(["teacher", "mentor"]));
    assert_eq!(now(5)["subjects"], json!(["физика"]));
    assert_eq!(now(5)["roles"], json!(["teacher"]), "roles kept where only subjects change");
    assert_eq!(now(6)["organization_id"], r.school_b["id"]);
    assert_eq!((now(8)["position"].clone(), now(8)["version"].clone()), (json!("два"), json!(3)));
    assert_eq!(now(9)["version"], 2);
    assert_eq!(now(12)["surname"], "Учитель12");

    // One audited event per write, each in the territory of the person's school as it is now.
    let updated: Vec<Value> =
        feed(&app, &app.admin, "person").await.into_iter().filter(|e| e["event_type"] == "person.updated").collect();
    assert_eq!(updated.len(), 7);
    let municipal_b = app.token(Role::Municipal, Some(&r.mun_b), None);
    let seen_in_b: Vec<Value> =
        feed(&app, &municipal_b, "person").await.into_iter().filter(|e| e["event_type"] == "person.updated").collect();
    assert_eq!(seen_in_b.len(), 1, "the move is an event of the new school's municipality");
    assert_eq!(seen_in_b[0]["resource_id"], id(6));
}

#[tokio::test]
async fn a_reimport_by_snils_keeps_modes_scopes_and_dry_runs() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let stored = seeded(&app, &r, 5).await;
    let changed = |n: u32| {
        let mut p = person(&r, n, &format!("Учитель{n}"));
        p["position"] = json!("методист");
        p
    };

    // A dry run of `update`: the matches would change, a new СНИЛС may not be created; nothing is written.
    let lines = [changed(1), changed(2), changed(3), changed(4), changed(5), changed(99)];
    let res = import(
        &app,
        "persons?id_scheme=snils&mode=update&dry_run=true&atomic=false",
        &app.admin,
        "application/x-ndjson",
        ndjson(&lines),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [0, 5, 0, 1], "{}", res.text);
    assert_eq!(errors(&res.body), vec![(6, "snils".to_owned(), "not_found".to_owned())]);
    assert_eq!(res.body["committed"], false);
    let everyone = every_person(&app, "").await;
    assert!(everyone.iter().all(|p| p["version"] == 1 && p["position"].is_null()), "a dry run writes nothing");

    // `create` refuses every match on its line; atomically, nothing is written.
    let res =
        import(&app, "persons?id_scheme=snils&mode=create", &app.admin, "application/x-ndjson", ndjson(&lines)).await;
    assert_eq!(res.status, 422, "{}", res.text);
    let refused: Vec<u64> = errors(&res.body["summary"]).iter().filter(|e| e.2 == "exists").map(|e| e.0).collect();
    assert_eq!(refused, vec![1, 2, 3, 4, 5]);
    assert_eq!(res.body["summary"]["created"], 1, "the new СНИЛС would be created");
    assert_eq!(every_person(&app, "").await.len(), 5);

    // A municipality matches only the persons of its own territory: by id, another's is unknown.
    let mut outsider = person(&r, 77, "Чужая");
    outsider["organization_id"] = r.school_b["id"].clone();
    let outsider = app.create_person(outsider).await;
    let municipal = app.token(Role::Municipal, Some(&r.mun_a), None);
    let lines =
        [json!({"id": stored[0]["id"], "position": "завуч"}), json!({"id": outsider["id"], "position": "завуч"})];
    let res = import(&app, "persons?atomic=false", &municipal, "application/x-ndjson", ndjson(&lines)).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [0, 1, 0, 1], "{}", res.text);
    assert_eq!(errors(&res.body), vec![(2, "id".to_owned(), "not_found".to_owned())]);
    let everyone = every_person(&app, "").await;
    let outsider_now = everyone.iter().find(|p| p["id"] == outsider["id"]).unwrap();
    assert!(outsider_now["position"].is_null());
}

/// The processing bases of a person, oldest first.
async fn bases_of(app: &TestApp, person: &Value) -> Vec<Value> {
    let b = app.get(&format!("/api/v1/persons/{}/processing-bases", person["id"].as_str().unwrap()), &app.admin).await;
    assert_eq!(b.status, 200, "{}", b.text);
    b.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_reimport_carrying_bases_records_them_with_the_batch_and_answers_every_line_as_the_line_path_did() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    seeded(&app, &r, 3).await;
    let with = |n: u32, surname: &str, extra: Value| {
        let mut p = person(&r, n, surname);
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        p
    };
    let lines = [
        // 1: the same person with a basis in the flat columns: updated (a basis is recorded).
        with(1, "Учитель1", json!({"basis_iom": "consent", "basis_iom_form": "electronic"})),
        // 2: the same person, no basis: unchanged.
        with(2, "Учитель2", json!({})),
        // 3: a change with a consent missing its form: refused, the person is not changed.
        with(3, "Учитель3", json!({"position": "завуч", "processing_bases": [{"purpose": "iom", "kind": "consent"}]})),
        // 4: a new person with a basis: created with it.
        with(
            10,
            "Новая",
            json!({"processing_bases": [{"purpose": "federal_exchange", "kind": "consent", "consent_form": "written", "document_ref": "С-10"}]}),
        ),
        // 5: a new person with an unknown purpose: refused, not created.
        with(
            11,
            "Вторая",
            json!({"processing_bases": [{"purpose": "nope", "kind": "consent", "consent_form": "other"}]}),
        ),
        // 6: the same СНИЛС again with a good basis: created (the refused line left nothing).
        with(11, "Вторая", json!({"basis_iom": "regional_act", "basis_iom_act": "Приказ № 1"})),
        // 7: person 1 matched again: line by line, after line 1.
        with(1, "Учитель1", json!({"position": "два"})),
        // 8: a bad person and a bad basis: the person's failure is named, as the line path names it.
        with(
            12,
            "Третья",
            json!({"birth_date": "2999-01-01", "processing_bases": [{"purpose": "iom", "kind": "consent"}]}),
        ),
    ];
    let res =
        import(&app, "persons?id_scheme=snils&atomic=false", &app.admin, "application/x-ndjson", ndjson(&lines)).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [2, 2, 1, 3], "{}", res.text);
    assert_eq!(
        errors(&res.body),
        vec![
            (3, "processing_bases[0].consent_form".to_owned(), "required".to_owned()),
            (5, "processing_bases[0].purpose".to_owned(), "unknown".to_owned()),
            (8, "birth_date".to_owned(), "out_of_range".to_owned()),
        ]
    );

    let everyone = every_person(&app, "").await;
    assert_eq!(everyone.len(), 5, "persons 1–3, 10 and 11: {everyone:?}");
    let by = |n: u32| everyone.iter().find(|p| p["surname"] == format!("Учитель{n}")).cloned().unwrap();
    let named = |s: &str| everyone.iter().find(|p| p["surname"] == s).cloned().unwrap();
    let first = bases_of(&app, &by(1)).await;
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!((first[0]["purpose"].as_str(), first[0]["consent_form"].as_str()), (Some("iom"), Some("electronic")));
    assert_eq!(by(1)["position"], "два");
    assert!(bases_of(&app, &by(2)).await.is_empty());
    assert!(bases_of(&app, &by(3)).await.is_empty());
    assert!(by(3)["position"].is_null(), "the refused line changed nothing");
    let new = bases_of(&app, &named("Новая")).await;
    assert_eq!((new.len(), new[0]["document_ref"].as_str()), (1, Some("С-10")));
    let second = bases_of(&app, &named("Вторая")).await;
    assert_eq!((second.len(), second[0]["legal_act"].as_str()), (1, Some("Приказ № 1")));

    // One event per basis recorded, in the territory of the person's school.
    let events = feed(&app, &app.admin, "processing_basis").await;
    assert_eq!(events.iter().filter(|e| e["event_type"] == "processing_basis.created").count(), 3, "{events:?}");
    let municipal_b = app.token(Role::Municipal, Some(&r.mun_b), None);
    assert!(feed(&app, &municipal_b, "processing_basis").await.is_empty(), "the schools are in municipality A");
}
