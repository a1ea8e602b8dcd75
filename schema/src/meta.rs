//! `meta.json`: how and where a sweep ran ([`Meta`]). One type for the three forms a sweep
//! folder holds: a whole sweep's, a shard's (with [`Meta::shard`]) and a merge's (with
//! [`Meta::hosts`], [`Meta::shards`] and [`Meta::merged`]). `dsmpc-bench` writes it; its merge
//! and `dsmpc-reports` read it.
//!
//! Fields are serialised in the order listed, the order the files have always had. Files written
//! before a field existed still read: fields added later are `Option`s or default to empty, and
//! keys this type does not know are kept in [`Meta::extra`] (written back after the known ones).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// `meta.json` of a sweep, a shard or a merge.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Meta {
    /// The host that ran the sweep (a merge: the distinct hosts joined by `, `; absent from
    /// files written before the field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// A merge: every distinct host of the merged shards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosts: Option<Vec<String>>,
    /// `git rev-parse --short HEAD` (+ `-dirty`).
    pub git_rev: String,
    /// Version of the dsmpc crates.
    pub crate_version: String,
    /// CPU model (a merge: the shards' distinct models joined by ` | `).
    pub host_cpu: String,
    /// Logical cores.
    pub cores: u64,
    /// The command that ran the sweep: a string, or (older files) an array of arguments.
    pub command_line: Value,
    /// Start time, RFC 3339.
    pub started: String,
    /// End time, RFC 3339; `None` (JSON null) while the sweep runs or after it stopped.
    pub finished: Option<String>,
    /// Sweep seed.
    pub seed: u64,
    /// Preset or grid file name (a string; null in some older files).
    pub preset: Value,
    /// Points run at once.
    pub jobs: u64,
    /// Repetitions per point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reps: Option<u64>,
    /// Seconds of the reference CPU workload in this run (a merge: the median of the shards').
    pub calibration_s: f64,
    /// Every calibration measured (start and end; a merge: each shard's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration_samples_s: Option<Vec<f64>>,
    /// What the calibration workload is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration_workload: Option<String>,
    /// The big-integer backends compiled into the sweep binary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backends_compiled: Option<Vec<String>>,
    /// The grid: its name, description and sizes (older files: free-form).
    pub grid: GridInfo,
    /// Peak resident memory of the sweep process (null where it could not be read).
    #[serde(default)]
    pub peak_rss_bytes: Option<u64>,
    /// Wall seconds per point, in the order written.
    #[serde(default, with = "ordered_seconds")]
    pub point_wall_s: Vec<(String, f64)>,
    /// Notes such as skipped invalid points and failed points (`failed: POINT: why`).
    #[serde(default)]
    pub notes: Vec<String>,
    /// Point ids of failed points.
    #[serde(default)]
    pub failed: Vec<String>,
    /// A shard: which one, and the points of it and of the whole grid (null otherwise).
    #[serde(default)]
    pub shard: Option<ShardInfo>,
    /// A merge: what each shard was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shards: Option<Vec<ShardSummary>>,
    /// A merge: what the merge did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<MergeInfo>,
    /// Any other keys, kept as they were.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `meta.json`'s `grid`: what the sweep writes, or any object older files hold.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct GridInfo {
    /// Grid name (preset or file stem).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Points of the whole grid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<u64>,
    /// Points this run finished (a merge: distinct points merged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ran_now: Option<u64>,
    /// Other keys (older, free-form grids), in file order.
    #[serde(flatten)]
    pub other: serde_json::Map<String, Value>,
}

impl fmt::Display for GridInfo {
    /// As compact JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&serde_json::to_string(self).map_err(|_| fmt::Error)?)
    }
}

/// `meta.json`'s `shard` in a shard's folder.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ShardInfo {
    /// I of I/N, 1-based.
    pub index: usize,
    /// N.
    pub count: usize,
    /// Its folder name, `shard-I-of-N`.
    pub folder: String,
    /// Its points, in grid order.
    #[serde(default)]
    pub points: Vec<String>,
    /// Every point id of the whole grid, in grid order.
    #[serde(default)]
    pub grid_points: Vec<String>,
}

/// One entry of a merge's `shards`: a shard as it ran.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ShardSummary {
    /// I of I/N.
    pub index: usize,
    /// Its folder name.
    pub folder: String,
    /// Its host.
    pub host: Option<String>,
    /// Its CPU model.
    pub host_cpu: String,
    /// Its cores.
    pub cores: u64,
    /// Its points run at once.
    pub jobs: u64,
    /// Its start.
    pub started: String,
    /// Its end (null: it did not finish).
    pub finished: Option<String>,
    /// Its calibration.
    pub calibration_s: f64,
    /// Its points.
    pub points: usize,
    /// Its points in the merge.
    pub merged_points: usize,
    /// Its failed points.
    pub failed: Vec<String>,
    /// Its peak resident memory.
    pub peak_rss_bytes: Option<u64>,
    /// Its command line.
    pub command_line: Value,
}

