//! The merged production calendar of one region, with per-year bitsets for fast arithmetic.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::data::shipped_calendars;
use super::error::CalendarError;
use super::statutory::{is_statutory_working_day, is_weekend, statutory_days_off};
use super::year::{CalendarLayer, CalendarYear};

/// Number of 64-bit words that hold the 366 days of a year.
const WORDS: usize = 6;

/// The working days of one year as a bitset over zero-based ordinals, with the running count of
/// working days before each word, so that rank and select cost at most [`WORDS`] steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct YearBits {
    words: [u64; WORDS],
    rank: [u32; WORDS],
    total: u32,
    len: u32,
}

impl YearBits {
    /// Builds the year from weekends, then the federal layer (or the art. 112 fallback when it is
    /// absent), then the regional layer. `None` when the year is not representable.
    fn build(year: i32, federal: Option<&CalendarYear>, regional: Option<&CalendarYear>) -> Option<Self> {
        let jan1 = NaiveDate::from_ymd_opt(year, 1, 1)?;
        let len = NaiveDate::from_ymd_opt(year, 12, 31)?.ordinal();
        let first = jan1.weekday().num_days_from_monday();
        let mut bits = Self { words: [0; WORDS], rank: [0; WORDS], total: 0, len };
        for ord0 in 0..len {
            if (first + ord0) % 7 < 5 {
                bits.set(ord0, true);
            }
        }
        match federal {
            Some(layer) => bits.apply(year, layer),
            None => {
                for &ord0 in statutory_days_off(year)?.as_slice() {
                    bits.set(u32::from(ord0), false);
                }
            }
        }
        if let Some(layer) = regional {
            bits.apply(year, layer);
        }
        bits.recount();
        Some(bits)
    }

    fn apply(&mut self, year: i32, layer: &CalendarYear) {
        for date in layer.non_working_days.iter().filter(|d| d.year() == year) {
            self.set(date.ordinal0(), false);
        }
        for date in layer.working_weekend_days.iter().filter(|d| d.year() == year) {
            self.set(date.ordinal0(), true);
        }
    }

    fn set(&mut self, ord0: u32, working: bool) {
        if let Some(word) = self.words.get_mut((ord0 / 64) as usize) {
            let mask = 1u64 << (ord0 % 64);
            if working {
                *word |= mask;
            } else {
                *word &= !mask;
            }
        }
    }

    fn recount(&mut self) {
        let mut running = 0;
        for (rank, word) in self.rank.iter_mut().zip(self.words) {
            *rank = running;
            running += word.count_ones();
        }
        self.total = running;
    }

    fn is_working(&self, ord0: u32) -> bool {
        self.words.get((ord0 / 64) as usize).is_some_and(|word| word >> (ord0 % 64) & 1 == 1)
    }

    /// Working days with a zero-based ordinal strictly below `ord0`.
    fn rank_before(&self, ord0: u32) -> u32 {
        let (w, b) = ((ord0 / 64) as usize, ord0 % 64);
        match (self.words.get(w), self.rank.get(w)) {
            (Some(word), Some(rank)) => rank + (word & ((1u64 << b) - 1)).count_ones(),
            _ => self.total,
        }
    }

    /// The zero-based ordinal of the `j`-th (zero-based) working day of the year.
    fn select(&self, j: u32) -> Option<u32> {
        for (w, (&word, &rank)) in self.words.iter().zip(&self.rank).enumerate() {
            if j < rank + word.count_ones() {
                let mut word = word;
                for _ in 0..(j - rank) {
                    word &= word - 1;
                }
                return Some(w as u32 * 64 + word.trailing_zeros());
            }
        }
        None
    }

    /// The first working day at or after the zero-based ordinal `ord0`.
    fn next_working_from(&self, ord0: u32) -> Option<u32> {
        let start = (ord0 / 64) as usize;
        for (w, &word) in self.words.iter().enumerate().skip(start) {
            let word = if w == start { word & !((1u64 << (ord0 % 64)) - 1) } else { word };
            if word != 0 {
                return Some(w as u32 * 64 + word.trailing_zeros());
            }
        }
        None
    }

