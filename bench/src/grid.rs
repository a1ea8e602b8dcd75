//! Sweep grids: what to run. A grid is a TOML file (see `bench/grids/`) with defaults at the
//! top level and one or more `[[sweep]]` tables, each a Cartesian product over the axes it
//! lists; command-line overrides replace an axis in every sweep. Expanding a grid yields the
//! distinct valid [`Point`]s plus a note for every invalid or unavailable one, which is
//! skipped rather than crashed on.
//!
//! Axes (all lists): `dps` (n), `cps` (m), `capacity` (k; empty: k = m), `threshold` (an
//! integer, `"k"`, a fraction of k like `"0.5k"` or a percentage like `"50%"`, rounded up and
//! at least 2), `rsa_bits`, `group` (`schnorr-1024` ... `schnorr-4096`, `ristretto255`; a table
//! without it takes the Schnorr groups of `group_bits`), `backend` (`num`, `gmp`; one point for
//! ristretto255, where it does not apply), `verify` (`paper`, `fast`,
//! `batch`), `suite` (`rsa`, `p256`, `x25519`; curve points ignore `rsa_bits`), `provider` (`awslc`,
//! `rustcrypto`; default `awslc`; RSA-1024 is `rustcrypto` only), `net` (`memory`, the default,
//! `sim:PROFILE`, `process`, `netns:PROFILE`: names and profiles are checked here, whether a
//! network can run on this machine only when its point runs, so expanding has no side effects),
//! `dim` (elements per DP input, default `[1]`), `func` (`sum`, the default, `mean`,
//! `histogram:B`, `meanvar`, `vector-sum`, `vector-mean`; a histogram's input is one bucket
//! index, so its points take `dim` 1 whatever the axis lists). A vector point (any function but
//! `sum` and `mean` at `dim` 1) runs in every mode (`vss` with its own commitments) and on every
//! network; one the function's field limit or the message limit refuses is skipped with the
//! reason.
//! Scalars: `reps`, `seed`, `value_bits`, `frac_bits` (fraction bits of `vector-sum` and
//! `vector-mean` inputs, default 0; the other functions take 0), `session_threads`
//! (threads within one session: for a few huge points, instead of points in parallel).

use std::collections::BTreeSet;
use std::str::FromStr;

use dsmpc_core::backend::BackendKind;
use dsmpc_core::group::GroupKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_net::NetSpec;
use dsmpc_roles::SessionConfig;
use dsmpc_roles::error::RolesError;
use dsmpc_roles::func::Func;
use dsmpc_roles::suite::{Provider, SuiteKind};
use serde::Deserialize;

use crate::error::{BenchError, Result};

/// A threshold given absolutely or relative to k.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Threshold {
    /// Exactly t.
    Abs(usize),
    /// `ceil(f * k)`, at least 2.
    OfK(f64),
}

impl Threshold {
    /// The threshold for capacity k.
    pub fn resolve(self, k: usize) -> usize {
        match self {
            Threshold::Abs(t) => t,
            Threshold::OfK(f) => ((f * k as f64).ceil() as usize).max(2),
        }
    }
}

