//! Hand-checked legal cases and property tests of the calendar module.
//!
//! Every expected date in this file was worked out by hand from the shipped JSON and a printed
//! calendar (weekdays double-checked with an independent tool), never from the code under test.

use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime};
use proptest::prelude::*;

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn dt(s: &str) -> NaiveDateTime {
    s.parse().unwrap()
}

fn dates(list: &[&str]) -> Vec<NaiveDate> {
    list.iter().map(|s| d(s)).collect()
}

static FEDERAL: LazyLock<ProductionCalendar> = LazyLock::new(|| ProductionCalendar::shipped(None).unwrap());
static BURYATIA: LazyLock<ProductionCalendar> = LazyLock::new(|| ProductionCalendar::shipped(Some("03")).unwrap());

fn calendar(region: Option<&str>) -> &'static ProductionCalendar {
    match region {
        None => &FEDERAL,
        Some("03") => &BURYATIA,
        Some(other) => panic!("no test calendar for region {other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The two cases named in the specification.
// ---------------------------------------------------------------------------------------------

#[test]
fn five_working_days_from_friday_2025_10_31_end_on_monday_2025_11_10() {
    // Sat Nov 1 was a working day (decree 2025); Sun Nov 2, Mon Nov 3 (transfer), Tue Nov 4
    // (holiday) were not: 1 = Nov 1, 2..4 = Nov 5..7, Nov 8–9 weekend, 5 = Nov 10.
    let due = compute_due(&FEDERAL, d("2025-10-31"), Term::working_days(5), 0).unwrap();
    assert_eq!(
        due,
        Deadline {
            starts_on: d("2025-11-01"),
            due_on: d("2025-11-10"),
            counted_days: 5,
            skipped_days: dates(&["2025-11-02", "2025-11-03", "2025-11-04", "2025-11-08", "2025-11-09"]),
            provisional: false,
            extended_by: 0,
        }
    );
}

#[test]
fn thirty_calendar_days_from_2025_12_10_land_on_a_decree_day_off() {
    // Day 30 after 2025-12-10 is 2026-01-09 (21 days to Dec 31, 9 more).
    assert_eq!(d("2025-12-10") + Days::new(30), d("2026-01-09"));
    // The 2026 decree moved the day off from Saturday Jan 3 to Friday Jan 9.
    let year_2026 = FEDERAL.federal_year(2026).unwrap();
    assert!(year_2026.non_working_days.contains(&d("2026-01-09")));
    // So art. 193 moves the end over Jan 9 (off), 10 (Sat), 11 (Sun) to Monday Jan 12.
    let due = compute_due(&FEDERAL, d("2025-12-10"), Term::calendar_days(30), 0).unwrap();
    assert_eq!(due.starts_on, d("2025-12-11"));
    assert_eq!(due.due_on, d("2026-01-12"));
    assert_eq!(due.skipped_days, dates(&["2026-01-09", "2026-01-10", "2026-01-11"]));
    assert_eq!(due.counted_days, 30);
    assert!(!due.provisional);
}

// ---------------------------------------------------------------------------------------------
// Table of hand-checked legal cases.
// ---------------------------------------------------------------------------------------------

struct Case {
    name: &'static str,
    region: Option<&'static str>,
    received: &'static str,
    term: Term,
    extension: u32,
    due: &'static str,
    skipped: &'static [&'static str],
    provisional: bool,
}

const CASES: &[Case] = &[
    Case {
        name: "2025 year end: 5 working days from Friday Dec 26 run past the New Year holidays",
        // Dec 27–28 weekend; 1 = Mon Dec 29, 2 = Tue Dec 30; Dec 31 (transfer from Jan 5) and
        // Jan 1–11 2026 off (Jan 9 transfer from Jan 3); 3..5 = Jan 12..14.
        region: None,
        received: "2025-12-26",
        term: Term::working_days(5),
        extension: 0,
        due: "2026-01-14",
        skipped: &[
            "2025-12-27",
            "2025-12-28",
            "2025-12-31",
            "2026-01-01",
            "2026-01-02",
            "2026-01-03",
            "2026-01-04",
            "2026-01-05",
            "2026-01-06",
            "2026-01-07",
            "2026-01-08",
            "2026-01-09",
            "2026-01-10",
            "2026-01-11",
        ],
        provisional: false,
    },
    Case {
        name: "2024: working Saturday Apr 27, then Apr 28 – May 1 off",
        region: None,
        received: "2024-04-26",
        term: Term::working_days(2),
        extension: 0,
        due: "2024-05-02",
        skipped: &["2024-04-28", "2024-04-29", "2024-04-30", "2024-05-01"],
        provisional: false,
    },
    Case {
        name: "2024/2025: working Saturday Dec 28, then Dec 29 – Jan 8 off",
        region: None,
        received: "2024-12-27",
        term: Term::working_days(2),
        extension: 0,
        due: "2025-01-09",
        skipped: &[
            "2024-12-29",
            "2024-12-30",
            "2024-12-31",
            "2025-01-01",
            "2025-01-02",
            "2025-01-03",
            "2025-01-04",
            "2025-01-05",
            "2025-01-06",
            "2025-01-07",
            "2025-01-08",
        ],
        provisional: false,
    },
    Case {
        name: "2023: Feb 24 off by transfer from Sunday Jan 1",
        region: None,
        received: "2023-02-22",
        term: Term::working_days(1),
        extension: 0,
        due: "2023-02-27",
        skipped: &["2023-02-23", "2023-02-24", "2023-02-25", "2023-02-26"],
        provisional: false,
    },
    Case {
        name: "2021: Saturday Feb 20 is a working day",
        region: None,
        received: "2021-02-19",
        term: Term::working_days(1),
        extension: 0,
        due: "2021-02-20",
        skipped: &[],
        provisional: false,
    },
    Case {
        name: "2022: 14 calendar days end on Monday Mar 7 (transfer), moved over Mar 8 too",
        region: None,
        received: "2022-02-21",
        term: Term::calendar_days(14),
        extension: 0,
        due: "2022-03-09",
        skipped: &["2022-03-07", "2022-03-08"],
        provisional: false,
    },
    Case {
        name: "2025: 31 calendar days end on Thursday May 8 (transfer), moved to May 12",
        region: None,
        received: "2025-04-07",
        term: Term::calendar_days(31),
        extension: 0,
        due: "2025-05-12",
        skipped: &["2025-05-08", "2025-05-09", "2025-05-10", "2025-05-11"],
        provisional: false,
    },
    Case {
        name: "2025: 30 calendar days end on working Saturday Nov 1, no move",
        region: None,
        received: "2025-10-02",
        term: Term::calendar_days(30),
        extension: 0,
        due: "2025-11-01",
        skipped: &[],
        provisional: false,
    },
    Case {
        name: "2025: 5 working days extended by 2 from Friday Oct 31",
        region: None,
        received: "2025-10-31",
        term: Term::working_days(5),
        extension: 2,
        due: "2025-11-12",
        skipped: &["2025-11-02", "2025-11-03", "2025-11-04", "2025-11-08", "2025-11-09"],
        provisional: false,
    },
    Case {
        name: "Buryatia 2026: Сагаалган Wed Feb 18 is off only in region 03",
        region: Some("03"),
        received: "2026-02-17",
        term: Term::working_days(1),
        extension: 0,
        due: "2026-02-19",
        skipped: &["2026-02-18"],
        provisional: false,
    },
    Case {
        name: "federal 2026: Wed Feb 18 is a working day",
        region: None,
        received: "2026-02-17",
        term: Term::working_days(1),
        extension: 0,
        due: "2026-02-18",
        skipped: &[],
        provisional: false,
    },
    Case {
        name: "Buryatia 2026: 5 working days over Сагаалган and Feb 23",
        region: Some("03"),
        received: "2026-02-16",
        term: Term::working_days(5),
        extension: 0,
        due: "2026-02-25",
        skipped: &["2026-02-18", "2026-02-21", "2026-02-22", "2026-02-23"],
        provisional: false,
    },
    Case {
        name: "federal 2026: the same 5 working days end a day earlier",
        region: None,
        received: "2026-02-16",
        term: Term::working_days(5),
        extension: 0,
        due: "2026-02-24",
        skipped: &["2026-02-21", "2026-02-22", "2026-02-23"],
        provisional: false,
    },
    Case {
        name: "Buryatia 2026: 10 calendar days end on Сагаалган, moved to Feb 19",
        region: Some("03"),
        received: "2026-02-08",
        term: Term::calendar_days(10),
        extension: 0,
        due: "2026-02-19",
        skipped: &["2026-02-18"],
        provisional: false,
    },
    Case {
        name: "federal 2026: the same 10 calendar days end on Feb 18",
        region: None,
        received: "2026-02-08",
        term: Term::calendar_days(10),
        extension: 0,
        due: "2026-02-18",
        skipped: &[],
        provisional: false,
    },
    Case {
        name: "Buryatia 2021: 5 working days over Сагаалган Fri Feb 12",
        // 1 = Thu Feb 11; Fri 12 off (Сагаалган), 13–14 weekend; 2..5 = Mon 15..Thu 18.
        region: Some("03"),
        received: "2021-02-10",
        term: Term::working_days(5),
        extension: 0,
        due: "2021-02-18",
        skipped: &["2021-02-12", "2021-02-13", "2021-02-14"],
        provisional: false,
    },
    Case {
        name: "federal 2021: the same 5 working days end a day earlier",
        region: None,
        received: "2021-02-10",
        term: Term::working_days(5),
        extension: 0,
        due: "2021-02-17",
        skipped: &["2021-02-13", "2021-02-14"],
        provisional: false,
    },
    Case {
        name: "Buryatia 2025: Сагаалган Sat Mar 1 moved to Mon Mar 3 by decree",
        // 1 = Thu Feb 27, 2 = Fri Feb 28; Mar 1–2 weekend, Mar 3 off; 3 = Tue Mar 4.
        region: Some("03"),
        received: "2025-02-26",
        term: Term::working_days(3),
        extension: 0,
        due: "2025-03-04",
        skipped: &["2025-03-01", "2025-03-02", "2025-03-03"],
        provisional: false,
    },
    Case {
        name: "federal 2025: the same 3 working days end on Monday Mar 3",
        region: None,
        received: "2025-02-26",
        term: Term::working_days(3),
        extension: 0,
        due: "2025-03-03",
        skipped: &["2025-03-01", "2025-03-02"],
        provisional: false,
    },
    Case {
        name: "Buryatia 2023: Сагаалган Tue Feb 21",
        region: Some("03"),
        received: "2023-02-20",
        term: Term::working_days(1),
        extension: 0,
        due: "2023-02-22",
        skipped: &["2023-02-21"],
        provisional: false,
    },
    Case {
        name: "provisional 2027: May 1 (Sat) -> May 3, May 9 (Sun) -> May 10 by art. 112 part 2",
        region: None,
        received: "2027-04-30",
        term: Term::working_days(5),
        extension: 0,
        due: "2027-05-11",
        skipped: &["2027-05-01", "2027-05-02", "2027-05-03", "2027-05-08", "2027-05-09", "2027-05-10"],
        provisional: true,
    },
    Case {
        name: "provisional 2027: Mar 8 on Monday",
        region: None,
        received: "2027-03-05",
        term: Term::working_days(3),
        extension: 0,
        due: "2027-03-11",
        skipped: &["2027-03-06", "2027-03-07", "2027-03-08"],
        provisional: true,
    },
    Case {
        name: "2026 -> provisional 2027: Dec 31 (decree), then Jan 1 and 4–8 (art. 112), Jan 2–3 \
               not moved",
        region: None,
        received: "2026-12-30",
        term: Term::working_days(3),
        extension: 0,
        due: "2027-01-13",
        skipped: &[
            "2026-12-31",
            "2027-01-01",
            "2027-01-02",
            "2027-01-03",
            "2027-01-04",
            "2027-01-05",
            "2027-01-06",
            "2027-01-07",
            "2027-01-08",
            "2027-01-09",
            "2027-01-10",
        ],
        provisional: true,
    },
    Case {
        name: "2026 -> provisional 2027: 30 calendar days end on Monday Jan 4",
        region: None,
        received: "2026-12-05",
        term: Term::calendar_days(30),
        extension: 0,
        due: "2027-01-11",
        skipped: &["2027-01-04", "2027-01-05", "2027-01-06", "2027-01-07", "2027-01-08", "2027-01-09", "2027-01-10"],
        provisional: true,
    },
    Case {
        name: "provisional 2020: Jun 12 on Friday",
        region: None,
        received: "2020-06-10",
        term: Term::working_days(2),
        extension: 0,
        due: "2020-06-15",
        skipped: &["2020-06-12", "2020-06-13", "2020-06-14"],
        provisional: true,
    },
    Case {
        name: "calendar days received in 2020 ending in 2021: only 2021 is consulted",
        region: None,
        received: "2020-12-02",
        term: Term::calendar_days(30),
        extension: 0,
        due: "2021-01-11",
        skipped: &[
            "2021-01-01",
            "2021-01-02",
            "2021-01-03",
            "2021-01-04",
            "2021-01-05",
            "2021-01-06",
            "2021-01-07",
            "2021-01-08",
            "2021-01-09",
            "2021-01-10",
        ],
        provisional: false,
    },
];

#[test]
fn legal_cases() {
    assert!(CASES.len() >= 12);
    for case in CASES {
        let cal = calendar(case.region);
        let received = d(case.received);
        let got =
            compute_due(cal, received, case.term, case.extension).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let expected = Deadline {
            starts_on: received.succ_opt().unwrap(),
            due_on: d(case.due),
            counted_days: case.term.value + case.extension,
            skipped_days: dates(case.skipped),
            provisional: case.provisional,
            extended_by: case.extension,
        };
        assert_eq!(got, expected, "{}", case.name);
        if case.term.unit == TermUnit::WorkingDays && case.extension == 0 {
            assert_eq!(
                naive_due_working_days(cal, received, case.term.value).unwrap(),
                expected,
                "naive: {}",
                case.name
            );
        }
    }
}

#[test]
fn hour_terms() {
    // 24 h from 18:00 Dec 30 2025 end at 18:00 Dec 31 (off by decree), moved over Jan 1–11 2026.
    let deadline = compute_due_hours(&FEDERAL, dt("2025-12-30T18:00:00"), 24).unwrap();
    assert_eq!(deadline.starts_on, d("2025-12-30"));
    assert_eq!(deadline.due_on, d("2026-01-12"));
    // Working days touched: Dec 30 (6 h) and Jan 12 (18 h).
    assert_eq!(deadline.counted_days, 2);
    assert_eq!(deadline.skipped_days.len(), 12);
    assert_eq!(deadline.skipped_days.first(), Some(&d("2025-12-31")));
    assert_eq!(deadline.skipped_days.last(), Some(&d("2026-01-11")));
    assert!(!deadline.provisional);
    assert_eq!(deadline.extended_by, 0);
    assert_eq!(due_instant_hours(&FEDERAL, dt("2025-12-30T18:00:00"), 24).unwrap(), dt("2026-01-12T18:00:00"));

    // 2 h from 23:00 Friday Nov 7 2025 end at 01:00 Saturday Nov 8 -> 01:00 Monday Nov 10.
    let deadline = compute_due_hours(&FEDERAL, dt("2025-11-07T23:00:00"), 2).unwrap();
    assert_eq!(deadline.due_on, d("2025-11-10"));
    assert_eq!(deadline.skipped_days, dates(&["2025-11-08", "2025-11-09"]));
    assert_eq!(due_instant_hours(&FEDERAL, dt("2025-11-07T23:00:00"), 2).unwrap(), dt("2025-11-10T01:00:00"));

    // 2 h from 22:00 Saturday Nov 8 2025 (a day off): the clock starts Monday, ends 02:00.
    assert_eq!(due_instant_hours(&FEDERAL, dt("2025-11-08T22:00:00"), 2).unwrap(), dt("2025-11-10T02:00:00"));
    // 72 h from Friday Nov 7 2025 10:00: 14 h on Friday, 48 h on Monday and Tuesday, 10 h on
    // Wednesday; the weekend does not count.
    assert_eq!(due_instant_hours(&FEDERAL, dt("2025-11-07T10:00:00"), 72).unwrap(), dt("2025-11-12T10:00:00"));

    // 24 h from Friday Oct 31 2025 10:00 end on working Saturday Nov 1, 10:00: no move.
    let deadline = compute_due_hours(&FEDERAL, dt("2025-10-31T10:00:00"), 24).unwrap();
    assert_eq!(deadline.due_on, d("2025-11-01"));
    assert!(deadline.skipped_days.is_empty());

    // 48 h from Tuesday Feb 16 2027 12:00 (provisional year) end Thursday Feb 18 12:00.
    let deadline = compute_due_hours(&FEDERAL, dt("2027-02-16T12:00:00"), 48).unwrap();
    assert_eq!(deadline.due_on, d("2027-02-18"));
    assert_eq!(deadline.counted_days, 3);
    assert!(deadline.provisional);
}

// ---------------------------------------------------------------------------------------------
// Shipped data.
// ---------------------------------------------------------------------------------------------

#[test]
fn shipped_data_parses_and_validates() {
    let years = shipped_calendars().unwrap();
    let federal: Vec<i32> = years.iter().filter(|y| y.layer == CalendarLayer::Federal).map(|y| y.year).collect();
    assert_eq!(federal, vec![2021, 2022, 2023, 2024, 2025, 2026]);
    let buryatia: Vec<(i32, Vec<NaiveDate>)> = years
        .iter()
        .filter(|y| y.layer == CalendarLayer::Regional { region_code: "03".into() })
        .map(|y| (y.year, y.non_working_days.clone()))
        .collect();
    assert_eq!(
        buryatia,
        vec![
            (2021, dates(&["2021-02-12"])),
            (2023, dates(&["2023-02-21"])),
            (2025, dates(&["2025-03-03"])),
            (2026, dates(&["2026-02-18"])),
        ]
    );
    for year in &years {
        assert_eq!(year.validate(), Ok(()), "{} {}", year.year, year.layer);
        assert!(!year.source.is_empty());
    }
    let y2025 = years.iter().find(|y| y.year == 2025).unwrap();
    assert!(y2025.source.contains("1335"));
    let y2026 = years.iter().find(|y| y.year == 2026 && y.layer == CalendarLayer::Federal).unwrap();
    assert!(y2026.source.contains("№ 1466"), "{}", y2026.source);
    let b2025 = years
        .iter()
        .find(|y| y.year == 2025 && y.layer == CalendarLayer::Regional { region_code: "03".into() })
        .unwrap();
    assert!(b2025.source.contains("03.03.2025"), "each regional year names its act: {}", b2025.source);
    assert_eq!(y2025.shortened_days, Some(dates(&["2025-03-07", "2025-04-30", "2025-06-11", "2025-11-01"])));
}

#[test]
fn working_day_totals_match_the_published_figures() {
    for year in shipped_calendars().unwrap() {
        if year.layer == CalendarLayer::Federal {
            let declared = year.working_days_total.unwrap();
            assert_eq!(FEDERAL.working_days_in_year(year.year), declared, "{}", year.year);
            assert_eq!(year.computed_working_days(), Some(declared), "{}", year.year);
        }
    }
    // Published figures (hand-checked against the decrees).
    assert_eq!(FEDERAL.working_days_in_year(2021), 247);
    assert_eq!(FEDERAL.working_days_in_year(2024), 248);
    assert_eq!(FEDERAL.working_days_in_year(2025), 247);
    assert_eq!(FEDERAL.working_days_in_year(2026), 247);
    // Buryatia loses one weekday to Сагаалган in 2021 (Fri), 2023 (Tue), 2026 (Wed) and 2025
    // (Sat Mar 1, moved by decree to Mon Mar 3).
    assert_eq!(BURYATIA.working_days_in_year(2021), 246);
    assert_eq!(BURYATIA.working_days_in_year(2023), 246);
    assert_eq!(BURYATIA.working_days_in_year(2025), 246);
    assert_eq!(BURYATIA.working_days_in_year(2026), 246);
    // No regional day is listed for 2022 and 2024 (no decree found): the federal figures apply.
    assert_eq!(BURYATIA.working_days_in_year(2022), FEDERAL.working_days_in_year(2022));
    assert_eq!(BURYATIA.working_days_in_year(2024), 248);
    // Provisional years: 2027 has 249 under art. 112 alone.
    assert_eq!(FEDERAL.working_days_in_year(2027), 249);
}

#[test]
fn provisional_years() {
    for year in 2021..=2026 {
        assert!(!FEDERAL.provisional_for(year), "{year}");
        assert!(!BURYATIA.provisional_for(year), "{year}");
    }
    for year in [1999, 2020, 2027, 2100] {
        assert!(FEDERAL.provisional_for(year), "{year}");
    }
    assert_eq!(FEDERAL.federal_years().collect::<Vec<_>>(), (2021..=2026).collect::<Vec<_>>());
    let empty = ProductionCalendar::statutory_only();
    assert!(empty.provisional_for(2025));
    // Without the decree, Nov 1 2025 (Sat) is off and Nov 3 (Mon) is working.
    assert!(!empty.is_working_day(d("2025-11-01")));
    assert!(empty.is_working_day(d("2025-11-03")));
    assert!(FEDERAL.is_working_day(d("2025-11-01")));
    assert!(!FEDERAL.is_working_day(d("2025-11-03")));
}

#[test]
fn regions_without_data_get_the_federal_calendar() {
    let moscow = ProductionCalendar::shipped(Some("77")).unwrap();
    assert_eq!(moscow.region_code(), Some("77"));
    assert!(moscow.is_working_day(d("2026-02-18")));
    assert!(!BURYATIA.is_working_day(d("2026-02-18")));
    assert!(FEDERAL.is_working_day(d("2026-02-18")));
    assert_eq!(BURYATIA.regional_year(2026).unwrap().non_working_days, dates(&["2026-02-18"]));
    assert!(FEDERAL.regional_year(2026).is_none());
}

#[test]
fn a_regional_source_for_a_year_without_days_is_refused() {
    let json = r#"{"federal": [], "regional": {"03": {"region": "Р", "holiday": "С",
        "non_working_days": ["2023-02-21"], "sources": {"2024": "указ"}}}}"#;
    assert!(matches!(parse_calendars(json), Err(CalendarError::Data(_))));
    let ok = r#"{"federal": [], "regional": {"03": {"region": "Р", "holiday": "С",
        "non_working_days": ["2023-02-21"], "sources": {"2023": "указ № 1"}}}}"#;
    assert_eq!(parse_calendars(ok).unwrap()[0].source, "Р: С. указ № 1");
}

