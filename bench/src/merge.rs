//! Merging the shards of a sweep (`crate::shard`) into one sweep folder. A merge checks that
//! every shard `shard-I-of-N/` is there, finished and without failed points, and that all
//! came from the same grid, seed, repetitions, crate version and git revision (naming the
//! shard and what differs); then writes `phases.csv`, `messages.csv`, `sessions.csv` and
//! `units.csv` into the sweep folder with the points in grid order (the order an unsharded run
//! with `--jobs 1` writes), and a `meta.json` that records every shard's host, start and end.
//!
//! With `allow_partial`, missing, unfinished or failed shards are not an error: the points
//! they finished are merged, and `meta.json` (`merged.missing_points`, and its notes, which
//! the report prints) lists every point that is missing and why. Shards from different
//! sweeps are never merged.
//!
//! The steps, one module each: `shards` finds the shard folders, reads their `meta.json` and
//! checks that they belong together; `join` reads their rows and joins them in grid order;
//! `record` writes the merged files and the merged `meta.json`.

use std::path::Path;

use dsmpc_schema::Meta;

use crate::error::{BenchError, Result};

mod join;
mod record;
mod shards;

/// How to merge.
#[derive(Clone, Debug, Default)]
pub struct MergeOptions {
    /// Merge what exists when shards are missing, unfinished or have failed points.
    pub allow_partial: bool,
    /// The command line, for meta.json.
    pub command_line: String,
}

/// What a merge did.
#[derive(Clone, Debug, Default)]
pub struct MergeSummary {
    /// N, the number of shards of the sweep.
    pub shards: usize,
    /// Shards whose results were merged (all of them, or fewer with `allow_partial`).
    pub merged_shards: Vec<usize>,
    /// Points of the grid.
    pub grid_points: usize,
    /// Points merged.
    pub points: usize,
    /// Points missing from the merge, each with the reason.
    pub missing_points: Vec<String>,
    /// What was wrong with shards (empty when all were complete).
    pub problems: Vec<String>,
    /// Distinct hosts that ran the merged shards.
    pub hosts: Vec<String>,
}

/// Merge the shards in `dir` into `dir` itself.
pub fn merge(dir: &Path, opts: &MergeOptions) -> Result<MergeSummary> {
    let found = shards::find(dir)?;
    let checked = shards::check(dir, found, opts.allow_partial)?;
    let tables = join::read_rows(&checked)?;
    let joined = join::join(&checked, &tables)?;
    if joined.phases.is_empty() && joined.messages.is_empty() {
        return Err(BenchError::Shards(format!(
            "{}: no shard has finished a point, nothing to merge:\n  {}",
            dir.display(),
            checked.problems.join("\n  ")
        )));
    }
    record::refuse_to_overwrite_a_sweep(dir)?;
    record::write_rows(dir, &tables.headers, &joined)?;
    let meta: Meta = record::merged_meta(&checked, &joined, &tables.headers, opts);
    record::write_meta(dir, &meta)?;
    Ok(MergeSummary {
        shards: checked.count,
        merged_shards: joined.merged_from.keys().copied().collect(),
        grid_points: checked.grid_points.len(),
        points: checked.grid_points.len() - joined.missing.len(),
        missing_points: joined.missing,
        problems: checked.problems,
        hosts: meta.hosts.unwrap_or_default(),
    })
}