    /// Calls `f` with the zero-based ordinal of every non-working day in `lo..hi`, ascending.
    fn for_each_non_working(&self, lo: u32, hi: u32, mut f: impl FnMut(u32)) {
        let hi = hi.min(self.len);
        for (w, &word) in self.words.iter().enumerate() {
            let base = w as u32 * 64;
            if base >= hi || base + 64 <= lo {
                continue;
            }
            let from = lo.saturating_sub(base);
            let to = (hi - base).min(64);
            let upper = if to == 64 { u64::MAX } else { (1u64 << to) - 1 };
            let mut off = !word & upper & !((1u64 << from) - 1);
            while off != 0 {
                f(base + off.trailing_zeros());
                off &= off - 1;
            }
        }
    }
}

fn date_of(year: i32, ord0: u32) -> Result<NaiveDate, CalendarError> {
    NaiveDate::from_yo_opt(year, ord0 + 1).ok_or(CalendarError::OutOfRange)
}

/// The production calendar of one region: the federal layer merged with that region's layer.
///
/// A day is a working day when it is Monday–Friday and not listed as non-working, or a weekend
/// day listed as working; the regional layer is applied on top of the federal one. For a year
/// without federal data the bare rule of Labour Code art. 112 applies (see
/// [`statutory_calendar_year`](super::statutory_calendar_year)) and
/// [`provisional_for`](Self::provisional_for) returns `true`.
///
/// Every loaded year is precomputed into a bitset with running counts, so the queries cost
/// O(1) per day and O(1) per year crossed; unloaded years are computed on the fly without heap
/// allocation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProductionCalendar {
    region_code: Option<String>,
    federal: BTreeMap<i32, CalendarYear>,
    regional: BTreeMap<i32, CalendarYear>,
    bits: BTreeMap<i32, YearBits>,
}

/// The federal years and the years of `region_code` from a mixed list; other regions are dropped.
fn split_layers(
    years: impl IntoIterator<Item = CalendarYear>,
    region_code: Option<&str>,
) -> (Vec<CalendarYear>, Vec<CalendarYear>) {
    let mut federal = Vec::new();
    let mut regional = Vec::new();
    for year in years {
        match &year.layer {
            CalendarLayer::Federal => federal.push(year),
            CalendarLayer::Regional { region_code: code } => {
                if Some(code.as_str()) == region_code {
                    regional.push(year);
                }
            }
        }
    }
    (federal, regional)
}

impl ProductionCalendar {
    /// A calendar without any loaded data: every year is provisional (art. 112 alone).
    pub fn statutory_only() -> Self {
        Self::default()
    }

    /// A federal calendar from federal years. Each year must be of the federal layer, pass
    /// [`CalendarYear::validate`] and appear once.
    pub fn from_federal(years: impl IntoIterator<Item = CalendarYear>) -> Result<Self, CalendarError> {
        let mut calendar = Self::default();
        for year in years {
            if year.layer != CalendarLayer::Federal {
                return Err(CalendarError::WrongLayer {
                    year: year.year,
                    expected: "the federal layer".into(),
                    found: year.layer,
                });
            }
            check_valid(&year)?;
            if calendar.federal.contains_key(&year.year) {
                return Err(CalendarError::DuplicateYear { year: year.year, layer: year.layer });
            }
            calendar.federal.insert(year.year, year);
        }
        calendar.rebuild()?;
        Ok(calendar)
    }

    /// Binds the calendar to `region_code` and adds that region's years. Each year must be of the
    /// regional layer of that very region, pass [`CalendarYear::validate`] and appear once; a
    /// declared `working_days_total` must equal the merged federal-plus-regional count. A
    /// calendar already bound to another region is refused.
    pub fn with_regional(
        self,
        region_code: &str,
        years: impl IntoIterator<Item = CalendarYear>,
    ) -> Result<Self, CalendarError> {
        self.with_regional_advisory(region_code, years)?.totals_checked()
    }

    /// The calendar itself when every declared regional total holds, else the first mismatch.
    fn totals_checked(self) -> Result<Self, CalendarError> {
        match self.regional_total_mismatches().first() {
            Some(&(year, declared, computed)) => Err(CalendarError::RegionalTotalMismatch {
                region_code: self.region_code.clone().unwrap_or_default(),
                year,
                declared,
                computed,
            }),
            None => Ok(self),
        }
    }

