//! Choosing which points a figure or a finding looks at. A sweep grid varies several
//! dimensions at once; a figure of "time vs n, one line per t" must hold the other
//! dimensions fixed. [`choose`] picks the largest such slice (most distinct x values, then
//! most points) and breaks ties towards the most informative values (largest sizes, the
//! `gmp` backend, `batch` verification), and reports what it held fixed so that captions can
//! say so.

use std::collections::{BTreeMap, BTreeSet};

use crate::data::{Dim, DimValue, HasParams};
use crate::mode::Mode;

/// A slice of items: those sharing one value of every dimension not in the figure's axes.
pub(crate) struct Slice<'a, T> {
    /// The items, in their original order.
    pub items: Vec<&'a T>,
    /// The fixed values of the dimensions that vary in the whole data set.
    pub fixed: Vec<(Dim, DimValue)>,
    /// Distinct values of the x dimension in the slice, sorted.
    pub xs: Vec<DimValue>,
}

impl<T> Slice<'_, T> {
    /// `"backend=gmp, k=5"`, or an empty string when nothing needed fixing. The group is left
    /// out where it only restates `group_bits` (`group=schnorr-2048` beside `group_bits=2048`).
    pub fn fixed_text(&self) -> String {
        let bits = self
            .fixed
            .iter()
            .find(|(d, _)| *d == Dim::GroupBits)
            .map(|(_, v)| v.to_string());
        let restated = |d: &Dim, v: &DimValue| {
            *d == Dim::Group && bits.as_ref().is_some_and(|b| v.to_string() == format!("schnorr-{b}"))
        };
        self.fixed
            .iter()
            .filter(|(d, v)| !restated(d, v))
            .map(|(d, v)| format!("{}={}", d.name(), v))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The `backend` of a point whose group does not use one (ristretto255).
pub(crate) const NO_BACKEND: &str = "n/a";

/// The items a comparison across groups can set side by side: those of one backend (the
/// preferred one among the data's, gmp before num) and those whose backend is `n/a`, which
/// the backend does not apply to. Also returns the backend kept, if any point has one. Where
/// the points of a group on both backends stayed, a group comparison would pick one of
/// them at random; a backend comparison leaves the `n/a` points out instead
/// ([`with_backend`]).
pub(crate) fn one_backend<T: HasParams + Clone>(items: &[T]) -> (Vec<T>, Option<String>) {
    let kept = values(items, Dim::Backend)
        .into_iter()
        .map(|v| v.to_string())
        .find(|b| b != NO_BACKEND);
    let keep = |i: &&T| {
        let b = &i.params().backend;
        b == NO_BACKEND || Some(b) == kept.as_ref()
    };
    (items.iter().filter(keep).cloned().collect(), kept)
}

/// The items whose group uses a backend (backend not `n/a`), for comparing backends.
pub(crate) fn with_backend<T: HasParams + Clone>(items: &[T]) -> Vec<T> {
    items
        .iter()
        .filter(|i| i.params().backend != NO_BACKEND)
        .cloned()
        .collect()
}

/// Preference order of named values (earlier is preferred when breaking ties).
fn text_preference(d: Dim) -> &'static [&'static str] {
    match d {
        Dim::Backend => &["gmp", "num", NO_BACKEND],
        Dim::Group => &[
            "schnorr-1024",
            "schnorr-2048",
            "schnorr-3072",
            "schnorr-4096",
            "ristretto255",
        ],
        Dim::Suite => &["rsa", "p256", "x25519"],
        Dim::Provider => &["awslc", "rustcrypto"],
        Dim::Verify => &Mode::NAMES,
        Dim::Net => &["memory"],
        Dim::Func => &["sum"],
        _ => &[],
    }
}

/// Sorts values of one dimension into display order: numbers ascending, names by preference.
pub(crate) fn sort_values(d: Dim, values: &mut [DimValue]) {
    values.sort_by_key(|v| value_order(d, v));
}

