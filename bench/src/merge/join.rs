//! The second step of a merge: read the rows of every started shard (`phases.csv`,
//! `messages.csv`, `sessions.csv`, `units.csv`; a row cut off by an interruption is dropped) and
//! join them in grid order. A point is complete in a shard when it has its messages rows (they
//! are written last); a point no shard completed is listed as missing with the reason. The
//! merged `units.csv` keeps, for each unit-cost key, the calibration of the shard that ran the
//! first point with that key in grid order.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use dsmpc_schema::files::{MESSAGES, PHASES, SESSIONS, UNITS};

use super::shards::Checked;
use crate::error::{BenchError, Result};
use crate::shard::Shard;

/// The unit-cost key columns, in `phases.csv` and `units.csv`.
const UNIT_KEY: [&str; 4] = ["backend", "suite", "rsa_bits", "group_bits"];

/// A header and the shard it was first read from.
pub(super) type Header = Option<(csv::StringRecord, Shard)>;

/// The headers of the four files, in the order `phases`, `messages`, `units`, `sessions`
/// (`None`: no shard has that file, or only empty ones).
pub(super) struct Headers {
    pub phases: Header,
    pub messages: Header,
    pub units: Header,
    pub sessions: Header,
}

/// One shard's rows.
pub(super) struct ShardRows {
    shard: Shard,
    /// Point -> its phases rows.
    phases: HashMap<String, Vec<csv::StringRecord>>,
    /// Point -> its messages rows (a point is complete when it has them).
    messages: HashMap<String, Vec<csv::StringRecord>>,
    /// Point -> its sessions rows (none in shards written before `sessions.csv`).
    sessions: HashMap<String, Vec<csv::StringRecord>>,
    units: Vec<csv::StringRecord>,
}

/// Every started shard's rows, and the files' headers (the same in every shard).
pub(super) struct Tables {
    pub headers: Headers,
    shards: Vec<ShardRows>,
}

/// The merged rows, in grid order.
pub(super) struct Joined {
    pub phases: Vec<csv::StringRecord>,
    pub messages: Vec<csv::StringRecord>,
    pub sessions: Vec<csv::StringRecord>,
    pub units: Vec<csv::StringRecord>,
    /// Points missing, each with the reason.
    pub missing: Vec<String>,
    /// Shard -> its points merged.
    pub merged_from: BTreeMap<usize, usize>,
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

/// Reads the rows of every started shard, checking that a file has the same columns in each.
pub(super) fn read_rows(checked: &Checked) -> Result<Tables> {
    let mut headers = Headers {
        phases: None,
        messages: None,
        units: None,
        sessions: None,
    };
    let mut shards = Vec::new();
    for f in &checked.started {
        let mut d = ShardRows {
            shard: f.shard,
            phases: HashMap::new(),
            messages: HashMap::new(),
            sessions: HashMap::new(),
            units: Vec::new(),
        };
        for file in [PHASES, MESSAGES, UNITS, SESSIONS] {
            let path = f.dir.join(file);
            let Some(t) = Table::read(&path)? else { continue };
            if t.header.is_empty() {
                continue; // an empty file: a shard without points, or none finished yet
            }
            let slot = match file {
                PHASES => &mut headers.phases,
                MESSAGES => &mut headers.messages,
                UNITS => &mut headers.units,
                _ => &mut headers.sessions,
            };
            match slot {
                Some((h, s)) if *h != t.header => {
                    return Err(BenchError::Shards(format!(
                        "{}: its columns differ from those of shard {s}",
                        path.display()
                    )));
                }
                Some(_) => {}
                None => *slot = Some((t.header.clone(), f.shard)),
            }
            if file == UNITS {
                d.units = t.rows;
                continue;
            }
            let pc = t.col("point", &path)?;
            let map = match file {
                PHASES => &mut d.phases,
                SESSIONS => &mut d.sessions,
                _ => &mut d.messages,
            };
            for r in t.rows {
                map.entry(r[pc].to_string()).or_default().push(r);
            }
        }
        shards.push(d);
    }
    Ok(Tables { headers, shards })
}

/// The positions of the unit-cost key columns in `header`.
fn key_columns(header: &Header) -> Vec<usize> {
    header
        .as_ref()
        .map(|(h, _)| UNIT_KEY.iter().filter_map(|c| h.iter().position(|x| x == *c)).collect())
        .unwrap_or_default()
}

/// The rows of every point in grid order; a point no shard completed is listed as missing.
pub(super) fn join(checked: &Checked, tables: &Tables) -> Result<Joined> {
    let mut j = Joined {
        phases: Vec::new(),
        messages: Vec::new(),
        sessions: Vec::new(),
        units: Vec::new(),
        missing: Vec::new(),
        merged_from: BTreeMap::new(),
    };
    // Unit-cost key -> the shard whose calibration the merged units.csv keeps.
    let mut unit_source: Vec<(Vec<String>, usize)> = Vec::new();
    let phase_key = key_columns(&tables.headers.phases);
    for p in &checked.grid_points {
        let holders: Vec<&ShardRows> = tables.shards.iter().filter(|d| d.messages.contains_key(p)).collect();
        let Some(d) = holders.first() else {
            j.missing.push(format!("{p} ({})", why_missing(checked, p)));
            continue;
        };
        if holders.len() > 1 {
            return Err(BenchError::Shards(format!(
                "point {p} has results in shards {} and {}",
                holders[0].shard, holders[1].shard
            )));
        }
        *j.merged_from.entry(d.shard.index).or_default() += 1;
        let ph = d.phases.get(p).cloned().unwrap_or_default();
        if let Some(first) = ph.first() {
            let key: Vec<String> = phase_key.iter().map(|&i| first[i].to_string()).collect();
            if !unit_source.iter().any(|(k, _)| *k == key) {
                unit_source.push((key, d.shard.index));
            }
        }
        j.phases.extend(ph);
        j.messages.extend(d.messages[p].iter().cloned());
        j.sessions.extend(d.sessions.get(p).into_iter().flatten().cloned());
    }
    j.units = units(tables, &unit_source);
    Ok(j)
}

/// Why no shard has point `p`.
fn why_missing(checked: &Checked, p: &str) -> String {
    let count = checked.count;
    match checked.owner.get(p) {
        Some(&i) => {
            let s = Shard { index: i, count };
            let failed = checked
                .started
                .iter()
                .find(|f| f.shard.index == i)
                .is_some_and(|f| f.meta.failed.iter().any(|x| x == p));
            if failed {
                format!("failed in shard {s}")
            } else {
                format!("not finished by shard {s}")
            }
        }
        None => {
            let gone: Vec<String> = checked.unusable.iter().map(|i| format!("{i}/{count}")).collect();
            match gone.as_slice() {
                [one] => format!("shard {one} is missing"),
                _ => format!("in one of the missing shards {}", gone.join(", ")),
            }
        }
    }
}

/// The unit-cost rows of each key from the shard chosen for it.
fn units(tables: &Tables, unit_source: &[(Vec<String>, usize)]) -> Vec<csv::StringRecord> {
    let mut out = Vec::new();
    if tables.headers.units.is_none() {
        return out;
    }
    let ucols = key_columns(&tables.headers.units);
    for (key, shard) in unit_source {
        if let Some(d) = tables.shards.iter().find(|d| d.shard.index == *shard) {
            out.extend(
                d.units
                    .iter()
                    .filter(|r| ucols.iter().map(|&i| &r[i]).eq(key.iter().map(String::as_str)))
                    .cloned(),
            );
        }
    }
    out
}
