//! The first step of a merge: find the shard folders of a sweep folder, read each one's
//! `meta.json`, and check that they are the shards of one sweep (same split, grid, seed,
//! repetitions, crate version and git revision; disjoint points that cover the grid) and
//! whether each finished without failed points.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use dsmpc_schema::files::META;
use dsmpc_schema::{Meta, json_text};

use crate::error::{BenchError, Result, io};
use crate::shard::Shard;

/// One shard folder with its `meta.json`.
pub(super) struct Found {
    pub shard: Shard,
    pub dir: PathBuf,
    pub meta: Meta,
}

/// The shards of one sweep, checked.
pub(super) struct Checked {
    /// N.
    pub count: usize,
    /// The shards that started (have a `meta.json`), in shard order; the first is the reference
    /// whose description of the sweep the merge keeps.
    pub started: Vec<Found>,
    /// Shards that are missing or never started.
    pub unusable: BTreeSet<usize>,
    /// Every point of the grid, in grid order.
    pub grid_points: Vec<String>,
    /// Point -> the shard it belongs to.
    pub owner: HashMap<String, usize>,
    /// What is wrong with shards (missing, not started, unfinished, failed points).
    pub problems: Vec<String>,
}

impl Checked {
    /// The reference shard's `meta.json`.
    pub fn reference(&self) -> &Meta {
        &self.started[0].meta
    }
}

/// The shard folders `shard-I-of-N/` in `dir`, all of one split, in shard order, each with its
/// `meta.json` if it has one.
pub(super) fn find(dir: &Path) -> Result<Vec<(Shard, PathBuf)>> {
    let entries = std::fs::read_dir(dir).map_err(io(dir))?;
    let mut found: Vec<(Shard, PathBuf)> = Vec::new();
    let mut bad_names = Vec::new();
    for e in entries {
        let e = e.map_err(io(dir))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if !e.path().is_dir() || !name.starts_with("shard-") {
            continue;
        }
        match Shard::from_folder(&name) {
            Some(shard) => found.push((shard, e.path())),
            None => bad_names.push(name),
        }
    }
    if !bad_names.is_empty() {
        return Err(BenchError::Shards(format!(
            "{}: folders {} are not shard folders (shard-I-of-N with 1 <= I <= N)",
            dir.display(),
            bad_names.join(", ")
        )));
    }
    if found.is_empty() {
        return Err(BenchError::Shards(format!(
            "{} holds no shard folders (shard-I-of-N/): run the shards with `dsmpc-sweep --shard I/N --out {}` first",
            dir.display(),
            dir.display()
        )));
    }
    found.sort_by_key(|(s, _)| (s.count, s.index));
    let counts: BTreeSet<usize> = found.iter().map(|(s, _)| s.count).collect();
    if counts.len() > 1 {
        let names: Vec<String> = found.iter().map(|(s, _)| s.folder()).collect();
        return Err(BenchError::Shards(format!(
            "{} mixes shards of different splits ({}): a sweep folder holds the shards of one --shard I/N split; move the others away",
            dir.display(),
            names.join(", ")
        )));
    }
    Ok(found)
}

/// Reads the shards' `meta.json` and checks them (see the module header). Missing, unstarted,
/// unfinished or failed shards are an error unless `allow_partial`; shards of different
/// sweeps always are.
pub(super) fn check(dir: &Path, found: Vec<(Shard, PathBuf)>, allow_partial: bool) -> Result<Checked> {
    let count = found[0].0.count;
    let (started, mut problems, unusable) = read_metas(dir, found, count)?;
    if started.is_empty() {
        return Err(BenchError::Shards(format!(
            "{}: no shard has started (no meta.json in any shard folder): {}",
            dir.display(),
            problems.join("; ")
        )));
    }
    same_sweep(dir, &started, count)?;
    let grid_points = started[0]
        .meta
        .shard
        .as_ref()
        .map(|s| s.grid_points.clone())
        .unwrap_or_default();
    let owner = owners(&started, &grid_points, count, &unusable)?;
    problems.extend(unfinished_or_failed(dir, &started));
    if !problems.is_empty() && !allow_partial {
        return Err(BenchError::Shards(format!(
            "{}: cannot merge:\n  {}\n(--allow-partial merges what exists and lists the missing points)",
            dir.display(),
            problems.join("\n  ")
        )));
    }
    Ok(Checked {
        count,
        started,
        unusable,
        grid_points,
        owner,
        problems,
    })
}

/// The shards with a `meta.json`; a problem for each folder without one (it never started)
/// and each shard with no folder; the numbers of both.
fn read_metas(
    dir: &Path,
    found: Vec<(Shard, PathBuf)>,
    count: usize,
) -> Result<(Vec<Found>, Vec<String>, BTreeSet<usize>)> {
    let mut problems = Vec::new();
    let mut unusable = BTreeSet::new();
    let mut started = Vec::new();
    let present: BTreeSet<usize> = found.iter().map(|(s, _)| s.index).collect();
    for (shard, sdir) in found {
        let path = sdir.join(META);
        let Ok(text) = std::fs::read_to_string(&path) else {
            problems.push(format!(
                "shard {shard} ({}) has no meta.json: it never started",
                sdir.display()
            ));
            unusable.insert(shard.index);
            continue;
        };
        let meta = Meta::from_json(&text).map_err(|e| {
            BenchError::Shards(format!(
                "shard {shard}: {} is not a meta.json of dsmpc-sweep: {e}",
                path.display()
            ))
        })?;
        started.push(Found { shard, dir: sdir, meta });
    }
    for i in (1..=count).filter(|i| !present.contains(i)) {
        let s = Shard { index: i, count };
        problems.push(format!(
            "shard {s} is missing: no folder {}",
            dir.join(s.folder()).display()
        ));
        unusable.insert(i);
    }
    Ok((started, problems, unusable))
}