impl FromStr for Threshold {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let s = s.trim();
        let bad = || {
            format!(
                "threshold {s:?}: give an integer, \"k\", a fraction of k like \"0.5k\", or a percentage like \"50%\""
            )
        };
        if s == "k" {
            return Ok(Threshold::OfK(1.0));
        }
        if let Some(f) = s.strip_suffix('k') {
            let f: f64 = f.trim().parse().map_err(|_| bad())?;
            return if f > 0.0 && f <= 1.0 {
                Ok(Threshold::OfK(f))
            } else {
                Err(bad())
            };
        }
        if let Some(p) = s.strip_suffix('%') {
            let p: f64 = p.trim().parse().map_err(|_| bad())?;
            return if p > 0.0 && p <= 100.0 {
                Ok(Threshold::OfK(p / 100.0))
            } else {
                Err(bad())
            };
        }
        s.parse::<usize>().map(Threshold::Abs).map_err(|_| bad())
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum ThresholdSpec {
    Int(usize),
    Text(String),
}

/// One table of axes as written in TOML.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Axes {
    dps: Option<Vec<usize>>,
    cps: Option<Vec<usize>>,
    capacity: Option<Vec<usize>>,
    threshold: Option<Vec<ThresholdSpec>>,
    rsa_bits: Option<Vec<u32>>,
    group_bits: Option<Vec<u32>>,
    group: Option<Vec<String>>,
    backend: Option<Vec<String>>,
    verify: Option<Vec<String>>,
    suite: Option<Vec<String>>,
    provider: Option<Vec<String>>,
    net: Option<Vec<String>>,
    dim: Option<Vec<usize>>,
    func: Option<Vec<String>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GridFile {
    name: Option<String>,
    description: Option<String>,
    reps: Option<usize>,
    seed: Option<u64>,
    value_bits: Option<u32>,
    frac_bits: Option<u32>,
    session_threads: Option<usize>,
    #[serde(flatten)]
    defaults: Axes,
    #[serde(default)]
    sweep: Vec<Axes>,
}

/// Command-line replacements for axes (each replaces the axis in every sweep).
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// n values.
    pub dps: Option<Vec<usize>>,
    /// m values.
    pub cps: Option<Vec<usize>>,
    /// k values.
    pub capacity: Option<Vec<usize>>,
    /// thresholds.
    pub threshold: Option<Vec<Threshold>>,
    /// RSA sizes.
    pub rsa_bits: Option<Vec<u32>>,
    /// group sizes (Schnorr groups).
    pub group_bits: Option<Vec<u32>>,
    /// groups (replaces `group_bits` where given).
    pub group: Option<Vec<GroupKind>>,
    /// backends.
    pub backend: Option<Vec<BackendKind>>,
    /// verification modes.
    pub verify: Option<Vec<VerifyMode>>,
    /// cipher suites.
    pub suite: Option<Vec<SuiteKind>>,
    /// crypto providers.
    pub provider: Option<Vec<Provider>>,
    /// networks.
    pub net: Option<Vec<NetSpec>>,
    /// elements per DP input.
    pub dim: Option<Vec<usize>>,
    /// functions.
    pub func: Option<Vec<Func>>,
    /// fraction bits of `vector-sum` and `vector-mean` inputs.
    pub frac_bits: Option<u32>,
    /// repetitions.
    pub reps: Option<usize>,
    /// seed.
    pub seed: Option<u64>,
    /// threads within each session.
    pub session_threads: Option<usize>,
}

/// One parameter point of a sweep: a session's configuration and the network it runs on.
/// Dereferences to the configuration (`p.n`, `p.backend`, ...).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Point {
    /// The session.
    pub cfg: SessionConfig,
    /// The network.
    pub net: NetSpec,
}

impl std::ops::Deref for Point {
    type Target = SessionConfig;
    fn deref(&self) -> &SessionConfig {
        &self.cfg
    }
}

impl Point {
    /// A point on the in-memory network.
    pub fn memory(cfg: SessionConfig) -> Point {
        Point {
            cfg,
            net: NetSpec::Memory,
        }
    }

    /// Refuses a point that cannot run: the session's configuration
    /// ([`SessionConfig::validate`]). Vector sessions run on every network.
    pub fn validate(&self) -> std::result::Result<(), RolesError> {
        self.cfg.validate()
    }

    /// The session's id ([`SessionConfig::point_id`]), with the network appended unless it is
    /// `memory` (so ids of sweeps before the net axis stay the same): `...-sim-lan`,
    /// `...-process`, `...-netns-lan`.
    pub fn point_id(&self) -> String {
        match &self.net {
            NetSpec::Memory => self.cfg.point_id(),
            net => format!("{}-{}", self.cfg.point_id(), net.to_string().replace(':', "-")),
        }
    }
}

