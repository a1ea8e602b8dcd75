//! End-to-end sweeps on a tiny grid: the files and columns written, deterministic bytes,
//! invalid points skipped with a reason, an existing folder refused, and resume running only
//! the missing points after a simulated interruption.

#[macro_use]
mod common;

use std::path::PathBuf;

use dsmpc_bench::grid::{self, Overrides};
use dsmpc_bench::sweep::{self, SweepOptions};

const GRID: &str = tiny_grid!(
    r#"
name = "tiny"
reps = 2
seed = 5
"#,
    r#"[[sweep]]
dps = [3, 5]
threshold = [2, 4]
"#
);

fn opts(out: PathBuf, resume: bool) -> SweepOptions {
    SweepOptions {
        out,
        jobs: 2,
        resume,
        quick_calibration: true,
        progress: false,
        command_line: "test".into(),
        preset: "tiny".into(),
        shard: None,
    }
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dsmpc-sweep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// (op, unit_s) of every row of a units.csv, by header name.
fn unit_costs(path: &std::path::Path) -> Vec<(String, f64)> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| {
        h.iter()
            .position(|x| x == name)
            .unwrap_or_else(|| panic!("units.csv lacks column {name}"))
    };
    let (op, unit) = (col("op"), col("unit_s"));
    r.records()
        .map(|x| x.unwrap())
        .map(|x| (x[op].to_string(), x[unit].parse().unwrap()))
        .collect()
}

fn rows(path: &std::path::Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect()
}

#[test]
fn tiny_sweep_writes_every_file() {
    let g = grid::expand(GRID, "tiny", &Overrides::default()).unwrap();
    assert_eq!(g.points.len(), 2, "t = 4 > 3 CPs is skipped");
    assert_eq!(g.skipped.len(), 2);
    let out = tmp("files");
    let s = sweep::run(&g, &opts(out.clone(), false)).unwrap();
    assert_eq!((s.ran, s.failed.len()), (2, 0));
    let phases = rows(&out.join("phases.csv"));
    assert_eq!(phases.len(), 2 * 2 * 7, "points x reps x phases");
    let header = csv::Reader::from_path(out.join("phases.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    for col in [
        "point",
        "rep",
        "phase",
        "work_cpu_s",
        "max_cpu_s",
        "bound_s",
        "overhead",
        "modexp_var",
        "sig_verify",
        "dp_sign",
        "dp_sig_verify",
        "f64_draw",
        "aead_byte",
        "zq_mul",
        "git_rev",
        "host_cpu",
        "cores",
    ] {
        assert!(header.iter().any(|h| h == col), "phases.csv lacks {col}");
    }
    let messages = rows(&out.join("messages.csv"));
    assert_eq!(messages.len(), 2 * 6, "points x message kinds");
    let units = unit_costs(&out.join("units.csv"));
    assert_eq!(
        units.len(),
        dsmpc_core::counters::Op::COUNT,
        "one calibration: every operation kind, the per-element ones of vectors included"
    );
    for op in [
        "dp_sign",
        "dp_sig_verify",
        "f64_draw",
        "f64_madd",
        "aead_byte",
        "zq_draw",
        "zq_mul",
    ] {
        let u = units
            .iter()
            .find(|u| u.0 == op)
            .unwrap_or_else(|| panic!("units.csv lacks {op}"));
        assert!(u.1 > 0.0, "{op} not calibrated");
    }
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("meta.json")).unwrap()).unwrap();
    assert!(meta["calibration_s"].as_f64().unwrap() > 0.0);
    assert!(meta["finished"].is_string());
    assert_eq!(meta["seed"], 5);
    assert_eq!(meta["notes"].as_array().unwrap().len(), 2);
    // Bounds are positive and overheads near 1 for the expensive phases.
    let idx = |name: &str| header.iter().position(|h| h == name).unwrap();
    for r in &phases {
        assert!(r[idx("bound_s")].parse::<f64>().unwrap() > 0.0);
    }
    // Starting again into the same folder is refused.
    let err = sweep::run(&g, &opts(out.clone(), false)).unwrap_err().to_string();
    assert!(err.contains("--resume"), "{err}");
}