#[test]
fn parse_errors_do_not_panic() {
    assert!(matches!(parse_calendars("{"), Err(CalendarError::Data(_))));
    assert!(matches!(parse_calendars(r#"{"federal": [], "typo": 1}"#), Err(CalendarError::Data(_))));
    assert!(matches!(
        parse_calendars(
            r#"{"federal": [{"year": 2025, "source": "x", "non_working_weekdays": ["2025-13-01"],
                "working_weekend_days": [], "shortened_days": null, "working_days_total": null}]}"#
        ),
        Err(CalendarError::Data(_))
    ));
    let mismatch = parse_calendars(
        r#"{"federal": [{"year": 2025, "source": "x", "non_working_weekdays": [],
            "working_weekend_days": [], "shortened_days": null, "working_days_total": 247}]}"#,
    );
    assert_eq!(
        mismatch,
        Err(CalendarError::InvalidYear {
            year: 2025,
            layer: CalendarLayer::Federal,
            issues: vec![CalendarIssue::TotalMismatch { declared: 247, computed: 261 }],
        })
    );
    let regional_on_weekend = parse_calendars(
        r#"{"federal": [], "regional": {"03": {"region": "Бурятия", "holiday": "Сагаалган",
            "non_working_days": ["2025-03-01"]}}}"#,
    );
    assert!(matches!(
        regional_on_weekend,
        Err(CalendarError::InvalidYear { year: 2025, issues, .. })
            if issues == vec![CalendarIssue::NonWorkingDayOnWeekend { date: d("2025-03-01") }]
    ));
    let duplicate = parse_calendars(
        r#"{"federal": [
            {"year": 2025, "source": "x", "non_working_weekdays": [], "working_weekend_days": [],
             "shortened_days": null, "working_days_total": null},
            {"year": 2025, "source": "y", "non_working_weekdays": [], "working_weekend_days": [],
             "shortened_days": null, "working_days_total": null}]}"#,
    );
    assert!(matches!(duplicate, Err(CalendarError::DuplicateYear { year: 2025, .. })));
}