/// An expanded grid.
#[derive(Clone, Debug)]
pub struct Grid {
    /// Its name (preset or file stem).
    pub name: String,
    /// Its description.
    pub description: String,
    /// Repetitions per point.
    pub reps: usize,
    /// Base seed (every point and repetition uses it; repetitions differ only in timing).
    pub seed: u64,
    /// Distinct valid points, in grid order.
    pub points: Vec<Point>,
    /// Why some combinations were skipped.
    pub skipped: Vec<String>,
}

/// DPs per host on the `process` and `netns` networks, and per simulated host on `sim:`.
pub const DPS_PER_HOST: usize = 50;

/// The shipped presets: name, TOML text.
pub const PRESETS: [(&str, &str); 6] = [
    ("quick", include_str!("../grids/quick.toml")),
    ("paper", include_str!("../grids/paper.toml")),
    ("scale", include_str!("../grids/scale.toml")),
    ("net", include_str!("../grids/net.toml")),
    ("groups", include_str!("../grids/groups.toml")),
    ("vectors", include_str!("../grids/vectors.toml")),
];

/// The TOML text of a preset.
pub fn preset(name: &str) -> Result<&'static str> {
    PRESETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            BenchError::Grid(format!(
                "unknown preset {name:?}: choose quick, paper, scale, net, groups or vectors"
            ))
        })
}

fn parse_list<T: FromStr>(xs: &[String], what: &str) -> Result<Vec<T>>
where
    T::Err: std::fmt::Display,
{
    xs.iter()
        .map(|x| x.parse::<T>().map_err(|e| BenchError::Grid(format!("{what}: {e}"))))
        .collect()
}

/// Parse a grid file's text and expand it with the overrides applied: each `[[sweep]]` table
/// (or the file's defaults alone) is a Cartesian product of its axes, in the order
/// `Axes::resolve` and `Resolved::configs` give, networks innermost; a point already listed
/// by an earlier table is not repeated, and an invalid one is listed as skipped.
pub fn expand(text: &str, fallback_name: &str, ov: &Overrides) -> Result<Grid> {
    let file: GridFile = toml::from_str(text).map_err(|e| BenchError::Grid(format!("{fallback_name}: {e}")))?;
    let reps = ov.reps.or(file.reps).unwrap_or(3);
    if reps == 0 {
        return Err(BenchError::Grid("reps must be at least 1".into()));
    }
    let seed = ov.seed.or(file.seed).unwrap_or(1);
    let common = Common {
        seed,
        value_bits: file.value_bits.unwrap_or(32),
        frac_bits: ov.frac_bits.or(file.frac_bits).unwrap_or(0),
        threads: ov.session_threads.or(file.session_threads).unwrap_or(1),
    };
    let tables = if file.sweep.is_empty() {
        vec![Axes::default()]
    } else {
        file.sweep.clone()
    };
    let mut points: Vec<Point> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut skipped = Vec::new();
    for table in &tables {
        let axes = table.resolve(&file.defaults, ov)?;
        for cfg in axes.configs(&common) {
            for net in &axes.nets {
                let p = Point {
                    cfg: cfg.clone(),
                    net: net.clone(),
                };
                let id = p.point_id();
                if !seen.insert(id.clone()) {
                    continue;
                }
                match p.validate() {
                    Ok(()) => points.push(p),
                    Err(e) => skipped.push(format!("{id}: skipped: {e}")),
                }
            }
        }
    }
    Ok(Grid {
        name: file.name.unwrap_or_else(|| fallback_name.to_string()),
        description: file.description.unwrap_or_default(),
        reps,
        seed,
        points,
        skipped,
    })
}

/// What every point of a grid shares.
struct Common {
    seed: u64,
    value_bits: u32,
    /// Fraction bits of `vector-sum` and `vector-mean` points (the other functions take 0).
    frac_bits: u32,
    threads: usize,
}

/// One table's axes with the overrides and the file's defaults applied.
struct Resolved {
    dps: Vec<usize>,
    cps: Vec<usize>,
    /// Empty: k = m.
    capacity: Vec<usize>,
    thresholds: Vec<Threshold>,
    rsa: Vec<u32>,
    groups: Vec<GroupKind>,
    backends: Vec<BackendKind>,
    verifies: Vec<VerifyMode>,
    suites: Vec<SuiteKind>,
    providers: Vec<Provider>,
    funcs: Vec<Func>,
    dims: Vec<usize>,
    nets: Vec<NetSpec>,
}

