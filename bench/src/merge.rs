//! Merging the shards of a sweep (`crate::shard`) into one sweep folder. A merge checks that
//! every shard `shard-I-of-N/` is there, finished and without failed points, and that all
//! came from the same grid, seed, repetitions, crate version and git revision (naming the
//! shard and what differs); then writes `phases.csv`, `messages.csv`, `sessions.csv` and `units.csv` into the
//! sweep folder with the points in grid order (the order an unsharded run with `--jobs 1`
//! writes), and a `meta.json` that records every shard's host, start and end.
//!
//! With `allow_partial`, missing, unfinished or failed shards are not an error: the points
//! they finished are merged, and `meta.json` (`merged.missing_points`, and its notes, which
//! the report prints) lists every point that is missing and why. Shards from different
//! sweeps are never merged.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use dsmpc_schema::files::{MESSAGES, META, PHASES, SESSIONS, UNITS};

use crate::error::{BenchError, Result, csv_err, io};
use crate::shard::Shard;

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

/// A CSV file as its header and complete rows (a row cut off by an interruption is dropped).
struct Table {
    header: csv::StringRecord,
    rows: Vec<csv::StringRecord>,
}

impl Table {
    fn read(path: &Path) -> Result<Option<Table>> {
        if !path.exists() {
            return Ok(None);
        }
        let (header, rows) = crate::rows::read_complete_rows(path)?;
        Ok(Some(Table { header, rows }))
    }

    fn col(&self, name: &str, path: &Path) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| BenchError::Shards(format!("{}: no column `{name}`", path.display())))
    }
}

/// One shard folder as found.
struct Found {
    shard: Shard,
    dir: PathBuf,
    meta: Option<Value>,
}

/// The shards' data read for the merge.
struct ShardData {
    shard: Shard,
    /// Point -> its phases rows.
    phases: HashMap<String, Vec<csv::StringRecord>>,
    /// Point -> its messages rows (a point is complete when it has them).
    messages: HashMap<String, Vec<csv::StringRecord>>,
    /// Point -> its sessions rows (none in shards written before `sessions.csv`).
    sessions: HashMap<String, Vec<csv::StringRecord>>,
    units: Vec<csv::StringRecord>,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "(none)".into(),
        other => other.to_string(),
    }
}

