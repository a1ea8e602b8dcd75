//! The last step of a merge: write the joined rows into the sweep folder (each file through a
//! temporary file and a rename) and the merged `meta.json`: the reference shard's description
//! of the sweep, every shard's host, times and calibration, and what the merge did.

use std::collections::BTreeSet;
use std::path::Path;

use dsmpc_schema::files::{MESSAGES, META, PHASES, SESSIONS, UNITS};
use dsmpc_schema::{GridInfo, MergeInfo, Meta, ShardSummary};

use super::MergeOptions;
use super::join::{Header, Headers, Joined};
use super::shards::Checked;
use crate::error::{BenchError, Result, csv_err, io};

/// Refuses to overwrite an unsharded sweep's own results in the same folder (a merge's own
/// results are overwritten by a new merge).
pub(super) fn refuse_to_overwrite_a_sweep(dir: &Path) -> Result<()> {
    if !dir.join(PHASES).exists() {
        return Ok(());
    }
    // Read leniently: any JSON object with a non-null `merged` is a merge's.
    let is_merge = std::fs::read_to_string(dir.join(META))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| !v["merged"].is_null());
    if is_merge {
        return Ok(());
    }
    Err(BenchError::Shards(format!(
        "{} already holds the results of a sweep that is not a merge: not overwriting them",
        dir.display()
    )))
}

/// Writes the merged CSV files into `dir`.
pub(super) fn write_rows(dir: &Path, headers: &Headers, joined: &Joined) -> Result<()> {
    write_csv(dir, PHASES, &headers.phases, &joined.phases)?;
    write_csv(dir, MESSAGES, &headers.messages, &joined.messages)?;
    write_csv(dir, UNITS, &headers.units, &joined.units)?;
    if headers.sessions.is_some() {
        write_csv(dir, SESSIONS, &headers.sessions, &joined.sessions)
    } else {
        // Shards from before sessions.csv: no stale file from an earlier merge.
        let _ = std::fs::remove_file(dir.join(SESSIONS));
        Ok(())
    }
}

fn write_csv(dir: &Path, file: &str, header: &Header, rows: &[csv::StringRecord]) -> Result<()> {
    let path = dir.join(file);
    let tmp = dir.join(format!("{file}.merge-tmp"));
    let mut w = csv::Writer::from_path(&tmp).map_err(csv_err(&tmp))?;
    if let Some((h, _)) = header {
        w.write_record(h).map_err(csv_err(&tmp))?;
    }
    for r in rows {
        w.write_record(r).map_err(csv_err(&tmp))?;
    }
    w.flush().map_err(io(&tmp))?;
    drop(w);
    std::fs::rename(&tmp, &path).map_err(io(&path))
}

/// Writes `meta` as `dir/meta.json`.
pub(super) fn write_meta(dir: &Path, meta: &Meta) -> Result<()> {
    let path = dir.join(META);
    std::fs::write(&path, meta.to_json()).map_err(io(&path))
}

/// Each distinct value once, in the order first seen.
fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    }
    out
}