/// An axis: the override, else the table's, else the file's default, else `fallback`.
fn axis<T: Clone>(ov: &Option<Vec<T>>, table: &Option<Vec<T>>, default: &Option<Vec<T>>, fallback: Vec<T>) -> Vec<T> {
    ov.clone()
        .or_else(|| table.clone())
        .or_else(|| default.clone())
        .unwrap_or(fallback)
}

/// A named axis: the override, else the table's or the file's names (or `fallback`) parsed.
fn named_axis<T: FromStr + Clone>(
    ov: &Option<Vec<T>>,
    table: &Option<Vec<String>>,
    default: &Option<Vec<String>>,
    fallback: &[&str],
    what: &str,
) -> Result<Vec<T>>
where
    T::Err: std::fmt::Display,
{
    match ov {
        Some(v) => Ok(v.clone()),
        None => {
            let fallback = fallback.iter().map(|s| s.to_string()).collect();
            parse_list(&axis(&None, table, default, fallback), what)
        }
    }
}

impl Axes {
    /// The group axis: `group` names (override, table, file default) where given, else the
    /// Schnorr groups of `group_bits`, else schnorr-2048. An override of either replaces both.
    fn groups(&self, d: &Axes, ov: &Overrides) -> Result<Vec<GroupKind>> {
        if let Some(g) = &ov.group {
            return Ok(g.clone());
        }
        if let Some(bits) = &ov.group_bits {
            return Ok(bits.iter().map(|&b| GroupKind::Schnorr(b)).collect());
        }
        match (&self.group, &self.group_bits, &d.group, &d.group_bits) {
            (Some(names), ..) => parse_list(names, "group"),
            (None, Some(bits), ..) => Ok(bits.iter().map(|&b| GroupKind::Schnorr(b)).collect()),
            (None, None, Some(names), _) => parse_list(names, "group"),
            (None, None, None, Some(bits)) => Ok(bits.iter().map(|&b| GroupKind::Schnorr(b)).collect()),
            (None, None, None, None) => Ok(vec![GroupKind::Schnorr(2048)]),
        }
    }

    /// This table's axes, with the overrides `ov` and the file's `defaults` applied.
    fn resolve(&self, defaults: &Axes, ov: &Overrides) -> Result<Resolved> {
        let d = defaults;
        let thresholds = match &ov.threshold {
            Some(t) => t.clone(),
            None => axis(
                &None,
                &self.threshold,
                &d.threshold,
                vec![ThresholdSpec::Text("0.5k".into())],
            )
            .into_iter()
            .map(|s| match s {
                ThresholdSpec::Int(t) => Ok(Threshold::Abs(t)),
                ThresholdSpec::Text(s) => s.parse().map_err(BenchError::Grid),
            })
            .collect::<Result<_>>()?,
        };
        Ok(Resolved {
            dps: axis(&ov.dps, &self.dps, &d.dps, vec![20]),
            cps: axis(&ov.cps, &self.cps, &d.cps, vec![5]),
            capacity: axis(&ov.capacity, &self.capacity, &d.capacity, Vec::new()),
            thresholds,
            rsa: axis(&ov.rsa_bits, &self.rsa_bits, &d.rsa_bits, vec![2048]),
            groups: self.groups(d, ov)?,
            backends: named_axis(&ov.backend, &self.backend, &d.backend, &["num", "gmp"], "backend")?,
            verifies: named_axis(&ov.verify, &self.verify, &d.verify, &["batch"], "verify")?,
            suites: named_axis(&ov.suite, &self.suite, &d.suite, &["rsa"], "suite")?,
            providers: named_axis(
                &ov.provider,
                &self.provider,
                &d.provider,
                &[Provider::default().name()],
                "provider",
            )?,
            funcs: named_axis(&ov.func, &self.func, &d.func, &["sum"], "func")?,
            dims: axis(&ov.dim, &self.dim, &d.dim, vec![1]),
            nets: named_axis(&ov.net, &self.net, &d.net, &["memory"], "net")?,
        })
    }
}

