//! Resuming a sweep or a shard in its folder: the rows of points cut off mid-write are dropped
//! ([`recover`]), and a folder of another grid, seed, repetition count, shard or file format is
//! refused with what differs.

use std::collections::BTreeSet;
use std::path::Path;

use dsmpc_core::counters::Op;
use dsmpc_schema::Meta;
use dsmpc_schema::files::{MESSAGES, META, PHASES, SESSIONS, UNITS};

use super::ShardRun;
use super::units::read_units;
use crate::error::{BenchError, Result, csv_err, io};
use crate::grid::Grid;
use crate::rows::{PhaseRow, UnitRow};

/// Points whose messages rows exist: those are complete (messages are written last).
/// Rewrites the files keeping only complete points, dropping a point cut off mid-write.
pub(super) fn recover(out: &Path) -> Result<BTreeSet<String>> {
    let mpath = out.join(MESSAGES);
    let ppath = out.join(PHASES);
    let spath = out.join(SESSIONS);
    if !mpath.exists() {
        let _ = std::fs::remove_file(&ppath);
        let _ = std::fs::remove_file(&spath);
        return Ok(BTreeSet::new());
    }
    // A row cut off by an interruption has the wrong width or fails to parse: stop there.
    let read_all = crate::rows::read_complete_rows;
    let (mh, mrows) = read_all(&mpath)?;
    let done: BTreeSet<String> = mrows.iter().filter_map(|r| r.get(0).map(str::to_string)).collect();
    let rewrite = |path: &Path, header: &csv::StringRecord, rows: &[csv::StringRecord]| -> Result<()> {
        let tmp = path.with_extension("csv.tmp");
        let mut w = csv::Writer::from_path(&tmp).map_err(csv_err(&tmp))?;
        w.write_record(header).map_err(csv_err(&tmp))?;
        for r in rows.iter().filter(|r| r.get(0).is_some_and(|p| done.contains(p))) {
            w.write_record(r).map_err(csv_err(&tmp))?;
        }
        w.flush().map_err(io(&tmp))?;
        std::fs::rename(&tmp, path).map_err(io(path))
    };
    rewrite(&mpath, &mh, &mrows)?;
    for path in [&ppath, &spath] {
        if path.exists() {
            let (h, rows) = read_all(path)?;
            rewrite(path, &h, &rows)?;
        }
    }
    Ok(done)
}

/// Refuses to resume a folder written with other columns or other operation kinds (an older
/// `dsmpc-sweep`, e.g. before `dp_sign` and `dp_sig_verify`): appending rows of the current
/// schema would give lines of a different width than the header, and points priced without
/// the newer unit costs. Such a sweep has to be started again in a new folder.
pub(super) fn check_resumable(out: &Path) -> Result<()> {
    check_header::<PhaseRow>(&out.join(PHASES))?;
    check_header::<UnitRow>(&out.join(UNITS))?;
    let upath = out.join(UNITS);
    for ((backend, suite, provider, rsa, group), u) in read_units(&upath) {
        if let Some(op) = Op::ALL.iter().find(|o| !u.0.contains_key(*o)) {
            return Err(BenchError::Output(format!(
                "{} has no unit cost of `{}` for {backend}/{suite}/{provider}/rsa{rsa}/g{group} (written by an older \
                 dsmpc-sweep): it cannot be resumed; start the sweep again in a new folder",
                upath.display(),
                op.name()
            )));
        }
    }
    Ok(())
}

/// Refuses a non-empty file at `path` whose header is not `T`'s (e.g. a `units.csv` written
/// before its `group` column).
fn check_header<T: serde::Serialize + Default>(path: &Path) -> Result<()> {
    let nonempty = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
    if !nonempty {
        return Ok(());
    }
    let mut r = csv::Reader::from_path(path).map_err(csv_err(path))?;
    let found: Vec<String> = r.headers().map_err(csv_err(path))?.iter().map(str::to_string).collect();
    let expected = crate::rows::header::<T>();
    if found == expected {
        return Ok(());
    }
    let missing: Vec<&str> = expected
        .iter()
        .filter(|c| !found.contains(c))
        .map(String::as_str)
        .collect();
    Err(BenchError::Output(format!(
        "{} was written by another version of dsmpc-sweep (its columns differ{}): \
         it cannot be resumed; start the sweep again in a new folder",
        path.display(),
        if missing.is_empty() {
            String::new()
        } else {
            format!("; missing {}", missing.join(", "))
        }
    )))
}

