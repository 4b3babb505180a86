//! The printable subject access report: plain HTML, every value escaped with the reports' one
//! escaping function, no external assets or scripts.

use std::fmt::Write;

use super::dto::PersonalDataReport;
use crate::routes::monitoring::esc;

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "—".to_owned(), |x| esc(&x.to_string()))
}

fn table(out: &mut String, title: &str, head: &[&str], rows: Vec<Vec<String>>) {
    let _ = write!(out, "<h2>{}</h2>", esc(title));
    if rows.is_empty() {
        out.push_str("<p>Нет сведений</p>");
        return;
    }
    out.push_str("<table><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            // Cells arrive escaped.
            let _ = write!(out, "<td>{cell}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

/// The page.
pub fn render(r: &PersonalDataReport) -> String {
    let p = &r.person;
    let mut out = String::from(
        "<!DOCTYPE html><html lang=\"ru\"><head><meta charset=\"utf-8\"><title>Сведения об обработке персональных данных</title>\
         <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1em}\
         td,th{border:1px solid #999;padding:2px 6px;text-align:left}</style></head><body>",
    );
    let _ = write!(out, "<h1>Сведения об обработке персональных данных: {}</h1>", esc(&p.full_name));
    let _ = write!(out, "<p>Сформировано {} (UTC)</p>", esc(&r.generated_at.to_rfc3339()));
    let fields = vec![
        vec![esc("Идентификатор"), esc(&p.id.to_string())],
        vec![esc("ФИО"), esc(&p.full_name)],
        vec![esc("Должность"), opt(p.position.as_ref())],
        vec![esc("Организация"), esc(&p.organization_id.to_string())],
        vec![esc("СНИЛС"), opt(p.snils.as_ref())],
        vec![esc("Дата рождения"), opt(p.birth_date)],
        vec![esc("Электронная почта"), opt(p.email.as_ref())],
        vec![esc("Телефон"), opt(p.phone.as_ref())],
        vec![esc("Обезличено"), opt(r.depersonalised_at.map(|t| t.to_rfc3339()))],
    ];
    table(&mut out, "Сведения", &["Поле", "Значение"], fields);
    let bases = r
        .bases
        .iter()
        .map(|b| {
            vec![
                esc(&b.purpose),
                esc(&serde_json::to_value(b.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()),
                opt(b.document_ref.as_ref().or(b.legal_act.as_ref())),
                esc(&b.given_on.to_string()),
                opt(b.valid_until),
                opt(b.withdrawn_on),
                esc(if b.in_force { "да" } else { "нет" }),
            ]
        })
        .collect();
    table(
        &mut out,
        "Основания обработки и согласия",
        &["Цель", "Основание", "Документ или акт", "С", "До", "Отозвано", "Действует"],
        bases,
    );
    let results = r
        .results
        .iter()
        .map(|x| {
            vec![
                esc(&x.competency_id.to_string()),
                opt(x.score),
                opt(x.level.as_ref()),
                esc(&x.assessed_on.to_string()),
            ]
        })
        .collect();
    table(&mut out, "Результаты диагностики", &["Компетенция", "Балл", "Уровень", "Дата"], results);
    let routes = r
        .routes
        .iter()
        .map(|x| {
            vec![
                esc(&x.id.to_string()),
                esc(&x.period_start.to_string()),
                esc(&x.period_end.to_string()),
                esc(&x.status),
            ]
        })
        .collect();
    table(&mut out, "Индивидуальные образовательные маршруты", &["Маршрут", "С", "По", "Состояние"], routes);
    let requests = r
        .requests
        .iter()
        .map(|x| vec![opt(x.outgoing_number.as_ref()), opt(x.subject.as_ref()), esc(&x.status), opt(x.sent_on)])
        .collect();
    table(&mut out, "Сетевые запросы", &["Номер", "Тема", "Состояние", "Отправлен"], requests);
    let reads = r
        .reads
        .iter()
        .map(|x| vec![esc(&x.at.to_rfc3339()), esc(&x.actor_subject), esc(&x.actor_role), esc(&x.request_id)])
        .collect();
    table(&mut out, "Кто и когда читал персональные данные", &["Когда", "Учётная запись", "Роль", "Запрос"], reads);
    out.push_str("</body></html>");
    out
}
