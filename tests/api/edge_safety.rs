//! The edge of the API under attack (issue 14 items 7 and 8): CSV exports safe to open in a
//! spreadsheet, headers on every answer, slow clients cut off, text a database cannot store
//! refused with the field named.

use rsnms_domain::auth::Role;
use rsnms_tests::{TestApp, id, spawn_app};
use serde_json::json;

use crate::{
    diagnostics::{area, campaign, competency, record, teacher},
    imports::import,
};

/// A formula a spreadsheet would run (the classic DDE payload).
const FORMULA: &str = "=cmd|' /C calc'!A0";

/// The cells of a CSV export (byte order mark dropped), parsed by a CSV reader.
fn cells(text: &str, delimiter: u8) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect()
}

/// Cells a spreadsheet would read as a formula: beginning with `=`, `+`, `-`, `@`, a tab or a
/// carriage return, unless a plain number.
fn formula_cells(rows: &[Vec<String>]) -> Vec<String> {
    let number = |c: &str| c.strip_prefix('-').is_some_and(|d| d.parse::<f64>().is_ok() && !d.starts_with(['+', '-']));
    rows.iter().flatten().filter(|c| c.starts_with(['=', '+', '-', '@', '\t', '\r']) && !number(c)).cloned().collect()
}

async fn export(app: &TestApp, token: &str, path: &str) -> String {
    let r = app.get(&format!("/api/v1/exports/federal/{path}"), token).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    assert!(r.header("content-type").unwrap_or_default().starts_with("text/csv"), "{path}");
    assert!(r.text.starts_with('\u{feff}'), "{path}: the byte order mark stays");
    r.text
}

#[tokio::test]
async fn every_csv_export_guards_formula_cells_and_an_exported_file_imports_back_unchanged() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let digital = area(&app, "Ц", "digital").await;
    let bad = id(&competency(&app, &digital, "Ц-1", FORMULA).await);
    let diag = campaign(&app, &r.region, &[&bad], "2026-01-10", "2026-02-10").await;
    let tutor = id(&app
        .create_person(json!({"surname": "Тьюторова", "first_name": "Анна", "organization_id": r.region["id"], "roles": ["tutor"]}))
        .await);
    let person = teacher(&app, &r.school_a, "Иванова").await;
    record(&app, &diag, json!([{"person_id": person, "competency_id": bad, "score": 10, "assessed_on": "2026-01-20"}]))
        .await;
    // Titles that spreadsheets would run, a negative-looking one, and one that already begins
    // with the guard character.
    let titles = [FORMULA, "+7 (999) 123-45-67", "-1+2", "@SUM(A1:A9)", "=1+1", "'=already quoted", "-12"];
    for t in titles {
        let p = app
            .post(
                "/api/v1/programs",
                &app.admin,
                &json!({"title": t, "kind": "qualification_upgrade", "hours": 36, "form": "distance",
                        "developer_id": r.region["id"], "competency_ids": [bad], "federal_registry": false}),
            )
            .await;
        assert_eq!(p.status, 201, "{t:?}: {}", p.text);
    }
    let route = json!({
        "person_id": person, "tutor_id": tutor, "period_start": "2026-03-01", "period_end": "2026-12-31",
        "diagnostic_ids": [diag["id"]], "deficit_competency_ids": [bad],
        "steps": [{"title": "@Курс", "competency_ids": [bad], "activity": "self_education",
                   "planned_start": "2026-03-01", "planned_end": "2026-04-01", "expected_result": "-",
                   "reporting_form": "open_lesson"}]
    });
    let created = app.post("/api/v1/routes", &app.admin, &route).await;
    assert_eq!(created.status, 201, "{}", created.text);

    let integration = app.token(Role::Integration, None, None);
    let period = "period_from=2026-01-01&period_to=2026-12-31&format=csv";
    for (path, must_show) in
        [("programs", "'=cmd|' /C calc'!A0"), ("routes", "'@Курс"), ("diagnostics", "'=cmd|' /C calc'!A0")]
    {
        for (delimiter, name) in [(b',', "comma"), (b';', "semicolon")] {
            let text = export(&app, &integration, &format!("{path}?{period}&delimiter={name}")).await;
            let rows = cells(&text, delimiter);
            assert!(rows.len() > 1, "{path}: rows expected: {text}");
            assert_eq!(formula_cells(&rows), Vec::<String>::new(), "{path} ({name}): no cell may run as a formula");
            assert!(rows.iter().flatten().any(|c| c == must_show), "{path}: the guarded value is kept: {text}");
        }
    }
    let programs = cells(&export(&app, &integration, &format!("programs?{period}")).await, b',');
    let shown: Vec<&str> = programs.iter().skip(1).map(|row| row[1].as_str()).collect();
    for expected in ["'+7 (999) 123-45-67", "'-1+2", "'@SUM(A1:A9)", "'=1+1", "''=already quoted", "-12"] {
        assert!(shown.contains(&expected), "{expected:?} in {shown:?}");
    }

    // The export read back by the importer: every value is what was stored (nothing changes).
    let text = export(&app, &integration, &format!("programs?{period}&delimiter=semicolon")).await;
    let back = import(&app, "programs", &app.admin, "text/csv", text.into_bytes()).await;
    assert_eq!(back.status, 200, "{}", back.text);
    assert_eq!(
        (back.body["created"].as_u64(), back.body["updated"].as_u64(), back.body["unchanged"].as_u64()),
        (Some(0), Some(0), Some(titles.len() as u64)),
        "{}",
        back.text
    );
    let stored = app.get("/api/v1/programs?limit=500", &app.admin).await;
    let mut stored: Vec<&str> =
        stored.body["items"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    stored.sort_unstable();
    let mut titles = titles.to_vec();
    titles.sort_unstable();
    assert_eq!(stored, titles);
}