/// Whether every shard is the one it claims to be, of the same sweep as the first.
fn same_sweep(dir: &Path, started: &[Found], count: usize) -> Result<()> {
    let reference = &started[0];
    let mut mismatches = Vec::new();
    for (i, f) in started.iter().enumerate() {
        let Some(rec) = &f.meta.shard else {
            mismatches.push(format!(
                "shard {} ({}): its meta.json records no shard: it holds a whole sweep",
                f.shard,
                f.dir.display()
            ));
            continue;
        };
        if (rec.index, rec.count) != (f.shard.index, count) {
            mismatches.push(format!(
                "shard {} ({}): its meta.json says it is shard {}/{}",
                f.shard,
                f.dir.display(),
                rec.index,
                rec.count
            ));
        }
        if i == 0 {
            continue;
        }
        let diffs = differences(&f.meta, reference);
        if !diffs.is_empty() {
            mismatches.push(format!("shard {} differs: {}", f.shard, diffs.join("; ")));
        }
    }
    if !mismatches.is_empty() {
        return Err(BenchError::Shards(format!(
            "{}: the shards do not come from the same sweep:\n  {}",
            dir.display(),
            mismatches.join("\n  ")
        )));
    }
    Ok(())
}

/// How shard meta `m` differs from the reference shard's, in words.
fn differences(m: &Meta, reference: &Found) -> Vec<String> {
    let r = &reference.meta;
    let reps = |x: Option<u64>| x.map_or("(none)".to_string(), |v| v.to_string());
    let mut diffs = Vec::new();
    for (what, here, there) in [
        ("seed", m.seed.to_string(), r.seed.to_string()),
        ("repetitions", reps(m.reps), reps(r.reps)),
        ("git revision", m.git_rev.clone(), r.git_rev.clone()),
        ("crate version", m.crate_version.clone(), r.crate_version.clone()),
        ("grid", json_text(&m.preset, "(none)"), json_text(&r.preset, "(none)")),
    ] {
        if here != there {
            diffs.push(format!("{what} {here} (shard {}: {there})", reference.shard));
        }
    }
    let points = |m: &Meta| m.shard.as_ref().map(|s| s.grid_points.clone()).unwrap_or_default();
    let (a, b) = (points(m), points(r));
    if a != b {
        let first = a
            .iter()
            .zip(&b)
            .find(|(x, y)| x != y)
            .map(|(x, y)| format!("first difference: {x} here, {y} in shard {}", reference.shard))
            .unwrap_or_else(|| format!("{} points here, {} in shard {}", a.len(), b.len(), reference.shard));
        diffs.push(format!("grid points ({first})"));
    }
    diffs
}

/// Point -> its shard: the shards' points are disjoint and within the grid, and (when no shard
/// is missing) cover it.
fn owners(
    started: &[Found],
    grid_points: &[String],
    count: usize,
    unusable: &BTreeSet<usize>,
) -> Result<HashMap<String, usize>> {
    let mut owner: HashMap<String, usize> = HashMap::new();
    for f in started {
        for p in f.meta.shard.iter().flat_map(|s| &s.points) {
            if !grid_points.contains(p) {
                return Err(BenchError::Shards(format!(
                    "shard {}: point {p} is not in the grid",
                    f.shard
                )));
            }
            if let Some(other) = owner.insert(p.clone(), f.shard.index) {
                return Err(BenchError::Shards(format!(
                    "point {p} belongs to shards {other}/{count} and {}: the shards overlap",
                    f.shard
                )));
            }
        }
    }
    if unusable.is_empty()
        && let Some(p) = grid_points.iter().find(|p| !owner.contains_key(*p))
    {
        return Err(BenchError::Shards(format!("point {p} belongs to no shard")));
    }
    Ok(owner)
}

/// A problem for each shard that did not finish or has failed points.
fn unfinished_or_failed(dir: &Path, started: &[Found]) -> Vec<String> {
    let mut problems = Vec::new();
    for f in started {
        if f.meta.finished.is_none() {
            problems.push(format!(
                "shard {} did not finish (its meta.json has no end time): it is still running, or it stopped; \
                 resume it with `dsmpc-sweep <same options> --resume {} --shard {}`",
                f.shard,
                dir.display(),
                f.shard
            ));
        }
        if !f.meta.failed.is_empty() {
            problems.push(format!(
                "shard {} has failed points: {} (see {})",
                f.shard,
                f.meta.failed.join(", "),
                f.dir.join(META).display()
            ));
        }
    }
    problems
}