fn value_order(d: Dim, v: &DimValue) -> (usize, u64, String) {
    match v {
        DimValue::Num(x) => (0, *x, String::new()),
        DimValue::Text(s) => {
            let pref = text_preference(d);
            (pref.iter().position(|p| p == s).unwrap_or(pref.len()), 0, s.clone())
        }
    }
}

/// Distinct values of `d` among `items`, in display order.
pub(crate) fn values<T: HasParams>(items: &[T], d: Dim) -> Vec<DimValue> {
    let set: BTreeSet<DimValue> = items.iter().map(|i| i.params().get(d)).collect();
    let mut v: Vec<DimValue> = set.into_iter().collect();
    sort_values(d, &mut v);
    v
}

/// Dimensions with more than one value among `items`.
pub(crate) fn varying<T: HasParams>(items: &[T]) -> Vec<Dim> {
    Dim::ALL.into_iter().filter(|d| values(items, *d).len() > 1).collect()
}

/// True when every value of `x` goes with a single value of `d` (e.g. m when m = k).
fn determined_by<T: HasParams>(items: &[T], x: Dim, d: Dim) -> bool {
    let mut map: BTreeMap<DimValue, DimValue> = BTreeMap::new();
    items.iter().all(|i| {
        let p = i.params();
        let dv = p.get(d);
        match map.get(&p.get(x)) {
            Some(v) => *v == dv,
            None => {
                map.insert(p.get(x), dv);
                true
            }
        }
    })
}

/// Score of a group's fixed values: larger numbers and preferred names rank higher, except
/// `dim`, where the smallest (1, the paper's one value per DP) does.
fn preference_key(d: Dim, v: &DimValue) -> (i64, u64) {
    match v {
        DimValue::Num(x) if d == Dim::Dim => (0, u64::MAX - *x),
        DimValue::Num(x) => (0, *x),
        DimValue::Text(_) => {
            let (rank, _, _) = value_order(d, v);
            (-(rank as i64), 0)
        }
    }
}

/// Picks the slice for a figure with horizontal dimension `x` and optional series dimension
/// `series`; `free` lists further dimensions that may vary with `x` (e.g. RSA bits when
/// comparing suites). `None` when `items` is empty.
pub(crate) fn choose<'a, T: HasParams>(
    items: &'a [T],
    x: Dim,
    series: Option<Dim>,
    free: &[Dim],
) -> Option<Slice<'a, T>> {
    if items.is_empty() {
        return None;
    }
    let vary = varying(items);
    let key_dims: Vec<Dim> = Dim::ALL
        .into_iter()
        .filter(|d| *d != x && Some(*d) != series && !free.contains(d))
        .filter(|d| vary.contains(d) && !determined_by(items, x, *d))
        .collect();
    let mut groups: BTreeMap<Vec<DimValue>, Vec<&'a T>> = BTreeMap::new();
    for it in items {
        let key: Vec<DimValue> = key_dims.iter().map(|d| it.params().get(*d)).collect();
        groups.entry(key).or_default().push(it);
    }
    let score = |key: &Vec<DimValue>, g: &Vec<&'a T>| {
        let xs: BTreeSet<DimValue> = g.iter().map(|i| i.params().get(x)).collect();
        let xss: BTreeSet<(DimValue, Option<DimValue>)> = g
            .iter()
            .map(|i| (i.params().get(x), series.map(|s| i.params().get(s))))
            .collect();
        let pref: Vec<(i64, u64)> = key_dims.iter().zip(key).map(|(d, v)| preference_key(*d, v)).collect();
        (xs.len(), xss.len(), g.len(), pref)
    };
    let (key, group) = groups
        .into_iter()
        .max_by(|a, b| score(&a.0, &a.1).cmp(&score(&b.0, &b.1)))?;
    let fixed = key_dims.into_iter().zip(key).collect();
    let mut xs: Vec<DimValue> = group
        .iter()
        .map(|i| i.params().get(x))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    sort_values(x, &mut xs);
    Some(Slice {
        items: group,
        fixed,
        xs,
    })
}