    /// As [`with_regional`](Self::with_regional), but a declared `working_days_total` that the
    /// merged calendar does not give is advisory: see
    /// [`regional_total_mismatches`](Self::regional_total_mismatches). Stored calendars are read
    /// so, so that a federal correction can never make a region's calendar unreadable.
    pub fn with_regional_advisory(
        mut self,
        region_code: &str,
        years: impl IntoIterator<Item = CalendarYear>,
    ) -> Result<Self, CalendarError> {
        match &self.region_code {
            Some(current) if current != region_code => {
                return Err(CalendarError::RegionMismatch {
                    current: current.clone(),
                    requested: region_code.to_owned(),
                });
            }
            _ => self.region_code = Some(region_code.to_owned()),
        }
        for year in years {
            let of_this_region = matches!(
                &year.layer,
                CalendarLayer::Regional { region_code: code } if code == region_code
            );
            if !of_this_region {
                return Err(CalendarError::WrongLayer {
                    year: year.year,
                    expected: format!("the layer of region {region_code}"),
                    found: year.layer,
                });
            }
            check_valid(&year)?;
            if self.regional.contains_key(&year.year) {
                return Err(CalendarError::DuplicateYear { year: year.year, layer: year.layer });
            }
            self.regional.insert(year.year, year);
        }
        self.rebuild()?;
        Ok(self)
    }

    /// The regional years whose declared `working_days_total` differs from the merged
    /// federal-plus-regional count: `(year, declared, computed)`, ascending by year.
    pub fn regional_total_mismatches(&self) -> Vec<(i32, u32, u32)> {
        self.regional
            .iter()
            .filter_map(|(year, layer)| {
                let declared = layer.working_days_total?;
                let computed = self.working_days_in_year(*year);
                (declared != computed).then_some((*year, declared, computed))
            })
            .collect()
    }

    /// The calendar of `region_code` (or the federal one for `None`) from a mixed list of years
    /// such as [`shipped_calendars`] returns: the federal years plus the years of that region;
    /// years of other regions are ignored. A region without regional data gets the federal
    /// calendar, bound to its code.
    pub fn from_layers(
        years: impl IntoIterator<Item = CalendarYear>,
        region_code: Option<&str>,
    ) -> Result<Self, CalendarError> {
        Self::from_layers_advisory(years, region_code)?.totals_checked()
    }

    /// As [`from_layers`](Self::from_layers), with the regional totals advisory
    /// ([`with_regional_advisory`](Self::with_regional_advisory)): how stored calendars are read.
    pub fn from_layers_advisory(
        years: impl IntoIterator<Item = CalendarYear>,
        region_code: Option<&str>,
    ) -> Result<Self, CalendarError> {
        let (federal, regional) = split_layers(years, region_code);
        let calendar = Self::from_federal(federal)?;
        match region_code {
            Some(code) => calendar.with_regional_advisory(code, regional),
            None => Ok(calendar),
        }
    }

    /// The calendar of `region_code` (or the federal one for `None`) built from the data shipped
    /// in the binary (see [`shipped_calendars`]).
    pub fn shipped(region_code: Option<&str>) -> Result<Self, CalendarError> {
        Self::from_layers(shipped_calendars()?, region_code)
    }

    /// The region this calendar is bound to, if any.
    pub fn region_code(&self) -> Option<&str> {
        self.region_code.as_deref()
    }

    /// The loaded federal data of `year`, if any.
    pub fn federal_year(&self, year: i32) -> Option<&CalendarYear> {
        self.federal.get(&year)
    }

    /// The loaded regional data of `year`, if any.
    pub fn regional_year(&self, year: i32) -> Option<&CalendarYear> {
        self.regional.get(&year)
    }