#[test]
fn term_errors_do_not_panic() {
    let day = d("2025-06-02");
    assert_eq!(compute_due(&FEDERAL, day, Term::working_days(0), 0), Err(CalendarError::EmptyTerm));
    assert_eq!(compute_due(&FEDERAL, day, Term::calendar_days(0), 0), Err(CalendarError::EmptyTerm));
    assert_eq!(compute_due(&FEDERAL, day, Term::hours(5), 0), Err(CalendarError::HoursNeedInstant));
    assert_eq!(
        compute_due(&FEDERAL, day, Term::working_days(u32::MAX), u32::MAX),
        Err(CalendarError::TermTooLong { requested: 2 * u64::from(u32::MAX), max: MAX_TERM_UNITS })
    );
    assert_eq!(compute_due_hours(&FEDERAL, dt("2025-06-02T00:00:00"), 0), Err(CalendarError::EmptyTerm));
    assert_eq!(naive_due_working_days(&FEDERAL, day, 0), Err(CalendarError::EmptyTerm));
    // Zero extension days on a valid term is fine; an extension alone also counts.
    assert_eq!(compute_due(&FEDERAL, day, Term::working_days(0), 1).unwrap().due_on, d("2025-06-03"));
    // The end of the representable range.
    assert_eq!(compute_due(&FEDERAL, NaiveDate::MAX, Term::working_days(1), 0), Err(CalendarError::OutOfRange));
    let near_max = NaiveDate::MAX - Days::new(3);
    assert_eq!(FEDERAL.add_working_days(near_max, 10), Err(CalendarError::OutOfRange));
    assert_eq!(compute_due(&FEDERAL, near_max, Term::calendar_days(10), 0), Err(CalendarError::OutOfRange));
    assert_eq!(
        compute_due_hours(&FEDERAL, NaiveDate::MAX.and_hms_opt(23, 0, 0).unwrap(), 2),
        Err(CalendarError::OutOfRange)
    );
    // The largest accepted term runs through centuries of fallback years without trouble.
    let longest = compute_due(&FEDERAL, day, Term::working_days(MAX_TERM_UNITS), 0).unwrap();
    assert!(longest.provisional);
    assert_eq!(FEDERAL.working_days_between(longest.starts_on, longest.due_on), MAX_TERM_UNITS);
    let span = (longest.due_on - longest.starts_on).num_days() + 1;
    assert_eq!(longest.skipped_days.len() as i64, span - i64::from(MAX_TERM_UNITS));
}

