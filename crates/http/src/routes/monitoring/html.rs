//! The printable report: plain HTML with inline SVG bar charts, no external assets or scripts.

use std::fmt::Write;

use rsnms_domain::monitoring::NoData;

use super::dto::{IndicatorView, ReportView};

/// Escapes text for HTML (the one escaping function of the printable reports).
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |x| format!("{x}"))
}

/// A value as printed: «нет данных» for an empty population, «скрыто» when withheld.
fn shown(i: &IndicatorView) -> String {
    match i.no_data {
        Some(NoData::EmptyPopulation) => "нет данных".to_owned(),
        Some(NoData::Suppressed) => "скрыто".to_owned(),
        None => num(i.value),
    }
}

const BAR: f64 = 22.0;
const LABEL: f64 = 220.0;
const WIDTH: f64 = 420.0;

/// One chart: per municipality a bar of the value and a tick at the target (attainment against
/// target); suppressed values are labelled as such.
fn chart(out: &mut String, title: &str, rows: &[(&str, &IndicatorView)]) {
    let max = rows
        .iter()
        .flat_map(|(_, i)| [i.value.unwrap_or(0.0), i.target.unwrap_or(0.0)])
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let height = BAR * rows.len() as f64 + 30.0;
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" role=\"img\" aria-label=\"{t}\">",
        w = LABEL + WIDTH + 120.0,
        t = esc(title)
    );
    for (n, (name, i)) in rows.iter().enumerate() {
        let y = 10.0 + n as f64 * BAR;
        let len = i.value.unwrap_or(0.0) / max * WIDTH;
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{ty}\" font-size=\"12\">{name}</text>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{len:.1}\" height=\"{h}\" fill=\"#4a78b5\"/>",
            ty = y + 14.0,
            name = esc(name),
            h = BAR - 6.0,
        );
        if let Some(t) = i.target {
            let x = LABEL + t / max * WIDTH;
            let _ = write!(
                out,
                "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{y1}\" y2=\"{y2}\" stroke=\"#c0392b\" stroke-width=\"2\"/>",
                y1 = y - 2.0,
                y2 = y + BAR - 4.0
            );
        }
        let label = if i.suppressed {
            "скрыто".to_owned()
        } else {
            match i.attainment {
                Some(a) => format!("{} ({a}%)", shown(i)),
                None => shown(i),
            }
        };
        let _ = write!(
            out,
            "<text x=\"{x:.1}\" y=\"{ty}\" font-size=\"11\">{label}</text>",
            x = LABEL + len + 6.0,
            ty = y + 14.0,
            label = esc(&label)
        );
    }
    out.push_str("</svg>");
}

/// Renders the report.
pub fn render(r: &ReportView) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"ru\"><head><meta charset=\"utf-8\"><title>Мониторинг РСНМС, {y}</title>\
         <style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin:1em 0}}\
         td,th{{border:1px solid #999;padding:4px 8px;font-size:12px}}section{{page-break-inside:avoid}}</style>\
         </head><body><h1>Мониторинг показателей РСНМС за {y} год</h1>\
         <p>Группы менее {m} человек скрыты, а также значения, по которым такую группу можно получить вычитанием. Синяя полоса — значение, красная черта — целевое значение соглашения.</p>",
        y = r.year,
        m = r.min_group_size
    );
    for (k, total) in r.total.iter().enumerate() {
        let _ = write!(out, "<section><h2>{}</h2>", esc(&total.name));
        let _ = write!(
            out,
            "<p>По территории: {} (числитель {}, знаменатель {})</p>",
            shown(total),
            total.numerator.map_or("—".into(), |n| n.to_string()),
            total.denominator.map_or("—".into(), |n| n.to_string())
        );
        let rows: Vec<(&str, &IndicatorView)> = r
            .municipalities
            .iter()
            .filter_map(|m| m.indicators.get(k).map(|i| (m.municipality_name.as_str(), i)))
            .collect();
        if let Some(list) = &total.checklist {
            out.push_str("<ul>");
            for c in list {
                let _ = write!(out, "<li>{}: {}</li>", esc(&c.name), if c.holds { "выполнен" } else { "не выполнен" });
            }
            out.push_str("</ul>");
        }
        chart(&mut out, &total.name, &rows);
        out.push_str("</section>");
    }
    out.push_str("<h2>Муниципалитеты</h2><table><tr><th>Муниципалитет</th><th>Просроченные запросы</th><th>ИОМ по статусам</th></tr>");
    for m in &r.municipalities {
        let routes: Vec<String> = m
            .routes_by_status
            .iter()
            .map(|(s, n)| format!("{s}: {}", n.map_or("—".into(), |n| n.to_string())))
            .collect();
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&m.municipality_name),
            m.overdue_requests,
            esc(&routes.join(", "))
        );
    }
    out.push_str("</table></body></html>");
    out
}
