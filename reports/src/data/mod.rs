//! Reading a sweep folder written by `dsmpc-bench`: `phases.csv`, `messages.csv`,
//! `units.csv`, `meta.json` and (when present) `sessions.csv`, into typed rows, plus the per-point summaries (median, min
//! and max over repetitions) that figures, report and regression check all start from.
//!
//! Columns are looked up by header name, so their order does not matter and extra columns
//! are ignored; every parse error names the file, the line and the column. The parts:
//! `rows` (the row types and `meta.json`), `table` (the tolerant CSV reader by header name),
//! `read` (the readers of the four files) and `aggregate` (summaries over repetitions,
//! messages grouped per point); everything is re-exported here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

mod aggregate;
mod read;
mod rows;
mod table;

pub use aggregate::{HasParams, MessagePoint, PhaseSummary, PointSummary, SessionPoint, session_points, summarize};
pub use read::{read_messages, read_meta, read_phases, read_sessions, read_units};
pub use rows::{Dim, DimValue, MessageRow, Meta, Params, PhaseRow, SessionRow, UnitRow};

// The names of the files' phases, ops, message kinds and roles are the schema's (the
// contract with dsmpc-bench); re-exported here, where the readers and figures use them.
pub use dsmpc_schema::{
    MESSAGE_KINDS, OP_COLUMNS, OPTIONAL_OP_COLUMNS, PHASES, ROLES, kind_rank, op_index, phase_rank,
};

/// The names of the four files of a sweep folder.
pub const FILES: [&str; 4] = ["phases.csv", "messages.csv", "units.csv", "meta.json"];

/// A whole sweep folder, read into memory.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// The folder it was read from.
    pub dir: PathBuf,
    /// Rows of `phases.csv`, in file order.
    pub phases: Vec<PhaseRow>,
    /// Rows of `messages.csv`, in file order.
    pub messages: Vec<MessageRow>,
    /// Rows of `units.csv`, in file order.
    pub units: Vec<UnitRow>,
    /// Rows of `sessions.csv`, in file order (empty when the folder has none: sweeps written
    /// before the file existed).
    pub sessions: Vec<SessionRow>,
    /// `meta.json`.
    pub meta: Meta,
}

impl Dataset {
    /// Reads the four files of a sweep folder.
    pub fn load(dir: &Path) -> Result<Dataset> {
        if !dir.is_dir() {
            return Err(Error::io(
                dir,
                std::io::Error::new(std::io::ErrorKind::NotFound, "not a folder"),
            ));
        }
        Ok(Dataset {
            dir: dir.to_path_buf(),
            phases: read_phases(&dir.join("phases.csv"))?,
            messages: read_messages(&dir.join("messages.csv"))?,
            units: read_units(&dir.join("units.csv"))?,
            sessions: {
                let path = dir.join("sessions.csv");
                if path.exists() {
                    read_sessions(&path)?
                } else {
                    Vec::new()
                }
            },
            meta: read_meta(&dir.join("meta.json"))?,
        })
    }

    /// Per-point summaries, sorted by parameters.
    pub fn points(&self) -> Vec<PointSummary> {
        summarize(&self.phases)
    }

    /// Message rows grouped per point, sorted by parameters.
    pub fn message_points(&self) -> Vec<MessagePoint> {
        aggregate::group_messages(&self.messages)
    }

    /// `sessions.csv` rows grouped per point, sorted by parameters.
    pub fn session_points(&self) -> Vec<SessionPoint> {
        session_points(&self.sessions)
    }

    /// Phase names present, in protocol order.
    pub fn phase_names(&self) -> Vec<String> {
        let set: BTreeSet<&str> = self.phases.iter().map(|r| r.phase.as_str()).collect();
        let mut v: Vec<String> = set.into_iter().map(String::from).collect();
        v.sort_by(|a, b| phase_rank(a).cmp(&phase_rank(b)).then(a.cmp(b)));
        v
    }
}