impl Resolved {
    /// Every session configuration of the product, in grid order: n, m, k, t, RSA bits, group
    /// bits, backend, verification mode, suite, provider, then function x dim.
    fn configs(&self, c: &Common) -> Vec<SessionConfig> {
        let mut out = Vec::new();
        for &n in &self.dps {
            for &m in &self.cps {
                let caps = if self.capacity.is_empty() {
                    vec![m]
                } else {
                    self.capacity.clone()
                };
                for &k in &caps {
                    for &th in &self.thresholds {
                        for &r in &self.rsa {
                            for &g in &self.groups {
                                for &b in &self.backends {
                                    for &v in &self.verifies {
                                        for &s in &self.suites {
                                            for &pv in &self.providers {
                                                let base = SessionConfig {
                                                    n,
                                                    m,
                                                    capacity: k,
                                                    t: th.resolve(k.min(m)),
                                                    suite: s,
                                                    provider: pv,
                                                    // RSA bits mean nothing to the curve suites (CSV shows 0).
                                                    rsa_bits: if s == SuiteKind::Rsa { r } else { 0 },
                                                    group: g,
                                                    // The backend means nothing to
                                                    // ristretto255 (CSV shows n/a): one point.
                                                    backend: if g.uses_backend() { b } else { self.backends[0] },
                                                    verify: v,
                                                    seed: Some(c.seed),
                                                    value_bits: c.value_bits,
                                                    func: Func::Sum,
                                                    dim: 1,
                                                    frac_bits: 0,
                                                    freshness_s: 300,
                                                    threads: c.threads,
                                                    faults: Vec::new(),
                                                };
                                                for &f in &self.funcs {
                                                    for &d in &self.dims {
                                                        out.push(SessionConfig {
                                                            func: f,
                                                            // A histogram's input is one bucket
                                                            // index: one point, dim 1.
                                                            dim: if matches!(f, Func::Histogram { .. }) {
                                                                1
                                                            } else {
                                                                d
                                                            },
                                                            frac_bits: if f.is_fixed_point() { c.frac_bits } else { 0 },
                                                            ..base.clone()
                                                        });
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_parse_and_resolve() {
        assert_eq!("3".parse::<Threshold>().unwrap().resolve(10), 3);
        assert_eq!("0.5k".parse::<Threshold>().unwrap().resolve(10), 5);
        assert_eq!("0.5k".parse::<Threshold>().unwrap().resolve(3), 2);
        assert_eq!("50%".parse::<Threshold>().unwrap().resolve(21), 11);
        assert_eq!("k".parse::<Threshold>().unwrap().resolve(7), 7);
        assert!("1.5k".parse::<Threshold>().is_err());
        assert!("many".parse::<Threshold>().is_err());
    }

    #[test]
    fn invalid_points_are_skipped_with_a_reason() {
        let text = "reps = 1\nprovider = [\"rustcrypto\"]\n[[sweep]]\ndps = [10]\ncps = [3]\nthreshold = [2, 4]\nbackend = [\"num\"]\nrsa_bits = [1024]\ngroup_bits = [1024]\n";
        let g = expand(text, "t", &Overrides::default()).unwrap();
        assert_eq!(g.points.len(), 1);
        assert_eq!(g.points[0].t, 2);
        assert_eq!(g.skipped.len(), 1);
        assert!(g.skipped[0].contains("t = 4"), "{:?}", g.skipped);
    }

    #[test]
    fn providers_are_an_axis_and_awslc_skips_rsa_1024() {
        let text = "reps = 1\nbackend = [\"num\"]\nprovider = [\"rustcrypto\", \"awslc\"]\n[[sweep]]\nrsa_bits = [1024, 2048]\n";
        let g = expand(text, "t", &Overrides::default()).unwrap();
        let got: Vec<(u32, Provider)> = g.points.iter().map(|p| (p.rsa_bits, p.provider)).collect();
        assert_eq!(
            got,
            vec![
                (1024, Provider::RustCrypto),
                (2048, Provider::RustCrypto),
                (2048, Provider::AwsLc)
            ]
        );
        assert_eq!(g.skipped.len(), 1, "{:?}", g.skipped);
        assert!(
            g.skipped[0].contains("awslc provider does not support RSA-1024"),
            "{:?}",
            g.skipped
        );
        // Distinct point ids, so the CSV rows of the two providers never merge.
        assert_ne!(g.points[1].point_id(), g.points[2].point_id());
        // Without the axis, points use awslc; the override replaces the axis.
        let g = expand("backend = [\"num\"]\n", "t", &Overrides::default()).unwrap();
        assert!(g.points.iter().all(|p| p.provider == Provider::AwsLc));
        let ov = Overrides {
            provider: Some(vec![Provider::RustCrypto]),
            ..Overrides::default()
        };
        let g = expand(text, "t", &ov).unwrap();
        assert!(g.points.iter().all(|p| p.provider == Provider::RustCrypto));
        assert!(expand("provider = [\"openssl\"]\n", "t", &Overrides::default()).is_err());
    }

    #[test]
    fn overrides_replace_axes_and_duplicates_collapse() {
        let text = "[[sweep]]\ndps = [10, 20]\n[[sweep]]\ndps = [20, 40]\n";
        let ov = Overrides {
            backend: Some(vec![BackendKind::Num]),
            ..Overrides::default()
        };
        let g = expand(text, "t", &ov).unwrap();
        let ns: Vec<usize> = g.points.iter().map(|p| p.n).collect();
        assert_eq!(ns, vec![10, 20, 40]);
        let ov = Overrides {
            dps: Some(vec![7]),
            backend: Some(vec![BackendKind::Num]),
            ..Overrides::default()
        };
        assert_eq!(expand(text, "t", &ov).unwrap().points.len(), 1);
    }

    #[test]
    fn unknown_keys_and_values_are_errors() {
        assert!(expand("dsp = [1]\n", "t", &Overrides::default()).is_err());
        let e = expand("backend = [\"mpir\"]\n", "t", &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("mpir"), "{e}");
    }

    #[test]
    fn nets_are_an_axis_with_checked_names() {
        let text = "reps = 1\nbackend = [\"num\"]\nnet = [\"memory\", \"sim:lan\", \"process\", \"netns:lte\"]\n";
        let g = expand(text, "t", &Overrides::default()).unwrap();
        let nets: Vec<String> = g.points.iter().map(|p| p.net.to_string()).collect();
        assert_eq!(nets, ["memory", "sim:lan", "process", "netns:lte"]);
        let ids: Vec<String> = g.points.iter().map(|p| p.point_id()).collect();
        assert_eq!(ids[0], g.points[0].cfg.point_id(), "memory keeps the old id");
        assert!(ids[1].ends_with("-sim-lan") && ids[2].ends_with("-process") && ids[3].ends_with("-netns-lte"));
        // Without the axis: memory only; the override replaces it.
        let g = expand("backend = [\"num\"]\n", "t", &Overrides::default()).unwrap();
        assert!(g.points.iter().all(|p| p.net == NetSpec::Memory));
        let ov = Overrides {
            net: Some(vec![NetSpec::Sim("wan".into())]),
            ..Overrides::default()
        };
        let g = expand(text, "t", &ov).unwrap();
        assert!(g.points.iter().all(|p| p.net == NetSpec::Sim("wan".into())));
        // Bad names fail with the valid ones listed.
        for bad in ["sim:moon", "tcp", "netns:", "sim"] {
            let e = expand(&format!("net = [\"{bad}\"]\n"), "t", &Overrides::default())
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("net:") && e.contains("sim:lan") && e.contains("netns:dsrc"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn dims_and_functions_are_axes() {
        let text = "reps = 1\nbackend = [\"num\"]\nsuite = [\"x25519\"]\ngroup = [\"ristretto255\"]\n\
                    dim = [1, 10, 100]\nfunc = [\"sum\", \"mean\", \"vector-sum\"]\n";
        let g = expand(text, "t", &Overrides::default()).unwrap();
        // func x dim, dim innermost; every point distinct.
        let got: Vec<(String, usize)> = g.points.iter().map(|p| (p.func.to_string(), p.dim)).collect();
        let want: Vec<(String, usize)> = ["sum", "mean", "vector-sum"]
            .iter()
            .flat_map(|f| [1, 10, 100].map(|d| (f.to_string(), d)))
            .collect();
        assert_eq!(got, want);
        assert!(g.skipped.is_empty(), "{:?}", g.skipped);
        let ids: BTreeSet<String> = g.points.iter().map(|p| p.point_id()).collect();
        assert_eq!(ids.len(), 9);
        assert_eq!(g.points[0].point_id(), g.points[0].cfg.point_id());
        assert!(
            g.points[1].point_id().ends_with("-sum-d10"),
            "{}",
            g.points[1].point_id()
        );
        // Without the axes: sum at dim 1 (the paper's session, with its old id).
        let g = expand("backend = [\"num\"]\n", "t", &Overrides::default()).unwrap();
        assert!(
            g.points
                .iter()
                .all(|p| p.func == Func::Sum && p.dim == 1 && !p.is_vector())
        );
        // The overrides replace them; frac_bits goes to the fixed-point functions only.
        let ov = Overrides {
            dim: Some(vec![5]),
            func: Some(vec![
                "histogram:4".parse().unwrap(),
                "vector-mean".parse().unwrap(),
                Func::Mean,
            ]),
            frac_bits: Some(8),
            ..Overrides::default()
        };
        let g = expand(text, "t", &ov).unwrap();
        let got: Vec<(String, usize, u32)> = g
            .points
            .iter()
            .map(|p| (p.func.to_string(), p.dim, p.frac_bits))
            .collect();
        // A histogram's input is one bucket index: dim 1 whatever the axis says.
        assert_eq!(
            got,
            [("histogram:4", 1, 0), ("vector-mean", 5, 8), ("mean", 5, 0)].map(|(f, d, b)| (f.to_string(), d, b))
        );
        let e = expand("func = [\"median\"]\n", "t", &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("median"), "{e}");
    }

    #[test]
    fn invalid_vector_points_are_skipped_with_a_reason() {
        // meanvar at 32 bits overflows; vectors run on networks of processes too.
        let text = "reps = 1\nbackend = [\"num\"]\nsuite = [\"x25519\"]\ngroup = [\"ristretto255\"]\n\
                    verify = [\"batch\"]\nnet = [\"memory\", \"process\"]\ndim = [1, 10]\n\
                    func = [\"sum\", \"meanvar\"]\n";
        let g = expand(text, "t", &Overrides::default()).unwrap();
        let ok: Vec<String> = g.points.iter().map(|p| p.point_id()).collect();
        // sum at d = 1 and d = 10, each on both networks.
        assert_eq!(ok.len(), 4, "{ok:?}");
        assert!(ok.iter().all(|id| !id.contains("meanvar")), "{ok:?}");
        for id in ["-sum-d10", "-sum-d10-process", "-batch-awslc", "-batch-awslc-process"] {
            assert_eq!(ok.iter().filter(|x| x.ends_with(id)).count(), 1, "{id}: {ok:?}");
        }
        assert!(
            g.skipped
                .iter()
                .all(|s| s.contains("meanvar") && s.contains("could exceed the field")),
            "{:?}",
            g.skipped
        );
        // Every combination is either a point or a skipped one.
        assert_eq!(ok.len() + g.skipped.len(), 2 * 2 * 2);
    }

    #[test]
    fn presets_expand() {
        // With the num backend forced, so the test does not depend on the gmp feature.
        let ov = Overrides {
            backend: Some(vec![BackendKind::Num]),
            ..Overrides::default()
        };
        for (name, text) in PRESETS {
            let g = expand(text, name, &ov).unwrap();
            assert!(!g.points.is_empty(), "{name}");
            assert!(g.skipped.is_empty(), "{name}: {:?}", g.skipped);
        }
    }
}