fn str_list(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Merge the shards in `dir` into `dir` itself.
pub fn merge(dir: &Path, opts: &MergeOptions) -> Result<MergeSummary> {
    let entries = std::fs::read_dir(dir).map_err(io(dir))?;
    let mut found: Vec<Found> = Vec::new();
    let mut bad_names = Vec::new();
    for e in entries {
        let e = e.map_err(io(dir))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if !e.path().is_dir() || !name.starts_with("shard-") {
            continue;
        }
        match Shard::from_folder(&name) {
            Some(shard) => found.push(Found {
                shard,
                dir: e.path(),
                meta: None,
            }),
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
    found.sort_by_key(|f| (f.shard.count, f.shard.index));
    let counts: BTreeSet<usize> = found.iter().map(|f| f.shard.count).collect();
    if counts.len() > 1 {
        let names: Vec<String> = found.iter().map(|f| f.shard.folder()).collect();
        return Err(BenchError::Shards(format!(
            "{} mixes shards of different splits ({}): a sweep folder holds the shards of one --shard I/N split; move the others away",
            dir.display(),
            names.join(", ")
        )));
    }
    let count = found[0].shard.count;

    // Read every meta.json; a folder without one never started.
    let mut problems: Vec<String> = Vec::new();
    let mut unusable: BTreeSet<usize> = BTreeSet::new();
    for f in &mut found {
        let path = f.dir.join(META);
        match std::fs::read_to_string(&path) {
            Ok(t) => {
                let v: Value = serde_json::from_str(&t).map_err(|e| {
                    BenchError::Shards(format!("shard {}: {} is not valid JSON: {e}", f.shard, path.display()))
                })?;
                f.meta = Some(v);
            }
            Err(_) => {
                problems.push(format!(
                    "shard {} ({}) has no meta.json: it never started",
                    f.shard,
                    f.dir.display()
                ));
                unusable.insert(f.shard.index);
            }
        }
    }
    for i in 1..=count {
        if !found.iter().any(|f| f.shard.index == i) {
            let s = Shard { index: i, count };
            problems.push(format!(
                "shard {s} is missing: no folder {}",
                dir.join(s.folder()).display()
            ));
            unusable.insert(i);
        }
    }
    let with_meta: Vec<(&Found, &Value)> = found.iter().filter_map(|f| f.meta.as_ref().map(|m| (f, m))).collect();
    let Some(&(reference, ref_meta)) = with_meta.first() else {
        return Err(BenchError::Shards(format!(
            "{}: no shard has started (no meta.json in any shard folder): {}",
            dir.display(),
            problems.join("; ")
        )));
    };

    // Same sweep: the shard each claims to be, grid, seed, repetitions, version, revision.
    let mut mismatches = Vec::new();
    for &(f, m) in &with_meta {
        let rec = &m["shard"];
        if rec.is_null() {
            mismatches.push(format!(
                "shard {} ({}): its meta.json records no shard: it holds a whole sweep",
                f.shard,
                f.dir.display()
            ));
            continue;
        }
        if (rec["index"].as_u64(), rec["count"].as_u64()) != (Some(f.shard.index as u64), Some(count as u64)) {
            mismatches.push(format!(
                "shard {} ({}): its meta.json says it is shard {}/{}",
                f.shard,
                f.dir.display(),
                text(&rec["index"]),
                text(&rec["count"])
            ));
        }
        if std::ptr::eq(f, reference) {
            continue;
        }
        let mut diffs = Vec::new();
        for (key, what) in [
            ("seed", "seed"),
            ("reps", "repetitions"),
            ("git_rev", "git revision"),
            ("crate_version", "crate version"),
            ("preset", "grid"),
        ] {
            if m[key] != ref_meta[key] {
                diffs.push(format!(
                    "{what} {} (shard {}: {})",
                    text(&m[key]),
                    reference.shard,
                    text(&ref_meta[key])
                ));
            }
        }
        let (a, b) = (
            str_list(&rec["grid_points"]),
            str_list(&ref_meta["shard"]["grid_points"]),
        );
        if a != b {
            let first = a
                .iter()
                .zip(&b)
                .find(|(x, y)| x != y)
                .map(|(x, y)| format!("first difference: {x} here, {y} in shard {}", reference.shard))
                .unwrap_or_else(|| format!("{} points here, {} in shard {}", a.len(), b.len(), reference.shard));
            diffs.push(format!("grid points ({first})"));
        }
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
    let grid_points = str_list(&ref_meta["shard"]["grid_points"]);

    // Disjoint, and each within the grid.
    let mut owner: HashMap<String, usize> = HashMap::new();
    for &(f, m) in &with_meta {
        for p in str_list(&m["shard"]["points"]) {
            if !grid_points.contains(&p) {
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

    // Unfinished or failed shards.
    for &(f, m) in &with_meta {
        if m["finished"].is_null() {
            problems.push(format!(
                "shard {} did not finish (its meta.json has no end time): it is still running, or it stopped; \
                 resume it with `dsmpc-sweep <same options> --resume {} --shard {}`",
                f.shard,
                dir.display(),
                f.shard
            ));
        }
        let failed = str_list(&m["failed"]);
        if !failed.is_empty() {
            problems.push(format!(
                "shard {} has failed points: {} (see {})",
                f.shard,
                failed.join(", "),
                f.dir.join(META).display()
            ));
        }
    }
    if !problems.is_empty() && !opts.allow_partial {
        return Err(BenchError::Shards(format!(
            "{}: cannot merge:\n  {}\n(--allow-partial merges what exists and lists the missing points)",
            dir.display(),
            problems.join("\n  ")
        )));
    }

    // The rows, by point.
    let mut data: Vec<ShardData> = Vec::new();
    let mut headers: [Option<(csv::StringRecord, Shard)>; 4] = [None, None, None, None];
    for &(f, _) in &with_meta {
        let mut d = ShardData {
            shard: f.shard,
            phases: HashMap::new(),
            messages: HashMap::new(),
            sessions: HashMap::new(),
            units: Vec::new(),
        };
        for (slot, file) in [PHASES, MESSAGES, UNITS, SESSIONS].iter().enumerate() {
            let path = f.dir.join(file);
            let Some(t) = Table::read(&path)? else { continue };
            if t.header.is_empty() {
                continue; // an empty file: a shard without points, or none finished yet
            }
            match &headers[slot] {
                Some((h, s)) if *h != t.header => {
                    return Err(BenchError::Shards(format!(
                        "{}: its columns differ from those of shard {s}",
                        path.display()
                    )));
                }
                Some(_) => {}
                None => headers[slot] = Some((t.header.clone(), f.shard)),
            }
            if *file == UNITS {
                d.units = t.rows;
                continue;
            }
            let pc = t.col("point", &path)?;
            let map = match *file {
                PHASES => &mut d.phases,
                SESSIONS => &mut d.sessions,
                _ => &mut d.messages,
            };
            for r in t.rows {
                map.entry(r[pc].to_string()).or_default().push(r);
            }
        }
        data.push(d);
    }

    // Join in grid order.
    let mut phases_out = Vec::new();
    let mut messages_out = Vec::new();
    let mut sessions_out = Vec::new();
    let mut missing = Vec::new();
    let mut merged_from: BTreeMap<usize, usize> = BTreeMap::new();
    // Unit-cost key -> the shard whose calibration the merged units.csv keeps.
    let mut unit_source: Vec<(Vec<String>, usize)> = Vec::new();
    let phase_key = headers[0]
        .as_ref()
        .map(|(h, _)| {
            ["backend", "suite", "rsa_bits", "group_bits"]
                .iter()
                .filter_map(|c| h.iter().position(|x| x == *c))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    for p in &grid_points {
        let holders: Vec<&ShardData> = data.iter().filter(|d| d.messages.contains_key(p)).collect();
        let Some(d) = holders.first() else {
            let why = match owner.get(p) {
                Some(&i) => {
                    let s = Shard { index: i, count };
                    let failed = with_meta
                        .iter()
                        .find(|(f, _)| f.shard.index == i)
                        .is_some_and(|(_, m)| str_list(&m["failed"]).contains(p));
                    if failed {
                        format!("failed in shard {s}")
                    } else {
                        format!("not finished by shard {s}")
                    }
                }
                None => {
                    let gone: Vec<String> = unusable.iter().map(|i| format!("{i}/{count}")).collect();
                    match gone.as_slice() {
                        [one] => format!("shard {one} is missing"),
                        _ => format!("in one of the missing shards {}", gone.join(", ")),
                    }
                }
            };
            missing.push(format!("{p} ({why})"));
            continue;
        };
        if holders.len() > 1 {
            return Err(BenchError::Shards(format!(
                "point {p} has results in shards {} and {}",
                holders[0].shard, holders[1].shard
            )));
        }
        *merged_from.entry(d.shard.index).or_default() += 1;
        let ph = d.phases.get(p).cloned().unwrap_or_default();
        if let Some(first) = ph.first() {
            let key: Vec<String> = phase_key.iter().map(|&i| first[i].to_string()).collect();
            if !unit_source.iter().any(|(k, _)| *k == key) {
                unit_source.push((key, d.shard.index));
            }
        }
        phases_out.extend(ph);
        messages_out.extend(d.messages[p].iter().cloned());
        sessions_out.extend(d.sessions.get(p).into_iter().flatten().cloned());
    }
    if phases_out.is_empty() && messages_out.is_empty() {
        return Err(BenchError::Shards(format!(
            "{}: no shard has finished a point, nothing to merge:\n  {}",
            dir.display(),
            problems.join("\n  ")
        )));
    }
    let mut units_out = Vec::new();
    if let Some((uh, _)) = &headers[2] {
        let ucols: Vec<usize> = ["backend", "suite", "rsa_bits", "group_bits"]
            .iter()
            .filter_map(|c| uh.iter().position(|x| x == *c))
            .collect();
        for (key, shard) in &unit_source {
            if let Some(d) = data.iter().find(|d| d.shard.index == *shard) {
                units_out.extend(
                    d.units
                        .iter()
                        .filter(|r| ucols.iter().map(|&i| &r[i]).eq(key.iter().map(String::as_str)))
                        .cloned(),
                );
            }
        }
    }

    // Refuse to overwrite an unsharded sweep's own results in the same folder.
    let top_meta = dir.join(META);
    if dir.join(PHASES).exists() {
        let is_merge = std::fs::read_to_string(&top_meta)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .is_some_and(|v| !v["merged"].is_null());
        if !is_merge {
            return Err(BenchError::Shards(format!(
                "{} already holds the results of a sweep that is not a merge: not overwriting them",
                dir.display()
            )));
        }
    }
    let write = |file: &str, header: &Option<(csv::StringRecord, Shard)>, rows: &[csv::StringRecord]| -> Result<()> {
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
    };
    write(PHASES, &headers[0], &phases_out)?;
    write(MESSAGES, &headers[1], &messages_out)?;
    write(UNITS, &headers[2], &units_out)?;
    if headers[3].is_some() {
        write(SESSIONS, &headers[3], &sessions_out)?;
    } else {
        // Shards from before sessions.csv: no stale file from an earlier merge.
        let _ = std::fs::remove_file(dir.join(SESSIONS));
    }

    // meta.json: the reference shard's description of the sweep, every shard's host and times.
    let merged_metas: Vec<(&Found, &Value)> = with_meta
        .iter()
        .copied()
        .filter(|(f, _)| !unusable.contains(&f.shard.index))
        .collect();
    let mut hosts: Vec<String> = Vec::new();
    for (_, m) in &merged_metas {
        let h = m["host"].as_str().unwrap_or("unknown").to_string();
        if !hosts.contains(&h) {
            hosts.push(h);
        }
    }
    let mut cpus: Vec<String> = Vec::new();
    for (_, m) in &merged_metas {
        let c = text(&m["host_cpu"]);
        if !cpus.contains(&c) {
            cpus.push(c);
        }
    }
    let mut cal: Vec<f64> = merged_metas
        .iter()
        .filter_map(|(_, m)| m["calibration_s"].as_f64())
        .collect();
    cal.sort_by(|a, b| a.total_cmp(b));
    let calibration_s = cal.get(cal.len() / 2).copied().unwrap_or(f64::NAN);
    let started = merged_metas.iter().filter_map(|(_, m)| m["started"].as_str()).min();
    let finished = merged_metas.iter().filter_map(|(_, m)| m["finished"].as_str()).max();
    let mut notes: Vec<String> = Vec::new();
    for (_, m) in &merged_metas {
        for n in str_list(&m["notes"]) {
            if !notes.contains(&n) {
                notes.push(n);
            }
        }
    }
    notes.push(format!(
        "merged from {} of {count} shards, run on {}",
        merged_metas.len(),
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
    for p in &missing {
        notes.push(format!("missing: {p}"));
    }
    let mut walls = serde_json::Map::new();
    for (_, m) in &merged_metas {
        if let Some(w) = m["point_wall_s"].as_object() {
            walls.extend(w.clone());
        }
    }
    let shards: Vec<Value> = with_meta
        .iter()
        .map(|(f, m)| {
            json!({
                "index": f.shard.index, "folder": f.shard.folder(), "host": m["host"],
                "host_cpu": m["host_cpu"], "cores": m["cores"], "jobs": m["jobs"],
                "started": m["started"], "finished": m["finished"], "calibration_s": m["calibration_s"],
                "points": str_list(&m["shard"]["points"]).len(),
                "merged_points": merged_from.get(&f.shard.index).copied().unwrap_or(0),
                "failed": m["failed"], "peak_rss_bytes": m["peak_rss_bytes"],
                "command_line": m["command_line"],
            })
        })
        .collect();
    let failed: Vec<String> = merged_metas.iter().flat_map(|(_, m)| str_list(&m["failed"])).collect();
    let r = ref_meta;
    let meta = json!({
        "host": hosts.join(", "),
        "hosts": hosts,
        "git_rev": r["git_rev"], "crate_version": r["crate_version"],
        "host_cpu": cpus.join(" | "), "cores": r["cores"],
        "command_line": opts.command_line,
        "started": started, "finished": finished,
        "seed": r["seed"], "preset": r["preset"], "jobs": r["jobs"], "reps": r["reps"],
        "calibration_s": calibration_s, "calibration_samples_s": cal,
        "calibration_workload": r["calibration_workload"],
        "backends_compiled": r["backends_compiled"],
        "grid": {
            "name": r["grid"]["name"], "description": r["grid"]["description"],
            "points": grid_points.len(), "ran_now": distinct_points(&messages_out, headers[1].as_ref()),
        },
        "peak_rss_bytes": merged_metas.iter().filter_map(|(_, m)| m["peak_rss_bytes"].as_u64()).max(),
        "point_wall_s": walls,
        "notes": notes,
        "failed": failed,
        "shard": Value::Null,
        "shards": shards,
        "merged": {
            "at": dsmpc_roles::log::timestamp(),
            "shards": count,
            "merged_shards": merged_from.keys().collect::<Vec<_>>(),
            "allow_partial": opts.allow_partial,
            "problems": problems,
            "missing_points": missing,
        },
    });
    std::fs::write(&top_meta, serde_json::to_string_pretty(&meta).unwrap_or_default()).map_err(io(&top_meta))?;
    Ok(MergeSummary {
        shards: count,
        merged_shards: merged_from.keys().copied().collect(),
        grid_points: grid_points.len(),
        points: grid_points.len() - missing.len(),
        missing_points: missing,
        problems,
        hosts,
    })
}

/// Distinct points among message rows.
fn distinct_points(rows: &[csv::StringRecord], header: Option<&(csv::StringRecord, Shard)>) -> usize {
    let Some(i) = header.and_then(|(h, _)| h.iter().position(|x| x == "point")) else {
        return 0;
    };
    rows.iter().map(|r| &r[i]).collect::<BTreeSet<_>>().len()
}