    /// The years with loaded federal data, ascending.
    pub fn federal_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.federal.keys().copied()
    }

    /// Whether `year` is computed by the art. 112 fallback because no federal data is loaded for
    /// it. Regional data does not make a year final.
    pub fn provisional_for(&self, year: i32) -> bool {
        !self.federal.contains_key(&year)
    }

    /// Whether any year in `from..=to` is provisional.
    pub(crate) fn any_provisional(&self, from: i32, to: i32) -> bool {
        if to < from {
            return false;
        }
        let span = i64::from(to) - i64::from(from) + 1;
        i64::try_from(self.federal.range(from..=to).count()) != Ok(span)
    }

    /// Whether `date` is a working day (рабочий день) in this calendar.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.bits.get(&date.year()) {
            Some(bits) => bits.is_working(date.ordinal0()),
            None => is_statutory_working_day(date),
        }
    }

    /// Reference implementation of [`is_working_day`](Self::is_working_day) that reads the raw
    /// layer lists instead of the bitsets. Used by [`naive_due_working_days`](super::naive_due_working_days)
    /// and by tests as an oracle; slower, do not use in production paths.
    pub fn is_working_day_naive(&self, date: NaiveDate) -> bool {
        let mut working = match self.federal.get(&date.year()) {
            Some(layer) => {
                layer.working_weekend_days.contains(&date)
                    || (!is_weekend(date) && !layer.non_working_days.contains(&date))
            }
            None => is_statutory_working_day(date),
        };
        if let Some(layer) = self.regional.get(&date.year()) {
            if layer.non_working_days.contains(&date) {
                working = false;
            }
            if layer.working_weekend_days.contains(&date) {
                working = true;
            }
        }
        working
    }

    /// The number of working days in `year` (0 when the year is not representable).
    pub fn working_days_in_year(&self, year: i32) -> u32 {
        self.bits_for(year).map_or(0, |bits| bits.total)
    }

    /// The `n`-th working day strictly after `date` (for `n == 0`, `date` itself).
    ///
    /// This is how a term of `n` working days received on `date` ends: counting starts the next
    /// day (Civil Code art. 191). Costs O(1) per calendar year crossed.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if n == 0 {
            return Ok(date);
        }
        let first = date.succ_opt().ok_or(CalendarError::OutOfRange)?;
        let mut year = first.year();
        let mut from = first.ordinal0();
        let mut remaining = n;
        loop {
            let bits = self.bits_for(year).ok_or(CalendarError::OutOfRange)?;
            let before = bits.rank_before(from);
            let available = bits.total - before;
            if remaining <= available {
                let ord0 = bits.select(before + remaining - 1).ok_or(CalendarError::OutOfRange)?;
                return date_of(year, ord0);
            }
            remaining -= available;
            year = year.checked_add(1).ok_or(CalendarError::OutOfRange)?;
            from = 0;
        }
    }

    /// The number of working days `d` with `from <= d <= to` (both ends included); 0 when
    /// `to < from`. Costs O(1) per calendar year crossed.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        if to < from {
            return 0;
        }
        let mut count: u64 = 0;
        for year in from.year()..=to.year() {
            let Some(bits) = self.bits_for(year) else {
                continue;
            };
            let lo = if year == from.year() { from.ordinal0() } else { 0 };
            let hi = if year == to.year() { to.ordinal0() + 1 } else { bits.len };
            count += u64::from(bits.rank_before(hi) - bits.rank_before(lo));
        }
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    /// The first working day on or after `date` (Civil Code art. 193 applied to a term ending on
    /// `date`).
    pub fn next_working_day_on_or_after(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut year = date.year();
        let mut from = date.ordinal0();
        loop {
            let bits = self.bits_for(year).ok_or(CalendarError::OutOfRange)?;
            if let Some(ord0) = bits.next_working_from(from) {
                return date_of(year, ord0);
            }
            year = year.checked_add(1).ok_or(CalendarError::OutOfRange)?;
            from = 0;
        }
    }

    /// Appends every non-working day `d` with `from <= d < to` to `out`, ascending.
    pub(crate) fn collect_non_working(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        out: &mut Vec<NaiveDate>,
    ) -> Result<(), CalendarError> {
        if to <= from {
            return Ok(());
        }
        for year in from.year()..=to.year() {
            let bits = self.bits_for(year).ok_or(CalendarError::OutOfRange)?;
            let lo = if year == from.year() { from.ordinal0() } else { 0 };
            let hi = if year == to.year() { to.ordinal0() } else { bits.len };
            let mut failed = false;
            bits.for_each_non_working(lo, hi, |ord0| match date_of(year, ord0) {
                Ok(date) => out.push(date),
                Err(_) => failed = true,
            });
            if failed {
                return Err(CalendarError::OutOfRange);
            }
        }
        Ok(())
    }

    /// The bitset of `year`: precomputed when any layer is loaded for it, else the art. 112
    /// fallback computed on the spot (no heap allocation).
    fn bits_for(&self, year: i32) -> Option<YearBits> {
        match self.bits.get(&year) {
            Some(bits) => Some(*bits),
            None => YearBits::build(year, None, None),
        }
    }

    fn rebuild(&mut self) -> Result<(), CalendarError> {
        let mut bits = BTreeMap::new();
        for &year in self.federal.keys().chain(self.regional.keys()) {
            let built = YearBits::build(year, self.federal.get(&year), self.regional.get(&year))
                .ok_or(CalendarError::OutOfRange)?;
            bits.insert(year, built);
        }
        self.bits = bits;
        Ok(())
    }
}