/// A merge's `merged`: when, of what, and what is missing.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MergeInfo {
    /// When the merge ran.
    pub at: String,
    /// N, the shards of the sweep.
    pub shards: usize,
    /// The shards whose points were merged.
    pub merged_shards: Vec<usize>,
    /// Whether missing, unfinished or failed shards were allowed.
    pub allow_partial: bool,
    /// What was wrong with shards.
    pub problems: Vec<String>,
    /// Points missing from the merge, each with the reason.
    pub missing_points: Vec<String>,
}

impl Meta {
    /// Reads `meta.json` text.
    pub fn from_json(text: &str) -> serde_json::Result<Meta> {
        serde_json::from_str(text)
    }

    /// As `meta.json` text (pretty, in field order).
    pub fn to_json(&self) -> String {
        // Serialising plain data to a string cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// `command_line` as one display string.
    pub fn command_line_text(&self) -> String {
        json_text(&self.command_line, "-")
    }

    /// `preset` as one display string.
    pub fn preset_text(&self) -> String {
        json_text(&self.preset, "-")
    }

    /// Whether the sweep or shard finished (a merge is written when done).
    pub fn is_finished(&self) -> bool {
        self.finished.is_some()
    }
}

/// A JSON value as plain text: strings unquoted, arrays of strings joined by spaces, `null` as
/// `none`.
pub fn json_text(v: &Value, none: &str) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => none.into(),
        Value::Array(a) if a.iter().all(|x| x.is_string()) => {
            a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(" ")
        }
        other => other.to_string(),
    }
}

/// `point_wall_s`: a JSON object of seconds whose key order is kept.
mod ordered_seconds {
    use super::*;

    pub fn serialize<S: Serializer>(v: &[(String, f64)], s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(v.len()))?;
        for (k, x) in v {
            m.serialize_entry(k, x)?;
        }
        m.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, f64)>, D::Error> {
        struct Seconds;
        impl<'de> Visitor<'de> for Seconds {
            type Value = Vec<(String, f64)>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of point ids to seconds")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut v = Vec::new();
                while let Some(entry) = map.next_entry::<String, f64>()? {
                    v.push(entry);
                }
                Ok(v)
            }
        }
        d.deserialize_map(Seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHARD: &str = r#"{
  "host": "a",
  "git_rev": "abc",
  "crate_version": "0.1.0",
  "host_cpu": "cpu",
  "cores": 2,
  "command_line": "dsmpc-sweep --shard 1/2",
  "started": "s",
  "finished": null,
  "seed": 7,
  "preset": "quick",
  "jobs": 1,
  "reps": 3,
  "calibration_s": 0.5,
  "calibration_samples_s": [
    0.5
  ],
  "calibration_workload": "w",
  "backends_compiled": [
    "num"
  ],
  "grid": {
    "name": "quick",
    "description": "d",
    "points": 2,
    "ran_now": 0
  },
  "peak_rss_bytes": null,
  "point_wall_s": {
    "p2": 1.5,
    "p1": 0.25
  },
  "notes": [],
  "failed": [],
  "shard": {
    "index": 1,
    "count": 2,
    "folder": "shard-1-of-2",
    "points": [
      "p1"
    ],
    "grid_points": [
      "p1",
      "p2"
    ]
  },
  "later_key": {
    "x": 1
  }
}"#;

    #[test]
    fn a_shard_meta_reads_and_writes_back_byte_for_byte() {
        let m = Meta::from_json(SHARD).unwrap();
        assert_eq!(m.shard.as_ref().unwrap().grid_points, ["p1", "p2"]);
        assert_eq!(m.point_wall_s[0], ("p2".to_string(), 1.5));
        assert!(!m.is_finished());
        assert_eq!(m.extra["later_key"]["x"], 1);
        assert_eq!(m.to_json(), SHARD);
    }

    #[test]
    fn an_old_free_form_meta_reads() {
        let old = r#"{"git_rev":"0123abcd","crate_version":"0.1.0","host_cpu":"c","cores":2,
            "command_line":["cargo","xtask"],"started":"s","finished":"f","seed":42,"preset":null,
            "jobs":1,"calibration_s":0.0125,"grid":{"backend":["num","gmp"],"reps":3},"notes":["n"]}"#;
        let m = Meta::from_json(old).unwrap();
        assert_eq!(m.command_line_text(), "cargo xtask");
        assert_eq!(m.preset_text(), "-");
        assert_eq!(m.grid.to_string(), r#"{"backend":["num","gmp"],"reps":3}"#);
        assert!(m.shard.is_none() && m.merged.is_none() && m.reps.is_none());
    }

    #[test]
    fn a_missing_required_key_is_named() {
        let e = Meta::from_json(r#"{"git_rev":"x"}"#).unwrap_err().to_string();
        assert!(e.contains("missing field"), "{e}");
    }
}