#[test]
fn helpers() {
    // add_working_days(d, 0) is d itself, even on a day off.
    assert_eq!(FEDERAL.add_working_days(d("2026-01-01"), 0).unwrap(), d("2026-01-01"));
    assert_eq!(FEDERAL.add_working_days(d("2025-12-30"), 1).unwrap(), d("2026-01-12"));
    // January 2026: 31 days, 9 off on weekdays (1,2,5,6,7,8,9) -> 7, weekends 3,4,10,11,17,18,
    // 24,25,31 -> 9; 31 - 7 - 9 = 15 working days.
    assert_eq!(FEDERAL.working_days_between(d("2026-01-01"), d("2026-01-31")), 15);
    assert_eq!(FEDERAL.working_days_between(d("2026-01-31"), d("2026-01-01")), 0);
    assert_eq!(FEDERAL.working_days_between(d("2026-01-12"), d("2026-01-12")), 1);
    // Whole years add up.
    assert_eq!(FEDERAL.working_days_between(d("2024-01-01"), d("2026-12-31")), 248 + 247 + 247);
    assert_eq!(FEDERAL.next_working_day_on_or_after(d("2026-01-01")).unwrap(), d("2026-01-12"));
    assert_eq!(FEDERAL.next_working_day_on_or_after(d("2026-01-12")).unwrap(), d("2026-01-12"));
}

