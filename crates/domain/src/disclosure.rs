//! Disclosure control of aggregates (статистический контроль раскрытия): the one suppression
//! mechanism of every figure that counts persons (diagnostics analytics, monitoring, federal
//! exports).
//!
//! Three rules, applied together (see "Disclosure control" in `docs/API-DESIGN.md`):
//! - **primary**: a group of `1..min` persons is withheld ([`below_min_group`]);
//! - **periods**: a count over a range of calendar quarters is withheld when any other range a
//!   caller could ask for, nested in it or around it, differs from it by `1..min` persons
//!   ([`period_unsafe`]) — so two published ranges never differ by a small group;
//! - **hierarchy** (complementary suppression): in every relation parent = Σ children
//!   (region → municipality → organisation), either no child is withheld, or at least two are
//!   and together they hold at least `min` persons; a withheld parent has withheld children
//!   ([`suppress_tree`]). The decisions are taken on the whole tree, whoever asks, so every
//!   request publishes the same figure set.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

/// Whether a group of `n` persons is too small to show (`RSNMS_MIN_GROUP_SIZE`, at least 1):
/// the primary rule of every aggregate.
pub fn below_min_group(n: u64, min_group: u64) -> bool {
    n < min_group.max(1)
}

/// A calendar quarter as one number (`year × 4 + quarter − 1`), the unit of the period grid.
pub fn quarter(d: NaiveDate) -> i32 {
    d.year() * 4 + (d.month0() / 3) as i32
}

/// Whether the date starts a calendar quarter.
pub fn starts_quarter(d: NaiveDate) -> bool {
    d.day() == 1 && d.month0().is_multiple_of(3)
}

/// Whether the date ends a calendar quarter.
pub fn ends_quarter(d: NaiveDate) -> bool {
    d.succ_opt().is_none_or(starts_quarter)
}

/// Whether the count of persons over the quarters `from..=to` (`None`: open) can be differenced
/// against another range a caller could request: some range nested in it or around it holds
/// `1..min` persons more or fewer. `persons` holds, per person of the group, the quarters of
/// all their results (any order). Under this rule any two published ranges of one group differ
/// by 0 or at least `min` persons, and — for additive counts — so does every block of quarters
/// between endpoints of published ranges, i.e. everything a caller can derive from them.
pub fn period_unsafe(persons: &[Vec<i32>], from: Option<i32>, to: Option<i32>, min_group: u64) -> bool {
    let (lo, hi) = (from.unwrap_or(i32::MIN), to.unwrap_or(i32::MAX));
    let count = |a: i32, b: i32| persons.iter().filter(|qs| qs.iter().any(|q| (a..=b).contains(q))).count() as u64;
    let n = count(lo, hi);
    let data: BTreeSet<i32> = persons.iter().flatten().copied().collect();
    let small = |m: u64| {
        let d = n.abs_diff(m);
        d > 0 && below_min_group(d, min_group)
    };
    // Ranges inside: every start and end among the quarters with data.
    let inside: Vec<i32> = data.range(lo..=hi).copied().collect();
    for (i, &a) in inside.iter().enumerate() {
        if inside[i..].iter().any(|&b| small(count(a, b))) {
            return true;
        }
    }
    // Ranges around: a start at or before `lo`, an end at or after `hi`.
    let starts: Vec<i32> = data.range(..lo).copied().chain([lo]).collect();
    let ends: Vec<i32> = [hi].into_iter().chain(data.range(hi.saturating_add(1)..).copied()).collect();
    starts.iter().any(|&a| ends.iter().any(|&b| small(count(a, b))))
}

/// Whether a count of persons that only grows with the year (a cumulative window: everyone
/// counted by a year is counted by every later one) is withheld at `year`: the nearest year of
/// `series` before it, or after it, whose count differs, differs by `1..min` persons. Two years
/// are nested ranges of one group, so this is the period rule ([`period_unsafe`]) on a grid of
/// years: under it any two published years differ by 0 or at least `min` persons (the nearest
/// different year after a published one is at least `min` away, and later ones only add).
/// `series` holds the counts of the years a caller could ask for, at least those nearest years.
pub fn growth_unsafe(series: &BTreeMap<i32, u64>, year: i32, min_group: u64) -> bool {
    let Some(&n) = series.get(&year) else { return false };
    let small = |m: &u64| {
        let d = n.abs_diff(*m);
        d > 0 && below_min_group(d, min_group)
    };
    let before = series.range(..year).rev().map(|(_, m)| m).find(|m| **m != n);
    let after = series.range(year + 1..).map(|(_, m)| m).find(|m| **m != n);
    before.is_some_and(small) || after.is_some_and(small)
}