/// The merged `meta.json`.
pub(super) fn merged_meta(checked: &Checked, joined: &Joined, headers: &Headers, opts: &MergeOptions) -> Meta {
    let merged: Vec<&Meta> = checked
        .started
        .iter()
        .filter(|f| !checked.unusable.contains(&f.shard.index))
        .map(|f| &f.meta)
        .collect();
    let hosts = distinct(merged.iter().map(|m| m.host.as_deref().unwrap_or("unknown")));
    let cpus = distinct(merged.iter().map(|m| m.host_cpu.as_str()));
    let mut cal: Vec<f64> = merged.iter().map(|m| m.calibration_s).collect();
    cal.sort_by(|a, b| a.total_cmp(b));
    let notes = merged_notes(checked, joined, &merged, &hosts, &cpus, &cal);
    let mut walls: Vec<(String, f64)> = Vec::new();
    for (point, s) in merged.iter().flat_map(|m| &m.point_wall_s) {
        match walls.iter_mut().find(|(p, _)| p == point) {
            Some(w) => w.1 = *s,
            None => walls.push((point.clone(), *s)),
        }
    }
    let r = checked.reference();
    Meta {
        host: Some(hosts.join(", ")),
        git_rev: r.git_rev.clone(),
        crate_version: r.crate_version.clone(),
        host_cpu: cpus.join(" | "),
        cores: r.cores,
        command_line: opts.command_line.clone().into(),
        started: merged
            .iter()
            .map(|m| m.started.as_str())
            .min()
            .unwrap_or_default()
            .to_string(),
        finished: merged.iter().filter_map(|m| m.finished.clone()).max(),
        seed: r.seed,
        preset: r.preset.clone(),
        jobs: r.jobs,
        reps: r.reps,
        calibration_s: cal.get(cal.len() / 2).copied().unwrap_or(f64::NAN),
        calibration_samples_s: Some(cal),
        calibration_workload: r.calibration_workload.clone(),
        backends_compiled: r.backends_compiled.clone(),
        grid: GridInfo {
            name: r.grid.name.clone(),
            description: r.grid.description.clone(),
            points: Some(checked.grid_points.len() as u64),
            ran_now: Some(distinct_points(&joined.messages, &headers.messages) as u64),
            other: Default::default(),
        },
        peak_rss_bytes: merged.iter().filter_map(|m| m.peak_rss_bytes).max(),
        point_wall_s: walls,
        notes,
        failed: merged.iter().flat_map(|m| m.failed.iter().cloned()).collect(),
        shard: None,
        shards: Some(shard_summaries(checked, joined)),
        merged: Some(MergeInfo {
            at: dsmpc_roles::log::timestamp(),
            shards: checked.count,
            merged_shards: joined.merged_from.keys().copied().collect(),
            allow_partial: opts.allow_partial,
            problems: checked.problems.clone(),
            missing_points: joined.missing.clone(),
        }),
        hosts: Some(hosts),
        extra: Default::default(),
    }
}

/// The shards' notes, each once, then what the merge adds: where the shards ran, how the
/// calibration was chosen, and every missing point.
fn merged_notes(
    checked: &Checked,
    joined: &Joined,
    merged: &[&Meta],
    hosts: &[String],
    cpus: &[String],
    cal: &[f64],
) -> Vec<String> {
    let mut notes = distinct(merged.iter().flat_map(|m| m.notes.iter().map(String::as_str)));
    notes.push(format!(
        "merged from {} of {} shards, run on {}",
        merged.len(),
        checked.count,
        hosts.join(", ")
    ));
    if cal.len() > 1 {
        let caveat = if hosts.len() > 1 || cpus.len() > 1 {
            "; the shards ran on different hosts, so times of points from different shards compare only roughly"
        } else {
            ""
        };
        notes.push(format!(
            "calibration_s is the median of the shards' ({}){caveat}",
            cal.iter().map(|c| format!("{c:.4}")).collect::<Vec<_>>().join(", ")
        ));
    }
    notes.extend(joined.missing.iter().map(|p| format!("missing: {p}")));
    notes
}

/// What each started shard was, for the merged `meta.json`.
fn shard_summaries(checked: &Checked, joined: &Joined) -> Vec<ShardSummary> {
    checked
        .started
        .iter()
        .map(|f| {
            let m = &f.meta;
            ShardSummary {
                index: f.shard.index,
                folder: f.shard.folder(),
                host: m.host.clone(),
                host_cpu: m.host_cpu.clone(),
                cores: m.cores,
                jobs: m.jobs,
                started: m.started.clone(),
                finished: m.finished.clone(),
                calibration_s: m.calibration_s,
                points: m.shard.as_ref().map_or(0, |s| s.points.len()),
                merged_points: joined.merged_from.get(&f.shard.index).copied().unwrap_or(0),
                failed: m.failed.clone(),
                peak_rss_bytes: m.peak_rss_bytes,
                command_line: m.command_line.clone(),
            }
        })
        .collect()
}

/// Distinct points among message rows.
fn distinct_points(rows: &[csv::StringRecord], header: &Header) -> usize {
    let Some(i) = header.as_ref().and_then(|(h, _)| h.iter().position(|x| x == "point")) else {
        return 0;
    };
    rows.iter().map(|r| &r[i]).collect::<BTreeSet<_>>().len()
}
