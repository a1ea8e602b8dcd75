//! Sharded sweeps and their merge on a tiny grid: split 1, 3 and 4 ways and merged, a sweep
//! gives the same points, bytes and operation counts, in the same order, as one unsharded
//! run of the same grid and seed; shards never overlap or miss a point; a merge refuses shards
//! of another seed or revision, a missing, unfinished or failed shard (naming it), and with
//! `allow_partial` merges the rest and lists what is missing; shards left empty (more shards
//! than points) merge too. Also the command-line errors
//! (exit status 2) of `dsmpc-sweep --shard` and `dsmpc-merge`.

#[macro_use]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use dsmpc_bench::grid::{self, Grid, Overrides};
use dsmpc_bench::merge::{self, MergeOptions};
use dsmpc_bench::shard::{self, Shard};
use dsmpc_bench::sweep::{self, ShardRun, SweepOptions};

/// 12 points of unequal cost (n, t and the verification mode vary), 2 repetitions.
const GRID: &str = tiny_grid!(
    r#"
name = "tiny-shards"
reps = 2
seed = 5
"#,
    r#"[[sweep]]
dps = [3, 4, 6]
threshold = [2, 3]
verify = ["batch", "fast"]
"#
);

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dsmpc-shard-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn opts(out: PathBuf, shard: Option<ShardRun>) -> SweepOptions {
    SweepOptions {
        out,
        jobs: 2,
        resume: false,
        quick_calibration: true,
        progress: false,
        command_line: "test".into(),
        preset: "tiny-shards".into(),
        shard,
    }
}

fn ids(g: &Grid) -> Vec<String> {
    g.points.iter().map(|p| p.point_id()).collect()
}

/// Run shard `s` of `g` into `dir/shard-I-of-N` as `dsmpc-sweep --shard I/N --out dir` does.
fn run_shard(g: &Grid, dir: &Path, s: Shard, resume: bool) -> dsmpc_bench::Result<sweep::SweepSummary> {
    let part = shard::select(g, s);
    let mut o = opts(
        dir.join(s.folder()),
        Some(ShardRun {
            shard: s,
            grid_points: ids(g),
        }),
    );
    o.resume = resume;
    sweep::run(&part, &o)
}

fn meta(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The deterministic columns of phases.csv (everything but times, bounds and host facts).
fn deterministic_phases(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    // The deterministic columns (no times, no host facts), by their schema names.
    let keep: Vec<usize> = ["point", "rep"]
        .into_iter()
        .chain(dsmpc_schema::PARAM_COLUMNS.into_iter().filter(|c| *c != "provider"))
        .chain(["phase", "instances"])
        .chain(dsmpc_schema::OP_COLUMNS[..9].iter().copied())
        .chain(["crate_version", "git_rev"])
        .map(|c| h.iter().position(|x| x == c).unwrap())
        .collect();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            keep.iter().map(|&i| x[i].to_string()).collect()
        })
        .collect()
}