/// Whether a figure that is a part of a place (an organisation in its municipality, a narrower
/// scope) is withheld: when it is small, when the place is withheld, or when the rest of the
/// place would be a small group (the place minus the part). A part that is the whole place
/// follows the place.
pub fn part_hidden(n: u64, place_n: u64, place_hidden: bool, min_group: u64) -> bool {
    if n == place_n {
        return place_hidden;
    }
    let rest = place_n.saturating_sub(n);
    below_min_group(n, min_group) || place_hidden || (rest > 0 && below_min_group(rest, min_group))
}

/// The place of a figure in the tree its request publishes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    /// The whole territory (or, by subject, the caller's whole scope).
    Whole,
    /// A municipality (`None`: regional organisations and persons without one).
    Municipality(Option<String>),
    /// An organisation.
    Organization(Option<Uuid>),
    /// A teaching subject (`None`: no subject).
    Subject(Option<String>),
}

/// A figure of a hierarchy (e.g. the region, a municipality, an organisation).
#[derive(Debug, Clone, PartialEq)]
pub struct Node<K> {
    /// Its key.
    pub key: K,
    /// The key of the figure it adds up to (`None`: the root).
    pub parent: Option<K>,
    /// Persons counted.
    pub n: u64,
    /// Withheld whatever its size (e.g. [`period_unsafe`]).
    pub withheld: bool,
}