#[test]
fn resume_runs_only_missing_points_and_drops_partial_rows() {
    let g = grid::expand(GRID, "tiny", &Overrides::default()).unwrap();
    let out = tmp("resume");
    sweep::run(&g, &opts(out.clone(), false)).unwrap();
    // Simulate an interruption: the second point lost its messages rows and half a phase row.
    let keep = &g.points[0].point_id();
    let m = std::fs::read_to_string(out.join("messages.csv")).unwrap();
    let kept: Vec<&str> = m
        .lines()
        .filter(|l| l.starts_with("point,") || l.starts_with(keep.as_str()))
        .collect();
    std::fs::write(out.join("messages.csv"), kept.join("\n") + "\n").unwrap();
    let mut p = std::fs::read_to_string(out.join("phases.csv")).unwrap();
    p.push_str("n5-m3-k3-t2-rsa1024-g1024-num-batch,0,num,rsa");
    std::fs::write(out.join("phases.csv"), p).unwrap();
    let s = sweep::run(&g, &opts(out.clone(), true)).unwrap();
    assert_eq!((s.ran, s.resumed), (1, 1));
    assert_eq!(rows(&out.join("phases.csv")).len(), 2 * 2 * 7);
    assert_eq!(rows(&out.join("messages.csv")).len(), 2 * 6);
    // Nothing left to do: a second resume runs nothing.
    let s = sweep::run(&g, &opts(out, true)).unwrap();
    assert_eq!((s.ran, s.resumed), (0, 2));
}

/// Resuming with another grid (as `--resume DIR` without the options the sweep was started
/// with runs the default preset) is refused, names both grids and says how it was started; the
/// folder's rows are left as they were. The same grid with one more value on an axis resumes.
#[test]
fn resume_refuses_another_grid_and_loses_nothing() {
    let g = grid::expand(GRID, "tiny", &Overrides::default()).unwrap();
    let out = tmp("resume-other");
    sweep::run(&g, &opts(out.clone(), false)).unwrap();
    let before = std::fs::read_to_string(out.join("phases.csv")).unwrap();
    let other = grid::expand(
        &GRID.replace("name = \"tiny\"", "name = \"other\""),
        "other",
        &Overrides::default(),
    )
    .unwrap();
    let e = sweep::run(&other, &opts(out.clone(), true)).unwrap_err().to_string();
    assert!(
        e.contains("\"tiny\"") && e.contains("\"other\"") && e.contains("`test`"),
        "{e}"
    );
    let fewer = grid::expand(
        &GRID.replace("dps = [3, 5]", "dps = [3]"),
        "tiny",
        &Overrides::default(),
    )
    .unwrap();
    let e = sweep::run(&fewer, &opts(out.clone(), true)).unwrap_err().to_string();
    assert!(e.contains("which this run's grid does not have"), "{e}");
    let reseeded = grid::expand(&GRID.replace("seed = 5", "seed = 6"), "tiny", &Overrides::default()).unwrap();
    let e = sweep::run(&reseeded, &opts(out.clone(), true)).unwrap_err().to_string();
    assert!(e.contains("seed 5") && e.contains("seed 6"), "{e}");
    assert_eq!(std::fs::read_to_string(out.join("phases.csv")).unwrap(), before);
    let more = grid::expand(
        &GRID.replace("dps = [3, 5]", "dps = [3, 5, 4]"),
        "tiny",
        &Overrides::default(),
    )
    .unwrap();
    let s = sweep::run(&more, &opts(out, true)).unwrap();
    assert_eq!((s.ran, s.resumed), (1, 2), "only the new n = 4 point runs");
}