#[test]
fn sharded_and_merged_equals_unsharded() {
    let g = grid::expand(GRID, "tiny-shards", &Overrides::default()).unwrap();
    assert_eq!(g.points.len(), 12);
    let whole = tmp("whole");
    let mut o = opts(whole.clone(), None);
    o.jobs = 1; // grid order, the order a merge reproduces
    let s = sweep::run(&g, &o).unwrap();
    assert_eq!((s.ran, s.failed.len()), (12, 0));
    let want_messages = std::fs::read(whole.join("messages.csv")).unwrap();
    let want_phases = deterministic_phases(&whole.join("phases.csv"));
    assert_eq!(want_phases.len(), 12 * 2 * 7);

    for n in [1, 3, 4] {
        let dir = tmp(&format!("split{n}"));
        let mut seen: Vec<String> = Vec::new();
        for i in 1..=n {
            let s = Shard::new(i, n).unwrap();
            let sum = run_shard(&g, &dir, s, false).unwrap();
            assert!(sum.failed.is_empty());
            let m = meta(&dir.join(s.folder()).join("meta.json"));
            assert_eq!(m["shard"]["index"], i);
            assert_eq!(m["shard"]["count"], n);
            assert!(m["host"].as_str().is_some_and(|h| !h.is_empty()));
            assert!(m["started"].is_string() && m["finished"].is_string());
            let pts: Vec<String> = m["shard"]["points"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            assert!(!pts.is_empty(), "12 points over {n} shards leave none empty");
            seen.extend(pts);
        }
        // Never overlap, never miss a point.
        let total = seen.len();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), total, "split {n}: shards overlap");
        let mut all = ids(&g);
        all.sort();
        assert_eq!(seen, all, "split {n}: shards miss points");

        let sum = merge::merge(&dir, &MergeOptions::default()).unwrap();
        assert_eq!((sum.points, sum.grid_points, sum.shards), (12, 12, n));
        assert!(sum.missing_points.is_empty() && sum.problems.is_empty());
        assert_eq!(
            std::fs::read(dir.join("messages.csv")).unwrap(),
            want_messages,
            "split {n}: messages.csv differs from the unsharded run's"
        );
        assert_eq!(
            deterministic_phases(&dir.join("phases.csv")),
            want_phases,
            "split {n}: points, order or operation counts differ"
        );
        let m = meta(&dir.join("meta.json"));
        assert_eq!(m["shards"].as_array().unwrap().len(), n);
        assert!(m["shards"].as_array().unwrap().iter().all(|s| s["host"].is_string()));
        assert_eq!(m["seed"], 5);
        assert_eq!(m["grid"]["points"], 12);
        assert!(m["merged"]["missing_points"].as_array().unwrap().is_empty());
        assert!(m["calibration_s"].as_f64().unwrap() > 0.0);
        // units.csv holds each configuration's units once (one configuration here): one row per op.
        let units = csv::Reader::from_path(dir.join("units.csv")).unwrap().records().count();
        assert_eq!(units, dsmpc_core::counters::Op::ALL.len());
        // Merging again replaces the merge.
        merge::merge(&dir, &MergeOptions::default()).unwrap();
    }
}

/// A 4-point grid split in two, for the refusals.
const SMALL: &str = tiny_grid!(
    r#"
name = "tiny-refusals"
reps = 1
seed = 5
"#,
    r#"[[sweep]]
dps = [3, 4]
threshold = [2, 3]
"#
);

fn split_two(name: &str, seeds: [u64; 2]) -> (PathBuf, Grid) {
    let dir = tmp(name);
    let mut g0 = None;
    for (i, seed) in seeds.into_iter().enumerate() {
        let ov = Overrides {
            seed: Some(seed),
            ..Overrides::default()
        };
        let g = grid::expand(SMALL, "tiny-refusals", &ov).unwrap();
        run_shard(&g, &dir, Shard::new(i + 1, 2).unwrap(), false).unwrap();
        g0.get_or_insert(g);
    }
    (dir, g0.unwrap())
}

fn merge_err(dir: &Path) -> String {
    merge::merge(dir, &MergeOptions::default()).unwrap_err().to_string()
}

