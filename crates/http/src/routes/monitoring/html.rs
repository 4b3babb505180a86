//! The printable report: plain HTML with inline SVG bar charts, no external assets or scripts.
//! The page is the template `templates/monitoring_report.html` (askama, which escapes every value
//! it prints); this module computes what it prints: the values as shown and the charts' geometry.

use askama::Template;
use rsnms_domain::monitoring::NoData;

use super::dto::{IndicatorView, ReportView};

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |x| format!("{x}"))
}

fn count(v: Option<u64>) -> String {
    v.map_or_else(|| "—".to_owned(), |n| n.to_string())
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

/// The page.
#[derive(Template)]
#[template(path = "monitoring_report.html")]
struct Page<'a> {
    year: i32,
    min_group_size: u64,
    sections: Vec<Section<'a>>,
    municipalities: Vec<MunicipalityRow<'a>>,
}

/// One indicator: its value over the territory, its checklist and its chart.
struct Section<'a> {
    name: &'a str,
    value: String,
    numerator: String,
    denominator: String,
    has_checklist: bool,
    checklist: Vec<Criterion<'a>>,
    chart: Chart<'a>,
}

struct Criterion<'a> {
    name: &'a str,
    holds: bool,
}

/// One chart: per municipality a bar of the value and a tick at the target (attainment against
/// target); suppressed values are labelled as such.
struct Chart<'a> {
    width: f64,
    height: f64,
    bars: Vec<Bar<'a>>,
}

struct Bar<'a> {
    name: &'a str,
    x: f64,
    y: f64,
    text_y: f64,
    width: String,
    height: f64,
    target: Option<Tick>,
    label_x: String,
    label: String,
}

struct Tick {
    x: String,
    y1: f64,
    y2: f64,
}

struct MunicipalityRow<'a> {
    name: &'a str,
    overdue_requests: u64,
    routes: String,
}

fn chart<'a>(rows: &[(&'a str, &IndicatorView)]) -> Chart<'a> {
    let max = rows
        .iter()
        .flat_map(|(_, i)| [i.value.unwrap_or(0.0), i.target.unwrap_or(0.0)])
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let bars = rows
        .iter()
        .enumerate()
        .map(|(n, (name, i))| {
            let y = 10.0 + n as f64 * BAR;
            let len = i.value.unwrap_or(0.0) / max * WIDTH;
            let label = if i.suppressed {
                "скрыто".to_owned()
            } else {
                match i.attainment {
                    Some(a) => format!("{} ({a}%)", shown(i)),
                    None => shown(i),
                }
            };
            Bar {
                name,
                x: LABEL,
                y,
                text_y: y + 14.0,
                width: format!("{len:.1}"),
                height: BAR - 6.0,
                target: i.target.map(|t| Tick {
                    x: format!("{:.1}", LABEL + t / max * WIDTH),
                    y1: y - 2.0,
                    y2: y + BAR - 4.0,
                }),
                label_x: format!("{:.1}", LABEL + len + 6.0),
                label,
            }
        })
        .collect();
    Chart { width: LABEL + WIDTH + 120.0, height: BAR * rows.len() as f64 + 30.0, bars }
}

/// Renders the report.
pub fn render(r: &ReportView) -> askama::Result<String> {
    let sections = r
        .total
        .iter()
        .enumerate()
        .map(|(k, total)| {
            let rows: Vec<(&str, &IndicatorView)> = r
                .municipalities
                .iter()
                .filter_map(|m| m.indicators.get(k).map(|i| (m.municipality_name.as_str(), i)))
                .collect();
            Section {
                name: &total.name,
                value: shown(total),
                numerator: count(total.numerator),
                denominator: count(total.denominator),
                has_checklist: total.checklist.is_some(),
                checklist: total
                    .checklist
                    .iter()
                    .flatten()
                    .map(|c| Criterion { name: &c.name, holds: c.holds })
                    .collect(),
                chart: chart(&rows),
            }
        })
        .collect();
    let municipalities = r
        .municipalities
        .iter()
        .map(|m| MunicipalityRow {
            name: &m.municipality_name,
            overdue_requests: m.overdue_requests,
            routes: m
                .routes_by_status
                .iter()
                .map(|(s, n)| format!("{s}: {}", count(*n)))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    Page { year: r.year, min_group_size: r.min_group_size, sections, municipalities }.render()
}