/// Resuming a whole sweep: the folder must hold the same grid (its name, repetitions and seed in
/// `meta.json` where one was written, and no finished point this grid lacks). `--resume DIR`
/// alone runs the default preset; resuming a `net` sweep that way once ran the 88 `quick`
/// points into its folder.
pub(super) fn check_whole_resume(out: &Path, grid: &Grid, done: &BTreeSet<String>) -> Result<()> {
    // A meta.json that does not read is no evidence either way (as when there is none).
    let meta: Option<Meta> = std::fs::read_to_string(out.join(META))
        .ok()
        .and_then(|t| Meta::from_json(&t).ok());
    let how = meta
        .as_ref()
        .and_then(|m| m.command_line.as_str())
        .map(|c| format!(" (it was started as `{c}`: give the same grid options with --resume)"))
        .unwrap_or_else(|| " (give the grid options it was started with, and --resume)".into());
    let refuse = |what: String| {
        Err(BenchError::Output(format!(
            "cannot resume the sweep in {}: {what}{how}",
            out.display()
        )))
    };
    if let Some(m) = &meta {
        if let Some(name) = &m.grid.name
            && *name != grid.name
        {
            return refuse(format!("it holds grid {name:?}, this run is grid {:?}", grid.name));
        }
        if let Some(reps) = m.reps
            && reps != grid.reps as u64
        {
            return refuse(format!(
                "it was run with {reps} repetitions, this run has {}",
                grid.reps
            ));
        }
        if m.seed != grid.seed {
            return refuse(format!(
                "it was run with seed {}, this run has seed {}",
                m.seed, grid.seed
            ));
        }
    }
    let ids: BTreeSet<String> = grid.points.iter().map(|p| p.point_id()).collect();
    if let Some(extra) = done.iter().find(|d| !ids.contains(*d)) {
        return refuse(format!("it holds point {extra}, which this run's grid does not have"));
    }
    Ok(())
}

/// Resuming a shard: its folder must hold the same shard of the same grid.
pub(super) fn check_shard_resume(meta_path: &Path, grid: &Grid, sr: &ShardRun) -> Result<()> {
    let Ok(text) = std::fs::read_to_string(meta_path) else {
        return Ok(()); // not started yet
    };
    let meta = Meta::from_json(&text).map_err(|e| {
        BenchError::Output(format!(
            "{}: not a meta.json of this dsmpc-sweep ({e}); remove the folder to start this shard again",
            meta_path.display()
        ))
    })?;
    let refuse = |what: String| {
        Err(BenchError::Output(format!(
            "cannot resume shard {} in {}: {what}",
            sr.shard,
            meta_path.parent().unwrap_or(meta_path).display()
        )))
    };
    let Some(old) = &meta.shard else {
        return refuse("its meta.json records no shard (it holds a whole sweep)".into());
    };
    if (old.index, old.count) != (sr.shard.index, sr.shard.count) {
        return refuse(format!("it holds shard {}/{}", old.index, old.count));
    }
    if meta.reps != Some(grid.reps as u64) {
        return refuse(format!(
            "it was started with {} repetitions, this run has {}",
            meta.reps.map_or("null".into(), |r| r.to_string()),
            grid.reps
        ));
    }
    if meta.seed != grid.seed {
        return refuse(format!(
            "it was started with seed {}, this run has seed {}",
            meta.seed, grid.seed
        ));
    }
    let old_points = &old.grid_points;
    if *old_points != sr.grid_points {
        let first = sr
            .grid_points
            .iter()
            .zip(old_points)
            .find(|(a, b)| a != b)
            .map(|(a, b)| format!("first difference: {b} there, {a} here"))
            .unwrap_or_else(|| format!("{} points there, {} here", old_points.len(), sr.grid_points.len()));
        return refuse(format!("it was started on another grid ({first})"));
    }
    Ok(())
}