/// `vss` counts one `dp_sign` per DP (while dealing) and n(k+1) `dp_sig_verify` (every CP
/// checks every relayed commitments message, the Edge each DP's once), and prices them with
/// the calibrated ECDSA P-256 unit costs, also under the RSA suite.
#[test]
fn vss_counts_and_prices_dp_signatures() {
    const VSS: &str = tiny_grid!(
        r#"
name = "tiny-vss"
reps = 1
seed = 9
verify = ["vss"]
"#,
        r#"[[sweep]]
dps = [4]
threshold = [2]
"#
    );
    let g = grid::expand(VSS, "tiny-vss", &Overrides::default()).unwrap();
    assert_eq!(g.points.len(), 1);
    let out = tmp("vss");
    let s = sweep::run(&g, &opts(out.clone(), false)).unwrap();
    assert_eq!((s.ran, s.failed.len()), (1, 0), "{:?}", s.failed);
    let mut r = csv::Reader::from_path(out.join("phases.csv")).unwrap();
    let header = r.headers().unwrap().clone();
    let idx = |name: &str| header.iter().position(|h| h == name).unwrap();
    let units = unit_costs(&out.join("units.csv"));
    let unit = |op: &str| -> f64 { units.iter().find(|u| u.0 == op).unwrap().1 };
    let (mut signs, mut verifies) = (std::collections::BTreeMap::new(), std::collections::BTreeMap::new());
    for row in r.records().map(|x| x.unwrap()) {
        let phase = row[idx("phase")].to_string();
        let c = |name: &str| row[idx(name)].parse::<u64>().unwrap();
        let (ds, dv) = (c("dp_sign"), c("dp_sig_verify"));
        if ds + dv > 0 {
            // the bound covers the DP signatures at their own unit costs
            let bound: f64 = row[idx("bound_s")].parse().unwrap();
            assert!(bound >= ds as f64 * unit("dp_sign") + dv as f64 * unit("dp_sig_verify") - 1e-12);
        }
        signs.insert(phase.clone(), ds);
        verifies.insert(phase, dv);
    }
    let (n, k) = (4u64, 3u64);
    assert_eq!(signs["share_encrypt_pvss_attach"], n);
    assert_eq!(signs.values().sum::<u64>(), n);
    assert_eq!(verifies["cp_decrypt_pvss_verify_local_compute"], n * k);
    assert_eq!(verifies["dp_set_agreement"], n);
    assert_eq!(verifies.values().sum::<u64>(), n * (k + 1));
}

/// A folder written before `dp_sign` and `dp_sig_verify` existed is not resumed (its rows
/// would have fewer columns than the new ones), and nothing in it is rewritten.
#[test]
fn resume_refuses_an_older_schema() {
    let g = grid::expand(GRID, "tiny", &Overrides::default()).unwrap();
    let out = tmp("old-schema");
    std::fs::create_dir_all(&out).unwrap();
    let old = "point,rep,backend,suite,verify,n,m,k,t,rsa_bits,group_bits,value_bits,seed,phase,instances,\
               work_cpu_s,work_wall_s,max_cpu_s,max_wall_s,bound_s,overhead,modexp_var,modexp_fixed,modexp_secret,\
               multiexp_term,jacobi,enc,dec,sign,sig_verify,jobs,crate_version,git_rev,host_cpu,cores\n";
    std::fs::write(out.join("phases.csv"), old).unwrap();
    std::fs::write(out.join("messages.csv"), "point\n").unwrap();
    let err = sweep::run(&g, &opts(out.clone(), true)).unwrap_err().to_string();
    assert!(
        err.contains("cannot be resumed") && err.contains("dp_sign, dp_sig_verify"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(out.join("phases.csv")).unwrap(), old);
}

/// ristretto255 beside schnorr-1024: its rows say `backend = n/a`, `group = ristretto255`,
/// `group_bits = 0` (phases and units), the Schnorr point's `group = schnorr-1024`.
#[test]
fn ristretto255_points_write_the_group_and_backend_na() {
    const GROUPS: &str = tiny_grid!(
        r#"
name = "tiny-groups"
reps = 1
seed = 3
"#,
        r#"[[sweep]]
dps = [3]
threshold = [2]
group = ["schnorr-1024", "ristretto255"]
"#
    );
    let g = grid::expand(GROUPS, "tiny-groups", &Overrides::default()).unwrap();
    assert_eq!(g.points.len(), 2);
    let out = tmp("groups");
    let s = sweep::run(&g, &opts(out.clone(), false)).unwrap();
    assert_eq!((s.ran, s.failed.len()), (2, 0), "{:?}", s.failed);
    for file in ["phases.csv", "units.csv"] {
        let mut r = csv::Reader::from_path(out.join(file)).unwrap();
        let h = r.headers().unwrap().clone();
        let idx = |name: &str| {
            h.iter()
                .position(|x| x == name)
                .unwrap_or_else(|| panic!("{file} lacks {name}"))
        };
        let mut seen = std::collections::BTreeSet::new();
        for row in r.records().map(|x| x.unwrap()) {
            let (backend, group, bits) = (&row[idx("backend")], &row[idx("group")], &row[idx("group_bits")]);
            seen.insert((backend.to_string(), group.to_string(), bits.to_string()));
        }
        let want: std::collections::BTreeSet<(String, String, String)> =
            [("n/a", "ristretto255", "0"), ("num", "schnorr-1024", "1024")]
                .iter()
                .map(|&(a, b, c)| (a.into(), b.into(), c.into()))
                .collect();
        assert_eq!(seen, want, "{file}");
    }
}