#[test]
fn merge_refuses_mismatched_missing_or_unfinished_shards() {
    // Another seed.
    let (dir, _) = split_two("seed", [5, 6]);
    let e = merge_err(&dir);
    assert!(e.contains("shard 2/2 differs") && e.contains("seed 6"), "{e}");
    assert!(!dir.join("phases.csv").exists(), "nothing written on refusal");

    // Another revision.
    let (dir, g) = split_two("rev", [5, 5]);
    merge::merge(&dir, &MergeOptions::default()).unwrap();
    let mpath = dir.join("shard-2-of-2/meta.json");
    let mut m = meta(&mpath);
    let rev = m["git_rev"].as_str().unwrap().to_string();
    m["git_rev"] = "0000000".into();
    std::fs::write(&mpath, m.to_string()).unwrap();
    let e = merge_err(&dir);
    assert!(e.contains("git revision 0000000") && e.contains(&rev), "{e}");

    // Unfinished (still running or killed).
    m["git_rev"] = rev.into();
    m["finished"] = serde_json::Value::Null;
    std::fs::write(&mpath, m.to_string()).unwrap();
    let e = merge_err(&dir);
    assert!(e.contains("shard 2/2 did not finish"), "{e}");

    // Missing, then merged partially.
    std::fs::remove_dir_all(dir.join("shard-2-of-2")).unwrap();
    let e = merge_err(&dir);
    assert!(
        e.contains("shard 2/2 is missing") && e.contains("--allow-partial"),
        "{e}"
    );
    let partial = MergeOptions {
        allow_partial: true,
        ..MergeOptions::default()
    };
    let s = merge::merge(&dir, &partial).unwrap();
    let mine = shard::select(&g, Shard::new(1, 2).unwrap()).points.len();
    assert_eq!(s.points, mine);
    assert_eq!(s.missing_points.len(), 4 - mine);
    assert!(
        s.missing_points.iter().all(|p| p.contains("shard 2/2 is missing")),
        "{:?}",
        s.missing_points
    );
    let m = meta(&dir.join("meta.json"));
    let notes: Vec<&str> = m["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(notes.iter().filter(|n| n.starts_with("missing: ")).count(), 4 - mine);

    // Shards of different splits in one folder.
    run_shard(&g, &dir, Shard::new(1, 3).unwrap(), false).unwrap();
    let e = merge_err(&dir);
    assert!(e.contains("different splits"), "{e}");

    // Nothing to merge.
    let empty = tmp("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert!(merge_err(&empty).contains("no shard folders"));
}

#[test]
fn more_shards_than_points_leaves_some_empty_and_merges() {
    let g = grid::expand(SMALL, "tiny-refusals", &Overrides::default()).unwrap();
    let dir = tmp("empty-shards");
    let mut empty = 0;
    for i in 1..=6 {
        let s = Shard::new(i, 6).unwrap();
        if shard::select(&g, s).points.is_empty() {
            empty += 1;
        }
        run_shard(&g, &dir, s, false).unwrap();
    }
    assert_eq!(empty, 2, "4 points over 6 shards");
    let s = merge::merge(&dir, &MergeOptions::default()).unwrap();
    assert_eq!((s.points, s.grid_points), (4, 4));
    let rows = csv::Reader::from_path(dir.join("messages.csv"))
        .unwrap()
        .records()
        .count();
    assert!(rows >= 4 * 6, "{rows} message rows");
}

#[test]
fn a_shard_resumes_but_not_with_another_grid() {
    let g = grid::expand(SMALL, "tiny-refusals", &Overrides::default()).unwrap();
    let dir = tmp("resume");
    let s = Shard::new(2, 2).unwrap();
    // --resume starts a shard that has not started, then finishes nothing twice.
    let first = run_shard(&g, &dir, s, true).unwrap();
    assert!(first.ran > 0);
    let again = run_shard(&g, &dir, s, true).unwrap();
    assert_eq!((again.ran, again.resumed), (0, first.ran));
    // Starting it anew is refused with the right hint.
    let e = run_shard(&g, &dir, s, false).unwrap_err().to_string();
    assert!(e.contains("--shard 2/2"), "{e}");
    // Another seed, or another split, is refused on resume.
    let other = grid::expand(
        SMALL,
        "tiny-refusals",
        &Overrides {
            seed: Some(9),
            ..Overrides::default()
        },
    )
    .unwrap();
    let e = run_shard(&other, &dir, s, true).unwrap_err().to_string();
    assert!(e.contains("seed"), "{e}");
    let three = grid::expand(
        SMALL,
        "tiny-refusals",
        &Overrides {
            dps: Some(vec![3, 4, 5]),
            ..Overrides::default()
        },
    )
    .unwrap();
    let e = run_shard(&three, &dir, s, true).unwrap_err().to_string();
    assert!(e.contains("another grid"), "{e}");
}

#[test]
fn command_line_errors_exit_2_with_a_reason() {
    let sweep = env!("CARGO_BIN_EXE_dsmpc-sweep");
    let merge = env!("CARGO_BIN_EXE_dsmpc-merge");
    let run = |bin: &str, args: &[&str]| {
        let o = Command::new(bin)
            .args(args)
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("JOB_COMPLETION_INDEX")
            .output()
            .unwrap();
        (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    let (code, err) = run(sweep, &["--shard", "5/4", "--dry-run"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("between 1 and 4"), "{err}");
    let (code, err) = run(sweep, &["--shard", "1/2", "--backend", "num", "--reps", "1"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--out"), "{err}");
    let (code, err) = run(sweep, &["--shard", "auto", "--dry-run"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("SLURM_ARRAY_TASK_ID"), "{err}");
    let (code, out) = {
        let o = Command::new(sweep)
            .args(["--shard", "2/3", "--dry-run", "--backend", "num"])
            .output()
            .unwrap();
        (o.status.code(), String::from_utf8_lossy(&o.stdout).into_owned())
    };
    assert_eq!(code, Some(0));
    assert!(out.contains("shard 2/3:"), "{out}");
    let missing = tmp("cli-missing");
    let (code, err) = run(merge, &[missing.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("cli-missing"), "{err}");
}
