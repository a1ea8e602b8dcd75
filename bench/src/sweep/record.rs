//! The `meta.json` a sweep or shard writes: once before any point runs (no end time) and again
//! when it ends, with its notes, failed points, wall time per point and calibrations.

use std::collections::BTreeMap;

use dsmpc_schema::{GridInfo, Meta, ShardInfo};

use super::SweepOptions;
use crate::grid::Grid;
use crate::host;
use crate::rows::Env;

/// What the calibration measures, for meta.json.
const CALIBRATION_WORKLOAD: &str = "thread-CPU seconds of 12 num-bigint 2048-bit modexps (256-bit exponents): median of 5, measured at start and end, the smaller kept";

/// The sweep's `meta.json` before any point ran: what does not change while it runs.
pub(super) fn base_meta(grid: &Grid, opts: &SweepOptions, env: &Env, started: String) -> Meta {
    let shard = opts.shard.as_ref().map(|sr| ShardInfo {
        index: sr.shard.index,
        count: sr.shard.count,
        folder: sr.shard.folder(),
        points: grid.points.iter().map(|p| p.point_id()).collect(),
        grid_points: sr.grid_points.clone(),
    });
    Meta {
        host: Some(host::hostname()),
        hosts: None,
        git_rev: env.git_rev.clone(),
        crate_version: env.crate_version.clone(),
        host_cpu: env.host_cpu.clone(),
        cores: env.cores as u64,
        command_line: opts.command_line.clone().into(),
        started,
        finished: None,
        seed: grid.seed,
        preset: opts.preset.clone().into(),
        jobs: opts.jobs as u64,
        reps: Some(grid.reps as u64),
        calibration_s: f64::INFINITY,
        calibration_samples_s: Some(Vec::new()),
        calibration_workload: Some(CALIBRATION_WORKLOAD.into()),
        backends_compiled: Some(
            dsmpc_core::backend::BackendKind::available()
                .iter()
                .map(|b| b.name().to_string())
                .collect(),
        ),
        grid: GridInfo {
            name: Some(grid.name.clone()),
            description: Some(grid.description.clone()),
            points: Some(grid.points.len() as u64),
            ran_now: Some(0),
            other: Default::default(),
        },
        peak_rss_bytes: None,
        point_wall_s: Vec::new(),
        notes: Vec::new(),
        failed: Vec::new(),
        shard,
        shards: None,
        merged: None,
        extra: BTreeMap::new(),
    }
}

/// `meta.json` as the sweep stands: `base` with its end (if it ended), notes, points run, wall
/// times and calibrations (the smallest is kept) so far.
pub(super) fn progress_meta(
    base: &Meta,
    finished: Option<String>,
    notes: &[String],
    ran: usize,
    walls: &BTreeMap<String, f64>,
    cal: &[f64],
) -> Meta {
    let mut m = base.clone();
    m.finished = finished;
    m.calibration_s = cal.iter().copied().fold(f64::INFINITY, f64::min);
    m.calibration_samples_s = Some(cal.to_vec());
    m.grid.ran_now = Some(ran as u64);
    m.peak_rss_bytes = host::peak_rss_bytes();
    m.point_wall_s = walls.iter().map(|(k, v)| (k.clone(), *v)).collect();
    m.notes = notes.to_vec();
    // Point ids of failed points (the notes say why).
    m.failed = notes
        .iter()
        .filter_map(|n| n.strip_prefix("failed: "))
        .map(|f| f.split(": ").next().unwrap_or(f).to_string())
        .collect();
    m
}
