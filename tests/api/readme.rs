//! The README's exchange scripts (issue 18) run as written: the fenced `sh` block after
//! "Exchange scripts a regional operator keeps" is replayed by bash against a test server, with
//! `API` and `TOKEN` pointing at it, curl failing on any HTTP error, and the files it names
//! written beforehand — so the examples cannot rot.

use std::process::Command;

use rsnms_tests::spawn_app;
use serde_json::{Value, json};

use crate::{
    diagnostics::framework,
    imports::{inn, snils},
};

/// The first fenced `sh` block after the line that introduces the exchange scripts.
fn exchange_scripts(readme: &str) -> String {
    let start = readme.find("Exchange scripts a regional operator keeps").expect("the README's exchange section");
    let rest = &readme[start..];
    let open = rest.find("```sh\n").expect("a fenced sh block") + "```sh\n".len();
    let close = rest[open..].find("\n```").expect("the block closes");
    rest[open..open + close].to_owned()
}

/// Windows-1251 of Cyrillic and ASCII text.
fn cp1251(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            'А'..='я' => (c as u32 - 'А' as u32 + 0xC0) as u8,
            c if c.is_ascii() => c as u8,
            other => panic!("not in the test's CP1251 table: {other}"),
        })
        .collect()
}

#[tokio::test]
async fn the_readme_exchange_scripts_run_as_written_against_a_server() {
    for tool in ["bash", "curl", "python3", "unzip", "sha256sum"] {
        let found = Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().unwrap();
        assert!(found.status.success(), "the README's scripts need {tool} on PATH");
    }
    let app = spawn_app().await;
    let r = app.seed_region().await;
    framework(&app, &r).await;
    let school_inn = inn(77);
    let school = app
        .create_org(json!({"name": "МАОУ «Бичурская СОШ № 2»", "kind": "educational_organization", "parent_id": r.mun_a["id"], "inn": school_inn}))
        .await;

    let dir = std::env::temp_dir().join(format!("rsnms-readme-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let (ivanova, mentor, leaving) = (snils(501), snils(502), snils(503));
    let staff = format!(
        "surname,first_name,organization_id,snils,roles\n\
         Иванова,Анна,{school_inn},{ivanova},teacher\n\
         Наставникова,Вера,{school_inn},{mentor},teacher;mentor\n"
    );
    // Someone who left the school (not in the staff file): the delete script removes her.
    app.create_person(json!({"surname": "Уходящая", "first_name": "Ольга", "organization_id": school["id"],
        "roles": ["teacher"], "snils": leaving}))
        .await;
    std::fs::write(dir.join("staff.csv"), cp1251(&staff)).unwrap();
    let pair = json!({"mentor_id": mentor, "mentee_id": ivanova, "form": "mentor_young_specialist",
        "period_start": "2026-09-01", "organization_id": school_inn, "competency_ids": ["Ц-1"]});
    std::fs::write(dir.join("pairs.ndjson"), format!("{pair}\n")).unwrap();
    std::fs::write(
        dir.join("changes.csv"),
        format!("snils,position\n{ivanova},учитель физики\n{},нет такой\n", snils(599)),
    )
    .unwrap();
    std::fs::write(dir.join("left.csv"), format!("snils\n{leaving}\n")).unwrap();
    let array = json!([{"surname": "Иванова", "first_name": "Анна", "organization_id": school_inn, "snils": ivanova,
        "roles": ["teacher"], "position": "учитель физики"}]);
    std::fs::write(dir.join("staff.json"), array.to_string()).unwrap();

    let prelude = format!(
        "set -euo pipefail\nAPI={}/api/v1\nTOKEN={}\ncurl() {{ command curl --fail-with-body \"$@\"; }}\n",
        app.base, app.admin
    );
    let script = format!("{prelude}{}\n", exchange_scripts(include_str!("../../README.md")));
    let run = tokio::task::spawn_blocking({
        let dir = dir.clone();
        move || Command::new("bash").arg("-c").arg(script).current_dir(dir).output().unwrap()
    })
    .await
    .unwrap();
    let (out, err) = (String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "the README's scripts failed:\n--- stdout\n{out}\n--- stderr\n{err}");

    // What the scripts did, as the API tells it.
    assert!(out.contains("\"deleted\":1"), "delete by СНИЛС: {out}");
    let gone = app.get(&format!("/api/v1/persons?snils={leaving}"), &app.admin).await;
    assert_eq!(gone.body["items"], json!([]), "{}", gone.text);
    let found = app.get(&format!("/api/v1/persons?snils={ivanova}"), &app.admin).await;
    assert_eq!(found.body["items"][0]["position"], "учитель физики", "{}", found.text);
    let pairs = app.get("/api/v1/mentoring-pairs", &app.admin).await;
    assert_eq!(pairs.body["items"].as_array().map(Vec::len), Some(1), "{}", pairs.text);
    let results = std::fs::read_to_string(dir.join("results.ndjson")).unwrap();
    let summary: Value = serde_json::from_str(results.lines().last().unwrap()).unwrap();
    assert_eq!((summary["received"].as_u64(), summary["status"].as_str()), (Some(2), Some("ok")), "{summary}");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("federal/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["files"].as_array().map(Vec::len), Some(4), "{manifest}");
    assert!(out.matches(": OK").count() >= 4, "sha256sum verified every member: {out}");
    let programs: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("programs.json")).unwrap()).unwrap();
    assert!(programs["next_cursor"].is_null(), "{programs}");
    std::fs::remove_dir_all(&dir).ok();
}
