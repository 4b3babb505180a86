//! The printable subject access report: plain HTML, no external assets or scripts. The page is
//! the template `templates/personal_data_report.html` (askama, which escapes every value it
//! prints); this module lays out its tables.

use askama::Template;

use super::dto::PersonalDataReport;

/// The page.
#[derive(Template)]
#[template(path = "personal_data_report.html")]
struct Page<'a> {
    full_name: &'a str,
    generated_at: String,
    tables: Vec<Table>,
}

/// One table: a title, its column heads and its rows (none: «Нет сведений»).
struct Table {
    title: &'static str,
    head: &'static [&'static str],
    rows: Vec<Vec<String>>,
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "—".to_owned(), |x| x.to_string())
}

/// A table of one row per item.
fn table<T>(title: &'static str, head: &'static [&'static str], items: &[T], row: impl Fn(&T) -> Vec<String>) -> Table {
    Table { title, head, rows: items.iter().map(row).collect() }
}

/// Renders the page.
pub fn render(r: &PersonalDataReport) -> askama::Result<String> {
    let p = &r.person;
    let fields = vec![
        vec!["Идентификатор".to_owned(), p.id.to_string()],
        vec!["ФИО".to_owned(), p.full_name.clone()],
        vec!["Должность".to_owned(), opt(p.position.as_ref())],
        vec!["Организация".to_owned(), p.organization_id.to_string()],
        vec!["СНИЛС".to_owned(), opt(p.snils.as_ref())],
        vec!["Дата рождения".to_owned(), opt(p.birth_date)],
        vec!["Электронная почта".to_owned(), opt(p.email.as_ref())],
        vec!["Телефон".to_owned(), opt(p.phone.as_ref())],
        vec!["Обезличено".to_owned(), opt(r.depersonalised_at.map(|t| t.to_rfc3339()))],
    ];
    let tables = vec![
        Table { title: "Сведения", head: &["Поле", "Значение"], rows: fields },
        table(
            "Основания обработки и согласия",
            &["Цель", "Основание", "Документ или акт", "С", "До", "Отозвано", "Действует"],
            &r.bases,
            |b| {
                vec![
                    b.purpose.clone(),
                    serde_json::to_value(b.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
                    opt(b.document_ref.as_ref().or(b.legal_act.as_ref())),
                    b.given_on.to_string(),
                    opt(b.valid_until),
                    opt(b.withdrawn_on),
                    (if b.in_force { "да" } else { "нет" }).to_owned(),
                ]
            },
        ),
        table(
            "Результаты диагностики",
            &["Компетенция", "Балл", "Уровень", "Дата"],
            &r.results,
            |x| vec![x.competency_id.to_string(), opt(x.score), opt(x.level.as_ref()), x.assessed_on.to_string()],
        ),
        table(
            "Индивидуальные образовательные маршруты",
            &["Маршрут", "С", "По", "Состояние"],
            &r.routes,
            |x| vec![x.id.to_string(), x.period_start.to_string(), x.period_end.to_string(), x.status.clone()],
        ),
        table(
            "Сетевые запросы",
            &["Номер", "Тема", "Состояние", "Отправлен"],
            &r.requests,
            |x| vec![opt(x.outgoing_number.as_ref()), opt(x.subject.as_ref()), x.status.clone(), opt(x.sent_on)],
        ),
        table(
            "Кто и когда читал персональные данные",
            &["Когда", "Учётная запись", "Роль", "Запрос"],
            &r.reads,
            |x| vec![x.at.to_rfc3339(), x.actor_subject.clone(), x.actor_role.clone(), x.request_id.clone()],
        ),
    ];
    Page { full_name: &p.full_name, generated_at: r.generated_at.to_rfc3339(), tables }.render()
}
