//! Benchmark of the calendar engine (issue 3): due dates computed per second by
//! [`compute_due`] / [`compute_due_hours`] (bitsets with running counts) against a naive
//! day-by-day loop over the raw layer lists ([`ProductionCalendar::is_working_day_naive`]) on the
//! same inputs. Run by `bench/deadlines.sh`; by hand:
//!
//! ```sh
//! cargo run --release -p rsnms-domain --example calendar_bench -- [inputs] [rounds]
//! ```
//!
//! Inputs (default 200 000): receipt dates spread over 2021-01-01..2026-12-31 (a fixed
//! pseudo-random sequence, so every run sees the same ones), each with a term of the mix
//! 5 working days, 30 calendar days, 30 working days, 24 hours, 72 hours, on the federal
//! calendar and on Buryatia's (federal layer plus the regional one) alternately. Both sides are
//! first checked to agree on every input (exit 1 otherwise); then rounds (default 7) alternate
//! fast and naive, each side computing every input once per round, and the medians are printed
//! as `key=value` lines for the script.

use std::{
    hint::black_box,
    io::Write,
    time::{Duration, Instant},
};

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, TimeDelta};
use rsnms_domain::calendar::{
    CalendarError, Deadline, ProductionCalendar, Term, TermUnit, compute_due, compute_due_hours, naive_due_working_days,
};

/// One input: a calendar (0 federal, 1 Buryatia), the instant of receipt and the term.
#[derive(Clone, Copy)]
struct Input {
    calendar: usize,
    received_at: NaiveDateTime,
    term: Term,
}

const TERMS: [Term; 5] =
    [Term::working_days(5), Term::calendar_days(30), Term::working_days(30), Term::hours(24), Term::hours(72)];

/// A small deterministic generator (SplitMix64): the same inputs on every run and machine.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn inputs(n: usize) -> Result<Vec<Input>, String> {
    let first = NaiveDate::from_ymd_opt(2021, 1, 1).ok_or("bad start date")?;
    let last = NaiveDate::from_ymd_opt(2026, 12, 31).ok_or("bad end date")?;
    let span = u64::try_from((last - first).num_days() + 1).map_err(|e| e.to_string())?;
    let mut rng = SplitMix(0x5EED_2026);
    (0..n)
        .map(|i| {
            let date = first + Days::new(rng.next() % span);
            let minute = u32::try_from(rng.next() % 1440).map_err(|e| e.to_string())?;
            let received_at = date.and_hms_opt(minute / 60, minute % 60, 0).ok_or("bad time")?;
            Ok(Input { calendar: i % 2, received_at, term: TERMS[(i / 2) % TERMS.len()] })
        })
        .collect()
}

/// The engine: what the server calls.
fn fast(cal: &ProductionCalendar, input: &Input) -> Result<Deadline, CalendarError> {
    match input.term.unit {
        TermUnit::Hours => compute_due_hours(cal, input.received_at, input.term.value),
        _ => compute_due(cal, input.received_at.date(), input.term, 0),
    }
}

/// The baseline: day by day over the raw lists. Working days reuse the crate's own oracle
/// [`naive_due_working_days`]; calendar-day and hour terms find the nominal end and walk
/// forward to the first working day (Civil Code art. 193).
fn naive(cal: &ProductionCalendar, input: &Input) -> Result<Deadline, CalendarError> {
    let received_on = input.received_at.date();
    match input.term.unit {
        TermUnit::WorkingDays => naive_due_working_days(cal, received_on, input.term.value),
        TermUnit::CalendarDays => {
            let raw_due = received_on
                .checked_add_days(Days::new(u64::from(input.term.value)))
                .ok_or(CalendarError::OutOfRange)?;
            let (due_on, skipped_days) = walk_to_working_day(cal, raw_due)?;
            Ok(Deadline {
                starts_on: received_on.succ_opt().ok_or(CalendarError::OutOfRange)?,
                due_on,
                counted_days: input.term.value,
                skipped_days,
                provisional: (raw_due.year()..=due_on.year()).any(|y| cal.provisional_for(y)),
                extended_by: 0,
            })
        }
        TermUnit::Hours => {
            let raw = input
                .received_at
                .checked_add_signed(TimeDelta::hours(i64::from(input.term.value)))
                .ok_or(CalendarError::OutOfRange)?
                .date();
            let (due_on, skipped_days) = walk_to_working_day(cal, raw)?;
            Ok(Deadline {
                starts_on: received_on,
                due_on,
                counted_days: u32::try_from((raw - received_on).num_days()).unwrap_or(0),
                skipped_days,
                provisional: (raw.year()..=due_on.year()).any(|y| cal.provisional_for(y)),
                extended_by: 0,
            })
        }
    }
}

fn walk_to_working_day(
    cal: &ProductionCalendar,
    from: NaiveDate,
) -> Result<(NaiveDate, Vec<NaiveDate>), CalendarError> {
    let mut day = from;
    let mut skipped = Vec::new();
    while !cal.is_working_day_naive(day) {
        skipped.push(day);
        day = day.succ_opt().ok_or(CalendarError::OutOfRange)?;
    }
    Ok((day, skipped))
}

type Engine = fn(&ProductionCalendar, &Input) -> Result<Deadline, CalendarError>;

/// One round: every input once; returns the elapsed time.
fn round(calendars: &[ProductionCalendar; 2], inputs: &[Input], engine: Engine) -> Duration {
    let start = Instant::now();
    for input in inputs {
        let _ = black_box(engine(black_box(&calendars[input.calendar]), black_box(input)));
    }
    start.elapsed()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(200_000);
    let rounds: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(7);
    let calendars = [ProductionCalendar::shipped(None)?, ProductionCalendar::shipped(Some("03"))?];
    let inputs = inputs(n)?;

    // Same answers on every input, or the comparison means nothing.
    for (i, input) in inputs.iter().enumerate() {
        let cal = &calendars[input.calendar];
        let (a, b) = (fast(cal, input)?, naive(cal, input)?);
        if a != b {
            return Err(format!("input {i}: engine {a:?} differs from the naive loop {b:?}").into());
        }
    }

    // Warm-up, then alternate: fast, naive, fast, naive …
    round(&calendars, &inputs, fast);
    round(&calendars, &inputs, naive);
    let (mut fast_rates, mut naive_rates) = (Vec::new(), Vec::new());
    let mut out = std::io::stdout().lock();
    for r in 1..=rounds {
        let f = round(&calendars, &inputs, fast).as_secs_f64();
        let s = round(&calendars, &inputs, naive).as_secs_f64();
        fast_rates.push(n as f64 / f);
        naive_rates.push(n as f64 / s);
        writeln!(out, "round={r} fast_per_s={:.0} naive_per_s={:.0}", n as f64 / f, n as f64 / s)?;
    }
    let (f, s) = (median(fast_rates), median(naive_rates));
    writeln!(out, "inputs={n}")?;
    writeln!(out, "rounds={rounds}")?;
    writeln!(out, "fast_per_s={f:.0}")?;
    writeln!(out, "naive_per_s={s:.0}")?;
    writeln!(out, "ratio={:.1}", f / s)?;
    Ok(())
}