#[test]
fn deadline_serde_round_trip() {
    let due = compute_due(&FEDERAL, d("2025-10-31"), Term::working_days(5), 0).unwrap();
    let json = serde_json::to_value(&due).unwrap();
    assert_eq!(json["due_on"], "2025-11-10");
    assert_eq!(serde_json::from_value::<Deadline>(json).unwrap(), due);
    assert_eq!(
        serde_json::to_value(Term::working_days(5)).unwrap(),
        serde_json::json!({"value": 5, "unit": "working_days"})
    );
}

// ---------------------------------------------------------------------------------------------
// Properties.
// ---------------------------------------------------------------------------------------------

/// A date from 2019-01-01 to 2028-12-31: provisional years on both sides of the shipped data.
fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0u64..3653).prop_map(|offset| d("2019-01-01") + Days::new(offset))
}

fn any_region() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![Just(None), Just(Some("03"))]
}

proptest! {
    // No regression files: this crate's tree outside src/ is not ours to write to.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn adding_then_counting_back_gives_n(
        date in any_date(), n in 1u32..700, region in any_region()
    ) {
        let cal = calendar(region);
        let due = cal.add_working_days(date, n).unwrap();
        let starts_on = date.succ_opt().unwrap();
        prop_assert_eq!(cal.working_days_between(starts_on, due), n);
        prop_assert_eq!(cal.working_days_between(starts_on, due.pred_opt().unwrap()), n - 1);
    }

    #[test]
    fn a_due_date_is_always_a_working_day(
        date in any_date(),
        n in 1u32..400,
        extension in 0u32..20,
        calendar_days in any::<bool>(),
        region in any_region(),
    ) {
        let cal = calendar(region);
        let term = if calendar_days { Term::calendar_days(n) } else { Term::working_days(n) };
        let deadline = compute_due(cal, date, term, extension).unwrap();
        prop_assert!(cal.is_working_day(deadline.due_on));
        prop_assert!(cal.is_working_day_naive(deadline.due_on));
        prop_assert!(deadline.due_on > date);
        for skipped in &deadline.skipped_days {
            prop_assert!(!cal.is_working_day_naive(*skipped));
            prop_assert!(*skipped >= deadline.starts_on && *skipped < deadline.due_on);
        }
        if calendar_days {
            // Art. 193: the skipped days are exactly the days from the nominal end to the due day.
            let nominal = date + Days::new(u64::from(n + extension));
            prop_assert_eq!(
                deadline.skipped_days.len() as i64,
                (deadline.due_on - nominal).num_days()
            );
        }
        // Years consulted: every day from the start for working days; only the nominal end and
        // what follows for calendar days (art. 193 looks at the last day only).
        let first_consulted = if calendar_days {
            date + Days::new(u64::from(n + extension))
        } else {
            deadline.starts_on
        };
        let years_touched = first_consulted.year()..=deadline.due_on.year();
        prop_assert_eq!(
            deadline.provisional,
            years_touched.into_iter().any(|year| cal.provisional_for(year))
        );
    }

    #[test]
    fn fast_equals_naive(date in any_date(), n in 1u32..600, region in any_region()) {
        let cal = calendar(region);
        prop_assert_eq!(
            compute_due(cal, date, Term::working_days(n), 0).unwrap(),
            naive_due_working_days(cal, date, n).unwrap()
        );
    }

    #[test]
    fn bitsets_equal_raw_lists(date in any_date(), region in any_region()) {
        let cal = calendar(region);
        prop_assert_eq!(cal.is_working_day(date), cal.is_working_day_naive(date));
    }

    #[test]
    fn counting_equals_a_day_by_day_count(
        from in any_date(), len in 0u64..800, region in any_region()
    ) {
        let cal = calendar(region);
        let to = from + Days::new(len);
        let mut expected = 0;
        let mut day = from;
        while day <= to {
            if cal.is_working_day_naive(day) {
                expected += 1;
            }
            day = day.succ_opt().unwrap();
        }
        prop_assert_eq!(cal.working_days_between(from, to), expected);
    }

    #[test]
    fn hour_terms_end_on_a_working_day_at_the_computed_time(
        date in any_date(), minute in 0u32..1440, hours in 1u32..2000, region in any_region()
    ) {
        let cal = calendar(region);
        let received_at = date.and_hms_opt(minute / 60, minute % 60, 0).unwrap();
        let nominal = received_at + chrono::TimeDelta::hours(i64::from(hours));
        let instant = due_instant_hours(cal, received_at, hours).unwrap();
        let deadline = compute_due_hours(cal, received_at, hours).unwrap();
        // The hours run out within the due day (at the latest at its end).
        let due_start = deadline.due_on.and_hms_opt(0, 0, 0).unwrap();
        prop_assert!(instant > due_start && instant <= due_start + chrono::TimeDelta::days(1));
        prop_assert!(instant >= nominal);
        prop_assert!(cal.is_working_day(deadline.due_on));
        // Oracle: the time between receipt and the end that falls on working days is the term.
        let mut worked = chrono::TimeDelta::zero();
        let mut day = received_at.date();
        let mut off = Vec::new();
        while day <= deadline.due_on {
            let start = day.and_hms_opt(0, 0, 0).unwrap().max(received_at);
            let end = (day.and_hms_opt(0, 0, 0).unwrap() + chrono::TimeDelta::days(1)).min(instant);
            if cal.is_working_day_naive(day) {
                worked += end - start;
            } else {
                off.push(day);
            }
            day = day.succ_opt().unwrap();
        }
        prop_assert_eq!(worked, chrono::TimeDelta::hours(i64::from(hours)));
        prop_assert_eq!(&deadline.skipped_days, &off);
        // On working days only, the end is the nominal instant itself.
        if off.is_empty() {
            prop_assert_eq!(instant, nominal);
        }
    }

    #[test]
    fn more_hours_never_end_an_hour_term_earlier(
        date in any_date(), minute in 0u32..1440, hours in 1u32..500, more in 1u32..100, region in any_region()
    ) {
        let cal = calendar(region);
        let received_at = date.and_hms_opt(minute / 60, minute % 60, 0).unwrap();
        let base = due_instant_hours(cal, received_at, hours).unwrap();
        let extended = due_instant_hours(cal, received_at, hours + more).unwrap();
        prop_assert!(extended >= base + chrono::TimeDelta::hours(i64::from(more)));
    }

    #[test]
    fn statutory_years_are_self_consistent(year in 1950i32..2200) {
        let calendar_year = statutory_calendar_year(year).unwrap();
        prop_assert_eq!(calendar_year.validate(), Ok(()));
        let empty = ProductionCalendar::statutory_only();
        prop_assert_eq!(
            Some(empty.working_days_in_year(year)),
            calendar_year.working_days_total
        );
        // Jan 1–8 are eight consecutive days, so 5 or 6 of them are weekdays; each of the six
        // other holidays yields exactly one weekday off (moved or not): 11 or 12 in all.
        let len = calendar_year.non_working_days.len();
        prop_assert!(len == 11 || len == 12, "{} has {} days off", year, len);
    }
}