/// Which figures of a hierarchy are withheld: the primary ones (small, or marked `withheld`)
/// and complementary ones, chosen until in every relation parent = Σ children either nothing
/// is withheld, or at least two children are and the parent minus the published children holds
/// at least `min_group` persons; a withheld parent has at least two withheld children (its only
/// child, when it has one). The smallest published child is withheld first; when none is left,
/// the parent. Deterministic: the same tree gives the same answer to every caller.
pub fn suppress_tree<K: Ord + Clone>(nodes: &[Node<K>], min_group: u64) -> BTreeSet<K> {
    let min = min_group.max(1);
    let mut hidden: BTreeSet<K> =
        nodes.iter().filter(|x| x.withheld || below_min_group(x.n, min)).map(|x| x.key.clone()).collect();
    let by_key: BTreeMap<&K, &Node<K>> = nodes.iter().map(|x| (&x.key, x)).collect();
    let mut children: BTreeMap<&K, Vec<&Node<K>>> = BTreeMap::new();
    for x in nodes {
        if let Some(p) = &x.parent {
            children.entry(p).or_default().push(x);
        }
    }
    loop {
        let mut changed = false;
        for (&p, kids) in &children {
            let parent_n = by_key.get(p).map_or_else(|| kids.iter().map(|k| k.n).sum(), |x| x.n);
            let parent_hidden = hidden.contains(p);
            let shown: Vec<&Node<K>> = kids.iter().copied().filter(|k| !hidden.contains(&k.key)).collect();
            let withheld = kids.len() - shown.len();
            let residual = parent_n.saturating_sub(shown.iter().map(|k| k.n).sum());
            let safe = match (withheld, kids.len()) {
                (0, _) => !parent_hidden,
                (1, 1) => parent_hidden,
                (w, _) => w >= 2 && !below_min_group(residual, min),
            };
            if safe {
                continue;
            }
            if let Some(k) = shown.iter().min_by(|a, b| (a.n, &a.key).cmp(&(b.n, &b.key))) {
                hidden.insert(k.key.clone());
            } else if !parent_hidden {
                hidden.insert(p.clone());
            } else {
                continue;
            }
            changed = true;
        }
        if !changed {
            return hidden;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(key: &'static str, parent: Option<&'static str>, n: u64) -> Node<&'static str> {
        Node { key, parent, n, withheld: false }
    }

    #[test]
    fn one_small_school_takes_its_smallest_sibling_along() {
        let tree = [
            node("region", None, 30),
            node("m", Some("region"), 30),
            node("a", Some("m"), 2),
            node("b", Some("m"), 12),
            node("c", Some("m"), 16),
        ];
        let hidden = suppress_tree(&tree, 5);
        assert_eq!(hidden, ["a", "b"].into_iter().collect(), "m − c = a + b = 14: neither is exact");
    }

    #[test]
    fn two_small_siblings_that_add_up_to_a_small_group_take_a_third() {
        let tree = [node("m", None, 28), node("a", Some("m"), 1), node("b", Some("m"), 2), node("c", Some("m"), 25)];
        let hidden = suppress_tree(&tree, 5);
        assert!(hidden.contains("c"), "a + b = 3 < 5 would be a small group by subtraction: {hidden:?}");
        assert!(!hidden.contains("m"));
    }

    #[test]
    fn a_municipality_with_one_small_school_hides_itself_and_a_sibling_municipality() {
        // m1 has a single school of 3: the school and m1 are the same group.
        let tree = [
            node("region", None, 40),
            node("m1", Some("region"), 3),
            node("s1", Some("m1"), 3),
            node("m2", Some("region"), 17),
            node("m3", Some("region"), 20),
            node("s2", Some("m2"), 8),
            node("s3", Some("m2"), 9),
        ];
        let hidden = suppress_tree(&tree, 5);
        assert!(hidden.contains("s1") && hidden.contains("m1") && hidden.contains("m2"), "{hidden:?}");
        assert!(hidden.contains("s2") && hidden.contains("s3"), "a withheld m2 is not the sum of published schools");
        assert!(!hidden.contains("m3") && !hidden.contains("region"));
    }

    #[test]
    fn a_single_child_follows_its_parent() {
        let tree = [node("r", None, 9), node("m", Some("r"), 9), node("s", Some("m"), 9)];
        assert!(suppress_tree(&tree, 5).is_empty());
        let tree = [node("r", None, 30), node("m", Some("r"), 9), node("x", Some("r"), 21), node("s", Some("m"), 9)];
        let mut flagged = tree.clone();
        flagged[3].withheld = true;
        let hidden = suppress_tree(&flagged, 5);
        assert!(hidden.contains("m") && hidden.contains("x"), "{hidden:?}");
    }

    #[test]
    fn nothing_small_nothing_hidden() {
        let tree = [node("m", None, 20), node("a", Some("m"), 10), node("b", Some("m"), 10)];
        assert!(suppress_tree(&tree, 5).is_empty());
    }

    #[test]
    fn a_period_that_differs_from_its_neighbour_by_a_small_group_is_withheld() {
        // 10 persons in 2025 Q1, one more in Q2.
        let q1 = quarter(NaiveDate::from_ymd_opt(2025, 2, 1).unwrap_or_default());
        let mut persons: Vec<Vec<i32>> = (0..10).map(|_| vec![q1]).collect();
        persons.push(vec![q1 + 1]);
        assert!(period_unsafe(&persons, Some(q1), Some(q1), 5), "Q1..Q2 − Q1 = 1");
        assert!(period_unsafe(&persons, Some(q1), Some(q1 + 1), 5), "the same pair, seen from the longer one");
        assert!(period_unsafe(&persons, None, None, 5), "everything − Q1 = 1");
        // Six more in Q2: the ranges differ by 7.
        persons.extend((0..6).map(|_| vec![q1 + 1]));
        assert!(!period_unsafe(&persons, Some(q1), Some(q1), 5));
        assert!(!period_unsafe(&persons, Some(q1), None, 5));
        assert!(!period_unsafe(&persons, Some(q1 + 1), Some(q1 + 1), 5));
    }

    #[test]
    fn a_person_assessed_in_two_quarters_counts_once_in_their_union() {
        let persons: Vec<Vec<i32>> = (0..8).map(|_| vec![100, 101]).collect();
        assert!(!period_unsafe(&persons, Some(100), Some(101), 5), "every range holds the same 8");
        assert!(!period_unsafe(&persons, Some(100), Some(100), 5));
    }

    #[test]
    fn a_year_whose_cumulative_count_grew_by_a_small_group_is_withheld_with_its_neighbour() {
        let series: BTreeMap<i32, u64> = [(2022, 10), (2023, 10), (2024, 12), (2025, 20)].into_iter().collect();
        assert!(growth_unsafe(&series, 2023, 5), "2024 − 2023 = 2");
        assert!(growth_unsafe(&series, 2022, 5), "the nearest different year of 2022 is 2024: 2 more");
        assert!(growth_unsafe(&series, 2024, 5));
        assert!(!growth_unsafe(&series, 2025, 5), "20 − 12 = 8");
        let series: BTreeMap<i32, u64> = [(2022, 10), (2023, 16), (2024, 16)].into_iter().collect();
        assert!(!growth_unsafe(&series, 2022, 5) && !growth_unsafe(&series, 2024, 5));
    }

    #[test]
    fn a_part_is_withheld_when_it_or_the_rest_of_its_place_is_small() {
        assert!(part_hidden(3, 20, false, 5));
        assert!(part_hidden(17, 20, false, 5), "20 − 17 = 3");
        assert!(!part_hidden(10, 20, false, 5));
        assert!(part_hidden(10, 20, true, 5));
        assert!(!part_hidden(20, 20, false, 5), "the whole place follows the place");
    }

    #[test]
    fn quarters_are_numbered_and_bounded() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        assert_eq!(quarter(d(2025, 12, 31)) + 1, quarter(d(2026, 1, 1)));
        assert!(starts_quarter(d(2025, 4, 1)) && !starts_quarter(d(2025, 5, 1)));
        assert!(ends_quarter(d(2025, 6, 30)) && ends_quarter(d(2025, 12, 31)) && !ends_quarter(d(2025, 6, 29)));
    }
}