fn check_valid(year: &CalendarYear) -> Result<(), CalendarError> {
    year.validate().map_err(|issues| CalendarError::InvalidYear { year: year.year, layer: year.layer.clone(), issues })
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn bitset_rank_select_agree_on_a_full_year() {
        let bits = YearBits::build(2024, None, None).unwrap();
        let mut seen = 0;
        for ord0 in 0..bits.len {
            assert_eq!(bits.rank_before(ord0), seen);
            if bits.is_working(ord0) {
                assert_eq!(bits.select(seen), Some(ord0));
                seen += 1;
            }
        }
        assert_eq!(bits.total, seen);
        assert_eq!(bits.select(seen), None);
        assert_eq!(bits.rank_before(bits.len), bits.total);
        // 2024: 262 weekdays minus Jan 1–5, Jan 8, Feb 23, Mar 8, May 1, May 9, Jun 12, Nov 4.
        assert_eq!(bits.total, 250);
    }

    #[test]
    fn non_working_iteration_covers_word_boundaries() {
        let bits = YearBits::build(2025, None, None).unwrap();
        let mut got = Vec::new();
        bits.for_each_non_working(60, 200, |o| got.push(o));
        let expected: Vec<u32> = (60..200).filter(|&o| !bits.is_working(o)).collect();
        assert_eq!(got, expected);
        let mut all = Vec::new();
        bits.for_each_non_working(0, 400, |o| all.push(o));
        assert_eq!(all.len() as u32, bits.len - bits.total);
    }

    #[test]
    fn wrong_layers_and_regions_are_refused() {
        let regional = CalendarYear {
            year: 2026,
            layer: CalendarLayer::Regional { region_code: "03".into() },
            source: "test".into(),
            non_working_days: vec!["2026-02-18".parse().unwrap()],
            working_weekend_days: vec![],
            shortened_days: None,
            working_days_total: None,
        };
        assert!(matches!(
            ProductionCalendar::from_federal([regional.clone()]),
            Err(CalendarError::WrongLayer { year: 2026, .. })
        ));
        assert!(matches!(
            ProductionCalendar::statutory_only().with_regional("04", [regional.clone()]),
            Err(CalendarError::WrongLayer { year: 2026, .. })
        ));
        let bound = ProductionCalendar::statutory_only().with_regional("03", [regional]).unwrap();
        assert_eq!(bound.region_code(), Some("03"));
        assert_eq!(
            bound.with_regional("04", []),
            Err(CalendarError::RegionMismatch { current: "03".into(), requested: "04".into() })
        );
    }

    #[test]
    fn regional_total_is_checked_against_the_merged_count() {
        let mut regional = CalendarYear {
            year: 2026,
            layer: CalendarLayer::Regional { region_code: "03".into() },
            source: "test".into(),
            non_working_days: vec!["2026-02-18".parse().unwrap()],
            working_days_total: Some(247),
            working_weekend_days: vec![],
            shortened_days: None,
        };
        let federal = ProductionCalendar::shipped(None).unwrap();
        // Federal 2026 = 247; Сагаалган on Wednesday 2026-02-18 makes 246 in Buryatia.
        assert_eq!(
            federal.clone().with_regional("03", [regional.clone()]),
            Err(CalendarError::RegionalTotalMismatch {
                region_code: "03".into(),
                year: 2026,
                declared: 247,
                computed: 246,
            })
        );
        // Read as stored, the same layer stays usable and the mismatch is reported, not fatal.
        let advisory = federal.clone().with_regional_advisory("03", [regional.clone()]).unwrap();
        assert_eq!(advisory.working_days_in_year(2026), 246);
        assert_eq!(advisory.regional_total_mismatches(), vec![(2026, 247, 246)]);
        regional.working_days_total = Some(246);
        let buryatia = federal.with_regional("03", [regional]).unwrap();
        assert_eq!(buryatia.working_days_in_year(2026), 246);
        assert!(buryatia.regional_total_mismatches().is_empty());
    }

    #[test]
    fn duplicates_and_invalid_years_are_refused() {
        let y = super::super::statutory_calendar_year(2030).unwrap();
        assert!(matches!(
            ProductionCalendar::from_federal([y.clone(), y.clone()]),
            Err(CalendarError::DuplicateYear { year: 2030, .. })
        ));
        let mut bad = y;
        bad.working_days_total = Some(1);
        assert!(matches!(ProductionCalendar::from_federal([bad]), Err(CalendarError::InvalidYear { year: 2030, .. })));
    }
}
